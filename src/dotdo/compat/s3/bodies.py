"""Request bodies into the blob store, checked as they stream: length, MD5, sha256, checksums, chunk signatures.

A body is never held whole in memory: each piece goes to a `BlobUpload` while every digest the
client declared is computed alongside. A body that fails a check (a wrong `Content-MD5`, a payload
hash that does not match, a bad chunk signature, a short body) is discarded and nothing is stored.
`aws-chunked` bodies (the SDKs' streaming uploads) are decoded here, their chunk signatures checked
against the request's seed signature, and their trailing checksums read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import google_crc32c
from starlette.types import Receive

from ...primitives.blob_store import BlobStore, BlobUpload
from ..aws_sigv4 import (
    STREAMING_PAYLOAD,
    STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
    UNSIGNED_PAYLOAD,
    SignedRequest,
    chunk_signature,
)
from .errors import S3Error

MAX_OBJECT_SIZE = 5 * 1024**3
"""The largest single PUT (or part) S3 accepts: 5 GiB."""
_MAX_CHUNK_HEADER = 4096


@dataclass
class ReceivedBody:
    """A body received whole: in the blob store (`sha`) or, when small, in memory (`inline`); its size,
    MD5 and the checksums that were declared and verified."""

    sha: str | None
    size: int
    md5: str
    checksums: dict[str, str] = field(default_factory=dict)
    inline: bytes | None = None

    @property
    def parts(self) -> list[tuple[str, int]]:
        """The blobs holding the body (none when it is inline or empty)."""
        return [(self.sha, self.size)] if self.sha is not None else []

    @property
    def etag(self) -> str:
        """The object's ETag: its MD5 in quotes."""
        return f'"{self.md5}"'


class _Crc32:
    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


CHECKSUMS: dict[str, Any] = {
    "crc32": _Crc32,
    "crc32c": google_crc32c.Checksum,
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}
"""The `x-amz-checksum-*` algorithms checked as the body streams (others are kept as declared)."""


def declared_checksums(headers: dict[str, str]) -> dict[str, str | None]:
    """The `x-amz-checksum-*` algorithms a request declares (value None when it comes in a trailer)."""
    declared: dict[str, str | None] = {}
    for name, value in headers.items():
        if name.startswith("x-amz-checksum-") and name != "x-amz-checksum-type":
            declared[name.removeprefix("x-amz-checksum-")] = value
    trailer = headers.get("x-amz-trailer", "")
    for name in filter(None, (part.strip().lower() for part in trailer.split(","))):
        if name.startswith("x-amz-checksum-"):
            declared.setdefault(name.removeprefix("x-amz-checksum-"), None)
    return declared


