"""Safety analysis on the syntax tree: classify every command, then give the script a verdict."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from dotdo.primitives.bashx import ast
from dotdo.primitives.bashx.catalog import (
    CATASTROPHIC,
    CWD_TARGETS,
    DECODERS,
    DEFAULT_SANDBOX_ALLOW,
    DELETE,
    FIND_ACTIONS,
    INSTALLERS,
    NETWORK,
    PACKAGE_TOOLS,
    READ,
    ROOT_TARGETS,
    SAFE_DEVICES,
    SHELLS,
    SOURCE_DEPTH,
    SYSTEM,
    UNFILTERED_FIND,
    WRAPPER_OPTIONS_WITH_VALUE,
    WRAPPERS,
    WRITE,
    WRITERS_OF_UNKNOWN_CONTENT,
)
from dotdo.primitives.bashx.exfiltration import network_references, secret_references
from dotdo.primitives.bashx.parser import parse
from dotdo.primitives.bashx.words import CommandSub, Lit, ProcessSub, WordSyntaxError, lex

Verdict = Literal["safe", "needs_confirm", "blocked"]
Impact = Literal["none", "low", "medium", "high", "critical"]
TYPES = ("read", "write", "delete", "network", "exec", "system", "install")
IMPACT_ORDER = ("none", "low", "medium", "high", "critical")
VERDICT_ORDER = ("safe", "needs_confirm", "blocked")


@dataclass
class Analysis:
    """What a script would do, decided before anything runs.

    ``verdict`` is ``"safe"``, ``"needs_confirm"`` or ``"blocked"``; ``impact`` runs from ``"none"``
    to ``"critical"``; ``types`` draws from read, write, delete, network, exec, system, install;
    ``reasons`` explain every classification that raised the verdict or impact.
    """

    verdict: Verdict = "safe"
    impact: Impact = "none"
    types: set[str] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def raise_to(self, verdict: Verdict, impact: Impact, reason: str | None = None) -> None:
        """Raise verdict and impact (never lower them) and record why."""
        if VERDICT_ORDER.index(verdict) > VERDICT_ORDER.index(self.verdict):
            self.verdict = verdict
        if IMPACT_ORDER.index(impact) > IMPACT_ORDER.index(self.impact):
            self.impact = impact
        if reason and reason not in self.reasons:
            self.reasons.append(reason)


def literal(word: ast.Word) -> str | None:
    """The value of a word with no expansions (quotes removed), or None when it expands."""
    try:
        parts = lex(word.text)
    except WordSyntaxError:
        return None
    if all(isinstance(p, Lit) for p in parts):
        text = "".join(p.text for p in parts)  # type: ignore[union-attr]
        if "{" in word.text and "," in word.text:
            return None
        return text
    return None


def substitutions(word: ast.Word) -> list[str]:
    """Sources of the command substitutions inside a word."""
    try:
        parts = lex(word.text)
    except WordSyntaxError:
        # bashx will not run the word (``>(...)``, say), but what it holds is still judged.
        return [m.group(1) for m in re.finditer(r"[<>]\((.*?)\)", word.text)]
    return [part.source for part in parts if isinstance(part, CommandSub | ProcessSub)]


class Analyzer:
    """Walks a syntax tree and fills an :class:`Analysis`."""

    def __init__(
        self,
        *,
        native: Iterable[str],
        sandbox_allow: Iterable[str],
        cwd: str = "/",
        read_file: Callable[[str], str | None] | None = None,
    ) -> None:
        self.native = set(native)
        self.sandbox_allow = set(sandbox_allow)
        self.result = Analysis()
        self.functions: set[str] = set()
        self.cwd = cwd if cwd.startswith("/") else "/"
        self.at_root = cwd.rstrip("/") == ""
        self.read_file = read_file
        # Files the script itself writes: path -> what it writes when known (None: unknown).
        self.written: dict[str, str | None] = {}
        self.unknown_writes = False
        self.depth = 0
        self.reading_input = False
        self.secrets_mentioned: list[str] = []
        self.network_mentioned: list[str] = []

    def analyze(self, script: str) -> Analysis:
        """Parse ``script`` and classify everything in it."""
        program = parse(script)
        self.functions |= {n.name for n in _walk(program) if isinstance(n, ast.FunctionDef)}
        self.collect_writes(program)
        self.visit(program)
        if self.secrets_mentioned and self.network_mentioned:
            secrets = ", ".join(dict.fromkeys(self.secrets_mentioned))
            sinks = ", ".join(dict.fromkeys(self.network_mentioned))
            self.classify(
                "network",
                "blocked",
                "critical",
                f"reads secrets ({secrets}) in a script that reaches the network ({sinks})",
            )
        if not self.result.types and self.result.commands:
            self.result.types.add("read")
        return self.result

    def classify(self, kind: str, verdict: Verdict, impact: Impact, reason: str | None = None) -> None:
        """Record a type of effect and raise the verdict and impact."""
        self.result.types.add(kind)
        self.result.raise_to(verdict, impact, reason)

    def visit(self, node: ast.Node) -> None:
        """Classify a node, the substitutions in its words, and its children."""
        if isinstance(node, ast.Pipeline):
            self.pipeline(node)
        if isinstance(node, ast.FunctionDef):
            self.function(node)
        if isinstance(node, ast.SimpleCommand):
            self.command(node)
        if isinstance(node, ast.Redirected):
            self.redirects(node.redirects)
        for text in _texts_of(node):
            self.secrets_mentioned += secret_references(text)
            self.network_mentioned += network_references(text)
        for word in _words_of(node):
            for source in substitutions(word):
                self.nested(source)
        for child in _children(node):
            self.visit(child)

    def nested(self, source: str) -> None:
        """Classify the script inside a command or process substitution."""
        if self.depth >= SOURCE_DEPTH:
            self.classify("exec", "needs_confirm", "high", "scripts nest deeper than the analyzer follows")
            return
        try:
            program = parse(source)
        except Exception:
            self.classify("exec", "needs_confirm", "high", "a command substitution does not parse")
            return
        self.functions |= {n.name for n in _walk(program) if isinstance(n, ast.FunctionDef)}
        self.collect_writes(program)
        self.depth += 1
        try:
            self.visit(program)
        finally:
            self.depth -= 1

    def function(self, node: ast.FunctionDef) -> None:
        """Block fork bombs: functions that pipe into themselves."""
        for inner in _walk(node.body):
            if (
                isinstance(inner, ast.Pipeline)
                and sum(
                    1
                    for c in inner.commands
                    if isinstance(c, ast.SimpleCommand) and c.words and c.words[0].text == node.name
                )
                >= 1
                and len(inner.commands) > 1
            ):
                self.classify("system", "blocked", "critical", f"fork bomb: function {node.name!r} pipes into itself")

    def pipeline(self, node: ast.Pipeline) -> None:
        """Block fetched or decoded content piped into a shell or interpreter."""
        names = [self.name_of(c) for c in node.commands]
        for index, name in enumerate(names):
            if name not in SHELLS and name not in ("eval",):
                continue
            upstream = names[:index]
            stage = node.commands[index]
            reads_script = not (
                isinstance(stage, ast.SimpleCommand)
                and len(stage.words) > 1
                and name not in ("sh", "bash", "zsh", "dash", "ksh")
            )
            if any(u in NETWORK for u in upstream):
                self.classify("network", "blocked", "critical", f"fetched content is piped into {name}")
            elif any(u in DECODERS for u in upstream) and reads_script:
                self.classify("exec", "blocked", "critical", f"decoded (obfuscated) content is piped into {name}")

    def name_of(self, node: ast.Node) -> str | None:
        """The program a pipeline stage runs (looking through sudo, env, exec ...)."""
        if isinstance(node, ast.SimpleCommand) and node.words:
            words = node.words
            for _ in range(SOURCE_DEPTH):
                name = literal(words[0])
                if name in ("sudo", "doas"):
                    inner = [w for w in words[1:] if not (literal(w) or "").startswith("-")]
                elif name in WRAPPERS:
                    inner = unwrap(name, words[1:]) or []
                else:
                    return name
                if not inner:
                    return name
                words = inner
            return literal(words[0])
        return None

    def wrapper(self, name: str, node: ast.SimpleCommand) -> bool:
        """Classify the command a wrapper (env, xargs, nice, timeout, command ...) runs; False if none."""
        words = node.words[1:]
        if name == "env":
            for index, word in enumerate(words):
                text = literal(word)
                if text in ("-S", "--split-string") and index + 1 < len(words):
                    self.nested(literal(words[index + 1]) or words[index + 1].text)
                    self.classify("exec", "safe", "low")
                    return True
                if text is not None and text.startswith(("--split-string=", "-S")) and len(text) > 2:
                    self.nested(text.split("=", 1)[1] if text.startswith("--") else text[2:])
                    self.classify("exec", "safe", "low")
                    return True
        if name == "command" and any(literal(w) in ("-v", "-V") for w in words):
            return False
        inner = unwrap(name, words)
        if inner is None:
            return False
        self.classify("exec", "safe", "low")
        if not inner and name == "xargs":
            inner = [ast.Word("echo")]
        if not inner:
            return True
        if name == "xargs":
            # The input supplies further arguments, unknown before the script runs.
            saved, self.reading_input = self.reading_input, True
            try:
                self.command(ast.SimpleCommand(words=[*inner, ast.Word('"$xargs_input"')], line=node.line))
            finally:
                self.reading_input = saved
            return True
        self.command(ast.SimpleCommand(words=inner, line=node.line))
        return True

    def find(self, node: ast.SimpleCommand) -> None:
        """Classify find's own predicates, then every command its -exec/-ok actions run."""
        own: list[ast.Word] = []
        actions: list[list[ast.Word]] = []
        words = node.words[1:]
        i = 0
        while i < len(words):
            text = literal(words[i])
            if text in FIND_ACTIONS:
                j = i + 1
                while j < len(words) and literal(words[j]) not in (";", "+"):
                    j += 1
                actions.append(words[i + 1 : j])
                own.append(words[i])
                i = j + 1
                continue
            own.append(words[i])
            i += 1
        args = [literal(w) for w in own]
        at_root, unfiltered = self.find_scope(args)
        everything = at_root and unfiltered
        for action in actions:
            if not action:
                continue
            program = literal(action[0])
            if everything and program in DELETE:
                self.classify(
                    "delete",
                    "blocked",
                    "critical",
                    f"find over the workspace root runs {program} on everything it finds",
                )
                continue
            found = ast.Word("/*") if everything else ast.Word('"$found"')
            inner = [found if literal(w) == "{}" else w for w in action]
            self.command(ast.SimpleCommand(words=inner, line=node.line))
        self.result.commands.append("find")
        self.check("find", args)

    def find_scope(self, args: list[str | None]) -> tuple[bool, bool]:
        """Whether find starts at the workspace root, and whether no predicate narrows what it finds."""
        first = next((i for i, a in enumerate(args) if a is None or a.startswith(("-", "(", "!"))), len(args))
        starts = args[:first]
        at_root = any(self.is_workspace_root(s) for s in starts if s) or (not starts and self.at_root)
        predicates = {a for a in args[first:] if a is not None and a.startswith("-") and len(a) > 1}
        return at_root, predicates <= UNFILTERED_FIND

    def is_workspace_root(self, target: str) -> bool:
        """Whether a literal path names ``/``, ``~``, the workspace root, or every entry in it."""
        if target in ROOT_TARGETS or (self.at_root and target in CWD_TARGETS):
            return True
        if target.startswith("/"):
            path = target
        elif self.at_root and not target.startswith("~"):
            path = "/" + target
        else:
            return False
        path = "/" + posixpath.normpath(path).lstrip("/")
        if path == "/":
            return True
        head, tail = posixpath.split(path)
        return head == "/" and _matches_every_name(tail)

    def collect_writes(self, program: ast.Node) -> None:
        """Note every file the script writes (and what, when it is literal) before classifying."""
        for node in _walk(program):
            if not isinstance(node, ast.SimpleCommand):
                if isinstance(node, ast.Redirected):
                    for r in node.redirects:
                        self.note_redirect(r, None)
                continue
            content = _literal_output(node)
            for r in node.redirects:
                self.note_redirect(r, content)
            if not node.words:
                continue
            name = literal(node.words[0])
            args = [literal(w) for w in node.words[1:]]
            operands = [a for a in args if a is None or not a.startswith("-")]
            if name in WRITERS_OF_UNKNOWN_CONTENT or (name == "sed" and any(a and a.startswith("-i") for a in args)):
                targets = operands if name in ("tee", "sed", "truncate") else operands[-1:]
                if name == "dd":
                    targets = [a[3:] for a in args if a and a.startswith("of=")]
                for target in targets:
                    if target is None:
                        self.unknown_writes = True
                    else:
                        self.written[self.absolute(target)] = None
            elif name is None or not (name in READ or name in WRITE or name in DELETE or name in self.functions):
                # Programs that are not native may write any file of the workspace.
                self.unknown_writes = True

    def note_redirect(self, r: ast.Redirect, content: str | None) -> None:
        """Record a file written through a redirection."""
        if r.op not in (">", ">>", ">|", "&>", "&>>", "<>") or r.target is None:
            return
        target = literal(r.target)
        if target is None:
            self.unknown_writes = True
            return
        if target.isdigit() or target.startswith("/dev/"):
            return
        path = self.absolute(target)
        if path in self.written:
            previous = self.written[path]
            self.written[path] = None if previous is None or content is None else previous + "\n" + content
        else:
            self.written[path] = content

    def absolute(self, path: str) -> str:
        """``path`` made absolute against the directory the script starts in."""
        return posixpath.normpath(posixpath.join(self.cwd, path))

    def source(self, node: ast.SimpleCommand) -> None:
        """Classify what ``source FILE``/``. FILE`` would run: the file's content, read now."""
        if len(node.words) < 2:
            return
        target = literal(node.words[1])
        if target is None:
            self.classify("exec", "needs_confirm", "high", "sources a file whose path is computed at run time")
            return
        path = self.absolute(target)
        if path in self.written:
            content = self.written[path]
            if content is None:
                self.classify("exec", "needs_confirm", "high", f"sources {target}, which the script itself writes")
                return
            self.nested(content)
            return
        if self.unknown_writes:
            self.classify(
                "exec", "needs_confirm", "high", f"sources {target}, which a program in the script may write first"
            )
            return
        text = self.read_file(path) if self.read_file is not None else None
        if text is None:
            self.classify("exec", "needs_confirm", "high", f"sources {target}, whose content cannot be read now")
            return
        self.nested(text)

    def redirects(self, redirects: list[ast.Redirect]) -> None:
        """Classify redirections: file writes, and writes to devices (blocked)."""
        for r in redirects:
            if r.target is None or (r.op in ("<", "<<<", "<&", ">&") and r.op != ">&"):
                continue
            if r.op in ("<", "<<<", "<<", "<<-", "<&"):
                continue
            target = literal(r.target)
            if target is None:
                self.classify("write", "safe", "low")
                continue
            if target.isdigit() or target == "-":
                continue
            if target.startswith("/dev/") and target not in SAFE_DEVICES and not target.startswith("/dev/fd/"):
                self.classify("system", "blocked", "critical", f"writes to the device {target}")
            elif target != "/dev/null":
                self.classify("write", "safe", "low")

    def command(self, node: ast.SimpleCommand) -> None:
        """Classify one simple command by its (literal) name and arguments."""
        self.redirects(node.redirects)
        if not node.words:
            return
        name = literal(node.words[0])
        args = [literal(w) for w in node.words[1:]]
        if name is None:
            self.classify(
                "exec",
                "needs_confirm",
                "high",
                f"the command name {node.words[0].text} is computed at run time",
            )
            return
        if name in WRAPPERS and name not in self.functions and self.wrapper(name, node):
            return
        if name == "find" and name not in self.functions:
            self.find(node)
            return
        if name in ("source", ".") and name not in self.functions:
            self.source(node)
        self.result.commands.append(name)
        if name == "cd" and args[:1] != ["/"]:
            self.at_root = False
        if name in self.functions:
            return
        if name in SHELLS or name == "eval":
            for word in node.words[1:]:
                for source in substitutions(word):
                    if re.search(r"\b(curl|wget|nc|ncat|fetch)\b", source):
                        self.classify("network", "blocked", "critical", f"{name} runs fetched content")
                        return
        raw = [w.text.strip('"') for w in node.words[1:]]
        self.check(
            name,
            [
                a if a is not None else (r if r in ROOT_TARGETS or (self.at_root and r in CWD_TARGETS) else None)
                for a, r in zip(args, raw, strict=True)
            ],
        )

    def check(self, name: str, args: list[str | None]) -> None:
        """The classification rules for one program and its arguments."""
        base = name.rsplit("/", 1)[-1]
        known = [a for a in args if a is not None]
        flags = "".join(a[1:] for a in known if a.startswith("-") and not a.startswith("--"))
        long_flags = {a for a in known if a.startswith("--")}
        if base in ("tee", "cp", "mv", "ln", "install", "truncate", "shred", "cat", "sed", "touch"):
            for a in known:
                if a.startswith("/dev/") and a not in SAFE_DEVICES and not a.startswith("/dev/fd/"):
                    self.classify("system", "blocked", "critical", f"{base} writes to the device {a}")
                    return
        if base in CATASTROPHIC or base.startswith("mkfs."):
            self.classify("system", "blocked", "critical", f"{base} formats a disk")
            return
        if base == "dd":
            for a in known:
                if a.startswith("of=/dev/") and a[3:] not in SAFE_DEVICES:
                    self.classify("system", "blocked", "critical", f"dd writes to the device {a[3:]}")
                    return
            self.classify("write", "safe", "low")
            return
        if base == "rm":
            recursive = "r" in flags.lower() or "--recursive" in long_flags
            targets = [a for a in args if a is None or not a.startswith("-")]
            if recursive and any(self.is_workspace_root(t) for t in targets if t is not None):
                self.classify("delete", "blocked", "critical", "recursive delete of /, ~ or the workspace root")
                return
            if recursive and self.reading_input:
                self.classify("delete", "needs_confirm", "high", "recursive delete of paths read from input (xargs)")
                return
            if recursive and any(t is None for t in targets) and any(w for w in args if w is None):
                self.classify("delete", "safe", "medium", "recursive delete of a computed path")
                return
            self.classify("delete", "safe", "medium")
            return
        if base in ("chmod", "chown", "chgrp") and ("R" in flags or "--recursive" in long_flags):
            targets = [a for a in known if not a.startswith("-")]
            if any(t in ROOT_TARGETS for t in targets[1:]):
                self.classify("system", "blocked", "critical", f"recursive {base} of / or ~")
                return
        if base == "eval" or (base in ("sh", "bash", "zsh", "dash") and "c" in flags):
            for a in args:
                if a is None:
                    continue
                if re.search(r"\b(curl|wget)\b", a) and base != "eval":
                    self.classify("network", "blocked", "critical", f"{base} -c runs fetched content")
                    return
            inner = [a for a in args if a is not None and not a.startswith("-")]
            source = " ".join(inner) if base == "eval" else (inner[0] if inner else "")
            if source:
                self.nested(source)
            native = base in ("sh", "bash")  # a new bashx shell, not a process
            self.classify(
                "exec",
                "safe" if native or base == "eval" else "needs_confirm",
                "medium" if native or base == "eval" else "high",
                None if native or base == "eval" else f"{base} starts a new shell",
            )
            return
        if base == "alias":
            for a in args:
                if a is None:
                    self.classify("exec", "needs_confirm", "high", "an alias whose text is only known as it runs")
                elif "=" in a:
                    name, _, value = a.partition("=")
                    self.functions.add(name)  # like a function: what it runs is classified here
                    self.nested(value)  # what the alias will run, as eval would run it
            return
        if base == "trap" and args and args[0] not in (None, "-", "-p", "-l", "--"):
            if args[0]:
                self.nested(args[0])  # the action runs later, as eval would run it
            return
        if base in NETWORK:
            self.classify("network", "needs_confirm", "high", f"{base} reaches the network")
            return
        if base == "kill" and args and all(a is None or a.startswith(("%", "-")) for a in args):
            return  # the builtin signals only the script's own jobs
        if base in SYSTEM:
            kind = "system"
            reason = {
                "sudo": "sudo asks for privilege",
                "su": "su asks for privilege",
                "doas": "doas asks for privilege",
            }.get(
                base,
                f"{base} acts on processes or the system"
                if base not in ("kill", "killall", "pkill")
                else f"{base} signals processes",
            )
            self.classify(kind, "needs_confirm", "high", reason)
            inner = [a for a in known if not a.startswith("-")]
            if base in ("sudo", "doas") and inner:
                self.check(inner[0], args[args.index(inner[0]) + 1 :] if inner[0] in args else [])
            return
        if base in INSTALLERS:
            self.classify("install", "needs_confirm", "high", f"{base} installs system packages")
            return
        if base in PACKAGE_TOOLS:
            sub = next((a for a in known if not a.startswith("-")), "")
            if sub in ("publish", "upload", "push", "release"):
                self.classify("network", "needs_confirm", "high", f"{base} {sub} publishes")
            elif sub in ("install", "i", "add", "ci", "get", "update", "upgrade", "sync"):
                self.classify("install", "needs_confirm", "high", f"{base} {sub} installs packages")
            elif base in self.native or base in self.sandbox_allow:
                self.classify("exec", "safe", "medium")
            else:
                self.classify("exec", "needs_confirm", "high", f"{base} runs outside the native tier")
            return
        if base == "git":
            sub = next((a for a in known if not a.startswith("-")), "")
            if sub in ("push", "fetch", "pull", "clone", "ls-remote") and "git" in self.native:
                # A registered git (ctx.bash's, on the object's repository) never reaches the network:
                # it answers these at once with what to call instead, so there is nothing to confirm.
                self.classify("read", "safe", "low")
            elif sub in ("push", "fetch", "pull", "clone", "ls-remote", "remote", "submodule"):
                self.classify("network", "needs_confirm", "high", f"git {sub} reaches the network")
            elif sub in ("rm", "clean", "reset"):
                self.classify("delete", "safe", "medium")
            else:
                self.classify("write", "safe", "low")
            return
        if base in ("docker", "podman", "kubectl", "twine", "gh"):
            sub = next((a for a in known if not a.startswith("-")), "")
            publish = sub in ("push", "publish", "upload", "release")
            self.classify(
                "network",
                "needs_confirm",
                "high",
                f"{base} {sub} {'publishes' if publish else 'reaches the network'}",
            )
            return
        if base in DELETE:
            self.classify("delete", "safe", "medium")
            return
        if base == "find":
            at_root, unfiltered = self.find_scope(args)
            if "-delete" in known and at_root and unfiltered:
                self.classify("delete", "blocked", "critical", "find -delete over /, ~ or the workspace root")
                return
            if "-delete" in known:
                self.classify("delete", "safe", "medium")
            if any(a in ("-exec", "-execdir", "-ok") for a in known):
                self.classify("exec", "safe", "low")
            self.classify("read", "safe", "none")
            return
        if base == "sed" and ("i" in flags or "--in-place" in long_flags):
            self.classify("write", "safe", "low")
            return
        if base in ("xargs", "source", ".", "env", "command", "nohup", "time", "nice", "timeout"):
            self.classify("exec", "safe", "low")
            return
        if base in WRITE and base in self.native:
            self.classify("write", "safe", "low")
            return
        if base in READ or base in self.native:
            self.classify("read", "safe", "none")
            return
        if base in self.sandbox_allow:
            self.classify("exec", "safe", "medium")
            return
        if base in WRITE:
            self.classify("write", "needs_confirm", "medium", f"{base} is not native and not on the sandbox allow-list")
            return
        self.classify("exec", "needs_confirm", "high", f"{base} is not native and not on the sandbox allow-list")


