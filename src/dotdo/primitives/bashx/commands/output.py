"""echo, printf and seq."""

from __future__ import annotations

import re
from collections.abc import Callable

from dotdo.primitives.bashx.commands.base import CommandCall, CommandError, CommandResult, encode, guarded
from dotdo.primitives.bashx.commands.streaming import Output
from dotdo.primitives.bashx.words import byte_char

SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
SIMPLE_ESCAPES |= {"v": "\v", "\\": "\\"}
HEX_DIGITS = {name: re.compile(f"[0-9a-fA-F]{{1,{count}}}") for name, count in (("x", 2), ("u", 4), ("U", 8))}
FORMAT_ONLY_ESCAPES = {"'": "'", '"': '"', "?": "?"}
"""Escapes a printf format knows and ``echo -e`` and ``%b`` keep as written."""


def escape_at(text: str, i: int, mode: str) -> tuple[str, int, bool]:
    """Decode the backslash escape at ``text[i]``: (its text, where the rest starts, stop output).

    ``mode`` is ``format`` (a printf format: ``\\NNN`` octal, ``\\"``, no ``\\c``), ``b`` (printf's
    ``%b``: ``\\0NNN`` and ``\\NNN``, ``\\c`` stops) or ``echo`` (``echo -e``: ``\\0NNN`` only).
    """
    nxt = text[i + 1 : i + 2]
    if not nxt:
        return "\\", i + 1, False
    if nxt == "c" and mode != "format":
        return "", len(text), True
    if nxt in SIMPLE_ESCAPES:
        return SIMPLE_ESCAPES[nxt], i + 2, False
    if mode == "format" and nxt in FORMAT_ONLY_ESCAPES:
        return FORMAT_ONLY_ESCAPES[nxt], i + 2, False
    octal = None
    if nxt == "0" and mode != "format":
        octal = re.match(r"[0-7]{0,3}", text[i + 2 :])
        start = i + 2
    elif nxt in "01234567" and mode != "echo":
        octal = re.match(r"[0-7]{1,3}", text[i + 1 :])
        start = i + 1
    if octal is not None:
        return byte_char(int(octal.group() or "0", 8) & 0xFF), start + len(octal.group()), False
    if nxt in "xuU":
        digits = HEX_DIGITS[nxt].match(text, i + 2)
        if digits is not None:
            value = int(digits.group(), 16)
            return (byte_char(value) if nxt == "x" else chr(value)), i + 2 + len(digits.group()), False
    return "\\" + nxt, i + 2, False


def _echo_escapes(text: str, mode: str = "echo") -> tuple[str, bool]:
    """Interpret ``echo -e`` (or ``%b``) escapes; the flag says whether ``\\c`` stopped output."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            piece, i, stopped = escape_at(text, i, mode)
            out.append(piece)
            if stopped:
                return "".join(out), True
        else:
            out.append(text[i])
            i += 1
    return "".join(out), False


@guarded
def echo(call: CommandCall) -> CommandResult:
    """``echo [-neE] args``."""
    args = call.argv[1:]
    newline, escapes = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        for flag in args[0][1:]:
            if flag == "n":
                newline = False
            elif flag == "e":
                escapes = True
            else:
                escapes = False
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text, stopped = _echo_escapes(text)
        if stopped:
            return CommandResult(encode(text))
    return CommandResult(encode(text + ("\n" if newline else "")))


FORMAT_RE = re.compile(r"%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|L|j|z|t)?(\([^)]*\)T|[diouxXeEfFgGaAcsbqQn%])")
"""A printf directive: flags, width, precision, a length C needs and bash ignores, the conversion."""
DIRECTIVE_HEAD_RE = re.compile(r"%[-+ #0']*(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|L|j|z|t)?")


def _number(text: str, errors: list[str], *, floating: bool = False) -> int | float:
    raw = text.strip()
    if raw[:1] in ("'", '"'):
        return ord(raw[1]) if len(raw) > 1 else 0
    try:
        if floating:
            return float(raw) if raw else 0.0
        if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", raw):
            return int(raw, 16)
        if re.fullmatch(r"[-+]?0[0-7]+", raw):
            return int(raw, 8)
        return int(raw) if raw else 0
    except ValueError:
        m = re.match(r"[-+]?\d+", raw)
        errors.append(f"printf: {text}: invalid number")
        return (float if floating else int)(m.group()) if m else 0


def shell_quote(text: str) -> str:
    """Quote like bash's ``printf %q``."""
    if text == "":
        return "''"
    if re.fullmatch(r"[A-Za-z0-9_./:=@%+,-]+", text):
        return text
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        body = "".join(
            {"\n": "\\n", "\t": "\\t", "\r": "\\r", "'": "\\'", "\\": "\\\\"}.get(c, c)
            if (ord(c) >= 32 and c not in "'\\") or c in "\n\t\r'\\"
            else f"\\{ord(c):03o}"
            for c in text
        )
        return "$'" + body + "'"
    return re.sub(r"([^A-Za-z0-9_./:=@%+,-])", r"\\\1", text)


