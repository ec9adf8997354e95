"""The mutable state of one shell: variables, functions, options, positional parameters, cwd."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass, field

from dotdo.primitives.bashx import setoptions
from dotdo.primitives.bashx.arrays import AssocArray, IndexedArray, as_container
from dotdo.primitives.bashx.ast import Node
from dotdo.primitives.bashx.shopts import DEFAULTS

Value = str | IndexedArray | AssocArray
NAMEREF_DEPTH = 8
"""How many namerefs bash follows before it gives up on a chain (a loop ends here too)."""


@dataclass
class Saved:
    """What a ``local`` declaration hides: the variable as the caller sees it."""

    value: Value | None
    attributes: set[str] | None
    exported: bool
    readonly: bool
    temporary: bool = False
    """Whether the name came from the function call's temporary environment (``x=1 f``) rather
    than from ``local``: ``local`` alone does not list it."""
    propagate: bool = False
    """Whether the function exported its temporary variable: bash then keeps it as the function returns."""


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
    exported_functions: set[str] = field(default_factory=set)
    readonly_functions: set[str] = field(default_factory=set)
    """Functions marked with ``readonly -f``: they may not be redefined or unset."""
    """Functions marked with ``export -f``: a new shell (``bash -c``) starts with them."""
    readonly: set[str] = field(default_factory=set)
    functions: dict[str, Node] = field(default_factory=dict)
    options: Options = field(default_factory=Options)
    positional: list[str] = field(default_factory=list)
    attributes: dict[str, set[str]] = field(default_factory=dict)
    """Per variable, the letters of ``declare`` it carries besides ``r`` and ``x``: ``a`` and
    ``A`` (array kinds, kept for a variable declared without a value), ``i``, ``l``, ``u``, ``c``,
    ``n``, ``t``. A name here without a value in ``variables`` is declared but unset."""
    locals_stack: list[dict[str, Saved]] = field(default_factory=list)
    through_command: bool = False
    """Whether ``command`` is running the current builtin: a special builtin's error then does not
    end a posix shell."""
    sourcing: int = 0
    """How many ``source`` files are running (``return`` may end one)."""
    bashpid: int | None = None
    """``$BASHPID`` of a subshell (None: the script's own shell, whose ``$BASHPID`` is ``$$``)."""
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
        clone.exported_functions = set(self.exported_functions)
        clone.readonly_functions = set(self.readonly_functions)
        clone.readonly = set(self.readonly)
        clone.attributes = {k: set(v) for k, v in self.attributes.items()}
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

    def has(self, name: str, letter: str) -> bool:
        """Whether ``name`` carries the ``declare`` attribute ``letter``."""
        if letter == "r":
            return name in self.readonly
        if letter == "x":
            return name in self.exported
        return letter in self.attributes.get(name, ())

    def resolve(self, name: str) -> str:
        """``name`` after following namerefs (``declare -n``); may end as ``array[subscript]``."""
        for _ in range(NAMEREF_DEPTH):
            if "n" not in self.attributes.get(name, ()):
                return name
            target = self.variables.get(name)
            if not isinstance(target, str) or not target:
                return name
            name = target
        return name

    def get(self, name: str) -> str | None:
        """A scalar value (element 0 of an array), or None when unset."""
        value = self.variables.get(self.resolve(name))
        if isinstance(value, IndexedArray):
            return value.get(0)
        if isinstance(value, AssocArray):
            return value.get("0")
        return value

    def set(self, name: str, value: Value | list[str] | dict[str, str]) -> None:
        """Assign, raising ``PermissionError`` for readonly variables."""
        if name in self.readonly:
            raise PermissionError(f"{name}: readonly variable")
        self.variables[name] = as_container(value)
        if "allexport" in self.options.others:  # set -a
            self.exported.add(name)
        if name == "POSIXLY_CORRECT":  # bash turns posix mode on when it is set
            self.options.others |= {"posix"}
        if name == "OPTIND":
            # Setting OPTIND restarts getopts, as in bash: forget the place inside a word.
            self.variables.pop(GETOPTS_POSITION, None)

    def unset(self, name: str) -> None:
        """Remove a variable; a local one of a calling function uncovers the value it hid."""
        if name in self.readonly:
            raise PermissionError(f"{name}: cannot unset: readonly variable")
        for depth in range(len(self.locals_stack) - 1, -1, -1):
            frame = self.locals_stack[depth]
            if name not in frame:
                continue
            if depth < len(self.locals_stack) - 1:
                self.restore(name, frame.pop(name))
                return
            break
        self.variables.pop(name, None)
        self.exported.discard(name)
        self.attributes.pop(name, None)

    def declare_local(self, name: str) -> None:
        """Save ``name`` in the current function frame so it is restored on return; the local
        starts unset and without attributes."""
        if not self.locals_stack:
            raise RuntimeError("local: can only be used in a function")
        frame = self.locals_stack[-1]
        if name in frame:
            return
        if name in self.readonly:
            raise PermissionError(f"{name}: readonly variable")
        attributes = self.attributes.pop(name, None)
        frame[name] = Saved(self.variables.pop(name, None), attributes, name in self.exported, False)
        self.exported.discard(name)
        if name == "OPTIND" and GETOPTS_POSITION not in frame:
            # A local OPTIND keeps the caller's getopts state too (bash saves and restores it).
            saved = self.variables.pop(GETOPTS_POSITION, None)
            frame[GETOPTS_POSITION] = Saved(saved, None, False, False)

    def is_local(self, name: str) -> bool:
        """Whether the running function declared ``name`` local."""
        return bool(self.locals_stack) and name in self.locals_stack[-1]

    def restore(self, name: str, saved: Saved) -> None:
        """Put back what a ``local`` hid."""
        self.readonly.discard(name)
        if saved.value is None:
            self.variables.pop(name, None)
        else:
            self.variables[name] = saved.value
        if saved.attributes is None:
            self.attributes.pop(name, None)
        else:
            self.attributes[name] = saved.attributes
        if saved.exported:
            self.exported.add(name)
        else:
            self.exported.discard(name)
        if saved.readonly:
            self.readonly.add(name)

    def saved(self, name: str) -> Saved:
        """``name`` as it stands now, to be put back later with :meth:`restore`."""
        return Saved(
            self.variables.get(name),
            set(self.attributes[name]) if name in self.attributes else None,
            name in self.exported,
            name in self.readonly,
        )

    @contextlib.contextmanager
    def global_scope(self, name: str) -> Iterator[None]:
        """Within the block, ``name`` is the global variable (``declare -g``), even where a
        function's local hides it."""
        frame = next((f for f in self.locals_stack if name in f), None)
        if frame is None:
            yield
            return
        local = self.saved(name)
        self.restore(name, frame[name])
        try:
            yield
        finally:
            frame[name] = self.saved(name)
            self.restore(name, local)

    def pop_frame(self) -> None:
        """Restore the variables a function declared local."""
        frame = self.locals_stack.pop()
        for name, saved in frame.items():
            if not saved.propagate:
                self.restore(name, saved)

    def environment(self) -> dict[str, str]:
        """Exported variables as a command sees them."""
        env = {}
        for name in self.exported:
            value = self.get(name)
            if value is not None:
                env[name] = value
        return env