def unwrap(name: str, words: list[ast.Word]) -> list[ast.Word] | None:
    """The command line a wrapper runs (after its options, assignments, durations), or None if none."""
    with_value = WRAPPER_OPTIONS_WITH_VALUE.get(name, set())
    i = 0
    while i < len(words):
        text = literal(words[i])
        if text is None:
            break
        if text == "--":
            i += 1
            break
        if name == "env" and "=" in text and not text.startswith(("=", "-")):
            i += 1
            continue
        if text.startswith("-") and len(text) > 1:
            option = text.split("=", 1)[0]
            takes_value = option in with_value and "=" not in text
            i += 2 if takes_value else 1
            continue
        break
    rest = words[i:]
    if name == "timeout" and rest:
        rest = rest[1:]  # the duration
    if name == "command" and any(literal(w) in ("-v", "-V") for w in words[:i]):
        return None
    return rest


def _matches_every_name(pattern: str) -> bool:
    """Whether a glob such as ``*``, ``.*`` or ``[a-z]*`` stands for (nearly) every entry of a folder."""
    simplified = re.sub(r"\[[^\]]*\]", "?", pattern)
    return "*" in simplified and set(simplified) <= {"*", "?", "."}


def _literal_output(node: ast.SimpleCommand) -> str | None:
    """What ``echo``/``printf`` with literal arguments, or a here-document, writes (None: unknown)."""
    for r in node.redirects:
        if r.op in ("<<", "<<-") and r.heredoc is not None:
            return r.heredoc
    if not node.words:
        return ""
    name = literal(node.words[0])
    args = [literal(w) for w in node.words[1:]]
    if name in ("echo", "printf") and all(a is not None for a in args):
        text = " ".join(a for a in args if a is not None)
        return text.replace("\\n", "\n").replace("\\t", "\t")
    return None


