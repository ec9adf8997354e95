"""Reading an untrusted pack within `GitLimits`, one object at a time, sizes checked before allocating.

A pack entry declares its size in its header and a delta declares its result's size in its own
header: both are checked against the limits before anything is inflated or applied, inflating
stops one byte past the declared size (a pack that lies is refused), and applying a delta stops as
soon as it would write past the size it declared. Whole objects are stored as they are read;
deltas are resolved afterwards from their base, read back from the store, so at most a base, a
delta and its result are in memory at once, whatever the pack holds.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from typing import BinaryIO

from .errors import BadObjectError, PackLimitError
from .limits import GitLimits

OFS_DELTA = 6
REF_DELTA = 7
TYPE_NAMES = {1: b"commit", 2: b"tree", 3: b"blob", 4: b"tag"}
_CHUNK = 64 * 1024
_TRAILER = 20

Store = Callable[[int, bytes], bytes]
"""Stores one object (type number, raw content) and returns its hex sha."""
Load = Callable[[bytes], "tuple[int, bytes] | None"]
"""The (type number, raw content) of a stored object by hex sha, or None when absent."""


def object_sha(type_num: int, raw: bytes | bytearray) -> bytes:
    """The hex sha git gives an object of this type and content."""
    digest = hashlib.sha1(b"%s %d\x00" % (TYPE_NAMES[type_num], len(raw)))
    digest.update(raw)
    return digest.hexdigest().encode("ascii")


class PackReader:
    """Reads the pack in `file[0:size]` and hands every object, deltas resolved, to `store`."""

    def __init__(self, file: BinaryIO, size: int, limits: GitLimits, store: Store, load: Load) -> None:
        self.file = file
        self.size = size
        self.limits = limits
        self.store = store
        self.load = load
        self.expanded = 0
        self.count = 0
        # Deltas waiting for their base: by the base's offset (ofs-delta) or hex sha (ref-delta).
        self._waiting: dict[int | bytes, list[int]] = {}
        # Where each delta's data starts and how long it says it is, by the delta's offset.
        self._deltas: dict[int, tuple[int, int]] = {}

    def read(self) -> int:
        """Verify, inflate and store every object of the pack; returns how many were stored."""
        if self.size < 12 + _TRAILER:
            raise BadObjectError("Corrupt pack: too short to be a pack")
        if self.size > self.limits.max_input_size:
            raise self._over("the pack is", self.size, "max_input_size")
        self._verify_checksum()
        self.file.seek(0)
        header = self.file.read(12)
        if header[:4] != b"PACK" or int.from_bytes(header[4:8], "big") not in (2, 3):
            raise BadObjectError("Corrupt pack: no PACK header of version 2 or 3")
        entries = int.from_bytes(header[8:12], "big")
        resolved: list[tuple[int | None, bytes, int, int]] = []
        offset = 12
        for _ in range(entries):
            offset = self._read_entry(offset, resolved)
        if offset != self.size - _TRAILER:
            raise BadObjectError("Corrupt pack: its entries do not end where its checksum starts")
        self._resolve(resolved)
        if self._waiting:
            missing = next(key for key in self._waiting if isinstance(key, bytes))
            raise BadObjectError(f"Corrupt pack: a delta's base {missing.decode()} is neither in the pack nor stored")
        return self.count

    # -- limits ---------------------------------------------------------------------------------

    def _over(self, what: str, size: int, setting: str) -> PackLimitError:
        limit = getattr(self.limits, setting)
        return PackLimitError(f"{what} {size} bytes, over the limit of {limit} bytes (GitLimits.{setting})")

    def _expand(self, size: int, what: str) -> None:
        """Count `size` more inflated bytes against the object and pack limits, before inflating them."""
        if size > self.limits.max_object_size:
            raise self._over(what, size, "max_object_size")
        self.expanded += size
        if self.expanded > self.limits.max_pack_expansion:
            raise self._over("the pack inflates to at least", self.expanded, "max_pack_expansion")

    # -- reading --------------------------------------------------------------------------------

    def _verify_checksum(self) -> None:
        digest = hashlib.sha1()
        self.file.seek(0)
        left = self.size - _TRAILER
        while left:
            chunk = self.file.read(min(_CHUNK, left))
            if not chunk:
                raise BadObjectError("Corrupt pack: truncated")
            digest.update(chunk)
            left -= len(chunk)
        if self.file.read(_TRAILER) != digest.digest():
            raise BadObjectError("Corrupt pack: checksum mismatch (truncated or damaged in transit)")

    def _read_entry(self, offset: int, resolved: list[tuple[int | None, bytes, int, int]]) -> int:
        self.file.seek(offset)
        head = self.file.read(32)
        if not head:
            raise BadObjectError("Corrupt pack: truncated")
        byte = head[0]
        type_num = (byte >> 4) & 7
        size = byte & 15
        shift, at = 4, 1
        while byte & 0x80:
            if at >= len(head) or shift > 56:
                raise BadObjectError(f"Corrupt pack: bad entry header at offset {offset}")
            byte = head[at]
            size |= (byte & 0x7F) << shift
            shift += 7
            at += 1
        if type_num == OFS_DELTA:
            byte = head[at] if at < len(head) else 0
            distance = byte & 0x7F
            at += 1
            while byte & 0x80:
                if at >= len(head):
                    raise BadObjectError(f"Corrupt pack: bad delta offset at offset {offset}")
                byte = head[at]
                distance = ((distance + 1) << 7) | (byte & 0x7F)
                at += 1
            base: int | bytes = offset - distance
            if not 12 <= base < offset:
                raise BadObjectError(f"Corrupt pack: delta at offset {offset} points outside the pack")
        elif type_num == REF_DELTA:
            base = head[at : at + 20].hex().encode("ascii")
            at += 20
        elif type_num not in TYPE_NAMES:
            raise BadObjectError(f"Corrupt pack: unknown object type {type_num} at offset {offset}")
        start = offset + at
        if type_num in TYPE_NAMES:
            self._expand(size, f"a {TYPE_NAMES[type_num].decode()} in the pack is")
            raw, end = self._inflate(start, size, keep=True)
            assert raw is not None
            sha = self.store(type_num, raw)
            self.count += 1
            resolved.append((offset, sha, type_num, 0))
        else:
            self._expand(size, "a delta in the pack is")
            _, end = self._inflate(start, size, keep=False)
            self._deltas[offset] = (start, size)
            self._waiting.setdefault(base, []).append(offset)
        return end

    def _inflate(self, start: int, declared: int, *, keep: bool) -> tuple[bytes | None, int]:
        """Inflate the zlib stream at `start`, never past `declared` bytes; (data, where the stream ends)."""
        inflater = zlib.decompressobj()
        self.file.seek(start)
        position = start
        limit = self.size - _TRAILER
        parts: list[bytes] = []
        total = 0
        while not inflater.eof:
            if position >= limit:
                raise BadObjectError(f"Corrupt pack: the object at offset {start} is truncated")
            chunk = self.file.read(min(_CHUNK, limit - position))
            position += len(chunk)
            pending = chunk
            while pending and not inflater.eof:
                try:
                    data = inflater.decompress(pending, declared - total + 1)
                except zlib.error as exc:
                    raise BadObjectError(f"Corrupt pack: bad zlib data at offset {start}: {exc}") from None
                total += len(data)
                if total > declared:
                    raise BadObjectError(
                        f"Corrupt pack: the object at offset {start} inflates past the {declared} bytes it declares"
                    )
                if keep:
                    parts.append(data)
                pending = inflater.unconsumed_tail
        if total != declared:
            raise BadObjectError(f"Corrupt pack: the object at offset {start} is shorter than it declares")
        return (b"".join(parts) if keep else None), position - len(inflater.unused_data)

    # -- deltas ---------------------------------------------------------------------------------

    def _resolve(self, resolved: list[tuple[int | None, bytes, int, int]]) -> None:
        """Apply every waiting delta once its base is known: pack objects first, then stored ones."""
        stack = list(resolved)
        while True:
            while stack:
                offset, sha, _, depth = stack.pop()
                children = self._waiting.pop(sha, [])
                if offset is not None:
                    children += self._waiting.pop(offset, [])
                if children:
                    stack.extend(self._apply_children(sha, depth, children))
            # Thin packs: deltas against objects the repository already has.
            external = [key for key in self._waiting if isinstance(key, bytes)]
            for sha in external:
                found = self.load(sha)
                if found is not None:
                    stack.append((None, sha, found[0], 0))
            if not stack:
                return

    def _apply_children(self, base_sha: bytes, depth: int, children: list[int]) -> list[tuple[int, bytes, int, int]]:
        if depth + 1 > self.limits.max_delta_depth:
            raise PackLimitError(
                f"a delta chain in the pack is deeper than {self.limits.max_delta_depth} (GitLimits.max_delta_depth)"
            )
        found = self.load(base_sha)
        if found is None:
            raise BadObjectError(f"Corrupt pack: delta base {base_sha.decode()} vanished")
        type_num, base = found
        done = []
        for offset in children:
            start, size = self._deltas.pop(offset)
            delta, _ = self._inflate(start, size, keep=True)
            assert delta is not None
            target = self._apply(base, delta, offset)
            sha = self.store(type_num, target)
            self.count += 1
            done.append((offset, sha, type_num, depth + 1))
        return done

    def _apply(self, base: bytes, delta: bytes, offset: int) -> bytes:
        """The result of a delta, refused before allocating if it would be over a limit."""
        at, source_size = _varint(delta, 0, offset)
        at, target_size = _varint(delta, at, offset)
        if source_size != len(base):
            raise BadObjectError(f"Corrupt pack: the delta at offset {offset} is for a base of another size")
        self._expand(target_size, "a delta in the pack produces an object of")
        out = bytearray()
        source = memoryview(base)
        end = len(delta)
        while at < end:
            op = delta[at]
            at += 1
            if op & 0x80:
                start = length = 0
                for bit in range(4):
                    if op & (1 << bit):
                        start |= delta[at] << (8 * bit)
                        at += 1
                for bit in range(3):
                    if op & (0x10 << bit):
                        length |= delta[at] << (8 * bit)
                        at += 1
                length = length or 0x10000
                if start + length > len(base) or len(out) + length > target_size:
                    raise BadObjectError(f"Corrupt pack: the delta at offset {offset} copies out of bounds")
                out += source[start : start + length]
            elif op:
                if at + op > end or len(out) + op > target_size:
                    raise BadObjectError(f"Corrupt pack: the delta at offset {offset} inserts out of bounds")
                out += delta[at : at + op]
                at += op
            else:
                raise BadObjectError(f"Corrupt pack: the delta at offset {offset} has an invalid opcode")
        if len(out) != target_size:
            raise BadObjectError(f"Corrupt pack: the delta at offset {offset} is shorter than it declares")
        return bytes(out)


def _varint(data: bytes, at: int, offset: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 56:
            raise BadObjectError(f"Corrupt pack: bad delta header at offset {offset}")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return at, value