async def raw_pieces(receive: Receive) -> AsyncIterator[bytes]:
    """The request body as it arrives."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise S3Error("IncompleteBody", "the client went away before the body was complete")
        body = message.get("body", b"")
        if body:
            yield body
        if not message.get("more_body", False):
            return


class _Buffer:
    def __init__(self, pieces: AsyncIterator[bytes]) -> None:
        self.pieces = pieces
        self.data = bytearray()
        self.ended = False

    async def fill(self, size: int) -> bool:
        while len(self.data) < size and not self.ended:
            try:
                self.data += await anext(self.pieces)
            except StopAsyncIteration:
                self.ended = True
        return len(self.data) >= size

    async def line(self) -> bytes:
        while True:
            end = self.data.find(b"\r\n")
            if end >= 0:
                line = bytes(self.data[:end])
                del self.data[: end + 2]
                return line
            if len(self.data) > _MAX_CHUNK_HEADER:
                raise S3Error("InvalidRequest", "an aws-chunked chunk header is too long")
            if self.ended:
                raise S3Error("IncompleteBody", "the aws-chunked body ended in the middle of a chunk header")
            if not await self.fill(len(self.data) + 1):
                continue

    async def take(self, size: int) -> bytes:
        if not await self.fill(size):
            raise S3Error("IncompleteBody", "the aws-chunked body ended in the middle of a chunk")
        taken = bytes(self.data[:size])
        del self.data[:size]
        return taken


async def decode_chunked(
    pieces: AsyncIterator[bytes], signed: SignedRequest, trailers: dict[str, str]
) -> AsyncIterator[bytes]:
    """Decode an `aws-chunked` body, checking chunk signatures when the payload is signed; fills `trailers`."""
    buffer = _Buffer(pieces)
    check_signatures = signed.payload_hash in (STREAMING_PAYLOAD, STREAMING_SIGNED_TRAILER)
    previous = signed.signature
    while True:
        header = (await buffer.line()).decode("latin-1")
        size_text, _, extension = header.partition(";")
        try:
            size = int(size_text.strip(), 16)
        except ValueError:
            raise S3Error("InvalidRequest", f"malformed aws-chunked chunk header {header[:80]!r}") from None
        if size < 0 or size > MAX_OBJECT_SIZE:
            raise S3Error("InvalidRequest", "an aws-chunked chunk size is out of range")
        chunk = await buffer.take(size) if size else b""
        if check_signatures:
            claimed = extension.strip().removeprefix("chunk-signature=")
            expected = chunk_signature(signed, previous, chunk)
            if claimed != expected:
                raise S3Error("SignatureDoesNotMatch", "a chunk signature of the aws-chunked body does not match")
            previous = expected
        if size == 0:
            break
        if await buffer.line():
            raise S3Error("InvalidRequest", "an aws-chunked chunk is longer than its declared size")
        yield chunk
    while True:
        line = (await buffer.line()).decode("latin-1") if not (buffer.ended and not buffer.data) else ""
        if not line:
            return
        name, _, value = line.partition(":")
        trailers[name.strip().lower()] = value.strip()


async def store_body(
    receive: Receive,
    headers: dict[str, str],
    signed: SignedRequest | None,
    blobs: BlobStore,
    namespace: str,
    *,
    max_size: int = MAX_OBJECT_SIZE,
    inline_max: int = 0,
) -> ReceivedBody:
    """Stream the request body into the blob store (namespace `namespace`), checking everything it declares.

    A body of at most `inline_max` bytes is kept in memory (`ReceivedBody.inline`) instead.
    """
    declared_length = _declared_length(headers)
    pieces: AsyncIterator[bytes] = raw_pieces(receive)
    trailers: dict[str, str] = {}
    payload_hash = signed.payload_hash if signed is not None else UNSIGNED_PAYLOAD
    streaming = payload_hash in (STREAMING_PAYLOAD, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)
    if streaming:
        decoded = headers.get("x-amz-decoded-content-length")
        if decoded is None:
            raise S3Error("MissingContentLength", "an aws-chunked upload needs x-amz-decoded-content-length")
        declared_length = _as_length(decoded)
        assert signed is not None  # a streaming payload hash comes from a SigV4 signature
        pieces = decode_chunked(pieces, signed, trailers)
    if declared_length is not None and declared_length > max_size:
        raise S3Error("EntityTooLarge")
    checksums = declared_checksums(headers)
    hashers = {name: CHECKSUMS[name]() for name in checksums if name in CHECKSUMS}
    md5 = hashlib.md5()
    payload_sha = hashlib.sha256() if not streaming and payload_hash != UNSIGNED_PAYLOAD else None
    if payload_sha is not None:
        payload_hash = payload_hash.lower()
        if len(payload_hash) != 64 or any(c not in "0123456789abcdef" for c in payload_hash):
            raise S3Error(
                "InvalidArgument",
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or the payload's sha256",
            )
    upload = None
    held = bytearray()
    try:
        size = 0
        async for piece in pieces:
            size += len(piece)
            if size > max_size:
                raise S3Error("EntityTooLarge")
            md5.update(piece)
            if payload_sha is not None:
                payload_sha.update(piece)
            for hasher in hashers.values():
                hasher.update(piece)
            if upload is None and size <= inline_max:
                held += piece
                continue
            if upload is None:
                upload = _open_upload(blobs, payload_sha, payload_hash)
                upload.write(held)
            upload.write(piece)
        if declared_length is not None and size != declared_length:
            raise S3Error("IncompleteBody")
        if payload_sha is not None and payload_sha.hexdigest() != payload_hash:
            raise S3Error("XAmzContentSHA256Mismatch")
        _check_content_md5(headers.get("content-md5"), md5.digest())
        verified: dict[str, str] = {}
        for name, value in checksums.items():
            claimed = value if value is not None else trailers.get(f"x-amz-checksum-{name}")
            if claimed is None:
                raise S3Error("InvalidRequest", f"the x-amz-checksum-{name} trailer is missing")
            hasher = hashers.get(name)
            if hasher is not None and base64.b64encode(hasher.digest()).decode() != claimed:
                raise S3Error("BadDigest", f"the {name.upper()} you specified did not match the calculated checksum")
            verified[name] = claimed
        if upload is None:
            if inline_max > 0:
                return ReceivedBody(sha=None, size=size, md5=md5.hexdigest(), checksums=verified, inline=bytes(held))
            upload = _open_upload(blobs, payload_sha, payload_hash)
            upload.write(held)
        sha = upload.finish()
        upload.publish(namespace=namespace)
    except BaseException:
        if upload is not None:
            upload.discard()
        raise
    return ReceivedBody(sha=sha, size=size, md5=md5.hexdigest(), checksums=verified)


def _open_upload(blobs: BlobStore, payload_sha: Any, payload_hash: str) -> BlobUpload:
    # A payload hash the client signed is the blob's own name once checked (the check comes before
    # `publish`): the upload need not hash the bytes a second time.
    if payload_sha is not None:
        return BlobUpload(blobs, uuid.uuid4().hex, sha256=payload_hash)
    return blobs.open_upload()


def _declared_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length")
    return None if value is None else _as_length(value)


def _as_length(value: str) -> int:
    if not value.isdigit():
        raise S3Error("InvalidArgument", f"invalid content length {value[:40]!r}")
    return int(value)


def _check_content_md5(header: str | None, digest: bytes) -> None:
    if header is None:
        return
    try:
        claimed = base64.b64decode(header, validate=True)
    except (binascii.Error, ValueError):
        raise S3Error("InvalidDigest") from None
    if len(claimed) != 16:
        raise S3Error("InvalidDigest")
    if claimed != digest:
        raise S3Error("BadDigest")


def copy_blob(
    source: BlobStore,
    source_namespace: str,
    parts: list[tuple[str, int]],
    start: int,
    end: int,
    target: BlobStore,
    target_namespace: str,
    inline: bytes | None = None,
) -> ReceivedBody:
    """Bytes [start, end) of an object made of `parts`, written as one new blob (for a copy across buckets
    or a ranged part copy)."""
    md5 = hashlib.md5()
    upload = target.open_upload()
    try:
        for piece in read_range(source, source_namespace, parts, start, end, inline):
            md5.update(piece)
            upload.write(piece)
        sha = upload.finish()
        upload.publish(namespace=target_namespace)
    except BaseException:
        upload.discard()
        raise
    return ReceivedBody(sha=sha, size=end - start, md5=md5.hexdigest())


READ_PIECE = 4 * 1024 * 1024


def read_range(
    blobs: BlobStore, namespace: str, parts: list[tuple[str, int]], start: int, end: int, inline: bytes | None = None
) -> Iterator[bytes]:
    """Bytes [start, end) of an object made of `parts` (or held `inline`), in pieces of at most 4 MiB."""
    if inline is not None:
        if end > start:
            yield inline[start:end]
        return
    offset = 0
    for sha, size in parts:
        part_start, part_end = offset, offset + size
        offset = part_end
        if part_end <= start or part_start >= end:
            continue
        position = max(start, part_start) - part_start
        stop = min(end, part_end) - part_start
        while position < stop:
            piece_end = min(stop, position + READ_PIECE)
            yield blobs.get_range(sha, position, piece_end, namespace=namespace)
            position = piece_end
