"""Safety analysis of Python code on its syntax tree, before it runs: safe, needs_confirm or blocked.

Like bashx's analysis of a script, this reads the code without running it: every import and every
call whose target can be resolved through the imports (``import os as o; o.system``, ``from
subprocess import run``) is classified, and the code gets the strictest verdict found. The sandbox
is the enforcement (no network, no host files, rlimits); the analysis says, before anything runs,
what the code reaches for, so a caller can ask a person first.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["safe", "needs_confirm", "blocked"]
VERDICT_ORDER: tuple[Verdict, ...] = ("safe", "needs_confirm", "blocked")

BLOCKED_MODULES = {
    "ctypes": "ctypes reads and writes raw memory",
    "cffi": "cffi calls native code directly",
    "_ctypes": "ctypes reads and writes raw memory",
}
CONFIRM_MODULES = {
    "subprocess": "exec",
    "pty": "exec",
    "multiprocessing": "exec",
    "socket": "network",
    "ssl": "network",
    "urllib.request": "network",
    "http.client": "network",
    "ftplib": "network",
    "smtplib": "network",
    "telnetlib": "network",
    "requests": "network",
    "httpx": "network",
    "aiohttp": "network",
    "urllib3": "network",
}
CONFIRM_CALLS = {
    "os.system": "exec",
    "os.popen": "exec",
    "os.fork": "exec",
    "os.forkpty": "exec",
    "os.posix_spawn": "exec",
    "os.posix_spawnp": "exec",
    "os.kill": "system",
    "os.killpg": "system",
    "eval": "dynamic",
    "exec": "dynamic",
    "compile": "dynamic",
    "__import__": "dynamic",
    "importlib.import_module": "dynamic",
}
CONFIRM_CALL_PREFIXES = {"os.exec": "exec", "os.spawn": "exec", "subprocess.": "exec", "socket.": "network"}
BLOCKED_CALLS = {
    "os.setuid": "changes the process's identity",
    "os.setgid": "changes the process's identity",
    "os.chroot": "changes the process's root",
}
SYSTEM_TOP_LEVEL = frozenset(
    {"usr", "bin", "lib", "lib32", "lib64", "libx32", "sbin", "proc", "dev", "etc", "sys", "run", "boot", "root"}
)
"""Top-level folders of the sandbox's own system: the object's files never live there."""
WRITE_CALLS = {
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.rename",
    "os.replace",
    "os.mkdir",
    "os.makedirs",
    "os.chmod",
    "os.chown",
    "os.symlink",
    "os.link",
    "shutil.rmtree",
    "shutil.copy",
    "shutil.copy2",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
}
WRITE_METHODS = {"write_text", "write_bytes", "unlink", "mkdir", "rmdir", "touch", "rename", "replace", "chmod"}


@dataclass
class Finding:
    """One import or call the analysis classified, with its line (1-based)."""

    verdict: Verdict
    kind: str
    name: str
    line: int
    reason: str


@dataclass
class PyAnalysis:
    """The verdict on a piece of code and the findings behind it (``reasons`` in the order found)."""

    verdict: Verdict = "safe"
    findings: list[Finding] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    syntax_error: str | None = None

    @property
    def reasons(self) -> list[str]:
        """One line per finding that is not safe: what and where."""
        return [f"line {f.line}: {f.reason}" for f in self.findings if f.verdict != "safe"]

    @property
    def kinds(self) -> set[str]:
        """What the code reaches for beyond computing: ``exec``, ``network``, ``write``, ``dynamic``, ``native``."""
        return {f.kind for f in self.findings if f.verdict != "safe"}

    def add(self, verdict: Verdict, kind: str, name: str, line: int, reason: str) -> None:
        """Record a finding and raise the verdict to it."""
        self.findings.append(Finding(verdict, kind, name, line, reason))
        if VERDICT_ORDER.index(verdict) > VERDICT_ORDER.index(self.verdict):
            self.verdict = verdict


def analyze(code: str) -> PyAnalysis:
    """Classify ``code``'s imports and calls; code that does not parse is reported, not raised."""
    if not isinstance(code, str):
        raise TypeError(f"Python code is a str, not {type(code).__name__}")
    analysis = PyAnalysis()
    try:
        tree = ast.parse(code, "<py>", "exec")
    except SyntaxError as exc:
        analysis.syntax_error = f"SyntaxError: {exc.msg} (line {exc.lineno})"
        return analysis
    _Visitor(analysis).visit(tree)
    return analysis


