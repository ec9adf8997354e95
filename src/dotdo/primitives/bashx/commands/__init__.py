"""Native programs bashx runs on fsx, one module per family."""

from __future__ import annotations

from dotdo.primitives.bashx.commands.base import CommandCall, CommandHandler, CommandResult


def default_commands() -> dict[str, CommandHandler]:
    """A fresh table of every native program."""
    from dotdo.primitives.bashx.commands import (
        attributes,
        awk,
        data,
        dump,
        expr,
        files,
        find,
        grep,
        output,
        sed,
        sort,
        system,
        text,
    )

    table: dict[str, CommandHandler] = {}
    for module in (output, text, sort, files, attributes, grep, sed, find, awk, data, dump, expr, system):
        table.update(module.COMMANDS)
    return table


__all__ = ["CommandCall", "CommandHandler", "CommandResult", "default_commands"]
