"""Data programs: base64, sha256sum, md5sum, sha1sum, diff, jq."""

from __future__ import annotations

import base64 as b64
import binascii
import datetime as dt
import difflib
import hashlib
import json

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    decode,
    encode,
    guarded,
    options,
    read_inputs,
    stderr_of,
)
from dotdo.primitives.bashx.commands.jq_program import ENV_VARIABLE, confine


@guarded
def base64(call: CommandCall) -> CommandResult:
    """``base64 [-d] [-w COLS] [file]``."""
    opts, files = options(call, "dw:i", ["decode", "wrap="])
    flags = dict(opts)
    errors: list[str] = []
    data = b"".join(content for _, content in read_inputs(call, files[:1], errors))
    if errors:
        return CommandResult(b"", stderr_of(errors), 1)
    if "-d" in flags or "--decode" in flags:
        try:
            return CommandResult(b64.b64decode(b"".join(data.split()), validate=True))
        except binascii.Error:
            raise CommandError("base64: invalid input") from None
    wrap = int(flags.get("-w", flags.get("--wrap", "76")))
    encoded = b64.b64encode(data)
    if wrap:
        encoded = b"\n".join(encoded[i : i + wrap] for i in range(0, len(encoded), wrap))
    return CommandResult(encoded + b"\n" if encoded else b"")


def _digest(algorithm: str) -> object:
    @guarded
    def run(call: CommandCall) -> CommandResult:
        opts, files = options(call, "cb")
        if any(o == "-c" for o, _ in opts):
            return _check(call, algorithm, files)
        errors: list[str] = []
        lines = []
        for name, content in read_inputs(call, files, errors):
            lines.append(f"{hashlib.new(algorithm, content).hexdigest()}  {name}\n")
        return CommandResult(encode("".join(lines)), stderr_of(errors), 1 if errors else 0)

    run.__doc__ = f"``{algorithm}sum [files]`` and ``-c`` to check a list."
    return run


def _check(call: CommandCall, algorithm: str, files: list[str]) -> CommandResult:
    errors: list[str] = []
    out = []
    failed = 0
    for _, listing in read_inputs(call, files, errors):
        for line in decode(listing).splitlines():
            digest, _, name = line.partition("  ")
            try:
                actual = hashlib.new(algorithm, call.fs.read(call.path(name))).hexdigest()
            except OSError:
                errors.append(f"{call.name}: {name}: No such file or directory")
                out.append(f"{name}: FAILED open or read\n")
                failed += 1
                continue
            ok = actual == digest.strip()
            failed += not ok
            out.append(f"{name}: {'OK' if ok else 'FAILED'}\n")
    if failed:
        errors.append(f"{call.name}: WARNING: {failed} computed checksum{'s' if failed > 1 else ''} did NOT match")
    return CommandResult(encode("".join(out)), stderr_of(errors), 1 if failed or errors else 0)


def _lines(data: bytes) -> list[str]:
    return decode(data).splitlines(keepends=True)


def _normal(a: list[str], b: list[str]) -> list[str]:
    out: list[str] = []

    def fmt(lo: int, hi: int) -> str:
        if hi - lo == 1:
            return str(lo + 1)
        if hi == lo:
            return str(lo)
        return f"{lo + 1},{hi}"

    def body(prefix: str, lines: list[str]) -> list[str]:
        rendered = []
        for line in lines:
            rendered.append(
                prefix + line if line.endswith("\n") else prefix + line + "\n\\ No newline at end of file\n"
            )
        return rendered

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            out.append(f"{fmt(i1, i2)}d{j1}\n")
            out.extend(body("< ", a[i1:i2]))
        elif tag == "insert":
            out.append(f"{i1}a{fmt(j1, j2)}\n")
            out.extend(body("> ", b[j1:j2]))
        else:
            out.append(f"{fmt(i1, i2)}c{fmt(j1, j2)}\n")
            out.extend(body("< ", a[i1:i2]))
            out.append("---\n")
            out.extend(body("> ", b[j1:j2]))
    return out


def _stamp(call: CommandCall, name: str) -> str:
    try:
        mtime = call.fs.stat(call.path(name)).st_mtime
    except OSError:
        return ""
    when = dt.datetime.fromtimestamp(mtime, dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f000 +0000")


@guarded
def diff(call: CommandCall) -> CommandResult:
    """``diff [-u] [-q] [-U N] a b`` (normal or unified output)."""
    opts, files = options(call, "uqU:wiB", ["brief"])
    flags = dict(opts)
    if len(files) != 2:
        raise CommandError(
            f"diff: missing operand after '{files[-1] if files else 'diff'}'\n"
            "diff: Try 'diff --help' for more information.",
            2,
        )
    contents = []
    missing = []
    for name in files:
        try:
            contents.append(call.stdin if name == "-" else call.fs.read(call.path(name)))
        except OSError:
            missing.append(f"diff: {name}: No such file or directory\n")
    if missing:
        return CommandResult(b"", encode("".join(missing)), 2)
    if contents[0] == contents[1]:
        return CommandResult()
    if "-q" in flags or "--brief" in flags:
        return CommandResult(encode(f"Files {files[0]} and {files[1]} differ\n"), b"", 1)
    a, b = _lines(contents[0]), _lines(contents[1])
    if "-w" in flags or "-i" in flags:

        def norm(lines: list[str]) -> list[str]:
            result = ["".join(x.split()) if "-w" in flags else x for x in lines]
            return [x.lower() for x in result] if "-i" in flags else result

        if norm(a) == norm(b):
            return CommandResult()
    if "-u" in flags or "-U" in flags:
        context = int(flags.get("-U", "3"))
        lines = list(
            difflib.unified_diff(
                a,
                b,
                f"{files[0]}\t{_stamp(call, files[0])}",
                f"{files[1]}\t{_stamp(call, files[1])}",
                n=context,
            )
        )
        fixed = []
        for line in lines:
            fixed.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        fixed = [line.replace("\t\n", "\n") if line.startswith(("---", "+++")) else line for line in fixed]
        text = "".join(fixed)
    else:
        text = "".join(_normal(a, b))
    return CommandResult(encode(text), b"", 1)


def _dump(value: object, *, compact: bool, raw: bool, sort_keys: bool, tab: bool) -> str:
    if raw and isinstance(value, str):
        return value
    if compact:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys)
    text = json.dumps(value, indent="\t" if tab else 2, ensure_ascii=False, sort_keys=sort_keys)
    return text