def _strftime(fmt: str, arg: str | None, errors: list[str]) -> str:
    """``%(fmt)T``: a time (seconds since the epoch; -1 or none: now, -2: the shell's start) in UTC/TZ."""
    import time as time_module

    seconds = int(_number(arg, errors)) if arg not in (None, "") else -1
    if seconds < 0:
        seconds = int(time_module.time())
    return time_module.strftime(fmt or "%X", time_module.localtime(seconds))


class FormatError(Exception):
    """A printf format bash refuses: what is printed so far stands, the rest is dropped."""


def _directive(fmt: str, pos: int) -> re.Match[str]:
    """The ``%`` directive at ``pos`` (``FormatError`` when it is unfinished or unknown)."""
    m = FORMAT_RE.match(fmt, pos)
    if m is not None:
        return m
    head = DIRECTIVE_HEAD_RE.match(fmt, pos)
    end = head.end() if head is not None else pos + 1
    if end >= len(fmt):
        raise FormatError(f"printf: `{fmt[pos:]}': missing format character")
    raise FormatError(f"printf: `{fmt[end]}': invalid format character")


def has_count_directive(fmt: str) -> bool:
    """Whether a printf format holds ``%n`` (read in one pass: formats may be huge)."""
    i = fmt.find("%")
    while 0 <= i < len(fmt) - 1:
        j = i + 1
        if fmt[j] == "%":
            i = fmt.find("%", j + 1)
            continue
        while j < len(fmt) and fmt[j] in "-+ #0'123456789.*hlLjzt":
            j += 1
        if j < len(fmt) and fmt[j] == "n":
            return True
        i = fmt.find("%", j)
    return False


def render(fmt: str, args: list[str], errors: list[str], store: Callable[[str, str], None] | None = None) -> str:
    """Apply a printf format, reusing it until the arguments run out; ``%n`` hands ``store`` its
    argument (a variable name) and the count of characters written so far."""
    out: list[str] = []
    index = 0

    def take() -> str | None:
        nonlocal index
        if index < len(args):
            index += 1
            return args[index - 1]
        return None

    while True:
        start = index
        pos = 0
        while pos < len(fmt):
            ch = fmt[pos]
            if ch == "\\":
                piece, pos, _ = escape_at(fmt, pos, "format")
                out.append(piece)
                continue
            if ch != "%":
                next_special = min((i for i in (fmt.find("\\", pos), fmt.find("%", pos)) if i >= 0), default=len(fmt))
                out.append(fmt[pos:next_special])
                pos = next_special
                continue
            try:
                m = _directive(fmt, pos)
            except FormatError as exc:
                errors.append(str(exc))
                return "".join(out)
            pos = m.end()
            if _convert(m, take, out, errors, store):
                return "".join(out)
        if index == start or index >= len(args):
            break
    return "".join(out)


