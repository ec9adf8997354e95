"""The mutable state of one shell: variables, functions, options, positional parameters, cwd."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from dotdo.primitives.bashx import setoptions
from dotdo.primitives.bashx.ast import Node
from dotdo.primitives.bashx.shopts import DEFAULTS

Value = str | list[str] | dict[str, str]
GETOPTS_POSITION = "__bashx_optpos"
"""The hidden variable holding getopts' place inside a bundled option word (``-abc``)."""


@dataclass
class Options:
    """``set`` options bashx honours."""

    errexit: bool = False
    nounset: bool = False
    pipefail: bool = False
    xtrace: bool = False
    noglob: bool = False
    noclobber: bool = False
    others: frozenset[str] = frozenset({"braceexpand", "hashall", "interactive-comments"})
    """The other ``set -o`` options that are on (kept and reported; bashx does not act on them)."""

    def flags(self) -> str:
        """The value of ``$-``."""
        return setoptions.flags(self)


@dataclass
class ShellState:
    """Everything a subshell copies and a function call shares."""

    cwd: str = "/"
    variables: dict[str, Value] = field(default_factory=dict)
    exported: set[str] = field(default_factory=set)
    readonly: set[str] = field(default_factory=set)
    functions: dict[str, Node] = field(default_factory=dict)
    options: Options = field(default_factory=Options)
    positional: list[str] = field(default_factory=list)
    locals_stack: list[dict[str, Value | None]] = field(default_factory=list)
    last_status: int = 0
    script_name: str = "bash"
    shopts: set[str] = field(default_factory=lambda: set(DEFAULTS))
    aliases: dict[str, str] = field(default_factory=dict)
    hashed: dict[str, tuple[str, int]] = field(default_factory=dict)
    """``hash``'s table: name -> (where the program was found, how often it ran)."""
    disabled: set[str] = field(default_factory=set)
    """Builtins turned off with ``enable -n``."""
    umask: int = 0o022
    limits: dict[str, str] = field(default_factory=dict)
    """``ulimit``'s values set so far, by resource letter."""

    def snapshot(self) -> ShellState:
        """A deep copy for a subshell (functions' bodies are shared: they are immutable)."""
        clone = copy.copy(self)
        clone.variables = {k: copy.copy(v) for k, v in self.variables.items()}
        clone.exported = set(self.exported)
        clone.readonly = set(self.readonly)
        clone.functions = dict(self.functions)
        clone.options = copy.copy(self.options)
        clone.shopts = set(self.shopts)
        clone.aliases = dict(self.aliases)
        clone.hashed = dict(self.hashed)
        clone.disabled = set(self.disabled)
        clone.limits = dict(self.limits)
        clone.positional = list(self.positional)
        clone.locals_stack = [dict(frame) for frame in self.locals_stack]
        return clone

    def get(self, name: str) -> str | None:
        """A scalar value (the first element of an array), or None when unset."""
        value = self.variables.get(name)
        if isinstance(value, list):
            return value[0] if value else None
        if isinstance(value, dict):
            return value.get("0")
        return value

    def set(self, name: str, value: Value) -> None:
        """Assign, raising ``PermissionError`` for readonly variables."""
        if name in self.readonly:
            raise PermissionError(f"{name}: readonly variable")
        self.variables[name] = value
        if name == "OPTIND":
            # Setting OPTIND restarts getopts, as in bash: forget the place inside a word.
            self.variables.pop(GETOPTS_POSITION, None)

    def unset(self, name: str) -> None:
        """Remove a variable."""
        if name in self.readonly:
            raise PermissionError(f"{name}: cannot unset: readonly variable")
        self.variables.pop(name, None)
        self.exported.discard(name)

    def declare_local(self, name: str) -> None:
        """Save ``name`` in the current function frame so it is restored on return."""
        if not self.locals_stack:
            raise RuntimeError("local: can only be used in a function")
        frame = self.locals_stack[-1]
        if name not in frame:
            frame[name] = copy.copy(self.variables.get(name))
        if name == "OPTIND" and GETOPTS_POSITION not in frame:
            # A local OPTIND keeps the caller's getopts state too (bash saves and restores it).
            frame[GETOPTS_POSITION] = self.variables.pop(GETOPTS_POSITION, None)

    def pop_frame(self) -> None:
        """Restore the variables a function declared local."""
        frame = self.locals_stack.pop()
        for name, saved in frame.items():
            if saved is None:
                self.variables.pop(name, None)
            else:
                self.variables[name] = saved

    def environment(self) -> dict[str, str]:
        """Exported variables as a command sees them."""
        env = {}
        for name in self.exported:
            value = self.get(name)
            if value is not None:
                env[name] = value
        return env
