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