def _convert(
    m: re.Match[str],
    take: Callable[[], str | None],
    out: list[str],
    errors: list[str],
    store: Callable[[str, str], None] | None = None,
) -> bool:
    """Append one directive's text; True when ``%b``'s ``\\c`` ends all output."""
    flags, width, precision, conv = m.group(1), m.group(2), m.group(3), m.group(5)
    if conv == "%":
        out.append("%")
        return False
    if width == "*":
        width = str(int(_number(take() or "0", errors)))
    if precision == "*":
        precision = str(int(_number(take() or "0", errors)))
    arg = take()
    # The ' flag (thousands grouping) groups nothing in the C locale.
    spec = "%" + flags.replace("'", "") + (width or "") + ("." + precision if precision is not None else "")
    if conv == "n":
        if store is not None and arg is not None:
            store(arg, str(sum(len(piece) for piece in out)))
        return False
    if conv in "diouxX":
        value = int(_number(arg or "0", errors))
        if conv == "u" and value < 0:
            value += 1 << 64
        py_conv = "d" if conv in "iu" else conv
        if conv == "o" and "#" in flags:
            # C's alternate octal form is a leading 0, not Python's 0o.
            spec = spec.replace("#", "")
            digits = f"{abs(value):o}"
            text = ("-" if value < 0 else "") + (digits if digits.startswith("0") else "0" + digits)
            out.append(("%" + spec[1:] + "s") % text if len(spec) > 1 else text)
            return False
        out.append((spec + py_conv) % value)
    elif conv in "eEfFgGaA":
        value = float(_number(arg or "0", errors, floating=True))
        out.append(float.hex(value) if conv in "aA" else (spec + conv) % value)
    elif conv == "c":
        out.append((spec + "s") % (arg or "")[:1])
    elif conv == "b":
        text, stopped = _echo_escapes(arg or "", "b")
        out.append((spec + "s") % text)
        return stopped
    elif conv.endswith(")T"):
        out.append((spec + "s") % _strftime(conv[1:-2], arg, errors))
    elif conv in "qQ":
        out.append((spec + "s") % shell_quote(arg or ""))
    else:
        out.append((spec + "s") % (arg or ""))
    return False


@guarded
def printf(call: CommandCall) -> CommandResult:
    """``printf format [args...]``."""
    args = call.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        raise CommandError("printf: usage: printf [-v var] format [arguments]", 2)
    errors: list[str] = []
    text = render(args[0], args[1:], errors)
    stderr = "".join(f"bash: line {call.line}: {e}\n" for e in errors)
    return CommandResult(encode(text), encode(stderr), 1 if errors else 0)


@guarded
def seq(call: CommandCall) -> CommandResult:
    """``seq [-s sep] [-w] [first [incr]] last``."""
    args = call.argv[1:]
    sep, width, fmt = "\n", False, None
    while args and args[0].startswith("-") and not re.fullmatch(r"-\d.*", args[0]):
        flag = args.pop(0)
        if flag == "-s":
            sep = args.pop(0)
        elif flag.startswith("-s"):
            sep = flag[2:]
        elif flag == "-w":
            width = True
        elif flag == "-f":
            fmt = args.pop(0)
        else:
            raise CommandError(f"seq: invalid option -- '{flag.lstrip('-')}'")
    if not 1 <= len(args) <= 3:
        raise CommandError("seq: missing operand" if not args else f"seq: extra operand '{args[3]}'")
    try:
        nums = [float(a) if "." in a or "e" in a.lower() else int(a) for a in args]
    except ValueError:
        bad = next(a for a in args if not re.fullmatch(r"-?\d+(\.\d*)?", a))
        raise CommandError(
            f"seq: invalid floating point argument: '{bad}'\nTry 'seq --help' for more information."
        ) from None
    first, step, last = (1, 1, nums[0]) if len(nums) == 1 else (nums[0], 1, nums[1]) if len(nums) == 2 else nums
    if step == 0:
        raise CommandError("seq: invalid Zero increment value: '0'")
    count = int((last - first) / step) + 1 if (last - first) * step >= 0 else 0
    decimals = max((len(a.split(".")[1]) for a in args if "." in a), default=0)

    def text(value: float) -> str:
        return fmt % value if fmt else (f"{value:.{decimals}f}" if decimals else str(int(value)))

    # The widest number is at one end or the other: -w needs no pass over the values.
    size = max(len(text(first)), len(text(first + step * max(count - 1, 0)))) if width else 0
    out = Output(call)
    index = 0
    while True:
        # Written as they are made, a block at a time: `seq 1000000000 | head -1` ends at once.
        texts = []
        value = first + step * index
        while len(texts) < 8192 and ((step > 0 and value <= last) or (step < 0 and value >= last)):
            texts.append(text(value).zfill(size) if width else text(value))
            index += 1
            value = first + step * index
        if not texts:
            break
        out.write(encode(("" if index == len(texts) else sep) + sep.join(texts)))
        out.flush()
        if call.stopped():
            break  # the script's timeout or a kill: the shell reports which
    if index:
        out.write(b"\n")
    return out.result()


COMMANDS = {"echo": echo, "printf": printf, "seq": seq}