def _children(node: ast.Node) -> Iterator[ast.Node]:
    if isinstance(node, ast.Sequence):
        yield from node.body
    elif isinstance(node, ast.Pipeline):
        yield from node.commands
    elif isinstance(node, ast.AndOr):
        yield node.left
        yield node.right
    elif isinstance(node, ast.Not | ast.Redirected | ast.Subshell | ast.Group | ast.Background | ast.Coproc):
        yield node.body
    elif isinstance(node, ast.Timed):
        yield from [] if node.body is None else [node.body]
    elif isinstance(node, ast.If):
        for cond, body in node.clauses:
            yield cond
            yield body
        if node.else_body is not None:
            yield node.else_body
    elif isinstance(node, ast.For | ast.ArithFor):
        yield node.body
    elif isinstance(node, ast.While):
        yield node.condition
        yield node.body
    elif isinstance(node, ast.Case):
        for item in node.items:
            yield item.body
    elif isinstance(node, ast.FunctionDef):
        yield node.body


def _texts_of(node: ast.Node) -> list[str]:
    """Every piece of source text a node holds: words, redirection targets, all here-documents."""
    texts = [w.text for w in _words_of(node)]
    if isinstance(node, ast.SimpleCommand | ast.Redirected):
        texts += [r.heredoc for r in node.redirects if r.heredoc and not r.heredoc_expand]
    return texts


