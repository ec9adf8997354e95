"""``{}`` placeholders: each value is shell-quoted into exactly one word, never spliced as code."""

from __future__ import annotations

import os
import re
from typing import Any

from dotdo.primitives.bashx.errors import InterpolationError

SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
MAX_VALUE_BYTES = 1_000_000


def quote(value: Any) -> str:
    """One shell word whose value is ``str(value)``, whatever characters it holds."""
    if isinstance(value, bool) or value is None or isinstance(value, bytes | bytearray):
        raise TypeError(f"cannot interpolate {type(value).__name__}; pass a str, int, float or path")
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str | int | float):
        raise TypeError(f"cannot interpolate {type(value).__name__}; pass a str, int, float or path")
    text = str(value)
    if "\x00" in text:
        raise InterpolationError("a value holds a NUL byte, which no shell word can carry; remove it")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_VALUE_BYTES:
        raise InterpolationError(f"a value is over {MAX_VALUE_BYTES} bytes; write it to a file and pass the path")
    if text and SAFE_WORD.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def interpolate(script: str, args: tuple[Any, ...]) -> str:
    """Replace each ``{}`` with the next value, quoted; ``{{`` and ``}}`` are literal braces.

    Placeholders must stand where a word can: not inside quotes, backquotes or here-document
    bodies (there quoting cannot protect the value), which raises :class:`InterpolationError`.
    """
    if not isinstance(script, str):
        raise TypeError(f"a bash script is a str, not {type(script).__name__}")
    pieces: list[str] = []
    index = 0
    for kind, text in _scan(script):
        if kind == "text":
            pieces.append(text)
            continue
        if index >= len(args):
            raise InterpolationError(f"the script has more {{}} placeholders than the {len(args)} values given")
        pieces.append(quote(args[index]))
        index += 1
    if index != len(args):
        raise InterpolationError(f"the script has {index} {{}} placeholders but {len(args)} values were given")
    return "".join(pieces)


def _scan(script: str) -> list[tuple[str, str]]:
    """Split a template into text and placeholders, refusing placeholders in quoted contexts."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    i = 0
    n = len(script)
    context: list[str] = []
    pending_heredocs: list[tuple[str, bool]] = []

    def fail(where: str) -> InterpolationError:
        line = script.count("\n", 0, i) + 1
        return InterpolationError(
            f"{{}} placeholder at line {line} is inside {where}; write it as a bare word (it is quoted for you)"
        )

    while i < n:
        ch = script[i]
        top = context[-1] if context else ""
        if script.startswith("{{", i):
            buf.append("{")
            i += 2
            continue
        if script.startswith("}}", i):
            buf.append("}")
            i += 2
            continue
        if script.startswith("{}", i):
            if top == "'":
                raise fail("single quotes")
            if top == '"':
                raise fail("double quotes")
            if top == "`":
                raise fail("backquotes")
            out.append(("text", "".join(buf)))
            buf = []
            out.append(("value", ""))
            i += 2
            continue
        if top == "'":
            buf.append(ch)
            if ch == "'":
                context.pop()
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            buf.append(script[i : i + 2])
            i += 2
            continue
        if ch == "'" and top != '"':
            context.append("'")
        elif ch == '"':
            if top == '"':
                context.pop()
            else:
                context.append('"')
        elif ch == "`":
            if top == "`":
                context.pop()
            else:
                context.append("`")
        elif ch == "#" and top == "" and (i == 0 or script[i - 1] in " \t\n;"):
            end = script.find("\n", i)
            end = n if end < 0 else end
            buf.append(script[i:end])
            i = end
            continue
        elif script.startswith("<<", i) and top != '"' and not script.startswith("<<<", i):
            m = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z0-9_.-]+)\2").match(script, i)
            if m:
                pending_heredocs.append((m.group(3), m.group(1) == "-"))
                buf.append(m.group())
                i = m.end()
                continue
        elif ch == "\n" and pending_heredocs and top == "":
            buf.append(ch)
            i += 1
            for delimiter, strip in pending_heredocs:
                while i < n:
                    end = script.find("\n", i)
                    end = n if end < 0 else end
                    line = script[i:end]
                    if "{}" in line.replace("{{", "").replace("}}", ""):
                        raise fail("a here-document body")
                    buf.append(script[i : end + 1].replace("{{", "{").replace("}}", "}"))
                    i = end + 1
                    if (line.lstrip("\t") if strip else line) == delimiter:
                        break
            pending_heredocs = []
            continue
        buf.append(ch)
        i += 1
    out.append(("text", "".join(buf)))
    return out
