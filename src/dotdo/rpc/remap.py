"""`.map()`: recording a mapper once on the caller, replaying it on the callee per element.

The caller runs the mapper a single time with a placeholder; calls made on the placeholder or
on captured stubs become instructions, property reads become paths, and the returned value is the
last instruction. The callee evaluates the instructions for each element with the remap import
table: negative ids are captures, 0 is the element, positive ids are earlier instructions.
A `.map()` inside a mapper is a `remap` instruction of the enclosing one: its subject and its
captures are ids of the enclosing table (a capture of the outer element is `["import", 0]`).
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

    def export_value(self, export_id: int) -> Any:
        if export_id == 0:
            return self._element
        if export_id < 0:
            if -export_id > len(self._captures):
                raise ProtocolError(f"Mapper refers to capture {export_id}, but only {len(self._captures)} exist")
            return self._captures[-export_id - 1]
        if export_id > len(self._results):
            raise ProtocolError(f"Mapper instruction refers to {export_id}, which is not an earlier instruction")
        return self._results[export_id - 1]

    def pipeline(self, base: Any, path: list[str | int], args: list[Any] | None) -> Any:
        return self._session.pipeline(base, path, args)

    def import_stub(self, import_id: int) -> Any:
        raise ProtocolError("A mapper function cannot refer to exports")

    import_promise = import_stub
    import_writable = import_stub

    def pipe_readable(self, export_id: int) -> Any:
        raise ProtocolError("A mapper function cannot use pipe readables")

    def spawn(self, coroutine: Any) -> Any:
        return self._session.spawn(coroutine)

    def remap(self, base: Any, path: list[str | int], captures: list[Any], instructions: list[Any]) -> Any:
        # A nested `.map()`: replayed with its own table, whose captures are ids of this one.
        return self._session.spawn(run_remap(self._session, base, tuple(path), captures, instructions))

    def capture(self, kind: str, ref_id: int) -> Any:
        if kind != "import":
            raise ProtocolError("A mapper function cannot refer to exports")
        return self.export_value(ref_id)


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
    """Collects the captures and instructions of one mapper (nested mappers have a parent)."""

    def __init__(self, session: Session, parent: MapBuilder | None = None):
        self.session = session
        self.parent = parent
        self.captures: list[Any] = []
        self._capture_ids: dict[Any, int] = {}
        self.instructions: list[Any] = []

    def is_active(self) -> bool:
        """Whether this mapper, or one nested in it, is being recorded right now."""
        builder = _builder.get()
        while builder is not None:
            if builder is self:
                return True
            builder = builder.parent
        return False

    def ref_of(self, hook: ImportHook | _PlaceholderHook) -> int:
        """The remap id of `hook` in this mapper: its own placeholders directly, anything else
        (a stub, or a placeholder of an enclosing mapper) as a capture, taken on first use."""
        if isinstance(hook, _PlaceholderHook):
            if hook.builder is self:
                return hook.ref_id
            key: Any = (id(hook.builder), hook.ref_id)
        else:
            if hook.session is not self.session:
                raise TypeError("A .map() function can only use stubs of the same connection")
            key = hook.entry.import_id
        if key not in self._capture_ids:
            if self.parent is not None:
                # A nested mapper captures by the enclosing mapper's remap ids.
                self.captures.append(["import", self.parent.ref_of(hook)])
            elif isinstance(hook, _PlaceholderHook):
                raise TypeError("A .map() placeholder was used outside its mapper function")
            else:
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
        return Encoder(self, self.session.limits).encode(value)

    def encode_stream(self, value: Any) -> list[Any]:
        """Streams cannot be created in a mapper (the protocol has no pipes inside one)."""
        raise TypeError(f"A .map() function cannot send a {type(value).__name__}; send it outside the mapper")

    def encode_reference(self, value: Any) -> list[Any] | None:
        """Placeholders and captured stubs by reference; functions cannot be created in a mapper."""
        if isinstance(value, RpcStub):
            return value._rpc_hook.encode(value._rpc_path, as_promise=isinstance(value, RpcPromise), encoder=None)
        if callable(value):
            raise TypeError("A .map() function cannot create RpcTargets or functions; define them outside")
        return None


class _PlaceholderHook:
    """The hook of a mapper's input and of results of recorded calls."""

    __slots__ = ("builder", "ref_id")

    def __init__(self, builder: MapBuilder, ref_id: int):
        self.builder = builder
        self.ref_id = ref_id

    def __repr__(self) -> str:
        return f"map placeholder {self.ref_id}"

    def _current(self) -> MapBuilder:
        current = _builder.get()
        if current is None or not self.builder.is_active():
            raise TypeError("A .map() placeholder was used outside its mapper function")
        return current

    def call(self, path: Path, args: tuple[Any, ...]) -> RpcPromise:
        current = self._current()
        return current.record_call(current.ref_of(self), path, args)

    async def get(self, path: Path) -> Any:
        raise TypeError("A .map() function must not await; return the value instead")

    def map(self, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
        self._current()
        return record_map(self, path, mapper)

    def encode(self, path: Path, *, as_promise: bool, encoder: Any) -> Any:
        current = self._current()
        return current.encode_capture(current.ref_of(self), path, as_promise=True)

    def dispose(self) -> None:
        """Placeholders hold nothing."""


def _run_mapper(builder: MapBuilder, mapper: Callable[[Any], Any]) -> None:
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


def record_map(subject: ImportHook | _PlaceholderHook, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
    """Record `mapper` and push the remap of the value at `path` of `subject`.

    Inside another mapper the remap becomes an instruction of the enclosing mapper (the protocol's
    nested remap), and the result is a placeholder of it.
    """
    if inspect.iscoroutinefunction(mapper):
        raise TypeError("A .map() function must be a plain function (not async) without side effects")
    parent = _builder.get()
    if parent is not None:
        subject_ref = parent.ref_of(subject)
        builder = MapBuilder(parent.session, parent)
        _run_mapper(builder, mapper)
        parent.instructions.append(["remap", subject_ref, list(path), builder.captures, builder.instructions])
        return RpcPromise(_PlaceholderHook(parent, len(parent.instructions)))
    if isinstance(subject, _PlaceholderHook):
        raise TypeError("A .map() placeholder was used outside its mapper function")
    builder = MapBuilder(subject.session)
    _run_mapper(builder, mapper)
    expression = ["remap", subject.entry.import_id, list(path), builder.captures, builder.instructions]
    return subject.session.push_expression(expression)
