"""sed: s, d, p, q, a, i, c, y, =, n, N, h/H/g/G/x, b/t/: with line, $, /regex/ and range addresses."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    decode,
    encode,
    guarded,
    options,
)
from dotdo.primitives.bashx.commands.regex import compile_posix
from dotdo.primitives.bashx.commands.streaming import Lines, Output, open_inputs

CANNOT_READ = "{cmd}: can't read {name}: {reason}"


@dataclass
class Address:
    """A line number, ``$``, a regex, or ``first~step``."""

    kind: str
    value: object = None


@dataclass
class SedCommand:
    """One parsed command with up to two addresses."""

    name: str
    addr1: Address | None = None
    addr2: Address | None = None
    negate: bool = False
    arg: object = None
    block: list[SedCommand] = field(default_factory=list)
    in_range: bool = False
    range_end: int = 0


class _Parser:
    def __init__(self, script: str, extended: bool) -> None:
        self.s = script
        self.i = 0
        self.extended = extended

    def error(self, message: str) -> CommandError:
        return CommandError(f"sed: -e expression #1, char {self.i}: {message}")

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def delimited(self, delim: str) -> str:
        out = []
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch == "\\" and self.i + 1 < len(self.s):
                nxt = self.s[self.i + 1]
                out.append(nxt if nxt == delim and delim != "\\" else ("\n" if nxt == "n" else ch + nxt))
                self.i += 2
                continue
            if ch == delim:
                self.i += 1
                return "".join(out)
            if ch == "\n":
                break
            out.append(ch)
            self.i += 1
        raise self.error("unterminated `s' command")

    def regex(self, source: str, flags: str = "") -> re.Pattern[str]:
        try:
            return compile_posix(source, extended=self.extended, ignore_case="I" in flags or "i" in flags)
        except re.error as exc:
            raise self.error(f"invalid regex: {exc}") from None

    def address(self) -> Address | None:
        s = self.s
        if self.i >= len(s):
            return None
        m = re.compile(r"(\d+)~(\d+)").match(s, self.i)
        if m:
            self.i = m.end()
            return Address("step", (int(m.group(1)), int(m.group(2))))
        m = re.compile(r"\d+").match(s, self.i)
        if m:
            self.i = m.end()
            return Address("line", int(m.group()))
        if s[self.i] == "$":
            self.i += 1
            return Address("last")
        if s[self.i] in "/\\":
            delim = "/"
            if s[self.i] == "\\":
                self.i += 1
                delim = s[self.i]
            self.i += 1
            source = self.delimited(delim)
            flags = ""
            while self.i < len(s) and s[self.i] in "I":
                flags += s[self.i]
                self.i += 1
            return Address("regex", self.regex(source, flags))
        return None

    def parse(self, *, until_brace: bool = False) -> list[SedCommand]:
        commands: list[SedCommand] = []
        s = self.s
        while True:
            while self.i < len(s) and s[self.i] in " \t\n;":
                self.i += 1
            if self.i >= len(s):
                if until_brace:
                    raise self.error("unmatched `{'")
                return commands
            if s[self.i] == "}":
                if not until_brace:
                    raise self.error("unexpected `}'")
                self.i += 1
                return commands
            if s[self.i] == "#":
                while self.i < len(s) and s[self.i] != "\n":
                    self.i += 1
                continue
            cmd = SedCommand("")
            cmd.addr1 = self.address()
            if cmd.addr1 is not None and self.i < len(s) and s[self.i] == ",":
                self.i += 1
                m = re.compile(r"[+~](\d+)").match(s, self.i)
                if m:
                    self.i = m.end()
                    cmd.addr2 = Address("plus" if m.group()[0] == "+" else "multiple", int(m.group(1)))
                else:
                    cmd.addr2 = self.address()
                    if cmd.addr2 is None:
                        raise self.error("unexpected `,'")
            self.skip_ws()
            while self.i < len(s) and s[self.i] == "!":
                cmd.negate = True
                self.i += 1
                self.skip_ws()
            if self.i >= len(s):
                raise self.error("missing command")
            name = s[self.i]
            self.i += 1
            cmd.name = name
            if name == "{":
                cmd.block = self.parse(until_brace=True)
            elif name == "s":
                delim = s[self.i]
                self.i += 1
                pattern = self.delimited(delim)
                replacement = self.delimited(delim)
                flags = ""
                while self.i < len(s) and s[self.i] not in ";\n}":
                    if s[self.i] == "w":
                        raise self.error("the w flag is not supported by bashx")
                    flags += s[self.i]
                    self.i += 1
                flags = flags.strip()
                count_m = re.search(r"\d+", flags)
                regex = self.regex(pattern, flags) if pattern else None
                cmd.arg = (
                    regex,
                    replacement,
                    "g" in flags,
                    int(count_m.group()) if count_m else 1,
                    "p" in flags,
                )
            elif name == "y":
                delim = s[self.i]
                self.i += 1
                src, dst = self.delimited(delim), self.delimited(delim)
                if len(src) != len(dst):
                    raise self.error("strings for `y' command are different lengths")
                cmd.arg = str.maketrans(src, dst)
            elif name in "aic":
                self.skip_ws()
                if s.startswith("\\\n", self.i):
                    self.i += 2
                elif s.startswith("\\", self.i):
                    self.i += 1
                end = s.find("\n", self.i)
                end = len(s) if end < 0 else end
                text = s[self.i : end]
                self.i = end
                cmd.arg = text.replace("\\n", "\n").replace("\\t", "\t")
            elif name in "btT:":
                self.skip_ws()
                m = re.compile(r"[^;\n}]*").match(s, self.i)
                assert m is not None
                cmd.arg = m.group().strip()
                self.i = m.end()
                if name == ":" and not cmd.arg:
                    raise self.error('":" lacks a label')
            elif name in "qQ":
                self.skip_ws()
                m = re.compile(r"\d*").match(s, self.i)
                assert m is not None
                cmd.arg = int(m.group()) if m.group() else 0
                self.i = m.end()
            elif name not in "dDpPnNhHgGxz=l":
                raise self.error(f"unknown command: `{name}'")
            commands.append(cmd)


def _expand_replacement(template: str, m: re.Match[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "\\" and i + 1 < len(template):
            nxt = template[i + 1]
            if nxt.isdigit():
                out.append(m.group(int(nxt)) or "")
            elif nxt == "n":
                out.append("\n")
            elif nxt == "t":
                out.append("\t")
            else:
                out.append(nxt)
            i += 2
        elif ch == "&":
            out.append(m.group(0))
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Quit(Exception):
    def __init__(self, status: int, print_pattern: bool) -> None:
        self.status = status
        self.print_pattern = print_pattern


class _Source:
    """Input lines one at a time, with one line of lookahead to know which is the last (``$``)."""

    def __init__(self, batches: Iterator[list[str]], before_wait: Callable[[], None]) -> None:
        self.batches = batches
        self.before_wait = before_wait
        self.ready: deque[str] = deque()
        self.ended = False

    def fill(self) -> None:
        while not self.ready and not self.ended:
            self.before_wait()  # output so far goes on before waiting for more input
            batch = next(self.batches, None)
            if batch is None:
                self.ended = True
            else:
                self.ready.extend(batch)

    def take(self) -> str | None:
        """The next line, or None at the end of input."""
        self.fill()
        return self.ready.popleft() if self.ready else None

    def at_end(self) -> bool:
        """True when no line follows the current one."""
        self.fill()
        return not self.ready


class _Run:
    def __init__(self, program: list[SedCommand], source: _Source, quiet: bool, write: Callable[[str], None]) -> None:
        self.program = program
        self.source = source
        self.quiet = quiet
        self.write = write
        self.hold = ""
        self.index = 0
        self.labels: dict[str, tuple[list[SedCommand], int]] = {}
        self._index_labels(program)

    def _index_labels(self, block: list[SedCommand]) -> None:
        for position, cmd in enumerate(block):
            if cmd.name == ":":
                self.labels[str(cmd.arg)] = (block, position)
            if cmd.block:
                self._index_labels(cmd.block)

    def matches(self, addr: Address, line: str) -> bool:
        number = self.index
        if addr.kind == "line":
            return number == addr.value
        if addr.kind == "last":
            return self.source.at_end()
        if addr.kind == "step":
            first, step = addr.value  # type: ignore[misc]
            return number == first if step == 0 else number >= first and (number - first) % step == 0
        return bool(addr.value.search(line))  # type: ignore[union-attr]

    def selected(self, cmd: SedCommand, line: str) -> bool:
        if cmd.addr1 is None:
            hit = True
        elif cmd.addr2 is None:
            hit = self.matches(cmd.addr1, line)
        elif cmd.in_range:
            a2 = cmd.addr2
            if a2.kind == "line":
                done = self.index >= int(a2.value)  # type: ignore[arg-type]
                if self.index > int(a2.value):  # type: ignore[arg-type]
                    cmd.in_range = False
                    return cmd.negate
            elif a2.kind == "plus":
                done = self.index >= cmd.range_end
            elif a2.kind == "multiple":
                done = self.index % int(a2.value) == 0  # type: ignore[arg-type]
            else:
                done = self.matches(a2, line)
            if done:
                cmd.in_range = False
            hit = True
        elif self.matches(cmd.addr1, line):
            hit = True
            a2 = cmd.addr2
            if a2.kind == "line":
                cmd.in_range = int(a2.value) > self.index  # type: ignore[arg-type]
            elif a2.kind == "plus":
                cmd.range_end = self.index + int(a2.value)  # type: ignore[arg-type]
                cmd.in_range = int(a2.value) > 0  # type: ignore[arg-type]
            elif a2.kind == "multiple":
                cmd.in_range = int(a2.value) > 0 and self.index % int(a2.value) != 0  # type: ignore[arg-type]
            elif a2.kind == "last":
                cmd.in_range = not self.source.at_end()
            else:
                cmd.in_range = True
        else:
            hit = False
        return hit != cmd.negate

    def run(self) -> int:
        status = 0
        while (line := self.source.take()) is not None:
            self.index += 1
            self.pattern = line
            self.appended: list[str] = []
            self.substituted = False
            try:
                deleted = self.execute(self.program, 0)
            except _Quit as q:
                if q.print_pattern and not self.quiet:
                    self.emit(self.pattern)
                self.flush_appended()
                return q.status
            if not deleted and not self.quiet:
                self.emit(self.pattern)
            self.flush_appended()
        return status

    def emit(self, text: str) -> None:
        self.write(text + "\n")

    def flush_appended(self) -> None:
        for text in self.appended:
            self.write(text + "\n")
        self.appended = []

    def substitute(self, cmd: SedCommand) -> None:
        """The ``s`` command: replace the nth (or every) match in the pattern space."""
        regex, template, global_, nth, print_ = cmd.arg  # type: ignore[misc]
        if regex is None:
            return
        count = 0

        def replace(m: re.Match[str]) -> str:
            nonlocal count
            count += 1
            if (global_ and count >= nth) or count == nth:
                return _expand_replacement(template, m)
            return m.group(0)

        new, hits = regex.subn(replace, self.pattern, count=0 if global_ or nth > 1 else 1)
        if hits and count >= nth:
            self.pattern = new
            self.substituted = True
            if print_:
                self.emit(self.pattern)

    def execute(self, block: list[SedCommand], start: int) -> bool:
        """Run commands; True means the pattern space was deleted (no autoprint)."""
        position = start
        while position < len(block):
            cmd = block[position]
            position += 1
            if cmd.name == ":" or not self.selected(cmd, self.pattern):
                continue
            name = cmd.name
            if name == "{":
                if self.execute(cmd.block, 0):
                    return True
            elif name == "s":
                self.substitute(cmd)
            elif name == "d":
                return True
            elif name == "D":
                if "\n" not in self.pattern:
                    return True
                self.pattern = self.pattern.split("\n", 1)[1]
                return self.execute(self.program, 0)
            elif name == "p":
                self.emit(self.pattern)
            elif name == "P":
                self.emit(self.pattern.split("\n", 1)[0])
            elif name == "=":
                self.write(f"{self.index}\n")
            elif name == "a":
                self.appended.append(str(cmd.arg))
            elif name == "i":
                self.write(str(cmd.arg) + "\n")
            elif name == "c":
                if cmd.addr2 is None or not cmd.in_range:
                    self.write(str(cmd.arg) + "\n")
                return True
            elif name == "y":
                self.pattern = self.pattern.translate(cmd.arg)  # type: ignore[arg-type]
            elif name in "qQ":
                raise _Quit(int(cmd.arg), name == "q")  # type: ignore[call-overload]
            elif name == "n":
                if self.source.at_end():
                    if not self.quiet:
                        self.emit(self.pattern)
                    raise _Quit(0, False)
                if not self.quiet:
                    self.emit(self.pattern)
                self.flush_appended()
                self.index += 1
                self.pattern = self.source.take() or ""
            elif name == "N":
                if self.source.at_end():
                    raise _Quit(0, True)
                self.flush_appended()
                self.index += 1
                self.pattern += "\n" + (self.source.take() or "")
            elif name == "h":
                self.hold = self.pattern
            elif name == "H":
                self.hold += "\n" + self.pattern
            elif name == "g":
                self.pattern = self.hold
            elif name == "G":
                self.pattern += "\n" + self.hold
            elif name == "x":
                self.pattern, self.hold = self.hold, self.pattern
            elif name == "z":
                self.pattern = ""
            elif name in "btT":
                jump = name == "b" or (name == "t" and self.substituted) or (name == "T" and not self.substituted)
                if name in "tT" and jump:
                    self.substituted = False
                if jump:
                    if not cmd.arg:
                        return False
                    target_block, target_pos = self.labels.get(str(cmd.arg), (None, 0))
                    if target_block is None:
                        raise CommandError(f"sed: can't find label for jump to `{cmd.arg}'")
                    return self.execute(target_block, target_pos + 1)
        return False


@guarded
def sed(call: CommandCall) -> CommandResult:
    """Stream editor."""
    in_place = any(
        a == "--in-place" or a.startswith("--in-place=") or (a.startswith("-i") and a[1:2] == "i")
        for a in call.argv[1:]
    )
    kept = [a for a in call.argv[1:] if not (a.startswith("--in-place") or a.startswith("-i"))]
    opts, args = options(
        CommandCall([call.name, *kept], call.cwd, call.env, call.fs, call.input, call.run),
        "ne:f:ErsuzE",
        ["quiet", "silent", "regexp-extended"],
    )
    flags = {o for o, _ in opts}
    scripts = [v for o, v in opts if o == "-e"]
    for o, v in opts:
        if o == "-f":
            scripts.append(decode(call.fs.read(call.path(v))))
    if not scripts:
        if not args:
            raise CommandError("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...", 1)
        scripts = [args.pop(0)]
    extended = bool(flags & {"-E", "-r", "--regexp-extended"})
    quiet = bool(flags & {"-n", "--quiet", "--silent"})
    program = _Parser("\n".join(scripts), extended).parse()
    if in_place:
        if not args:
            raise CommandError("sed: no input files")
        for name in args:
            try:
                data = call.fs.read(call.path(name))
            except OSError:
                return CommandResult(b"", encode(f"sed: can't read {name}: No such file or directory\n"), 2)
            edited = Output(replace(call, output=None))
            _apply(program, iter((data,)), quiet, edited)
            call.fs.write(call.path(name), edited.result().stdout)
        return CommandResult()
    errors: list[str] = []
    out = Output(call)
    blocks = (block for _, source in open_inputs(call, args, errors, wording=CANNOT_READ) for block in source)
    status = _apply(program, blocks, quiet, out)
    return out.result(errors, 2 if errors else status)


def _apply(program: list[SedCommand], blocks: Iterator[bytes], quiet: bool, out: Output) -> int:
    """Run ``program`` over the lines of ``blocks``, writing to ``out`` as it goes; the exit status.

    The newline after the last output line is held back until the input ends: like sed, a last
    input line without a newline gives output without one.
    """
    lines = Lines(blocks)
    held = ""

    def write(text: str) -> None:
        nonlocal held
        out.write(encode(held + text[:-1]))
        held = text[-1:]

    def batches() -> Iterator[list[str]]:
        for batch in lines:
            yield decode(b"\n".join(batch)).split("\n")

    status = _Run(program, _Source(batches(), out.flush), quiet, write).run()
    if not lines.unterminated:
        out.write(encode(held))
    return status


COMMANDS = {"sed": sed}
