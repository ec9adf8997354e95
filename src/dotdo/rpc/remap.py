"""`.map()`: recording a mapper once on the caller, replaying it on the callee per element.

The caller runs the mapper a single time with a placeholder; calls made on the placeholder or
on captured stubs become instructions, property reads become paths, and the returned value is the
last instruction. The callee evaluates the instructions for each element with the remap import
table: negative ids are captures, 0 is the element, positive ids are earlier instructions.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from .errors import ProtocolError
from .resolution import resolve_deep
from .stub import Path, RpcPromise, RpcStub
from .values import UNDEFINED
from .wire import Decoder, Encoder

if TYPE_CHECKING:
    from .session import ImportHook, Session

__all__ = ["MapBuilder", "current_builder", "record_map", "run_remap"]

_builder: ContextVar[MapBuilder | None] = ContextVar("dotdo_rpc_map_builder", default=None)


def current_builder() -> MapBuilder | None:
    """The map being recorded right now, if any."""
    return _builder.get()


# ---------------------------------------------------------------------- replaying (callee)


class _MapImporter:
    """The remap import table for one element."""

    def __init__(self, session: Session, element: Any, captures: list[Any], results: list[Any]):
        self._session = session
        self._element = element
        self._captures = captures
        self._results = results

    def export_value(self, ref_id: int) -> Any:
        if ref_id == 0:
            return self._element
        if ref_id < 0:
            if -ref_id > len(self._captures):
                raise ProtocolError(f"Mapper refers to capture {ref_id}, but only {len(self._captures)} exist")
            return self._captures[-ref_id - 1]
        if ref_id > len(self._results):
            raise ProtocolError(f"Mapper instruction refers to {ref_id}, which is not an earlier instruction")
        return self._results[ref_id - 1]

    def pipeline(self, base: Any, path: list[str | int], args: list[Any] | None) -> Any:
        return self._session.pipeline(base, path, args)

    def import_stub(self, import_id: int) -> Any:
        raise ProtocolError("A mapper function cannot refer to exports")

    import_promise = import_stub

    def remap(self, *args: Any) -> Any:
        raise ProtocolError("A mapper function cannot contain another remap")

    def capture(self, kind: str, ref_id: int) -> Any:
        raise ProtocolError("A mapper function cannot capture")


def _apply(session: Session, element: Any, captures: list[Any], instructions: list[Any]) -> Any:
    results: list[Any] = []
    decoder = Decoder(_MapImporter(session, element, captures, results), session.limits, in_mapper=True)
    for instruction in instructions:
        results.append(decoder.decode(instruction))
    return results[-1]


async def run_remap(session: Session, base: Any, path: Path, captures: list[Any], instructions: list[Any]) -> Any:
    """Apply the mapper to the value at `path` of `base` (to each element of a list)."""
    if isinstance(base, asyncio.Future):
        base = await base
    value = await resolve_deep(await session.apply(base, path, None))
    if value is None or value is UNDEFINED:
        return value
    if isinstance(value, list | tuple):
        return await resolve_deep([_apply(session, element, captures, instructions) for element in value])
    return await resolve_deep(_apply(session, value, captures, instructions))


# ---------------------------------------------------------------------- recording (caller)


class MapBuilder:
    """Collects the captures and instructions of one mapper."""

    def __init__(self, subject: ImportHook):
        self.subject = subject
        self.captures: list[Any] = []
        self._capture_ids: dict[int, int] = {}
        self.instructions: list[Any] = []

    def capture(self, hook: ImportHook) -> int:
        """The (negative) remap id of stub `hook`, capturing it on first use."""
        if hook.session is not self.subject.session:
            raise TypeError("A .map() function can only use stubs of the same connection")
        key = hook.entry.import_id
        if key not in self._capture_ids:
            self.captures.append(hook.capture_expression())
            self._capture_ids[key] = -len(self.captures)
        return self._capture_ids[key]

    def record_call(self, ref_id: int, path: Path, args: tuple[Any, ...]) -> RpcPromise:
        """Record a call as an instruction; its result is a new placeholder."""
        encoded = [self.encode(arg) for arg in args]
        self.instructions.append(["pipeline", ref_id, list(path), encoded])
        return RpcPromise(_PlaceholderHook(self, len(self.instructions)))

    def encode_capture(self, ref_id: int, path: Path, *, as_promise: bool) -> list[Any]:
        """The expression referring to remap id `ref_id` (and a path into it)."""
        expression: list[Any] = ["pipeline" if as_promise else "import", ref_id]
        if path:
            expression.append(list(path))
        return expression

    def encode(self, value: Any) -> Any:
        """Encode a value of the mapper (placeholders and captures by reference)."""
        return Encoder(self, self.subject.session.limits).encode(value)

    def encode_reference(self, value: Any) -> list[Any] | None:
        """Placeholders and captured stubs by reference; functions cannot be created in a mapper."""
        if isinstance(value, RpcStub):
            return value._rpc_hook.encode(value._rpc_path, as_promise=isinstance(value, RpcPromise), encoder=None)
        if callable(value):
            raise TypeError("A .map() function cannot create RpcTargets or functions; define them outside")
        return None


class _PlaceholderHook:
    """The hook of the mapper's input and of results of recorded calls."""

    __slots__ = ("builder", "ref_id")

    def __init__(self, builder: MapBuilder, ref_id: int):
        self.builder = builder
        self.ref_id = ref_id

    def __repr__(self) -> str:
        return f"map placeholder {self.ref_id}"

    def _check(self) -> None:
        if _builder.get() is not self.builder:
            raise TypeError("A .map() placeholder was used outside its mapper function")

    def call(self, path: Path, args: tuple[Any, ...]) -> RpcPromise:
        self._check()
        return self.builder.record_call(self.ref_id, path, args)

    async def get(self, path: Path) -> Any:
        raise TypeError("A .map() function must not await; return the value instead")

    def map(self, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
        raise NotImplementedError("Nested .map() inside a mapper is not supported; map in two steps")

    def encode(self, path: Path, *, as_promise: bool, encoder: Any) -> Any:
        self._check()
        return self.builder.encode_capture(self.ref_id, path, as_promise=True)

    def dispose(self) -> None:
        """Placeholders hold nothing."""


def record_map(subject: ImportHook, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
    """Record `mapper` and push the remap of the value at `path` of `subject`."""
    if inspect.iscoroutinefunction(mapper):
        raise TypeError("A .map() function must be a plain function (not async) without side effects")
    if _builder.get() is not None:
        raise NotImplementedError("Nested .map() inside a mapper is not supported; map in two steps")
    builder = MapBuilder(subject)
    token = _builder.set(builder)
    try:
        result = mapper(RpcPromise(_PlaceholderHook(builder, 0)))
        if inspect.iscoroutine(result) or isinstance(result, asyncio.Future):
            if inspect.iscoroutine(result):
                result.close()
            raise TypeError("A .map() function must return a value, not an awaitable")
        builder.instructions.append(builder.encode(result))
    finally:
        _builder.reset(token)
    expression = ["remap", subject.entry.import_id, list(path), builder.captures, builder.instructions]
    return subject.session.push_expression(expression)
