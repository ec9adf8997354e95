"""How a sharded collection picks a shard: `hash`, `range`, `round_robin` or a function of yours.

A strategy maps the value of the shard key to a shard index in `range(count)`. `hash` uses jump
consistent hashing (see `hash_ring`), so changing the count moves the fewest things; `range` takes
`count - 1` ascending split points (`bounds=[100, 200]` makes shards for `< 100`, `100..199` and
`>= 200`); `round_robin` deals things out in turn, so the key does not say where a thing is and
reads by key ask every shard; a function `fn(value, count) -> index` decides for itself. A function
must be importable by name (defined at module level), because routing has to survive a restart.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from .hash_ring import jump_hash, key_digest

MAX_SHARDS = 1000
STRATEGY_NAMES = ("hash", "range", "round_robin")


class ShardingError(ValueError):
    """A shard, rebalance or unshard request that cannot be carried out as asked."""


@dataclass(frozen=True)
class ShardStrategy:
    """One strategy with its parameters, storable as JSON in the shard registry."""

    name: str
    bounds: tuple[Any, ...] = ()
    function: str | None = None
    _fn: Callable[[Any, int], int] | None = field(default=None, compare=False, repr=False)

    @property
    def routes_by_key(self) -> bool:
        """Whether the key alone says which shard holds a thing (False for round robin)."""
        return self.name != "round_robin"

    def shard_for(self, value: Any, count: int) -> int:
        """The shard index of a key value among `count` shards."""
        if self.name == "hash":
            return jump_hash(key_digest(value), count)
        if self.name == "range":
            try:
                return bisect.bisect_right(self.bounds, value)
            except TypeError:
                raise ShardingError(
                    f"Shard key value {value!r} cannot be compared with the range bounds {list(self.bounds)!r}; "
                    "give things key values of the bounds' type"
                ) from None
        if self.name == "callable":
            index = self._callable()(value, count)
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
                raise ShardingError(
                    f"The sharding function {self.function} returned {index!r} for {value!r}; "
                    f"it must return an index from 0 to {count - 1}"
                )
            return index
        raise ShardingError(f"Strategy {self.name!r} does not route by key; ask every shard")

    def _callable(self) -> Callable[[Any, int], int]:
        if self._fn is not None:
            return self._fn
        module_name, _, qualname = (self.function or "").partition(":")
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
        object.__setattr__(self, "_fn", found)
        return found

    def to_record(self) -> dict[str, Any]:
        """The JSON form kept in the registry."""
        return {"name": self.name, "bounds": list(self.bounds), "function": self.function}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ShardStrategy:
        """A strategy from its registry form."""
        return cls(record["name"], tuple(record.get("bounds") or ()), record.get("function"))


def check_count(count: Any) -> int:
    """A valid shard count, or `ShardingError` saying what is allowed."""
    if isinstance(count, bool) or not isinstance(count, int):
        raise ShardingError(f"count must be a whole number of shards, not {count!r}")
    if count < 1:
        raise ShardingError(f"count must be at least 1, not {count}")
    if count > MAX_SHARDS:
        raise ShardingError(f"count {count} is too many: maximum {MAX_SHARDS} shards")
    return count


def check_key(key: Any) -> str:
    """A valid shard key: `id`, `type`, `name` or a (dotted) data field."""
    if not isinstance(key, str) or not key.strip():
        raise ShardingError("key must name the field to shard by (e.g. key='customer_id'), not an empty value")
    if any(not part for part in key.split(".")):
        raise ShardingError(f"key {key!r} has an empty segment; use dotted names like 'address.city'")
    return key


def make_strategy(strategy: Any, count: int, bounds: Sequence[Any] | None = None) -> ShardStrategy:
    """The strategy named (or given as a function) by a `shard`/`rebalance` call, checked against `count`."""
    if callable(strategy):
        fn = cast("Callable[[Any, int], int]", strategy)
        module = getattr(strategy, "__module__", None)
        qualname = getattr(strategy, "__qualname__", "")
        if not module or "<" in qualname:
            raise ShardingError(
                f"A sharding function must be defined at module level so it can be found again after a restart; "
                f"{strategy!r} is not (a lambda or a nested function?)"
            )
        return ShardStrategy("callable", function=f"{module}:{qualname}", _fn=fn)
    if strategy not in STRATEGY_NAMES:
        raise ShardingError(
            f"Unknown strategy {strategy!r}; use one of {', '.join(map(repr, STRATEGY_NAMES))} or a function "
            "fn(value, count) -> index"
        )
    if strategy == "range":
        if bounds is None:
            raise ShardingError(f"strategy='range' needs bounds=[...]: {count - 1} ascending split points")
        split = tuple(bounds)
        if len(split) != count - 1:
            raise ShardingError(f"{count} range shards need {count - 1} bounds, not {len(split)}")
        try:
            ordered = all(a < b for a, b in itertools.pairwise(split))
        except TypeError:
            ordered = False
        if not ordered:
            raise ShardingError(f"range bounds must be strictly ascending values of one type, not {list(split)!r}")
        return ShardStrategy("range", bounds=split)
    if bounds is not None:
        raise ShardingError(f"bounds= only applies to strategy='range', not {strategy!r}")
    return ShardStrategy(strategy)
