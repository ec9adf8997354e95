"""Checks of the options `dotdo compat serve` gives its layers (numbers of seconds, counts)."""

from __future__ import annotations


def non_negative(setting: str, value: object) -> float:
    """`value` as a number of 0 or more, else `ValueError` naming `setting`."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{setting}: must be a number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{setting}: must be 0 or more, not {number:g}")
    return number
