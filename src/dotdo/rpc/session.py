"""One Cap'n Web session: the import and export tables, message handling and pipelining.

The protocol is symmetric, so the same `Session` serves a server (exporting its main object as
id 0) and a client (importing the peer's main as id 0), and both at once over a WebSocket. The
session never touches a socket: it is given a `send(text)` callable and fed `receive(text)`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from . import remap
from .access import call_local, get_property, is_exportable
from .disposal import disposables_in, dispose_local
from .errors import LimitExceededError, ProtocolError, RpcError, SessionAbortedError, StubDisposedError
from .resolution import ValueHook, resolve_deep
from .streams import (
    Blob,
    ReadableStream,
    RemoteWritableStream,
    StreamError,
    WritableExport,
    WritableStream,
    open_pipe,
    pump,
)
from .stub import Path, RpcPromise, RpcStub
from .wire import Decoder, Encoder, Limits, dump_message, parse_message

__all__ = ["ImportHook", "Session"]


@dataclass(slots=True)
class _Export:
    value: asyncio.Future[Any]
    refcount: int = 1
    pulled: bool = False
    auto_release: bool = False
    object_key: int | None = None
    held: list[Any] | None = None
    dropped: bool = False
    pipe_readable: ReadableStream | None = None
    call: bool = False


@dataclass(slots=True, eq=False)
class _Import:
    import_id: int
    refcount: int = 0
    resolution: asyncio.Future[Any] | None = None
    pulled: bool = False
    released: bool = False
    live_hooks: int = 0
    auto_released: bool = False


def _silence(future: asyncio.Future[Any]) -> None:
    # A result nobody pulls may fail; that is not an unhandled error of ours.
    if not future.cancelled():
        future.exception()


class Session:
    """The tables and message handling of one Cap'n Web session."""

    def __init__(
        self,
        main: Any | None,
        *,
        send: Callable[[str], None],
        limits: Limits | None = None,
        expose_stacks: bool = False,
        can_call_peer: bool = True,
        on_abort: Callable[[BaseException], None] | None = None,
        owns_main: bool = False,
        batch: bool = False,
    ):
        self.limits = limits or Limits()
        self.abort_reason: BaseException | None = None
        self.closed_reason: BaseException | None = None
        self._loop = asyncio.get_running_loop()
        self._send_text = send
        self._expose_stacks = expose_stacks
        self._can_call_peer = can_call_peer
        self._abort_callback = on_abort
        self._exports: dict[int, _Export] = {}
        self._export_ids: dict[int, int] = {}
        self._imports: dict[int, _Import] = {0: _Import(0, refcount=1)}
        self._next_peer_push = 1
        self._next_export = -1
        self._next_import = 1
        self._unsent = 0
        self._drained: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._holds: dict[int, list[Any]] = {}
        self._batch = batch
        self._calls_received = 0
        self._calls_held = 0
        self._pumps: set[asyncio.Task[Any]] = set()
        self._writables: dict[int, WritableExport] = {}
        # A main object shared by sessions outlives each of them: never dispose it.
        self._keep = None if owns_main else main
        if main is not None:
            self._exports[0] = _Export(self._done(main))
            self._exports[0].held = self._hold(disposables_in(main, self.limits.max_depth))

    # ------------------------------------------------------------------ plumbing

    def _done(self, value: Any) -> asyncio.Future[Any]:
        future = self._loop.create_future()
        future.set_result(value)
        return future

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coroutine` as a task owned by the session (cancelled if the session aborts)."""
        task = self._loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_silence)
        return task

    def encoder(self) -> Encoder:
        """An encoder that exports stubs into this session's tables."""
        return Encoder(self, self.limits, expose_stacks=self._expose_stacks)

    def send(self, message: list[Any]) -> None:
        """Send one message unless the session has ended."""
        if self.abort_reason is None and self.closed_reason is None:
            self._send_text(dump_message(message))

    def check_usable(self) -> None:
        if self.closed_reason is not None:
            raise type(self.closed_reason)(*self.closed_reason.args)
        if self.abort_reason is not None:
            raise SessionAbortedError(f"RPC session aborted: {self.abort_reason}") from self.abort_reason

    @property
    def calls_received(self) -> int:
        """How many calls (`push`, `stream`, `pipe`) the peer made in this session."""
        return self._calls_received

    @property
    def calls_held(self) -> int:
        """How many of the peer's calls still hold an export entry (running, or settled and not
        released by the peer yet)."""
        return self._calls_held

    @property
    def export_count(self) -> int:
        """How many entries the export table holds (for leak checks)."""
        return len(self._exports)

    @property
    def import_count(self) -> int:
        """How many entries the import table holds (for leak checks)."""
        return len(self._imports)

    # ------------------------------------------------------------------ receiving

    def receive(self, text: str) -> None:
        """Handle one message from the peer; a protocol violation aborts the session."""
        if self.abort_reason is not None or self.closed_reason is not None:
            return
        try:
            message = parse_message(text, self.limits)
            handler = self._HANDLERS.get(message[0])
            if handler is None:
                raise ProtocolError(f"Unknown message type {message[0][:40]!r}")
            handler(self, message)
        except ProtocolError as error:
            self.abort(error)
        except Exception as error:  # never let one bad message take the server down
            self.abort(ProtocolError(f"Bad RPC message: {error}"))

    def _count_call(self) -> None:
        # Checked before the call runs, so a flood of calls costs nothing past the limit.
        self._calls_received += 1
        if self._batch and self._calls_received > self.limits.max_batch_calls:
            raise LimitExceededError(
                f"The batch carries more than {self.limits.max_batch_calls} calls (max_batch_calls); "
                "send fewer calls per batch"
            )
        if self._calls_held >= self.limits.max_pending_calls:
            raise LimitExceededError(
                f"More than {self.limits.max_pending_calls} calls of this session are pending: running, "
                "or their results not released (max_pending_calls); await and release results first"
            )
        self._calls_held += 1

    def _on_push(self, message: list[Any], *, stream: bool = False) -> None:
        if len(message) != 2:
            raise ProtocolError(f"{message[0]} takes exactly one expression")
        self._count_call()
        export_id = self._next_peer_push
        self._next_peer_push += 1
        value = Decoder(self, self.limits).decode(message[1])
        future = value if isinstance(value, asyncio.Future) else self.spawn(resolve_deep(value))
        future.add_done_callback(_silence)
        entry = _Export(future, auto_release=stream, call=True)
        self._exports[export_id] = entry
        future.add_done_callback(functools.partial(self._hold_result, entry))
        if stream:
            self._start_resolving(export_id, entry)

    def _on_stream(self, message: list[Any]) -> None:
        self._on_push(message, stream=True)

    def _on_pipe(self, message: list[Any]) -> None:
        if len(message) != 1:
            raise ProtocolError("pipe takes no arguments")
        self._count_call()
        export_id = self._next_peer_push
        self._next_peer_push += 1
        writable, readable = open_pipe()
        entry = self._exports[export_id] = _Export(self._done(writable), pipe_readable=readable, call=True)
        entry.held = self._hold([writable])

    def _on_pull(self, message: list[Any]) -> None:
        export_id = self._id_arg(message, 2)
        entry = self._exports.get(export_id)
        if entry is None:
            raise ProtocolError(f"No such entry on exports table: {export_id}")
        if not entry.pulled:
            self._start_resolving(export_id, entry)

    def _start_resolving(self, export_id: int, entry: _Export) -> None:
        entry.pulled = True
        self._unsent += 1
        entry.value.add_done_callback(functools.partial(self._deliver, export_id, entry))

    def _deliver(self, export_id: int, entry: _Export, future: asyncio.Future[Any]) -> None:
        self._unsent -= 1
        if self._unsent == 0 and self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        if future.cancelled():
            return
        try:
            message = ["resolve", export_id, self.encoder().encode(future.result())]
        except Exception as error:
            message = ["reject", export_id, self.encoder().encode_error(error)]
        self.send(message)
        if entry.auto_release and self._exports.get(export_id) is entry:
            self._release_export(export_id, 1)

    def _on_resolve(self, message: list[Any]) -> None:
        if len(message) != 3:
            raise ProtocolError(f"{message[0]} takes an id and an expression")
        import_id = self._id_arg(message, 3)
        entry = self._imports.get(import_id)
        if message[0] == "resolve":
            value = Decoder(self, self.limits).decode(message[2])
        else:
            value = Decoder(None, self.limits).decode(message[2])
            if not isinstance(value, BaseException):
                value = RpcError(f"Peer rejected with a non-error value: {value!r:.200}", props={"value": value})
        if entry is None or entry.resolution is None or entry.resolution.done():
            return
        if entry.auto_released:
            # A stream message's result: the peer forgets it on sending, so do we.
            del self._imports[import_id]
            entry.released = True
        if message[0] == "reject":
            entry.resolution.set_exception(value)
            self._release_resolved(entry)
            return
        self.spawn(self._settle_import(entry, value))

    async def _settle_import(self, entry: _Import, value: Any) -> None:
        try:
            value = await resolve_deep(value)
        except Exception as error:
            value, failed = error, True
        else:
            failed = False
        if entry.resolution is not None and not entry.resolution.done():
            if failed:
                entry.resolution.set_exception(value)
            else:
                entry.resolution.set_result(value)
        self._release_resolved(entry)

    def _release_resolved(self, entry: _Import) -> None:
        if not entry.released and self._imports.get(entry.import_id) is entry:
            entry.released = True
            del self._imports[entry.import_id]
            self.send(["release", entry.import_id, entry.refcount])

    def _on_release(self, message: list[Any]) -> None:
        export_id = self._id_arg(message, 3)
        refcount = message[2]
        if not isinstance(refcount, int) or isinstance(refcount, bool) or refcount < 1:
            raise ProtocolError(f"Release refcount must be a positive integer, got {refcount!r:.40}")
        self._release_export(export_id, refcount)

    def _release_export(self, export_id: int, refcount: int) -> None:
        entry = self._exports.get(export_id)
        if entry is None:
            raise ProtocolError(f"No such export ID: {export_id}")
        if entry.refcount < refcount:
            raise ProtocolError(f"Refcount of export {export_id} would go negative: {entry.refcount} < {refcount}")
        entry.refcount -= refcount
        if entry.refcount == 0:
            del self._exports[export_id]
            if entry.call:
                self._calls_held -= 1
            if entry.object_key is not None:
                self._export_ids.pop(entry.object_key, None)
            self._drop(entry)

    # ------------------------------------------------------------------ disposal of local objects
    # Each export entry holds the local objects it keeps reachable by the peer (an exported target,
    # the targets inside a call's result); an object is disposed when its last holder goes.

    def _hold(self, objects: list[Any]) -> list[Any]:
        for obj in objects:
            hold = self._holds.get(id(obj))
            if hold is None:
                self._holds[id(obj)] = [obj, 1]
            else:
                hold[1] += 1
        return objects

    def _hold_result(self, entry: _Export, future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        entry.held = self._hold(disposables_in(future.result(), self.limits.max_depth))
        if entry.dropped:
            self._drop(entry)

    def _drop(self, entry: _Export) -> None:
        entry.dropped = True
        held, entry.held = entry.held, None
        for obj in held or ():
            hold = self._holds.get(id(obj))
            if hold is None:
                continue
            hold[1] -= 1
            if hold[1] == 0:
                del self._holds[id(obj)]
                if obj is not self._keep:
                    dispose_local(obj)

    def _on_abort(self, message: list[Any]) -> None:
        try:
            reason = Decoder(None, self.limits).decode(message[1]) if len(message) == 2 else None
        except ProtocolError:
            reason = None
        if not isinstance(reason, BaseException):
            reason = RpcError(f"Peer aborted the session: {reason!r:.200}")
        self.abort(reason, send=False)

    @staticmethod
    def _id_arg(message: list[Any], arity: int) -> int:
        if len(message) != arity:
            raise ProtocolError(f"{message[0]} takes {arity - 1} argument(s), got {len(message) - 1}")
        value = message[1]
        if not isinstance(value, int) or isinstance(value, bool):
            raise ProtocolError(f"{message[0]} needs an integer id, got {value!r:.40}")
        return value

    _HANDLERS: dict[str, Callable[[Session, list[Any]], None]] = {
        "push": _on_push,
        "stream": _on_stream,
        "pipe": _on_pipe,
        "pull": _on_pull,
        "resolve": _on_resolve,
        "reject": _on_resolve,
        "release": _on_release,
        "abort": _on_abort,
    }

    # ------------------------------------------------------------------ ending

    def abort(self, reason: BaseException, *, send: bool = True) -> None:
        """End the session: tell the peer why (if `send`), fail everything pending."""
        if self.abort_reason is not None:
            return
        if send and self.closed_reason is None:
            try:
                self._send_text(dump_message(["abort", Encoder(None, self.limits).encode_error(reason)]))
            except Exception:
                pass
        self.abort_reason = reason
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._fail_pending(SessionAbortedError(f"RPC session aborted: {reason}"))
        for task in list(self._tasks):
            task.cancel()
        exports, self._exports = self._exports, {}
        self._calls_held = 0
        self._export_ids.clear()
        for entry in exports.values():
            self._drop(entry)
        if self._abort_callback is not None:
            self._abort_callback(reason)

    def close(self, reason: BaseException) -> None:
        """Stop sending (an HTTP batch is over): results not received fail with `reason`."""
        if self.closed_reason is None:
            self.closed_reason = reason
            self._fail_pending(reason)
            # Nothing more can arrive: streams the peer did not close by now never will be.
            unfinished = StreamError(f"The stream was not closed before the session ended: {reason}")
            for entry in self._exports.values():
                for obj in entry.held or ():
                    if isinstance(obj, WritableExport):
                        obj.end_unclosed(unfinished)

    def _fail_pending(self, error: BaseException) -> None:
        for entry in self._imports.values():
            if entry.resolution is not None and not entry.resolution.done():
                entry.resolution.set_exception(error)

    async def settle(self) -> None:
        """Let received resolutions finish settling (promises nested in results)."""
        for _ in range(64):
            if all(task.done() for task in self._tasks):
                return
            await asyncio.sleep(0)

    async def drain(self) -> None:
        """Wait until every pulled result has been sent, and every outgoing stream pumped (or the
        session ended)."""
        while (self._unsent or self._pumps) and self.abort_reason is None:
            if self._unsent:
                self._drained = self._loop.create_future()
                await self._drained
            else:
                await self.pumps_done()

    async def pumps_done(self) -> None:
        """Wait until the streams being sent have sent their last chunk (HTTP batch sends them
        in the same request)."""
        while self._pumps and self.abort_reason is None:
            await asyncio.wait(list(self._pumps))

    # ------------------------------------------------------------------ decoding (Importer)

    def export_value(self, export_id: int) -> Any:
        """Our export `export_id` (a value if settled, else its future)."""
        entry = self._exports.get(export_id)
        if entry is None:
            raise ProtocolError(f"No such entry on exports table: {export_id}")
        future = entry.value
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        return future

    def pipeline(self, base: Any, path: list[str | int], args: list[Any] | None) -> asyncio.Task[Any]:
        """A task for the property `path` of `base`, called with `args` unless None."""
        return self.spawn(self._run_pipeline(base, path, args))

    async def _run_pipeline(self, base: Any, path: list[str | int] | Path, args: list[Any] | None) -> Any:
        if isinstance(base, asyncio.Future):
            base = await base
        if args is not None:
            args = await resolve_deep(args)
        return await resolve_deep(await self.apply(base, tuple(path), args))

    async def apply(self, base: Any, path: Path, args: list[Any] | None) -> Any:
        """Walk `path` from `base` and call the result with `args`, forwarding into peer stubs."""
        value = base
        for index, key in enumerate(path):
            if isinstance(value, RpcStub):
                rest = path[index:]
                return await (
                    value._rpc_hook.call(rest, tuple(args)) if args is not None else RpcPromise(value._rpc_hook, rest)
                )
            value = get_property(value, key)
            if inspect.isawaitable(value) and not isinstance(value, RpcStub):
                value = await value
        if args is None:
            return value
        if isinstance(value, RpcStub):
            return await value(*args)
        name = str(path[-1]) if path else "value"
        return await call_local(value, args, name=name)

    def import_stub(self, import_id: int) -> RpcStub:
        """A stub for the peer's export `import_id` (counts one more introduction)."""
        if import_id >= 0:
            raise ProtocolError(f"Peer exported id {import_id}, but exporters must use negative ids")
        entry = self._imports.get(import_id)
        if entry is None:
            entry = self._imports[import_id] = _Import(import_id)
        entry.refcount += 1
        return RpcStub(self.hook_for(entry))

    def import_promise(self, import_id: int) -> asyncio.Future[Any]:
        """A future for the peer's promise export `import_id`, which it resolves unasked."""
        if import_id >= 0 or import_id in self._imports:
            raise ProtocolError(f"Peer promise id {import_id} must be a new negative id")
        resolution = self._loop.create_future()
        self._imports[import_id] = _Import(import_id, refcount=1, resolution=resolution, pulled=True)
        resolution.add_done_callback(_silence)
        return resolution

    def pipe_readable(self, export_id: int) -> ReadableStream:
        """The readable end of the pipe the peer opened as `export_id` (usable once)."""
        entry = self._exports.get(export_id)
        if entry is None or entry.pipe_readable is None:
            raise ProtocolError(f"Export {export_id} is not a pipe or its readable end was already consumed")
        readable, entry.pipe_readable = entry.pipe_readable, None
        return readable

    def import_writable(self, import_id: int) -> RemoteWritableStream:
        """The peer's `WritableStream` exported as `import_id`."""
        hook = self.import_stub(import_id)._rpc_hook
        assert isinstance(hook, ImportHook)
        return self._writable_to(hook)

    def _writable_to(self, hook: ImportHook) -> RemoteWritableStream:
        # An HTTP batch buffers a whole stream: bound it like the batch body.
        return RemoteWritableStream(hook, paced=not self._batch, unpaced_limit=self.limits.max_message_size * 4)

    def remap(self, base: Any, path: list[str | int], captures: list[Any], instructions: list[Any]) -> Any:
        """A task running `.map()` on the value at `path` of `base`."""
        return self.spawn(remap.run_remap(self, base, tuple(path), captures, instructions))

    def capture(self, kind: str, ref_id: int) -> Any:
        """The value a remap capture refers to: our export (`import`) or the peer's (`export`)."""
        return self.export_value(ref_id) if kind == "import" else self.import_stub(ref_id)

    # ------------------------------------------------------------------ encoding (Exporter)

    def encode_reference(self, value: Any) -> list[Any] | None:
        """The expression passing `value` by reference, or None if it is not a reference."""
        if isinstance(value, RpcStub):
            return value._rpc_hook.encode(
                value._rpc_path, as_promise=isinstance(value, RpcPromise), encoder=self.encoder()
            )
        if is_exportable(value):
            return ["export", self.export_local(value)]
        return None

    def encode_stream(self, value: Any) -> list[Any]:
        """Open a pipe for a `Blob` or async iterable (and pump it), or export a `WritableStream`."""
        if isinstance(value, Blob):
            return ["blob", value.type, ["readable", self.create_pipe(_blocks(value.data))]]
        if isinstance(value, WritableStream):
            export = self._writables.get(id(value))
            if export is None or self._export_ids.get(id(export)) is None:
                export = self._writables[id(value)] = WritableExport(value)
            return ["writable", self.export_local(export)]
        return ["readable", self.create_pipe(value)]

    def create_pipe(self, source: AsyncIterable[Any]) -> int:
        """Send `["pipe"]` and start pumping `source` into it; the new import id names its readable end."""
        self.check_usable()
        import_id = self._next_import
        self._next_import += 1
        entry = self._imports[import_id] = _Import(import_id, refcount=1)
        self.send(["pipe"])
        task = self.spawn(pump(source, self._writable_to(self.hook_for(entry))))
        self._pumps.add(task)
        task.add_done_callback(self._pumps.discard)
        return import_id

    def send_stream(self, target_id: int, method: str, args: list[Any]) -> tuple[asyncio.Future[Any], int]:
        """Send `["stream", ...]` calling `method` of the peer's stream `target_id`: the future of
        its acknowledgement and the message's size."""
        self.check_usable()
        import_id = self._next_import
        self._next_import += 1
        resolution = self._loop.create_future()
        self._imports[import_id] = _Import(import_id, resolution=resolution, pulled=True, auto_released=True)
        resolution.add_done_callback(_silence)
        text = dump_message(["stream", ["pipeline", target_id, [method], [self.encoder().encode(a) for a in args]]])
        self._send_text(text)
        return resolution, len(text)

    def export_local(self, value: Any) -> int:
        """Export a local target or function; the same object keeps its id while exported."""
        self.check_usable()
        key = id(value)
        export_id = self._export_ids.get(key)
        if export_id is not None and export_id in self._exports:
            self._exports[export_id].refcount += 1
            return export_id
        export_id = self._next_export
        self._next_export -= 1
        self._exports[export_id] = _Export(self._done(value), object_key=key)
        self._exports[export_id].held = self._hold(disposables_in(value, 1))
        self._export_ids[key] = export_id
        return export_id

    # ------------------------------------------------------------------ calling the peer

    def main_hook(self) -> ImportHook:
        """The hook of the peer's main object (import 0)."""
        return self.hook_for(self._imports[0])

    def hook_for(self, entry: _Import) -> ImportHook:
        """A hook on `entry`, released to the peer when its last hook is garbage-collected (a stub,
        or a result nobody awaited)."""
        hook = ImportHook(self, entry)
        if entry.import_id != 0:
            entry.live_hooks += 1
            weakref.finalize(hook, self._hook_collected, entry)
        return hook

    def _hook_collected(self, entry: _Import) -> None:
        entry.live_hooks -= 1
        if entry.live_hooks <= 0 and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.release_import, entry)

    def release_import(self, entry: _Import) -> None:
        """Tell the peer we no longer use `entry` (once)."""
        if entry.released or entry.import_id == 0:
            return
        entry.released = True
        if self._imports.get(entry.import_id) is entry:
            del self._imports[entry.import_id]
            self.send(["release", entry.import_id, entry.refcount])

    def push_call(self, target_id: int, path: Path, args: tuple[Any, ...] | None) -> RpcPromise:
        """Send `["push", ["pipeline", target_id, path, args]]` and return the result's promise."""
        self.check_usable()
        expression: list[Any] = ["pipeline", target_id, list(path)]
        if args is not None:
            expression.append([self.encoder().encode(arg) for arg in args])
        return self.push_expression(expression)

    def push_expression(self, expression: list[Any]) -> RpcPromise:
        """Push `expression` and return a promise for its value (a new positive import)."""
        self.check_usable()
        if not self._can_call_peer:
            raise RuntimeError("Calling back into the client needs a WebSocket session; HTTP batch is one-way")
        import_id = self._next_import
        self._next_import += 1
        resolution = self._loop.create_future()
        entry = self._imports[import_id] = _Import(import_id, refcount=1, resolution=resolution)
        resolution.add_done_callback(_silence)
        self.send(["push", expression])
        return RpcPromise(self.hook_for(entry))

    def pull(self, entry: _Import) -> None:
        """Ask the peer for the resolution of `entry` (once)."""
        self.check_usable()
        if not entry.pulled:
            entry.pulled = True
            self.send(["pull", entry.import_id])


async def _blocks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


class ImportHook:
    """The hook of a proxy for one entry of a session's import table."""

    __slots__ = ("__weakref__", "entry", "session")

    def __init__(self, session: Session, entry: _Import):
        self.session = session
        self.entry = entry

    def __repr__(self) -> str:
        return f"import {self.entry.import_id}"

    def _resolved(self) -> ValueHook | None:
        resolution = self.entry.resolution
        if resolution is not None and resolution.done():
            error = resolution.exception()
            return ValueHook(resolution.result() if error is None else None, error)
        if self.entry.released:
            return ValueHook(None, StubDisposedError("This stub was disposed; it cannot be used any more"))
        return None

    def call(self, path: Path, args: tuple[Any, ...]) -> RpcPromise:
        """Call the function at `path`; see `StubHook.call`."""
        builder = remap.current_builder()
        if builder is not None:
            return builder.record_call(builder.ref_of(self), path, args)
        resolved = self._resolved()
        if resolved is not None:
            return resolved.call(path, args)
        return self.session.push_call(self.entry.import_id, path, args)

    async def get(self, path: Path) -> Any:
        """The value at `path`; see `StubHook.get`."""
        if remap.current_builder() is not None:
            raise TypeError("A .map() function must not await; return the value instead")
        resolved = self._resolved()
        if resolved is not None:
            return await resolved.get(path)
        if path:
            return await self.session.push_call(self.entry.import_id, path, None)
        if self.entry.resolution is None:
            raise TypeError("A stub is not a promise; access a property or call a method on it")
        self.session.pull(self.entry)
        return await self.entry.resolution

    def map(self, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
        """Map on the peer; see `StubHook.map`."""
        if remap.current_builder() is not None:
            return remap.record_map(self, path, mapper)
        resolved = self._resolved()
        if resolved is not None:
            return resolved.map(path, mapper)
        return remap.record_map(self, path, mapper)

    def encode(self, path: Path, *, as_promise: bool, encoder: Encoder) -> Any:
        """The expression passing this reference; see `StubHook.encode`."""
        builder = remap.current_builder()
        if builder is not None:
            return builder.encode_capture(builder.ref_of(self), path, as_promise=as_promise)
        resolved = self._resolved()
        if resolved is not None:
            return resolved.encode(path, as_promise=as_promise, encoder=encoder)
        exporter = encoder.exporter
        if isinstance(exporter, Session) and exporter is not self.session:
            return ["export", exporter.export_local(_Forwarder(self, path))]
        expression: list[Any] = ["pipeline" if as_promise else "import", self.entry.import_id]
        if path:
            expression.append(list(path))
        return expression

    def capture_expression(self) -> list[Any]:
        """How a `.map()` capture names this import: `["import", id]`."""
        self.session.check_usable()
        return ["import", self.entry.import_id]

    def dispose(self) -> None:
        """Release the reference; see `StubHook.dispose`."""
        if self.entry.resolution is None:
            self.session.release_import(self.entry)


class _Forwarder:
    """A local callable forwarding to a stub of another session (passing a stub between peers)."""

    def __init__(self, hook: ImportHook, path: Path):
        self._hook = hook
        self._path = path

    def __call__(self, *args: Any) -> RpcPromise:
        return self._hook.call(self._path, args)