class _Visitor(ast.NodeVisitor):
    def __init__(self, analysis: PyAnalysis) -> None:
        self.analysis = analysis
        self.aliases: dict[str, str] = {}

    # -- imports ----------------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self.aliases[bound] = alias.name if alias.asname else bound
            self.module(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or node.module is None:
            return
        self.module(node.module, node.lineno)
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = full
            if full in CONFIRM_MODULES or full in BLOCKED_MODULES:
                self.module(full, node.lineno)

    def module(self, name: str, line: int) -> None:
        self.analysis.imports.append(name)
        for candidate in _prefixes(name):
            if candidate in BLOCKED_MODULES:
                self.analysis.add("blocked", "native", name, line, f"imports {name}: {BLOCKED_MODULES[candidate]}")
                return
            if candidate in CONFIRM_MODULES:
                kind = CONFIRM_MODULES[candidate]
                self.analysis.add("needs_confirm", kind, name, line, f"imports {name} ({kind})")
                return

    # -- calls ------------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        name = self.resolve(node.func)
        if name is not None:
            self.call(name, node)
        if isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
            self.path_write(_path_literal(node.func.value), node)
        self.generic_visit(node)

    def call(self, name: str, node: ast.Call) -> None:
        line = node.lineno
        if name in BLOCKED_CALLS:
            self.analysis.add("blocked", "system", name, line, f"calls {name}: {BLOCKED_CALLS[name]}")
            return
        if name in ("eval", "exec", "compile") and node.args and isinstance(node.args[0], ast.Constant):
            return
        kind = CONFIRM_CALLS.get(name)
        if kind is None:
            kind = next((k for prefix, k in CONFIRM_CALL_PREFIXES.items() if name.startswith(prefix)), None)
        if kind is not None:
            self.analysis.add("needs_confirm", kind, name, line, f"calls {name} ({kind})")
            return
        if name == "open" or name == "io.open" or name == "os.open":
            if _opens_for_writing(node):
                self.path_write(_literal_arg(node), node)
            return
        if name in WRITE_CALLS:
            self.path_write(_literal_arg(node), node)
            if name == "shutil.rmtree" and _literal_arg(node) in ("/", "."):
                self.analysis.add("blocked", "write", name, line, f"calls {name} on the whole workspace")

    def path_write(self, path: str | None, node: ast.Call) -> None:
        if path is None or not path.startswith("/"):
            return
        top = path.strip("/").split("/", 1)[0]
        if top in SYSTEM_TOP_LEVEL:
            self.analysis.add("blocked", "write", path, node.lineno, f"writes {path}, outside the object's files")

    def resolve(self, node: ast.expr) -> str | None:
        """The dotted name a call target stands for, through the imports (None when it cannot be known)."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return None if base is None else f"{base}.{node.attr}"
        return None


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))][::-1]


def _literal_arg(node: ast.Call) -> str | None:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _path_literal(node: ast.expr) -> str | None:
    """The literal path of ``Path("/etc/x")`` or ``pathlib.Path("/etc/x")`` (None for anything else)."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in ("Path", "PurePath", "PosixPath") and isinstance(value, str):
            return value
    return None


def _opens_for_writing(node: ast.Call) -> bool:
    mode: ast.expr | None = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg in ("mode", "flags"):
            mode = keyword.value
    if mode is None:
        return False
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return any(flag in mode.value for flag in "wax+")
    # os.open flags or a mode computed at run time: assume the worst about the path it names.
    return True
