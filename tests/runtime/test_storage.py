from datetime import UTC, datetime

import pytest

from dotdo import StorageError
from dotdo.runtime.storage import Storage


@pytest.fixture
def storage(tmp_path):
    s = Storage(tmp_path / "obj.sqlite")
    yield s
    s.close()


def test_sql_exec_returns_rows_as_dicts_with_counts(storage):
    storage.sql.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    cursor = storage.sql.exec("INSERT INTO t (name) VALUES (?), (?)", "a", "b")
    assert cursor.rows_written == 2
    cursor = storage.sql.exec("SELECT id, name FROM t ORDER BY id")
    assert cursor.column_names == ["id", "name"]
    assert cursor.rows_read == 2
    assert cursor.to_list() == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    assert list(storage.sql.exec("SELECT name FROM t ORDER BY id").raw()) == [("a",), ("b",)]
    assert [row["name"] for row in storage.sql.exec("SELECT name FROM t ORDER BY id")] == ["a", "b"]


def test_one_requires_exactly_one_row(storage):
    storage.sql.exec("CREATE TABLE t (x)")
    with pytest.raises(StorageError, match="exactly one row"):
        storage.sql.exec("SELECT x FROM t").one()
    storage.sql.exec("INSERT INTO t VALUES (1), (2)")
    with pytest.raises(StorageError, match="got 2"):
        storage.sql.exec("SELECT x FROM t").one()
    assert storage.sql.exec("SELECT count(*) AS n FROM t").one() == {"n": 2}


def test_returning_counts_written_rows(storage):
    storage.sql.exec("CREATE TABLE c (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
    upsert = "INSERT INTO c VALUES ('n', ?) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING v"
    assert storage.sql.exec(upsert, 2).one() == {"v": 2}
    cursor = storage.sql.exec(upsert, 3)
    assert cursor.rows_written == 1 and cursor.one() == {"v": 5}


def test_a_script_of_several_statements_runs_in_order(storage):
    cursor = storage.sql.exec("CREATE TABLE a (x); INSERT INTO a VALUES (1); INSERT INTO a VALUES ('two;three');")
    assert cursor.rows_written == 2
    assert storage.sql.exec("SELECT x FROM a").to_list() == [{"x": 1}, {"x": "two;three"}]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("BEGIN", "transaction_sync"),
        ("commit", "transaction_sync"),
        ("SAVEPOINT s", "transaction_sync"),
        ("ATTACH DATABASE 'other.db' AS other", "ATTACH"),
        ("VACUUM INTO 'copy.db'", "VACUUM"),
        ("PRAGMA journal_mode=DELETE", "journal_mode"),
        ("PRAGMA synchronous=OFF", "synchronous"),
    ],
)
def test_refused_statements_say_why_and_change_nothing(storage, tmp_path, query, reason):
    storage.sql.exec("CREATE TABLE t (x)")
    storage.sql.exec("INSERT INTO t VALUES (1)")
    with pytest.raises(StorageError, match=reason):
        storage.sql.exec(query)
    assert storage.sql.exec("SELECT x FROM t").to_list() == [{"x": 1}]
    assert storage.sql.exec("PRAGMA journal_mode").one() == {"journal_mode": "wal"}
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "other.db").exists()


def test_bindings_are_never_spliced(storage):
    storage.sql.exec("CREATE TABLE users (name TEXT)")
    hostile = "x'); DROP TABLE users; --"
    storage.sql.exec("INSERT INTO users VALUES (?)", hostile)
    assert storage.sql.exec("SELECT name FROM users").one() == {"name": hostile}


def test_wrong_types_give_clear_errors(storage):
    with pytest.raises(TypeError, match="str"):
        storage.sql.exec(b"SELECT 1")
    storage.sql.exec("CREATE TABLE t (x)")
    with pytest.raises(StorageError, match="binding parameter"):
        storage.sql.exec("INSERT INTO t VALUES (?)", {"a": 1})
    with pytest.raises(StorageError):
        storage.sql.exec("SELECT * FROM t WHERE x = ?")


def test_key_value_api(storage):
    assert storage.get("missing") is None
    storage.put("a", {"n": 1, "tags": ["x"], "blob": b"\x00\x01"})
    storage.put({"b": 2, "c": None, "d": "text"})
    assert storage.get("a") == {"n": 1, "tags": ["x"], "blob": b"\x00\x01"}
    assert storage.get(["d", "missing", "b"]) == {"d": "text", "b": 2}
    assert storage.delete("b") is True
    assert storage.delete("b") is False
    assert storage.delete(["a", "c", "zzz"]) == 2
    assert storage.list() == {"d": "text"}


