"""What bash keeps for the processes it starts: ``umask``, ``ulimit`` and ``times``.

bashx starts no processes, so these are kept and reported as bash reports them, for scripts that
set one and read it back.
"""

from __future__ import annotations

import re
from typing import Any

from dotdo.primitives.bashx.commands.base import encode

WHO = (("u", 6), ("g", 3), ("o", 0))
LIMIT_LETTERS = "abcdefiklmnpqrstuvxPRT"
"""The resources ``ulimit`` knows, by option letter."""
DEFAULT_LIMIT = "f"


def _symbolic(mask: int) -> str:
    allowed = ~mask & 0o777
    parts = []
    for who, shift in WHO:
        bits = (allowed >> shift) & 7
        parts.append(who + "=" + "".join(ch for ch, bit in (("r", 4), ("w", 2), ("x", 1)) if bits & bit))
    return ",".join(parts)


def _apply_symbolic(mask: int, spec: str) -> int | None:
    """The mask after a symbolic mode like ``u=rwx,g+w,o-x`` (None when ``spec`` is not one)."""
    allowed = ~mask & 0o777
    for clause in spec.split(","):
        m = re.fullmatch(r"([ugoa]*)([-+=])([rwx]*)", clause)
        if m is None:
            return None
        who = m.group(1) or "a"
        bits = sum({"r": 4, "w": 2, "x": 1}[ch] for ch in set(m.group(3)))
        for name, shift in WHO:
            if name not in who and "a" not in who:
                continue
            if m.group(2) == "=":
                allowed &= ~(7 << shift)
            if m.group(2) == "-":
                allowed &= ~(bits << shift)
            else:
                allowed |= bits << shift
    return ~allowed & 0o777


def b_umask(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``umask [-p] [-S] [mode]``: the mask new files get (octal or symbolic)."""
    args = argv[1:]
    flags: set[str] = set()
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "--":
            break
        for ch in word[1:]:
            if ch not in "pS":
                sh.error(io, f"umask: -{ch}: invalid option")
                io[2].write(encode("umask: usage: umask [-p] [-S] [mode]\n"))
                return 2
            flags.add(ch)
    if not args:
        shown = _symbolic(sh.state.umask) if "S" in flags else f"{sh.state.umask:04o}"
        prefix = ("umask -S " if "S" in flags else "umask ") if "p" in flags else ""
        io[1].write(encode(prefix + shown + "\n"))
        return 0
    mode = args[0]
    if re.fullmatch(r"[0-7]+", mode):
        sh.state.umask = int(mode, 8) & 0o777
    else:
        mask = None if mode[:1].isdigit() else _apply_symbolic(sh.state.umask, mode)
        if mask is None:
            reason = "octal number out of range" if mode[:1].isdigit() else "invalid symbolic mode operator"
            sh.error(io, f"umask: {mode}: {reason}")
            return 1
        sh.state.umask = mask
    if "S" in flags:
        io[1].write(encode(_symbolic(sh.state.umask) + "\n"))
    return 0


def b_ulimit(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``ulimit [-SHa] [-resource] [limit]``: resource limits, kept per resource (soft and hard)."""
    args = argv[1:]
    letters: list[str] = []
    value = None
    while args:
        word = args.pop(0)
        if word == "--":
            continue
        if word.startswith("-") and len(word) > 1:
            for ch in word[1:]:
                if ch not in LIMIT_LETTERS + "SHa":
                    sh.error(io, f"ulimit: -{ch}: invalid option")
                    io[2].write(encode("ulimit: usage: ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]\n"))
                    return 2
                if ch not in "SHa":
                    letters.append(ch)
            continue
        value = word
    letters = letters or [DEFAULT_LIMIT]
    limits: dict[str, str] = sh.state.limits
    if value is None:
        io[1].write(encode("".join(limits.get(ch, "unlimited") + "\n" for ch in letters)))
        return 0
    if value not in ("unlimited", "soft", "hard") and not value.isdigit():
        sh.error(io, f"ulimit: {value}: invalid number")
        return 1
    for ch in letters:
        limits[ch] = "unlimited" if value in ("soft", "hard") else value
    return 0


def timing_report(elapsed: float, *, posix: bool) -> str:
    """What ``time`` prints: the real time measured; bashx counts no user or system time apart."""
    if posix:
        return f"real {elapsed:.2f}\nuser 0.00\nsys 0.00\n"
    minutes, seconds = divmod(elapsed, 60)
    return f"\nreal\t{int(minutes)}m{seconds:.3f}s\nuser\t0m0.000s\nsys\t0m0.000s\n"


def b_times(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``times``: the user and system time of the shell and of its children (none is measured)."""
    io[1].write(encode("0m0.000s 0m0.000s\n0m0.000s 0m0.000s\n"))
    return 0


LIMIT_BUILTINS = {"umask": b_umask, "ulimit": b_ulimit, "times": b_times}
