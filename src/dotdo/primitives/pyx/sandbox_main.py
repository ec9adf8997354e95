"""The program a pyx sandbox runs: wait for one request, run its code, report on the result channel.

It runs under the sandbox's own interpreter (the host's ``/usr/bin/python3`` or the object's
virtualenv), never imported by dotdo: pyx passes this file's text to ``python -c``. A warm sandbox
has already started the interpreter and imported what is below when its request arrives on stdin,
so a call pays only for the code it runs. The result is one JSON document written to the file
descriptor named by ``argv[1]``; the code's own output goes to the real stdout and stderr.
"""

import ast
import errno
import json
import linecache
import os
import resource
import sys
import traceback

FILENAME = "<py>"


def jsonable(value):
    """The value itself when JSON can carry it, else its ``tolist()``/``item()``, else None with its repr."""
    for candidate in _candidates(value):
        try:
            json.dumps(candidate, allow_nan=False)
        except (TypeError, ValueError):
            continue
        return "json", candidate
    return "repr", repr(value)


def _candidates(value):
    yield value
    for name in ("tolist", "item", "to_dict"):
        method = getattr(value, name, None)
        if callable(method):
            try:
                yield method()
            except Exception:
                continue


def lower_limits(request):
    """Lower the sandbox's rlimits to what this call asked for (a process may always lower its own)."""
    memory = request.get("memory")
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = request.get("cpu_seconds")
    if cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def user_traceback(exc):
    """The traceback from the first frame of the user's code on: the runner's frames are noise."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb if tb is not None else exc.__traceback__))


def failure(exc):
    """The report of an exception the code raised."""
    lines = traceback.format_exception_only(type(exc), exc)
    return {
        "ok": False,
        "type": type(exc).__name__,
        "message": "".join(lines).strip(),
        "traceback": user_traceback(exc),
    }


def run(code, namespace):
    tree = ast.parse(code, FILENAME, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, FILENAME, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(last, FILENAME, "eval"), namespace)


def main():
    channel = os.fdopen(int(sys.argv[1]), "w", encoding="utf-8")
    os.set_inheritable(channel.fileno(), False)
    request = json.loads(sys.stdin.readline())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir(request["cwd"])
    sys.path.insert(0, request["cwd"])
    code = request["code"]
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    lower_limits(request)
    try:
        value = run(code, namespace)
        kind, value = jsonable(value)
        report = {"ok": True, "kind": kind, "value": value}
    except MemoryError:
        report = {"ok": False, "limit": "memory"}
    except OSError as exc:
        # EFBIG: a write past RLIMIT_FSIZE (Python ignores SIGXFSZ, so the write fails instead).
        report = {"ok": False, "limit": "file_size_bytes"} if exc.errno == errno.EFBIG else failure(exc)
    except SystemExit as exc:
        if exc.code in (None, 0):
            report = {"ok": True, "kind": "json", "value": None}
        else:
            report = {"ok": False, "type": "SystemExit", "message": f"SystemExit: {exc.code}", "traceback": ""}
    except BaseException as exc:
        report = failure(exc)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            report = {"ok": False, "limit": "file_size_bytes"}
    try:
        text = json.dumps(report)
    except MemoryError:
        text = json.dumps({"ok": False, "limit": "memory"})
    channel.write(text)
    channel.flush()


main()
