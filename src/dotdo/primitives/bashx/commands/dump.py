"""``od``: bytes shown as characters or numbers, as GNU od prints them (a common subset)."""

from __future__ import annotations

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    guarded,
)
from dotdo.primitives.bashx.commands.streaming import Output, open_inputs

LINE_BYTES = 16
NAMED = {0: "\\0", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}
RADIX = {"o": (8, 7), "d": (10, 7), "x": (16, 6), "n": (0, 0)}
"""Address radix letter -> (base, digits)."""


def _format_spec(spec: str) -> tuple[str, int]:
    """``-t`` TYPE as (kind, size): c, a, o/x/d/u with a byte count."""
    kind, size = spec[:1], spec[1:]
    if kind in ("c", "a"):
        return kind, 1
    if kind not in ("o", "x", "d", "u"):
        raise CommandError(f"od: invalid type string '{spec}'")
    sizes = {"": 2 if kind in "ox" else 4, "C": 1, "S": 2, "I": 4, "L": 8}
    if size in sizes:
        return kind, sizes[size]
    if size.isdigit() and int(size) in (1, 2, 4, 8):
        return kind, int(size)
    raise CommandError(f"od: invalid type string '{spec}'")


def _cells(chunk: bytes, kind: str, size: int) -> list[str]:
    """One output line's fields for ``chunk``."""
    if kind == "c":
        return [f"{NAMED.get(b) or (chr(b) if 32 <= b < 127 else f'{b:03o}'):>4}" for b in chunk]
    if kind == "a":
        names = {0: "nul", 7: "bel", 8: "bs", 9: "ht", 10: "nl", 11: "vt", 12: "ff", 13: "cr", 32: "sp", 127: "del"}
        return [f"{names.get(b & 127) or (chr(b & 127) if 32 < b & 127 < 127 else f'{b & 127:03o}'):>4}" for b in chunk]
    padded = chunk + b"\0" * (-len(chunk) % size)
    numbers = [int.from_bytes(padded[i : i + size], "little") for i in range(0, len(padded), size)]
    width = {"o": len(f"{(1 << 8 * size) - 1:o}"), "x": 2 * size, "u": len(str((1 << 8 * size) - 1))}
    if kind == "d":
        width_d = len(str(1 << (8 * size - 1))) + 1
        signed = [n - (1 << 8 * size) if n >= 1 << (8 * size - 1) else n for n in numbers]
        return [f" {n:>{width_d}}" for n in signed]
    if kind == "o":
        return [f" {n:0{width['o']}o}" for n in numbers]
    if kind == "x":
        return [f" {n:0{width['x']}x}" for n in numbers]
    return [f" {n:>{width['u']}}" for n in numbers]


@guarded
def od(call: CommandCall) -> CommandResult:
    """``od [-A RADIX] [-t TYPE] [-c] [-b] [-x] [-d] [-v] [files]``."""
    args = call.argv[1:]
    types: list[tuple[str, int]] = []
    radix, verbose, files = "o", False, []
    while args:
        arg = args.pop(0)
        if arg == "--":
            files += args
            break
        if arg.startswith("-A"):
            radix = arg[2:] or (args.pop(0) if args else "")
            if radix not in RADIX:
                raise CommandError(f"od: invalid output address radix '{radix}'; it must be one character from [doxn]")
        elif arg.startswith("-t"):
            types.append(_format_spec(arg[2:] or (args.pop(0) if args else "")))
        elif arg.startswith("-") and len(arg) > 1:
            for letter in arg[1:]:
                short = {"c": ("c", 1), "b": ("o", 1), "x": ("x", 2), "d": ("u", 2), "o": ("o", 2), "i": ("d", 4)}
                if letter == "v":
                    verbose = True
                elif letter in short:
                    types.append(short[letter])
                else:
                    raise CommandError(f"od: invalid option -- '{letter}'\nTry 'od --help' for more information.")
        else:
            files.append(arg)
    errors: list[str] = []
    base, digits = RADIX[radix]
    out = Output(call)
    previous: bytes | None = None
    starred = False
    offset = 0

    def dump(line: bytes) -> None:
        nonlocal previous, starred, offset
        if not verbose and line == previous and len(line) == LINE_BYTES:
            if not starred:
                out.write(b"*\n")
                starred = True
        else:
            previous, starred = line, False
            for index, (kind, size) in enumerate(types or [("o", 2)]):
                address = _address(offset, base, digits) if index == 0 else " " * digits
                out.write((address + "".join(_cells(line, kind, size)) + "\n").encode())
        offset += len(line)

    # Inputs run together as one stream, dumped a line of 16 bytes at a time as they arrive.
    pending = b""
    for _, source in open_inputs(call, files, errors):
        for block in source:
            pending += block
            whole = len(pending) - len(pending) % LINE_BYTES
            for start in range(0, whole, LINE_BYTES):
                dump(pending[start : start + LINE_BYTES])
            pending = pending[whole:]
            out.flush()
    if pending:
        dump(pending)
    if base:
        out.write((_address(offset, base, digits) + "\n").encode())
    return out.result(errors)


def _address(offset: int, base: int, digits: int) -> str:
    if not base:
        return ""
    return {8: f"{offset:0{digits}o}", 10: f"{offset:0{digits}d}", 16: f"{offset:0{digits}x}"}[base]


COMMANDS = {"od": od}
