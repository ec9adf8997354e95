"""A POSIX awk: lexer, parser and tree-walking evaluator, run as the ``awk`` command."""

from __future__ import annotations

from dotdo.primitives.bashx.commands.awk.command import awk

COMMANDS = {"awk": awk}