def _words_of(node: ast.Node) -> list[ast.Word]:
    if isinstance(node, ast.SimpleCommand):
        words = list(node.words)
        words += [a.value for a in node.assignments if a.value is not None]
        words += [w for a in node.assignments if a.array for w in a.array]
        words += [r.target for r in node.redirects if r.target is not None]
        words += [ast.Word(r.heredoc) for r in node.redirects if r.heredoc and r.heredoc_expand]
        return words
    if isinstance(node, ast.For) and node.words:
        return list(node.words)
    if isinstance(node, ast.Case):
        return [node.word]
    if isinstance(node, ast.TestExpr):
        return [t for t in node.tokens if isinstance(t, ast.Word)]
    if isinstance(node, ast.Redirected):
        return [r.target for r in node.redirects if r.target is not None]
    return []


def _walk(node: ast.Node) -> Iterator[ast.Node]:
    yield node
    for child in _children(node):
        yield from _walk(child)


def analyze(
    script: str, *, native: Iterable[str] = (), sandbox_allow: Iterable[str] = DEFAULT_SANDBOX_ALLOW, cwd: str = "/"
) -> Analysis:
    """Classify ``script`` (to be run in ``cwd``) without running it."""
    return Analyzer(native=native, sandbox_allow=sandbox_allow, cwd=cwd).analyze(script)
