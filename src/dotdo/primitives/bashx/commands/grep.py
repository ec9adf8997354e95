"""grep with -E -F -i -v -n -c -l -L -r -o -w -x -q -s -h -H -e -A -B -C."""

from __future__ import annotations

import posixpath
import re
import stat as stat_mod
from collections import deque
from collections.abc import Iterator
from dataclasses import replace

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    decode,
    encode,
    guarded,
    options,
)
from dotdo.primitives.bashx.commands.regex import compile_posix, posix_error
from dotdo.primitives.bashx.commands.streaming import Lines, Output, file_blocks


def _walk(call: CommandCall, path: str) -> list[str]:
    full = call.path(path)
    try:
        st = call.fs.stat(full)
    except (OSError, ValueError):
        return [path]
    if not stat_mod.S_ISDIR(st.st_mode):
        return [path]
    out: list[str] = []
    for name in call.fs.listdir(full):
        out.extend(_walk(call, posixpath.join(path, name)))
    return out


@guarded
def grep(call: CommandCall) -> CommandResult:
    """Search lines for a pattern."""
    opts, args = options(call, "EFGivnclLrRowxqshHe:f:A:B:C:m:", ["color=", "include=", "exclude="])
    flags = {o for o, _ in opts}
    patterns = [v for o, v in opts if o == "-e"]
    for o, v in opts:
        if o == "-f":
            try:
                patterns.extend(decode(call.fs.read(call.path(v))).splitlines())
            except OSError:
                raise CommandError(f"grep: {v}: No such file or directory", 2) from None
    if not patterns and "-f" not in flags:
        if not args:
            raise CommandError("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.", 2)
        patterns = args.pop(0).split("\n")
    values = {o: v for o, v in opts}
    after = int(values.get("-A", values.get("-C", "0")))
    before = int(values.get("-B", values.get("-C", "0")))
    max_count = int(values["-m"]) if "-m" in values else None
    ignore = "-i" in flags
    try:
        if "-F" in flags:
            sources = [re.escape(p) for p in patterns]
        else:
            sources = [compile_posix(p, extended="-E" in flags).pattern for p in patterns]
        if "-w" in flags:
            sources = [rf"(?<!\w)(?:{s})(?!\w)" for s in sources]
        if "-x" in flags:
            sources = [rf"(?:{s})\Z" for s in sources]
            sources = [rf"\A{s}" for s in sources]
        regex = re.compile("|".join(f"(?:{s})" for s in sources), re.IGNORECASE if ignore else 0)
    except re.error as exc:
        raise CommandError(f"grep: {posix_error(exc)}", 2) from None
    recursive = bool(flags & {"-r", "-R"})
    includes = [v for o, v in opts if o == "--include"]
    files = args or (["."] if recursive else [])
    if recursive:
        expanded: list[str] = []
        for f in files:
            walked = _walk(call, f)
            expanded.extend(w[2:] if not args and w.startswith("./") else w for w in walked)
        if includes:
            expanded = [f for f in expanded if any(re.fullmatch(_glob(p), posixpath.basename(f)) for p in includes)]
        files = expanded
    show_names = ("-H" in flags or len(files) > 1 or recursive) and "-h" not in flags
    search = _Search(
        regex,
        flags,
        show_names=show_names,
        max_count=max_count,
        before=before,
        after=after,
        out=Output(call),
    )
    errors: list[str] = []
    for name in files or ["-"]:
        label = "(standard input)" if name == "-" else name
        try:
            blocks = file_blocks(call, name)
        except IsADirectoryError:
            errors.append(f"grep: {name}: Is a directory")
            continue
        except OSError:
            if "-s" not in flags:
                errors.append(f"grep: {name}: No such file or directory")
            continue
        if search.scan(label, blocks) and "-q" in flags:
            return CommandResult(b"", b"", 0)  # the first match decides: stop reading, as grep -q does
    status = 2 if errors else (0 if search.any_match else 1)
    if errors and search.any_match and "-s" in flags:
        status = 0
    return search.out.result(errors, status)