@guarded
def jq(call: CommandCall) -> CommandResult:
    """``jq [-r] [-c] [-s] [-n] [-e] [-S] [--arg k v] [--argjson k v] FILTER [files]``."""
    import jq as jqlib  # the package checked the 'bash' extra on import

    args = call.argv[1:]
    flags: set[str] = set()
    variables: dict[str, object] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--arg", "--argjson"):
            name, value = args[i + 1], args[i + 2]
            try:
                variables[name] = value if arg == "--arg" else json.loads(value)
            except json.JSONDecodeError:
                raise CommandError("jq: Invalid JSON text passed to --argjson", 2) from None
            i += 3
            continue
        if arg in ("-L", "--library-path") or arg.startswith(("-L", "--library-path=")):
            raise CommandError("jq: error: -L is not supported by bashx: a module search path names host files", 2)
        if arg.startswith("--"):
            flags.add(
                {
                    "--raw-output": "r",
                    "--compact-output": "c",
                    "--slurp": "s",
                    "--null-input": "n",
                    "--exit-status": "e",
                    "--sort-keys": "S",
                    "--tab": "tab",
                    "--join-output": "j",
                }.get(arg, arg)
            )
        elif arg.startswith("-") and len(arg) > 1:
            flags.update(arg[1:])
        else:
            rest.append(arg)
        i += 1
    if not rest:
        raise CommandError("Usage:\tjq [OPTIONS] FILTER [FILES...]", 2)
    program_text, files = rest[0], rest[1:]
    try:
        # The filter sees the script's exported variables as $ENV, never the server's environment.
        program = jqlib.compile(confine(program_text), args={**variables, ENV_VARIABLE: dict(call.env)})
    except ValueError as exc:
        raise CommandError(str(exc).rstrip("\n"), 3) from None
    errors: list[str] = []
    data = b"".join(content for _, content in read_inputs(call, files, errors))
    if errors:
        return CommandResult(b"", stderr_of([e.replace("jq: ", "jq: error: Could not open ") for e in errors]), 2)
    try:
        if "n" in flags:
            results = program.input_value(None).all()
        elif "s" in flags:
            values = list(jqlib.compile(".").input_text(decode(data)).all()) if data.strip() else []
            results = program.input_value(values).all()
        else:
            results = program.input_text(decode(data)).all() if data.strip() else []
    except ValueError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "error"
        return CommandResult(b"", encode(f"jq: error (at <stdin>:0): {message}\n"), 5)
    sep = "" if "j" in flags else "\n"
    text = "".join(
        _dump(
            v,
            compact="c" in flags,
            raw="r" in flags or "j" in flags,
            sort_keys="S" in flags,
            tab="tab" in flags,
        )
        + sep
        for v in results
    )
    status = 0
    if "e" in flags:
        status = 1 if not results or results[-1] in (None, False) else 0
    return CommandResult(encode(text), b"", status)


COMMANDS = {
    "base64": base64,
    "sha256sum": _digest("sha256"),
    "md5sum": _digest("md5"),
    "sha1sum": _digest("sha1"),
    "diff": diff,
    "jq": jq,
}


@guarded
def cmp(call: CommandCall) -> CommandResult:
    """``cmp [-s] a b``: the first differing byte and line."""
    opts, files = options(call, "sl")
    silent = any(o == "-s" for o, _ in opts)
    if len(files) < 2:
        raise CommandError(f"cmp: missing operand after '{files[0] if files else 'cmp'}'", 2)
    contents = []
    for name in files[:2]:
        try:
            contents.append(call.stdin if name == "-" else call.fs.read(call.path(name)))
        except OSError:
            return CommandResult(b"", b"" if silent else encode(f"cmp: {name}: No such file or directory\n"), 2)
    a, b = contents
    if a == b:
        return CommandResult()
    if silent:
        return CommandResult(b"", b"", 1)
    limit = min(len(a), len(b))
    index = next((i for i in range(limit) if a[i] != b[i]), limit)
    if index == limit:
        shorter = files[0] if len(a) < len(b) else files[1]
        return CommandResult(b"", encode(f"cmp: EOF on {shorter} after byte {limit}, line {a[:limit].count(10)}\n"), 1)
    line = a[:index].count(b"\n") + 1
    return CommandResult(encode(f"{files[0]} {files[1]} differ: char {index + 1}, line {line}\n"), b"", 1)


COMMANDS["cmp"] = cmp