def test_list_orders_by_utf8_bytes_with_prefix_range_limit_reverse(storage):
    keys = ["user:alice", "user:bob", "user:carol", "users", "user;", "admin", "user:é"]
    storage.put({k: i for i, k in enumerate(keys)})
    assert list(storage.list()) == sorted(keys, key=lambda k: k.encode())
    assert list(storage.list(prefix="user:")) == ["user:alice", "user:bob", "user:carol", "user:é"]
    assert list(storage.list(start="user:b", end="user:d")) == ["user:bob", "user:carol"]
    assert list(storage.list(prefix="user:", limit=2, reverse=True)) == ["user:é", "user:carol"]
    with pytest.raises(ValueError, match="positive"):
        storage.list(limit=0)


def test_values_must_be_storable_and_keys_strings(storage):
    with pytest.raises(TypeError, match="Cannot store"):
        storage.put("k", object())
    with pytest.raises(TypeError, match="keys are strings"):
        storage.put(1, "v")
    assert storage.get("k") is None


def test_datetimes_round_trip(storage):
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    storage.put("when", when)
    assert storage.get("when") == when


def test_transaction_sync_is_all_or_nothing(storage):
    storage.sql.exec("CREATE TABLE t (x)")

    def fails():
        storage.sql.exec("INSERT INTO t VALUES (1)")
        storage.put("k", "v")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        storage.transaction_sync(fails)
    assert storage.sql.exec("SELECT count(*) AS n FROM t").one() == {"n": 0}
    assert storage.get("k") is None

    def nested():
        storage.sql.exec("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError):
            storage.transaction_sync(lambda: (storage.sql.exec("INSERT INTO t VALUES (2)"), int("x")))
        return "done"

    assert storage.transaction_sync(nested) == "done"
    assert storage.sql.exec("SELECT x FROM t").to_list() == [{"x": 1}]


def test_transaction_sync_refuses_async_functions(storage):
    async def not_sync():
        return 1

    with pytest.raises(TypeError, match="synchronous"):
        storage.transaction_sync(not_sync)


def test_delete_all_removes_tables_keys_and_alarm(storage):
    storage.sql.exec("CREATE TABLE t (x); CREATE VIEW v AS SELECT x FROM t;")
    storage.put("k", 1)
    storage.set_alarm(2_000_000_000)
    storage.delete_all()
    assert storage.sql.exec("SELECT name FROM sqlite_master").to_list() == []
    assert storage.get("k") is None and storage.get_alarm() is None
    storage.put("k", 2)
    assert storage.get("k") == 2


def test_alarm_accessors(storage):
    assert storage.get_alarm() is None
    storage.set_alarm(datetime(2030, 1, 1, tzinfo=UTC))
    assert storage.get_alarm() == datetime(2030, 1, 1, tzinfo=UTC)
    storage.set_alarm(1_900_000_000.5)
    assert storage.get_alarm().timestamp() == 1_900_000_000.5
    with pytest.raises(ValueError, match="aware"):
        storage.set_alarm(datetime(2030, 1, 1))
    with pytest.raises(TypeError):
        storage.set_alarm("tomorrow")
    storage.delete_alarm()
    assert storage.get_alarm() is None


def test_set_alarm_does_not_clobber_other_timers(storage):
    storage.timers.set("schedule:1", 100.0, kind="schedule", payload={"cron": "* * * * *"})
    storage.set_alarm(50.0)
    storage.set_alarm(60.0)
    storage.delete_alarm()
    assert [t.id for t in storage.timers.list()] == ["schedule:1"]
    assert storage.timers.get("schedule:1").payload == {"cron": "* * * * *"}


def test_data_survives_reopening_the_file(tmp_path):
    path = tmp_path / "obj.sqlite"
    first = Storage(path)
    first.sql.exec("CREATE TABLE t (x); INSERT INTO t VALUES (42);")
    first.put("k", "v")
    first.close()
    second = Storage(path)
    assert second.sql.exec("SELECT x FROM t").one() == {"x": 42}
    assert second.get("k") == "v"
    second.close()


def test_closed_storage_refuses_calls(tmp_path):
    s = Storage(tmp_path / "obj.sqlite")
    s.put("k", 1)
    s.close()
    with pytest.raises(StorageError, match="closed"):
        s.get("k")


def test_durability_mode_is_validated(tmp_path):
    with pytest.raises(ValueError, match="durability"):
        Storage(tmp_path / "x.sqlite", durability="sometimes")
