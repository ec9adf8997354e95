"""The key-value API against Cloudflare's own tests (github.com/cloudflare/workerd, Apache-2.0).

Sources: `api/tests/sync-kv-test.js`, `api/tests/actor-kv-test.js`, `util/sqlite-kv-test.c++`,
`io/actor-cache-test.c++`, `io/actor-storage.h` (the size limits). Deliberate differences, also in
the README: `list()` returns a dict (workerd: an iterator of pairs / a Map), so there is no
"iterator invalidated by a new list()" case; `get(missing)` is None (workerd: undefined).
"""

from __future__ import annotations

import pytest

from dotdo import DO, StorageError
from dotdo.runtime.kv import MAX_KEY_BYTES, MAX_VALUE_BYTES
from dotdo.runtime.storage import Storage


@pytest.fixture
def storage(tmp_path):
    s = Storage(tmp_path / "obj.sqlite")
    yield s
    s.close()


def test_sync_kv_test_js_run(storage):
    """sync-kv-test.js MyActor.run: get/put, order, reverse, prefix, limit, range, start_after, delete."""
    assert storage.get("foo") is None
    storage.put("foo", 123)
    assert storage.get("foo") == 123
    assert storage.get("bar") is None
    storage.put("bar", "abc")
    assert storage.get("bar") == "abc"
    assert list(storage.list().items()) == [("bar", "abc"), ("foo", 123)]
    assert list(storage.list(reverse=True).items()) == [("foo", 123), ("bar", "abc")]
    storage.put("baz", False)
    assert list(storage.list(prefix="ba").items()) == [("bar", "abc"), ("baz", False)]
    assert list(storage.list(limit=1).items()) == [("bar", "abc")]
    assert list(storage.list(limit=1, reverse=True).items()) == [("foo", 123)]
    assert list(storage.list(start="b", end="c").items()) == [("bar", "abc"), ("baz", False)]
    assert list(storage.list(start="b", end="baz").items()) == [("bar", "abc")]  # end is exclusive
    assert list(storage.list(start="bar", end="c").items()) == [("bar", "abc"), ("baz", False)]  # start inclusive
    assert list(storage.list(start_after="bar", end="c").items()) == [("baz", False)]  # except when it's not
    assert storage.delete("qux") is False
    assert storage.delete("bar") is True
    assert list(storage.list().items()) == [("baz", False), ("foo", 123)]


def test_start_and_start_after_are_exclusive_options(storage):
    with pytest.raises(ValueError, match="start or start_after"):
        storage.list(start="a", start_after="b")


class KvTest(DO):
    async def kv_operations(self) -> str:
        storage = self.storage
        storage.put("testKey1", "testValue")
        storage.put({"foo1": "bar1", "foo2": "bar2", "foo3": "bar3", "foo4": "bar4"})
        assert storage.get("testKey2") is None
        assert storage.get(["testKey1", "testKey2"]) == {"testKey1": "testValue"}
        assert storage.delete("testKey1") is True
        assert list(storage.list()) == ["foo1", "foo2", "foo3", "foo4"]
        storage.delete_all()
        storage.set_alarm(self.runtime.clock.now() + 0.05)
        assert storage.get_alarm() is not None
        storage.delete_alarm()
        assert storage.transaction_sync(lambda: "test") == "test"
        await storage.settled()
        return "kv-operations"


async def test_actor_kv_test_js_kv_operations(runtime):
    """actor-kv-test.js testKvOperations: every KV call in one event, then sync()."""
    assert await runtime.get(KvTest, "actor-kv-test").kv_operations() == "kv-operations"


def test_sqlite_kv_test_basics(storage):
    """sqlite-kv-test.c++ "SQLite-KV": get, list with start/end/limit both ways, delete, overwrite, delete all."""
    storage.put({"foo": "abc", "bar": "def", "baz": "123", "qux": "321"})
    assert storage.get("foo") == "abc"
    assert storage.get("corge") is None

    def listed(**options: object) -> str:
        return ", ".join(f"{k}={v}" for k, v in storage.list(**options).items())

    assert listed() == "bar=def, baz=123, foo=abc, qux=321"
    assert listed(start="cat") == "foo=abc, qux=321"
    assert listed(start="foo") == "foo=abc, qux=321"
    assert listed(start="fop") == "qux=321"
    assert listed(start="foo ") == "qux=321"
    assert listed(end="cat") == "bar=def, baz=123"
    assert listed(end="foo") == "bar=def, baz=123"
    assert listed(end="fop") == "bar=def, baz=123, foo=abc"
    assert listed(limit=2) == "bar=def, baz=123"
    assert listed(limit=3) == "bar=def, baz=123, foo=abc"
    assert listed(start="baz", limit=2) == "baz=123, foo=abc"
    assert listed(end="foo", limit=1) == "bar=def"
    assert listed(end="foo", limit=3) == "bar=def, baz=123"
    assert listed(reverse=True) == "qux=321, foo=abc, baz=123, bar=def"
    assert listed(start="foo", reverse=True) == "qux=321, foo=abc"
    assert listed(end="foo", reverse=True) == "baz=123, bar=def"
    assert listed(limit=2, reverse=True) == "qux=321, foo=abc"
    assert listed(end="foo", limit=1, reverse=True) == "baz=123"
    assert storage.delete("baz") is True
    assert storage.delete("corge") is False
    storage.put("foo", "hello")
    assert listed() == "bar=def, foo=hello, qux=321"
    assert storage.delete(["bar", "foo", "qux"]) == 3
    assert listed() == ""
    storage.put({"bar": "ghi", "corge": "garply"})
    assert listed() == "bar=ghi, corge=garply"


