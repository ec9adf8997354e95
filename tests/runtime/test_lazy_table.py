from dotdo.runtime.lazy_table import LazyTable
from dotdo.runtime.storage import Storage


def test_a_table_created_in_a_rolled_back_block_is_created_again(tmp_path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    table = LazyTable(storage, "notes", "CREATE TABLE IF NOT EXISTS notes (text TEXT)")
    assert table.exists() is False

    def create_then_fail() -> None:
        table.ensure()
        storage.sql.exec("INSERT INTO notes VALUES ('x')")
        raise RuntimeError("roll back")

    try:
        storage.transaction_sync(create_then_fail)
    except RuntimeError:
        pass
    assert table.exists() is False
    table.ensure()
    storage.sql.exec("INSERT INTO notes VALUES ('y')")
    assert storage.sql.exec("SELECT text FROM notes").to_list() == [{"text": "y"}]
    assert LazyTable(storage, "notes").exists() is True


def test_a_create_function_replaces_the_ddl_and_runs_once(tmp_path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    calls = []

    def create() -> None:
        calls.append(1)
        storage.sql.exec("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
        storage.sql.exec("INSERT INTO notes VALUES ('first')")

    table = LazyTable(storage, "notes", create=create)
    table.ensure()
    table.ensure()
    assert calls == [1]
    assert storage.sql.exec("SELECT text FROM notes").to_list() == [{"text": "first"}]


def test_a_table_remembered_through_blocks_is_checked_again_after_forget(tmp_path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    table = LazyTable(storage, "notes", "CREATE TABLE IF NOT EXISTS notes (text TEXT)", remember_in_blocks=True)

    def create_then_fail() -> None:
        table.ensure()
        raise RuntimeError("roll back")

    try:
        storage.transaction_sync(create_then_fail)
    except RuntimeError:
        pass
    # Its owner is told of the rollback and forgets it; the table is created again on next use.
    assert storage.table_exists("notes") is False
    table.forget()
    assert table.exists() is False
    table.ensure()
    assert storage.table_exists("notes") is True


def test_the_key_value_and_timer_tables_come_back_after_a_rolled_back_block(tmp_path) -> None:
    storage = Storage(tmp_path / "o.sqlite")

    def write_then_fail() -> None:
        storage.put("k", 1)
        storage.timers.set("t", 10.0, kind="test")
        raise RuntimeError("roll back")

    try:
        storage.transaction_sync(write_then_fail)
    except RuntimeError:
        pass
    assert storage.get("k") is None
    assert storage.timers.get("t") is None
    storage.put("k", 2)
    storage.timers.set("t", 20.0, kind="test")
    storage.commit()
    assert storage.get("k") == 2
    assert storage.timers.get("t") is not None
