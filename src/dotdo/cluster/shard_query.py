"""`query_shards`: one question asked of every shard, the answers combined, failures reported.

`aggregate` says how answers combine: `concat` (every shard's things, one after another), `merge`
(one copy of each thing, ordered globally), `count`, `sum` and `avg` (of `field`). `order_by` and
`limit` apply to the combined rows. With `continue_on_error=True` a failing shard does not fail the
query: the result names it in `failed` and says `partial=True`; without it, the first failure raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..graph.chunks import document_sql
from ..graph.filters import Params, compile_where, resolve_field
from ..graph.names import check_type
from ..graph.schema import ensure_schema
from ..graph.thing import Thing
from ..graph.things import Things
from .shard_merge import newest_copies, sort_things
from .shard_router import ShardRouter

AGGREGATES = ("concat", "merge", "count", "sum", "avg")


class ShardQueryError(RuntimeError):
    """A shard failed while `query_shards` ran without `continue_on_error`."""


@dataclass
class ShardFailure:
    """One shard that could not answer, and why."""

    shard: str
    error: str


@dataclass
class ShardQueryResult:
    """The combined answer: `rows` for concat/merge, `value` for count/sum/avg, and what failed."""

    aggregate: str
    rows: list[Thing] = field(default_factory=list)
    value: float | int | None = None
    shards: int = 0
    failed: list[ShardFailure] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """Whether some shard's answer is missing."""
        return bool(self.failed)


def _totals(storage: Any, type: str | None, where: Mapping[str, Any] | None, value_of: str | None) -> tuple[int, float]:
    ensure_schema(storage)
    params = Params()
    doc = document_sql("t")
    clauses = ["t.deleted_at IS NULL"]
    if type is not None:
        clauses.append(f"t.type = {params.add(type)}")
    clauses.append(compile_where(where, params, doc))
    if value_of is None:
        selected = "count(*), 0"
    else:
        expression = resolve_field(value_of, params, doc).value
        selected = f"count({expression}), total({expression})"
    query = f"SELECT {selected} FROM things AS t WHERE {' AND '.join(clauses)}"
    count, total = next(storage.sql.exec(query, *params.values).raw())
    return count, total


async def query_shards(
    router: ShardRouter,
    *,
    type: str | None = None,
    where: Mapping[str, Any] | None = None,
    aggregate: str = "concat",
    field: str | None = None,
    order_by: str | Sequence[str] | None = None,
    limit: int | None = None,
    continue_on_error: bool = False,
) -> ShardQueryResult:
    """Ask every shard of `router`'s object, combine the answers (see the module docstring)."""
    if aggregate not in AGGREGATES:
        raise ValueError(f"Unknown aggregate {aggregate!r}; use one of {', '.join(AGGREGATES)}")
    if aggregate in ("sum", "avg") and not field:
        raise ValueError(f"aggregate={aggregate!r} needs field= (the field to add up)")
    if type is not None:
        check_type(type)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be a non-negative integer or None, not {limit!r}")
    if aggregate in ("count", "sum", "avg"):

        def ask(storage: Any) -> Any:
            return _totals(storage, type, where, None if aggregate == "count" else field)

    else:

        def ask(storage: Any) -> Any:
            return Things(storage).find(type, where, order_by, limit)

    places = router.all_locations()
    async with router.gate.reading():
        answers = await router.run_each(places, ask, return_exceptions=True)
    result = ShardQueryResult(aggregate, shards=len(places))
    good = []
    for place, answer in zip(places, answers, strict=True):
        if isinstance(answer, BaseException):
            if not isinstance(answer, Exception):
                raise answer
            name = place or router.object_name
            if not continue_on_error:
                raise ShardQueryError(
                    f"Shard {name} failed: {answer}; pass continue_on_error=True for the other shards' answers"
                ) from answer
            result.failed.append(ShardFailure(name, f"{type_name(answer)}: {answer}"))
        else:
            good.append(answer)
    if aggregate == "count":
        result.value = sum(count for count, _ in good)
    elif aggregate in ("sum", "avg"):
        counted = sum(count for count, _ in good)
        total = sum(total for _, total in good)
        result.value = total if aggregate == "sum" else (total / counted if counted else None)
    else:
        rows = [thing for part in good for thing in part]
        if aggregate == "merge":
            rows = sort_things(newest_copies(rows), order_by)
        elif order_by is not None:
            rows = sort_things(rows, order_by)
        result.rows = rows if limit is None else rows[:limit]
    return result


def type_name(error: BaseException) -> str:
    """The class name of an error, for reports."""
    return error.__class__.__name__
