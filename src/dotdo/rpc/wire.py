"""Cap'n Web expressions: JSON trees <-> Python values, with the receiver's limits enforced.

Plain JSON values stand for themselves, except arrays: `[[...]]` is an array, and any other
array is a tagged value (`["date", ms]`, `["bytes", b64]`, `["pipeline", id, path, args]`, ...).
`Decoder` turns a received tree into Python values; references to the import/export tables
and `.map()` are handed to the `Importer` (the session). `Encoder` does the reverse, asking the
`Exporter` (the session) for stubs and promises.
"""

from __future__ import annotations

import array
import asyncio
import base64
import binascii
import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol

import httpx

from .errors import (
    LimitExceededError,
    ProtocolError,
    RpcError,
    error_from_wire,
    error_wire_name,
    format_stack,
)
from .streams import Blob, ReadableStream, RemoteWritableStream, WritableStream, is_readable_source
from .values import BYTE_CONTAINER_NAMES, UNDEFINED, BigInt, TypedArray

__all__ = ["Decoder", "Encoder", "Exporter", "Importer", "Limits", "dump_message", "parse_message"]

MAX_SAFE_INTEGER = 2**53 - 1
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """What a receiver accepts from its peer; exceeding one aborts the session naming the limit.

    The defaults are those of the JavaScript implementation: generous for any honest message.
    """

    max_message_size: int = 32 * 1024 * 1024
    """Largest message, in characters."""
    max_body_size: int | None = None
    """Largest HTTP batch body, in bytes (None: 4 x `max_message_size`; `dotdo.API` passes its own
    `max_body_size`). A larger body gets 413 before any of it runs."""
    max_batch_calls: int = 10_000
    """Most calls (`push`/`stream`/`pipe` messages) one HTTP batch may carry; more get 413."""
    max_pending_calls: int = 10_000
    """Most calls of one session (a batch, a WebSocket) pending at once: running, or settled with a
    result the peer has not released yet. One more aborts the session naming this limit."""
    max_send_queue: int = 64 * 1024 * 1024
    """Most bytes queued for a WebSocket peer that is not reading; past it the session is aborted
    and the socket closed with code 1008, so a peer that never reads cannot grow the server."""
    max_depth: int = 256
    """Deepest nesting of arrays and objects inside one message."""
    max_bigint_digits: int = 16384
    """Most digits in a `["bigint", "..."]` value."""
    max_blob_size: int = 128 * 1024 * 1024
    """Largest `Blob` or request/response body collected from a stream before delivery, in bytes."""

    @property
    def batch_body_limit(self) -> int:
        """The largest HTTP batch body accepted, in bytes."""
        return self.max_body_size if self.max_body_size is not None else self.max_message_size * 4


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"Invalid JSON constant {name}; send ['inf'], ['-inf'] or ['nan'] instead")


def parse_message(text: str, limits: Limits) -> list[Any]:
    """Parse one wire message, enforcing the size limit before parsing and the depth limit after."""
    if len(text) > limits.max_message_size:
        raise LimitExceededError(
            f"Message of {len(text)} characters exceeds max_message_size ({limits.max_message_size})"
        )
    try:
        message = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise LimitExceededError(f"Message nesting exceeds max_depth ({limits.max_depth})") from None
    except ValueError as error:
        raise ProtocolError(f"Malformed JSON message: {error}") from None
    if not isinstance(message, list) or not message or not isinstance(message[0], str):
        raise ProtocolError(f"Bad RPC message (expected a JSON array with a type): {text[:200]}")
    return message


