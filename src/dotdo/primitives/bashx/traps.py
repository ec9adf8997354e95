"""``trap``: the commands a shell runs on its exit, on a failing command (ERR) and before each
command (DEBUG); traps on real signals are kept and listed, as bash does, though no signal reaches
a script inside an object."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

from dotdo.primitives.bashx import setoptions, signals

PSEUDO_SIGNALS = ("DEBUG", "ERR", "RETURN")
"""bash's traps that are not signals, listed after the real ones."""


NOT_INHERITED = ("DEBUG", "RETURN")
"""Traps a function does not see unless ``set -o functrace`` is on."""


class TrapError(ValueError):
    """A signal name or number bash does not know."""


def signal_name(spec: str) -> str:
    """The name bash lists a trap under: ``0``/``exit`` -> ``EXIT``, ``2``/``int`` -> ``SIGINT``."""
    upper = spec.upper()
    if upper in ("0", "EXIT", "SIGEXIT"):
        return "EXIT"
    if upper in PSEUDO_SIGNALS:
        return upper
    try:
        number = int(spec)
    except ValueError:
        name = upper if upper.startswith("SIG") else "SIG" + upper
        if name in signal.Signals.__members__:
            return name
    else:
        try:
            return signal.Signals(number).name
        except ValueError:
            pass
    raise TrapError(f"{spec}: invalid signal specification")


def order(name: str) -> tuple[int, int]:
    """Where bash lists a trap: EXIT, the signals by number, then DEBUG, ERR and RETURN."""
    if name == "EXIT":
        return (0, 0)
    if name in PSEUDO_SIGNALS:
        return (2, PSEUDO_SIGNALS.index(name))
    return (1, signal.Signals[name].value)


def listing(traps: dict[str, str], names: list[str] | None = None) -> str:
    """``trap -p``: each trap as the command that sets it again."""
    chosen = sorted(traps if names is None else [n for n in names if n in traps], key=order)
    return "".join(f"trap -- '{traps[n].replace(chr(39), chr(39) + chr(92) + chr(39) * 2)}' {n}\n" for n in chosen)


def b_trap(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``trap [-p] [[action] signal...]``."""
    from dotdo.primitives.bashx.commands.base import encode

    args = argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args or args[0] == "-p":
        try:
            names = [signal_name(a) for a in args[1:]] if args[1:] else None
        except TrapError as exc:
            sh.error(io, f"trap: {exc}")
            return 1
        io[1].write(encode(listing(sh.traps, names)))
        return 0
    if args[0] == "-l":
        io[1].write(encode(signals.table()))
        return 0
    reset = args[0] == "-" or (len(args) == 1 and _is_signal(args[0]))
    action, specs = (None if reset else args[0]), (args if len(args) == 1 and reset else args[1:])
    status = 0
    for spec in specs:
        try:
            name = signal_name(spec)
        except TrapError as exc:
            sh.error(io, f"trap: {exc}")
            status = 1
            continue
        if action is None:
            sh.traps.pop(name, None)
        else:
            sh.traps[name] = action
    return status


def _is_signal(spec: str) -> bool:
    try:
        signal_name(spec)
    except TrapError:
        return False
    return not spec.isdigit() or spec == "0"


@contextlib.contextmanager
def function_traps(sh: Any) -> Iterator[None]:
    """Around a function's body: hide the DEBUG and RETURN traps from it (unless functrace is on),
    run the RETURN trap as it returns, and give back the hidden traps it did not replace."""
    inherit = setoptions.is_on(sh.state.options, "functrace")
    hidden = {} if inherit else {name: sh.traps.pop(name) for name in NOT_INHERITED if name in sh.traps}
    try:
        yield
    finally:
        if sh.traps.get("RETURN"):
            sh.run_trap("RETURN", sh.state.last_status)
        for name, action in hidden.items():
            sh.traps.setdefault(name, action)
