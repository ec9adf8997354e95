"""Environment and clock programs: env, printenv, date, sleep, yes-free helpers (true/false are builtins)."""

from __future__ import annotations

import datetime as dt

from dotdo.primitives.bashx.commands.base import CommandCall, CommandError, CommandResult, encode, guarded
from dotdo.primitives.bashx.commands.files import parse_time

MAX_SLEEP_SECONDS = 3600.0


@guarded
def env(call: CommandCall) -> CommandResult:
    """``env`` prints the environment; ``env NAME=value cmd`` runs a command with it."""
    args = call.argv[1:]
    overrides: dict[str, str] = {}
    clean = False
    while args:
        if args[0] in ("-i", "-"):
            clean = True
            args = args[1:]
        elif "=" in args[0] and not args[0].startswith("="):
            name, _, value = args[0].partition("=")
            overrides[name] = value
            args = args[1:]
        else:
            break
    environment = {} if clean else dict(call.env)
    environment.update(overrides)
    if not args:
        return CommandResult(encode("".join(f"{k}={v}\n" for k, v in sorted(environment.items()))))
    assert call.run is not None
    if overrides:
        return _run_with(call, overrides, args)
    return call.run(args, call.stdin)


def _run_with(call: CommandCall, overrides: dict[str, str], args: list[str]) -> CommandResult:
    assert call.run is not None
    exports = " ".join(f"{k}={_quote(v)}" for k, v in overrides.items())
    return call.run(["eval", f"{exports} {' '.join(_quote(a) for a in args)}"], call.stdin)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@guarded
def printenv(call: CommandCall) -> CommandResult:
    """``printenv [NAME...]``."""
    names = call.argv[1:]
    if not names:
        return CommandResult(encode("".join(f"{k}={v}\n" for k, v in sorted(call.env.items()))))
    values = [call.env[n] for n in names if n in call.env]
    return CommandResult(encode("".join(v + "\n" for v in values)), b"", 0 if len(values) == len(names) else 1)


def _strftime(when: dt.datetime, fmt: str) -> str:
    out = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "s":
                out.append(str(int(when.timestamp())))
            elif code == "N":
                out.append(f"{when.microsecond * 1000:09d}")
            elif code == "-" and i + 2 < len(fmt):
                out.append(when.strftime("%" + fmt[i + 2]).lstrip("0") or "0")
                i += 1
            else:
                out.append(when.strftime("%" + code))
            i += 2
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


@guarded
def date(call: CommandCall) -> CommandResult:
    """``date [-u] [-d DATE] [+FORMAT]`` (times are UTC)."""
    args = call.argv[1:]
    when = dt.datetime.now(dt.UTC)
    fmt = "%a %b %e %H:%M:%S UTC %Y"
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-u", "--utc"):
            pass
        elif arg in ("-d", "--date"):
            i += 1
            try:
                when = dt.datetime.fromtimestamp(parse_time(args[i]), dt.UTC)
            except CommandError:
                raise CommandError(f"date: invalid date '{args[i]}'") from None
        elif arg.startswith("--date="):
            when = dt.datetime.fromtimestamp(parse_time(arg[7:]), dt.UTC)
        elif arg == "-I" or arg == "--iso-8601":
            fmt = "%Y-%m-%d"
        elif arg.startswith("+"):
            fmt = arg[1:]
        else:
            raise CommandError(f"date: invalid date '{arg}'")
        i += 1
    return CommandResult(encode(_strftime(when, fmt) + "\n"))


@guarded
def sleep(call: CommandCall) -> CommandResult:
    """``sleep SECONDS`` (suffixes s, m, h; capped by the shell's timeout)."""
    total = 0.0
    if len(call.argv) < 2:
        raise CommandError("sleep: missing operand\nTry 'sleep --help' for more information.")
    for arg in call.argv[1:]:
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(arg[-1:])
        number = arg[:-1] if unit else arg
        try:
            total += float(number) * (unit or 1)
        except ValueError:
            raise CommandError(
                f"sleep: invalid time interval '{arg}'\nTry 'sleep --help' for more information."
            ) from None
    if total > MAX_SLEEP_SECONDS:
        raise CommandError(
            f"sleep: {total:g}s is longer than bashx allows ({MAX_SLEEP_SECONDS:g}s); use a schedule instead"
        )
    call.pause(total)
    return CommandResult()


COMMANDS = {"env": env, "printenv": printenv, "date": date, "sleep": sleep}