def dump_message(message: list[Any]) -> str:
    """Serialize one wire message as a single line of JSON."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


async def _read_limited(stream: ReadableStream, limit: int) -> bytes:
    try:
        return await stream.read_all(limit=limit)
    except LimitExceededError:
        raise LimitExceededError(f"Streamed body exceeds max_blob_size ({limit})") from None


class Importer(Protocol):
    """What the decoder asks the session for when an expression refers to the tables."""

    def export_value(self, export_id: int) -> Any:
        """The value (or a future of it) of our export `export_id`, which the peer refers to."""
        ...

    def pipeline(self, base: Any, path: list[str | int], args: list[Any] | None) -> Any:
        """A future for the property `path` of `base`, called with `args` unless `None`."""
        ...

    def import_stub(self, import_id: int) -> Any:
        """A stub for the peer's export `import_id`."""
        ...

    def import_promise(self, import_id: int) -> Any:
        """A future for the peer's promise export `import_id`."""
        ...

    def remap(self, base: Any, path: list[str | int], captures: list[Any], instructions: list[Any]) -> Any:
        """A future for `.map()` of the value at `path` of `base`."""
        ...

    def capture(self, kind: str, ref_id: int) -> Any:
        """The stub a remap capture `["import"|"export", id]` refers to."""
        ...

    def pipe_readable(self, export_id: int) -> ReadableStream:
        """The readable end of the pipe the peer opened as `export_id` (once)."""
        ...

    def import_writable(self, import_id: int) -> RemoteWritableStream:
        """The peer's `WritableStream` exported as `import_id`."""
        ...

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run `coroutine` (collecting a stream) as a task whose result is delivered."""
        ...


class Exporter(Protocol):
    """What the encoder asks the session for when a value is a stub, a target or a callable."""

    def encode_reference(self, value: Any) -> list[Any] | None:
        """`["export", id]`, `["import", id, ...]` or `["pipeline", ...]` for `value`; None if not one."""
        ...

    def encode_stream(self, value: Any) -> list[Any]:
        """`["readable", id]`, `["writable", id]` or `["blob", type, ...]` for a stream or `Blob`."""
        ...


def _check_path(path: Any) -> list[str | int]:
    if not isinstance(path, list) or not all(
        isinstance(part, str) or (isinstance(part, int) and not isinstance(part, bool)) for part in path
    ):
        raise ProtocolError(f"Property path must be a list of strings and integers, got {path!r:.200}")
    return path


def _check_id(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError(f"Table id must be an integer, got {value!r:.100}")
    return value


def _check_depth(value: Any, depth: int, limits: Limits) -> None:
    stack = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if level >= limits.max_depth:
            raise LimitExceededError(f"Message nesting exceeds max_depth ({limits.max_depth})")
        if isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
        elif isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())


class Decoder:
    """Evaluates received expressions into Python values (pending parts stay futures)."""

    def __init__(self, importer: Importer | None, limits: Limits, *, in_mapper: bool = False):
        self._importer = importer
        self._limits = limits
        self._in_mapper = in_mapper

    def decode(self, value: Any, depth: int = 0) -> Any:
        """The Python value of expression `value`; raises `ProtocolError` for a malformed one."""
        if depth >= self._limits.max_depth:
            raise LimitExceededError(f"Message nesting exceeds max_depth ({self._limits.max_depth})")
        if isinstance(value, list):
            if len(value) == 1 and isinstance(value[0], list):
                return [self.decode(item, depth + 1) for item in value[0]]
            return self._decode_tagged(value, depth)
        if isinstance(value, dict):
            return {key: self.decode(item, depth + 1) for key, item in value.items()}
        return value

    def _decode_tagged(self, value: list[Any], depth: int) -> Any:
        tag = value[0] if value else None
        arity = len(value)
        if tag == "undefined" and arity == 1:
            return UNDEFINED
        if tag == "inf" and arity == 1:
            return math.inf
        if tag == "-inf" and arity == 1:
            return -math.inf
        if tag == "nan" and arity == 1:
            return math.nan
        if tag == "bigint" and arity == 2 and isinstance(value[1], str):
            return self._decode_bigint(value[1])
        if tag == "date" and arity == 2:
            return self._decode_date(value[1])
        if tag == "bytes" and arity in (2, 3) and isinstance(value[1], str):
            return self._decode_bytes(value[1], value[2] if arity == 3 else None)
        if tag == "error" and 3 <= arity <= 5:
            return self._decode_error(value, depth)
        if tag == "url" and arity == 2 and isinstance(value[1], str):
            return httpx.URL(value[1])
        if tag == "headers" and arity == 2:
            return httpx.Headers(self._header_pairs(value[1]))
        if tag == "request" and arity == 3:
            return self._decode_request(value[1], value[2], depth)
        if tag == "response" and arity == 3:
            return self._decode_response(value[1], value[2], depth)
        if tag in ("import", "pipeline") and 2 <= arity <= 4:
            return self._decode_reference(value, depth)
        if tag == "remap" and arity == 5:
            return self._decode_remap(value, depth)
        if tag in ("export", "promise") and arity == 2:
            return self._decode_export(tag, _check_id(value[1]))
        if tag == "readable" and arity == 2:
            return self._require_importer().pipe_readable(_check_id(value[1]))
        if tag == "writable" and arity == 2:
            return self._require_importer().import_writable(_check_id(value[1]))
        if tag == "blob" and arity == 3 and isinstance(value[1], str):
            return self._decode_blob(value[1], value[2], depth)
        raise ProtocolError(f"Unknown special value: {json.dumps(value)[:200]}")

    def _decode_bigint(self, digits: str) -> BigInt:
        limit = self._limits.max_bigint_digits
        if len(digits.lstrip("-")) > limit:
            raise LimitExceededError(f"Bigint of {len(digits)} digits exceeds max_bigint_digits ({limit})")
        if not digits.lstrip("-").isdigit() or not digits.isascii():
            raise ProtocolError(f"Bigint must be a decimal string, got {digits[:64]!r}")
        return BigInt(int(digits))

    @staticmethod
    def _decode_date(millis: Any) -> dt.datetime | None:
        if millis is None:
            return None
        if not isinstance(millis, int | float) or isinstance(millis, bool):
            raise ProtocolError(f"Date must be milliseconds since the epoch, got {millis!r:.64}")
        try:
            return _EPOCH + dt.timedelta(milliseconds=millis)
        except OverflowError:
            raise ProtocolError(f"Date {millis!r} is out of Python's datetime range") from None

    @staticmethod
    def _decode_bytes(encoded: str, kind: Any) -> bytes | TypedArray:
        try:
            # JavaScript omits the padding (`=`) at the end; restore it.
            data = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("Bytes must be valid base64") from None
        if kind is None or kind == "Uint8Array":
            return data
        if not isinstance(kind, str) or kind not in BYTE_CONTAINER_NAMES:
            raise ProtocolError(f"Unknown bytes type marker: {str(kind)[:64]!r}")
        try:
            return TypedArray(kind, data)
        except ValueError as error:
            raise ProtocolError(str(error)) from None

    def _decode_error(self, value: list[Any], depth: int) -> RpcError:
        name, message = value[1], value[2]
        stack = value[3] if len(value) >= 4 else None
        props = value[4] if len(value) == 5 else {}
        if not isinstance(name, str) or not isinstance(message, str):
            raise ProtocolError("Error name and message must be strings")
        if stack is not None and not isinstance(stack, str):
            raise ProtocolError("Error stack must be a string or null")
        if not isinstance(props, dict):
            raise ProtocolError("Error props must be an object")
        decoded = {key: self.decode(item, depth + 1) for key, item in props.items()}
        return error_from_wire(name, message, stack, decoded)

    @staticmethod
    def _header_pairs(pairs: Any) -> list[tuple[str, str]]:
        if not isinstance(pairs, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair) for pair in pairs
        ):
            raise ProtocolError("Headers must be an array of [name, value] string pairs")
        return [(name, item) for name, item in pairs]

    def _decode_blob(self, mime_type: str, content: Any, depth: int) -> Any:
        stream = self.decode(content, depth + 1)
        if not isinstance(stream, ReadableStream):
            raise ProtocolError("Blob content must be a readable stream (['readable', id])")
        limit = self._limits.max_blob_size

        async def collect() -> Blob:
            return Blob(await _read_limited(stream, limit), mime_type)

        return self._require_importer().spawn(collect())

    def _decode_body(self, body: Any, depth: int) -> bytes | str | ReadableStream | None:
        decoded = self.decode(body, depth + 1) if body is not None else None
        if decoded is not None and not isinstance(decoded, str | bytes | ReadableStream):
            raise ProtocolError("Request/response body must be null, a string, bytes or a readable stream")
        return decoded

    def _after_body(self, body: Any, build: Callable[[bytes | str | None], Any]) -> Any:
        # A streamed body is collected first: the value is delivered once it is complete.
        if not isinstance(body, ReadableStream):
            return build(body)
        limit = self._limits.max_blob_size

        async def collect() -> Any:
            return build(await _read_limited(body, limit))

        return self._require_importer().spawn(collect())

    def _decode_request(self, url: Any, init: Any, depth: int) -> httpx.Request:
        if not isinstance(url, str) or not isinstance(init, dict):
            raise ProtocolError("Request must be ['request', url, init]")
        headers = self._header_pairs(init.get("headers", []))
        body = self._decode_body(init.get("body"), depth)
        method = init.get("method", "GET")
        if not isinstance(method, str):
            raise ProtocolError("Request method must be a string")

        def build(content: bytes | str | None) -> httpx.Request:
            try:
                return httpx.Request(method, url, headers=headers, content=content)
            except (httpx.InvalidURL, ValueError, TypeError) as error:
                raise ProtocolError(f"Invalid request: {error}") from None

        return self._after_body(body, build)

    def _decode_response(self, body: Any, init: Any, depth: int) -> httpx.Response:
        if not isinstance(init, dict):
            raise ProtocolError("Response must be ['response', body, init]")
        status = init.get("status", 200)
        if not isinstance(status, int) or not 100 <= status <= 999:
            raise ProtocolError("Response status must be an integer between 100 and 999")
        headers = self._header_pairs(init.get("headers", []))
        return self._after_body(
            self._decode_body(body, depth), lambda content: httpx.Response(status, headers=headers, content=content)
        )

    def _decode_reference(self, value: list[Any], depth: int) -> Any:
        importer = self._require_importer()
        base = importer.export_value(_check_id(value[1]))
        path = _check_path(value[2]) if len(value) >= 3 else []
        args = None
        if len(value) == 4:
            if not isinstance(value[3], list):
                raise ProtocolError("Call arguments must be a list of expressions")
            args = [self.decode(item, depth + 1) for item in value[3]]
        if not path and args is None:
            return base
        return importer.pipeline(base, path, args)

    def _decode_remap(self, value: list[Any], depth: int) -> Any:
        importer = self._require_importer()
        base = importer.export_value(_check_id(value[1]))
        path = _check_path(value[2])
        captures, instructions = value[3], value[4]
        if not isinstance(captures, list) or not isinstance(instructions, list) or not instructions:
            raise ProtocolError("Remap needs a list of captures and a non-empty list of instructions")
        # The instructions are decoded later, once per element; they count towards this message's depth.
        _check_depth(instructions, depth + 1, self._limits)
        resolved = []
        for capture in captures:
            if not (
                isinstance(capture, list)
                and len(capture) == 2
                and capture[0] in ("import", "export")
                and isinstance(capture[1], int)
            ):
                raise ProtocolError(f"Unknown map capture: {json.dumps(capture)[:100]}")
            resolved.append(importer.capture(capture[0], capture[1]))
        return importer.remap(base, path, resolved, instructions)

    def _decode_export(self, tag: str, ref_id: int) -> Any:
        importer = self._require_importer()
        if self._in_mapper:
            raise ProtocolError("A mapper function cannot refer to exports")
        return importer.import_stub(ref_id) if tag == "export" else importer.import_promise(ref_id)

    def _require_importer(self) -> Importer:
        if self._importer is None:
            raise ProtocolError("Stubs and promises are not allowed here")
        return self._importer


class Encoder:
    """Turns Python values into expressions; stubs, targets and callables go through the exporter."""

    def __init__(self, exporter: Exporter | None, limits: Limits, *, expose_stacks: bool = False):
        self._exporter = exporter
        self._limits = limits
        self._expose_stacks = expose_stacks

    @property
    def exporter(self) -> Exporter | None:
        """Where stubs and functions inside values are exported (None: they cannot be sent)."""
        return self._exporter

    def encode(self, value: Any, depth: int = 0) -> Any:
        """The expression for `value`; raises `TypeError` for a value that cannot be sent."""
        if depth >= self._limits.max_depth:
            raise ValueError(f"Value nesting exceeds max_depth ({self._limits.max_depth}); is it cyclic?")
        if value is None or isinstance(value, str | bool):
            return value
        if isinstance(value, int):
            if isinstance(value, BigInt) or abs(value) > MAX_SAFE_INTEGER:
                return ["bigint", str(int(value))]
            return int(value)
        if isinstance(value, float):
            if math.isnan(value):
                return ["nan"]
            if math.isinf(value):
                return ["inf"] if value > 0 else ["-inf"]
            return value
        if isinstance(value, list | tuple):
            return [[self.encode(item, depth + 1) for item in value]]
        if isinstance(value, Mapping) and not isinstance(value, httpx.Headers):
            return self._encode_mapping(value, depth)
        return self._encode_special(value, depth)

    def _encode_mapping(self, value: Mapping[Any, Any], depth: int) -> dict[str, Any]:
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"Object keys must be strings to be sent over RPC, got {key!r:.64}")
            result[key] = self.encode(item, depth + 1)
        return result

    def _encode_special(self, value: Any, depth: int) -> Any:
        if value is UNDEFINED:
            return ["undefined"]
        if isinstance(value, bytes | bytearray | memoryview):
            return ["bytes", base64.b64encode(bytes(value)).decode("ascii")]
        if isinstance(value, array.array):
            value = TypedArray.from_array(value)
        if isinstance(value, TypedArray):
            return ["bytes", base64.b64encode(value.data).decode("ascii"), value.kind]
        if isinstance(value, dt.datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            millis = (aware - _EPOCH) // dt.timedelta(microseconds=1) / 1000
            return ["date", int(millis) if millis.is_integer() else millis]
        if isinstance(value, BaseException):
            return self.encode_error(value, depth)
        if isinstance(value, httpx.URL):
            return ["url", str(value)]
        if isinstance(value, httpx.Headers):
            return ["headers", [[name, item] for name, item in value.multi_items()]]
        if isinstance(value, httpx.Request):
            return self._encode_request(value, depth)
        if isinstance(value, httpx.Response):
            return self._encode_response(value, depth)
        if isinstance(value, Blob | WritableStream) or is_readable_source(value):
            if self._exporter is None:
                raise TypeError(f"A {type(value).__name__} cannot be sent here (streams need an RPC session)")
            return self._exporter.encode_stream(value)
        if self._exporter is not None:
            reference = self._exporter.encode_reference(value)
            if reference is not None:
                return reference
        if hasattr(value, "model_dump") and callable(value.model_dump):
            return self.encode(value.model_dump(mode="python"), depth)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._encode_mapping({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, depth)
        raise TypeError(f"Cannot send a value of type {type(value).__name__} over RPC")

    def encode_error(self, error: BaseException, depth: int = 0) -> list[Any]:
        """`["error", name, message, stack?, props?]` for an exception."""
        message = error.message if isinstance(error, RpcError) else str(error)
        if isinstance(error, KeyError) and error.args:
            message = f"Key not found: {error.args[0]!r}"
        encoded: list[Any] = ["error", error_wire_name(error), message]
        stack = format_stack(error) if self._expose_stacks else None
        props = {}
        if isinstance(error, RpcError):
            for key, item in error.props.items():
                try:
                    props[key] = self.encode(item, depth + 1)
                except (TypeError, ValueError):
                    continue
        if props:
            encoded += [stack, props]
        elif stack is not None:
            encoded.append(stack)
        return encoded

    def _encode_request(self, request: httpx.Request, depth: int) -> list[Any]:
        init: dict[str, Any] = {}
        if request.method != "GET":
            init["method"] = request.method
        if request.headers:
            init["headers"] = [[name, item] for name, item in request.headers.multi_items()]
        body = request.read()
        if body:
            init["body"] = self.encode(body, depth + 1)
        return ["request", str(request.url), init]

    def _encode_response(self, response: httpx.Response, depth: int) -> list[Any]:
        init: dict[str, Any] = {}
        if response.status_code != 200:
            init["status"] = response.status_code
        if response.headers:
            init["headers"] = [[name, item] for name, item in response.headers.multi_items()]
        body = response.read()
        return ["response", self.encode(body, depth + 1) if body else None, init]