class _Search:
    """One grep run over its inputs, line by line, writing matches as they are found."""

    def __init__(
        self,
        regex: re.Pattern[str],
        flags: set[str],
        *,
        show_names: bool,
        max_count: int | None,
        before: int,
        after: int,
        out: Output,
    ) -> None:
        self.regex = regex
        self.flags = flags
        self.show_names = show_names
        self.max_count = max_count
        self.before = before
        self.after = after
        self.out = out
        self.any_match = False
        self.quiet_lines = bool(flags & {"-c", "-l", "-L", "-q"})

    def scan(self, label: str, blocks: Iterator[bytes]) -> bool:
        """Search one input; True when it matched. Stops reading once the answer is known."""
        flags, regex, invert, numbered = self.flags, self.regex, "-v" in self.flags, "-n" in self.flags
        name = label if self.show_names else ""
        prefix = f"{label}:" if self.show_names else ""
        first_only = bool(flags & {"-l", "-L", "-q"})
        count = 0
        number = 0
        last_printed = -1
        pending_after = 0
        if not (self.before or self.after or first_only or self.max_count is not None or "-o" in flags):
            return self.scan_plainly(label, blocks)
        context: deque[tuple[int, str]] = deque(maxlen=self.before or None)
        done = False
        for batch in Lines(blocks):
            out: list[str] = []
            for line in decode(b"\n".join(batch)).split("\n"):
                number += 1
                if self.max_count is not None and count >= self.max_count:
                    if not pending_after or self.quiet_lines:
                        done = True
                        break
                    # After the last counted match, grep still prints its trailing context.
                    out.append(_line(name, number, line, numbered, "-"))
                    pending_after -= 1
                    continue
                if bool(regex.search(line)) != invert:
                    count += 1
                    self.any_match = True
                    if first_only:
                        done = True
                        break
                    if self.quiet_lines:
                        continue
                    if self.before:
                        start = max(last_printed + 1, number - 1 - self.before)
                        if last_printed >= 0 and start > last_printed + 1:
                            out.append("--")
                        out.extend(_line(name, k, text, numbered, "-") for k, text in context if k - 1 >= start)
                    elif self.after and last_printed >= 0 and number - 1 > last_printed + 1:
                        out.append("--")
                    if "-o" in flags and not invert:
                        lead = prefix + (f"{number}:" if numbered else "")
                        out.extend(lead + m.group() for m in regex.finditer(line) if m.group())
                    else:
                        out.append(_line(name, number, line, numbered, ":"))
                    last_printed = number - 1
                    pending_after = self.after
                elif pending_after and not self.quiet_lines:
                    out.append(_line(name, number, line, numbered, "-"))
                    last_printed = number - 1
                    pending_after -= 1
                if self.before:
                    context.append((number, line))
            if out:
                self.out.write(encode("".join(x + "\n" for x in out)))
            self.out.flush()
            if done:
                break
        return self.summarize(label, count)

    def scan_plainly(self, label: str, blocks: Iterator[bytes]) -> bool:
        """:meth:`scan` without context, ``-m``, ``-o`` or an early stop: a batch of lines at a time."""
        search, invert, numbered = self.regex.search, "-v" in self.flags, "-n" in self.flags
        lead = f"{label}:" if self.show_names else ""
        count = 0
        number = 0
        for batch in Lines(blocks):
            lines = decode(b"\n".join(batch)).split("\n")
            if invert:
                hits = [i for i, line in enumerate(lines) if not search(line)]
            else:
                hits = [i for i, line in enumerate(lines) if search(line)]
            count += len(hits)
            if hits and not self.quiet_lines:
                if numbered:
                    text = "".join(f"{lead}{number + i + 1}:{lines[i]}\n" for i in hits)
                else:
                    text = "".join(f"{lead}{lines[i]}\n" for i in hits)
                self.out.write(encode(text))
            number += len(lines)
            self.out.flush()
        if count:
            self.any_match = True
        return self.summarize(label, count)

    def summarize(self, label: str, count: int) -> bool:
        """Write ``-c``/``-l``/``-L``'s line for one input; True when it matched."""
        flags = self.flags
        prefix = f"{label}:" if self.show_names else ""
        summary = []
        if "-c" in flags:
            summary.append(prefix + str(count))
        if "-l" in flags and count:
            summary.append(label)
        if "-L" in flags and not count:
            summary.append(label)
        if summary and "-q" not in flags:
            self.out.write(encode("".join(x + "\n" for x in summary)))
        return count > 0


def _line(label: str, number: int, line: str, numbered: bool, sep: str) -> str:
    return (f"{label}{sep}" if label else "") + (f"{number}{sep}" if numbered else "") + line


def _glob(pattern: str) -> str:
    from dotdo.primitives.bashx.pattern import translate

    return translate([(pattern, True)])


def egrep(call: CommandCall) -> CommandResult:
    """``egrep``: ``grep -E``."""
    return grep(replace(call, argv=["grep", "-E", *call.argv[1:]]))


def fgrep(call: CommandCall) -> CommandResult:
    """``fgrep``: ``grep -F``."""
    return grep(replace(call, argv=["grep", "-F", *call.argv[1:]]))


COMMANDS = {"grep": grep, "egrep": egrep, "fgrep": fgrep}