def test_sqlite_kv_test_multi_put(storage):
    """sqlite-kv-test.c++ "SQLite-KV multi-put": overwrites some keys, leaves others; an empty put is fine."""
    storage.put({"foo": "abc", "bar": "def", "baz": "123"})
    storage.put({"foo": "xyz", "bar": "uvw"})
    storage.put({})
    assert storage.list() == {"bar": "uvw", "baz": "123", "foo": "xyz"}


@pytest.mark.parametrize(
    "bad",
    [
        {"key1": "value1", "key2": "value2", "k" * (MAX_KEY_BYTES + 1): "value3"},
        {"key1": "value1", "key2": "value2", "key3": "x" * (MAX_VALUE_BYTES + 100)},
        {"key1": "value1", "key2": object()},
    ],
    ids=["key too large", "value too large", "value not storable"],
)
def test_sqlite_kv_test_multi_put_rollback_on_error(storage, bad):
    """sqlite-kv-test.c++ "SQLite-KV multi-put rollback on error": one bad pair stores none of them."""
    storage.put("existing", "value")
    with pytest.raises((ValueError, TypeError)):
        storage.put(bad)
    assert storage.list() == {"existing": "value"}


def test_actor_storage_h_key_and_value_limits(storage):
    """actor-storage.h MAX_KEY_SIZE (2048 bytes) and ADVERTISED_MAX_VALUE_SIZE (128 KiB), checked before writing."""
    storage.put("k" * MAX_KEY_BYTES, 1)
    storage.put("é" * (MAX_KEY_BYTES // 2), 1)  # the limit is in UTF-8 bytes
    with pytest.raises(ValueError, match="Keys cannot be larger than 2048 bytes"):
        storage.put("é" * (MAX_KEY_BYTES // 2 + 1), 1)
    storage.put("big", b"x" * MAX_VALUE_BYTES)
    with pytest.raises(ValueError, match="Values cannot be larger than 131072 bytes"):
        storage.put("too big", b"x" * (MAX_VALUE_BYTES + 64))
    assert storage.get("too big") is None
    assert len(storage.get("big")) == MAX_VALUE_BYTES


def test_actor_cache_test_get_multiple_in_key_order(storage):
    """actor-cache-test.c++ "ActorCache multi-key basics": get of several keys gives the present ones, in key order."""
    storage.put({"foo": 1, "bar": 2, "baz": 3})
    result = storage.get(["qux", "foo", "baz", "bar", "foo"])
    assert list(result.items()) == [("bar", 2), ("baz", 3), ("foo", 1)]


def test_actor_cache_test_list_start_point_is_not_present(storage):
    """actor-cache-test.c++ "ActorCache list() start point is not present" and the reverse case."""
    storage.put({"bar": 1, "baz": 2, "foo": 3})
    assert list(storage.list(start="bas", end="fop")) == ["baz", "foo"]
    assert list(storage.list(start="bas", end="fop", reverse=True)) == ["foo", "baz"]


def test_actor_cache_test_list_with_limit_around_deleted_entries(storage):
    """actor-cache-test.c++ "ActorCache list() with limit around negative entries": deleted keys do not count."""
    storage.put({"bar": 1, "baz": 2, "foo": 3, "qux": 4})
    storage.delete(["baz", "foo"])
    assert list(storage.list(limit=2)) == ["bar", "qux"]
    assert list(storage.list(limit=2, reverse=True)) == ["qux", "bar"]


def test_actor_cache_test_more_deletes_count_existing_keys(storage):
    """actor-cache-test.c++ "ActorCache more multi-deletes": a multi-delete counts the keys that existed."""
    storage.put({"foo": 1, "bar": 2})
    assert storage.delete(["foo", "baz", "bar", "qux"]) == 2
    assert storage.delete(["foo"]) == 0


def test_actor_cache_test_transaction_overlay_changes(storage):
    """actor-cache-test.c++ "ActorCache transaction overlay changes": a block sees its own writes; a failed
    block leaves nothing."""
    storage.put({"foo": 1, "bar": 2})

    def block() -> None:
        storage.put("foo", 10)
        storage.delete("bar")
        storage.put("baz", 3)
        assert storage.list() == {"baz": 3, "foo": 10}
        raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        storage.transaction_sync(block)
    assert storage.list() == {"bar": 2, "foo": 1}


def test_actor_cache_test_delete_all(storage):
    """actor-cache-test.c++ "ActorCache deleteAll()": everything is gone and new puts work."""
    storage.put({"foo": 1, "bar": 2})
    storage.sql.exec("CREATE TABLE t (x)")
    storage.delete_all()
    assert storage.list() == {}
    storage.put("baz", 3)
    assert storage.list() == {"baz": 3}


async def test_actor_sqlite_test_sync_throws_after_critical_error(storage):
    """actor-sqlite-test.c++ "sync() throws after critical error in explicit transaction" and "database
    write operations check for brokenness": SQLITE_FULL for real; later calls and settled() raise."""
    storage.put("committed", 1)
    await storage.settled()
    storage.sql.set_max_page_count_for_test(10)

    def block() -> None:
        storage.put("foo", "bar")
        storage.put("large", b"x" * 100_000)

    with pytest.raises(Exception, match="database or disk is full"):
        storage.transaction_sync(block)
    with pytest.raises(StorageError, match="critical SQL error"):
        await storage.settled()
    with pytest.raises(StorageError, match="critical SQL error"):
        storage.put("after", 1)
    with pytest.raises(StorageError, match="critical SQL error"):  # "getAlarm/setAlarm check for brokenness"
        storage.get_alarm()
    with pytest.raises(StorageError, match="critical SQL error"):
        storage.set_alarm(2_000_000_000)
    reopened = Storage(storage.path)
    assert reopened.list() == {"committed": 1}
    reopened.close()
