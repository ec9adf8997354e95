from dotdo.runtime.lazy_table import LazyTable
from dotdo.runtime.new_database import database_template
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


def test_tables_of_the_template_a_new_file_was_written_from_need_no_query(tmp_path) -> None:
    template = database_template(("CREATE TABLE IF NOT EXISTS notes (text TEXT)",))
    storage = Storage(tmp_path / "o.sqlite", template=template)
    table = LazyTable(storage, "notes", "CREATE TABLE IF NOT EXISTS notes (text TEXT)")
    statements: list[str] = []
    storage.connection().set_trace_callback(statements.append)
    assert table.exists() is True
    assert storage.table_exists("other") is False
    table.ensure()
    assert statements == []
    storage.sql.exec("INSERT INTO notes VALUES ('x')")
    assert storage.sql.exec("SELECT text FROM notes").to_list() == [{"text": "x"}]


def test_what_storage_knows_of_a_new_files_tables_ends_with_any_schema_change(tmp_path) -> None:
    storage = Storage(tmp_path / "o.sqlite")
    assert storage.table_exists("made_by_user") is False
    storage.sql.exec("CREATE TABLE made_by_user (x)")
    assert storage.table_exists("made_by_user") is True
    storage.sql.exec("DROP TABLE made_by_user")
    assert storage.table_exists("made_by_user") is False

    template = database_template(("CREATE TABLE IF NOT EXISTS notes (text TEXT)",))
    other = Storage(tmp_path / "p.sqlite", template=template)
    assert other.table_exists("notes") is True
    other.delete_all()
    assert other.table_exists("notes") is False
    assert LazyTable(other, "notes").exists() is False


def test_a_reopened_file_is_not_taken_for_a_new_one(tmp_path) -> None:
    template = database_template(("CREATE TABLE IF NOT EXISTS notes (text TEXT)",))
    first = Storage(tmp_path / "o.sqlite", template=template)
    first.sql.exec("CREATE TABLE extra (x)")
    first.close()
    again = Storage(tmp_path / "o.sqlite", template=template)
    assert again.table_exists("extra") is True
    assert again.known_table("notes") is False
    assert again.table_exists("notes") is True
