"""The ``awk`` command: options, input files, and running the program."""

from __future__ import annotations

import codecs
from collections.abc import Iterator

from dotdo.primitives.bashx.commands.awk.lexer import AwkSyntaxError
from dotdo.primitives.bashx.commands.awk.parser import parse_program
from dotdo.primitives.bashx.commands.awk.runtime import AwkRuntimeError, Runtime
from dotdo.primitives.bashx.commands.awk.values import StrNum
from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    decode,
    encode,
    guarded,
)
from dotdo.primitives.bashx.commands.streaming import Output, file_blocks, stdin_blocks
from dotdo.primitives.bashx.words import decode_ansi_c


@guarded
def awk(call: CommandCall) -> CommandResult:
    """``awk [-F fs] [-v var=value] [-f progfile] 'program' [files | var=value]``."""
    args = call.argv[1:]
    assigns: list[tuple[str, str]] = []
    fs: str | None = None
    source: str | None = None
    while args and args[0].startswith("-") and args[0] != "-":
        flag = args.pop(0)
        if flag == "--":
            break
        if flag.startswith("-F"):
            fs = flag[2:] or args.pop(0)
        elif flag.startswith("-v"):
            name, _, value = (flag[2:] or args.pop(0)).partition("=")
            assigns.append((name, value))
        elif flag.startswith("-f"):
            path = flag[2:] or args.pop(0)
            source = decode(call.fs.read(call.path(path)))
        else:
            raise CommandError(f"awk: not an option: {flag}", 2)
    if source is None:
        if not args:
            raise CommandError("usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]", 2)
        source = args.pop(0)
    try:
        program = parse_program(source)
    except AwkSyntaxError as exc:
        raise CommandError(f"{exc}\n awk: source line number 1", 2) from None
    stderr: list[str] = []

    def write_file(name: str, text: str, append: bool) -> None:
        if name == "/dev/stderr":
            stderr.append(text)
            return
        call.fs.write(call.path(name), encode(text), append=append)

    out = Output(call)

    def finish(diagnostics: str, status: int) -> CommandResult:
        result = out.result(status=status)
        result.stderr = encode("".join(stderr) + diagnostics)
        return result

    def texts(blocks: Iterator[bytes]) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        for block in blocks:
            yield decoder.decode(block)
            out.flush()  # what the records so far printed goes on before waiting for more input
        yield decoder.decode(b"", final=True)

    runtime = Runtime(
        program,
        write_file=write_file,
        read_file=lambda n: decode(call.fs.read(call.path(n))),
        write_out=lambda text: out.write(encode(text)),
    )
    runtime.vars["ENVIRON"] = {k: StrNum(v) for k, v in call.env.items()}
    if fs is not None:
        runtime.vars["FS"] = "\t" if fs == "t" else decode_ansi_c(fs) if "\\" in fs else fs
    for name, value in assigns:
        runtime.vars[name] = StrNum(decode_ansi_c(value))
    inputs: list[tuple[str, Iterator[str]]] = []
    files = [a for a in args]
    operands = [a for a in files if "=" not in a or a.startswith(("/", "."))]
    errors: list[str] = []
    try:
        if not operands:
            for a in files:
                name, _, value = a.partition("=")
                runtime.vars[name] = StrNum(value)
            if program.rules or program.end:
                inputs.append(("-", texts(stdin_blocks(call))))
        else:
            for a in files:
                if "=" in a and not a.startswith(("/", ".")):
                    name, _, value = a.partition("=")
                    runtime.vars[name] = StrNum(value)
                    continue
                try:
                    inputs.append((a, texts(file_blocks(call, a))))
                except OSError:
                    errors.append(f'awk: cannot open "{a}" (No such file or directory)')
                    break
        status = runtime.run(inputs) if not errors else 2
    except AwkRuntimeError as exc:
        return finish(f"{exc}\n", 2)
    except RecursionError:
        return finish("awk: function call nesting too deep\n", 2)
    return finish("".join(e + "\n" for e in errors), status)
