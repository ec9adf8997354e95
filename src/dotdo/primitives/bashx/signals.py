"""bash's table of signals on Linux: the names ``kill -l`` and ``trap -l`` list, by number."""

from __future__ import annotations

STANDARD = [
    "HUP",
    "INT",
    "QUIT",
    "ILL",
    "TRAP",
    "ABRT",
    "BUS",
    "FPE",
    "KILL",
    "USR1",
    "SEGV",
    "USR2",
    "PIPE",
    "ALRM",
    "TERM",
    "STKFLT",
    "CHLD",
    "CONT",
    "STOP",
    "TSTP",
    "TTIN",
    "TTOU",
    "URG",
    "XCPU",
    "XFSZ",
    "VTALRM",
    "PROF",
    "WINCH",
    "IO",
    "PWR",
    "SYS",
]
RTMIN, RTMAX = 34, 64


def _names() -> dict[int, str]:
    names = {number: name for number, name in enumerate(STANDARD, start=1)}
    for number in range(RTMIN, RTMAX + 1):
        if number == RTMIN:
            names[number] = "RTMIN"
        elif number == RTMAX:
            names[number] = "RTMAX"
        elif number - RTMIN <= (RTMAX - RTMIN) // 2:
            names[number] = f"RTMIN+{number - RTMIN}"
        else:
            names[number] = f"RTMAX-{RTMAX - number}"
    return names


NAMES: dict[int, str] = _names()
"""Signal number -> name without ``SIG``."""
NUMBERS: dict[str, int] = {name: number for number, name in NAMES.items()}


def table() -> str:
    """``kill -l`` alone: every signal as ``n) SIGNAME``, five to a line."""
    cells = [f"{number:2d}) SIG{name}" for number, name in NAMES.items()]
    return "".join(
        "\t".join(cells[i : i + 5]) + ("\t\n" if i + 5 >= len(cells) else "\n") for i in range(0, len(cells), 5)
    )


def describe(spec: str) -> str | None:
    """``kill -l spec``: a number (or an exit status above 128) gives its name, a name its number;
    None for neither."""
    if spec.isdigit():
        number = int(spec)
        number = number - 128 if number > 128 else number
        return "EXIT" if number == 0 else NAMES.get(number)
    upper = spec.upper().removeprefix("SIG")
    if upper == "EXIT":
        return "0"
    number = NUMBERS.get(upper)
    return None if number is None else str(number)
