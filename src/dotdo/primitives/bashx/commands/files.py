"""Filesystem programs on fsx: ls, mkdir, rm, rmdir, cp, mv, touch, ln, basename, dirname, readlink."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import stat as stat_mod
import time

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    guarded,
    options,
    os_message,
    stderr_of,
)


def _lstat(call: CommandCall, path: str):
    return call.fs.lstat(call.path(path))


def _is_dir(call: CommandCall, path: str) -> bool:
    try:
        return stat_mod.S_ISDIR(call.fs.stat(call.path(path)).st_mode)
    except (OSError, ValueError):
        return False


def _mode_string(mode: int) -> str:
    kind = "d" if stat_mod.S_ISDIR(mode) else "l" if stat_mod.S_ISLNK(mode) else "-"
    bits = "".join(ch if mode & (1 << (8 - i)) else "-" for i, ch in enumerate("rwxrwxrwx"))
    return kind + bits


@guarded
def ls(call: CommandCall) -> CommandResult:
    """``ls [-1aAlRrtSdFp] [paths]`` (one name per line, as when output is not a terminal)."""
    opts, paths = options(call, "1aAlRrtSdFphC")
    flags = {o for o, _ in opts}
    errors: list[str] = []
    files: list[str] = []
    dirs: list[str] = []
    for path in paths or ["."]:
        try:
            st = call.fs.stat(call.path(path))
        except (OSError, ValueError):
            try:
                st = _lstat(call, path)
            except (OSError, ValueError):
                errors.append(f"ls: cannot access '{path}': No such file or directory")
                continue
        if stat_mod.S_ISDIR(st.st_mode) and "-d" not in flags:
            dirs.append(path)
        else:
            files.append(path)
    blocks: list[str] = []
    if files:
        blocks.append(_listing(call, [(f, f) for f in sorted(files)], flags, None))
    show_headers = len(dirs) + len(files) > 1 or "-R" in flags or bool(errors and dirs)
    pending = sorted(dirs)
    while pending:
        path = pending.pop(0)
        try:
            names = call.fs.listdir(call.path(path))
        except OSError as exc:
            errors.append(f"ls: cannot open directory '{path}': {os_message(exc)}")
            continue
        if "-a" in flags:
            names = [".", "..", *names]
        elif "-A" not in flags:
            names = [n for n in names if not n.startswith(".")]
        entries = [(n, posixpath.join(path, n)) for n in names]
        body = _listing(call, entries, flags, path)
        blocks.append(f"{path}:\n{body}" if show_headers else body)
        if "-R" in flags:
            subdirs = [
                full
                for n, full in entries
                if n not in (".", "..") and _is_dir(call, full) and not stat_mod.S_ISLNK(_lstat(call, full).st_mode)
            ]
            pending = sorted(subdirs) + pending
    text = "\n".join(blocks)
    return CommandResult(text.encode("utf-8", "surrogateescape"), stderr_of(errors), 2 if errors else 0)


def _listing(call: CommandCall, entries: list[tuple[str, str]], flags: set[str], base: str | None) -> str:
    stats = {}
    for name, full in entries:
        try:
            stats[name] = _lstat(call, full)
        except (OSError, ValueError):
            stats[name] = None
    if "-t" in flags:
        entries.sort(key=lambda e: (-(stats[e[0]].st_mtime if stats[e[0]] else 0), e[0]))
    elif "-S" in flags:
        entries.sort(key=lambda e: (-(stats[e[0]].st_size if stats[e[0]] else 0), e[0]))
    else:
        entries.sort(key=lambda e: e[0].encode("utf-8", "surrogateescape"))
    if "-r" in flags:
        entries.reverse()
    lines = []
    if "-l" in flags and base is not None:
        total = sum((s.st_size + 1023) // 1024 for s in stats.values() if s is not None)
        lines.append(f"total {total}")
    for name, full in entries:
        st = stats[name]
        shown = name
        if st is not None and ("-F" in flags or "-p" in flags):
            if stat_mod.S_ISDIR(st.st_mode):
                shown += "/"
            elif "-F" in flags and stat_mod.S_ISLNK(st.st_mode):
                shown += "@"
            elif "-F" in flags and st.st_mode & 0o111:
                shown += "*"
        if "-l" in flags and st is not None:
            when = dt.datetime.fromtimestamp(st.st_mtime, dt.UTC).strftime("%b %e %H:%M")
            link = ""
            if stat_mod.S_ISLNK(st.st_mode):
                link = " -> " + call.fs.readlink(call.path(full))
            lines.append(f"{_mode_string(st.st_mode)} {st.st_nlink} user user {st.st_size} {when} {shown}{link}")
        else:
            lines.append(shown)
    return "".join(line + "\n" for line in lines)


@guarded
def mkdir(call: CommandCall) -> CommandResult:
    """``mkdir [-p] [-v] [-m MODE] dirs``."""
    opts, paths = options(call, "pvm:")
    flags = {o for o, _ in opts}
    if not paths:
        raise CommandError("mkdir: missing operand\nTry 'mkdir --help' for more information.")
    errors: list[str] = []
    out = []
    for path in paths:
        try:
            call.fs.mkdir(call.path(path), parents="-p" in flags, exist_ok="-p" in flags)
            if "-v" in flags:
                out.append(f"mkdir: created directory '{path}'\n")
        except FileExistsError:
            errors.append(f"mkdir: cannot create directory '{path}': File exists")
        except OSError as exc:
            blocker = _blocking_prefix(call, path) if "-p" in flags else None
            if blocker is not None:
                errors.append(f"mkdir: cannot create directory '{blocker}': Not a directory")
            else:
                errors.append(f"mkdir: cannot create directory '{path}': {os_message(exc)}")
    return CommandResult("".join(out).encode(), stderr_of(errors), 1 if errors else 0)


def _blocking_prefix(call: CommandCall, path: str) -> str | None:
    """The first leading part of ``path`` that exists but is not a directory."""
    parts = path.rstrip("/").split("/")
    for end in range(1, len(parts)):
        prefix = "/".join(parts[:end]) or "/"
        full = call.path(prefix)
        if call.fs.exists(full) and not call.fs.is_dir(full):
            return prefix
    return None


@guarded
def rm(call: CommandCall) -> CommandResult:
    """``rm [-r|-R] [-f] [-d] [-v] paths`` (refuses ``/`` like GNU rm)."""
    opts, paths = options(call, "rRfdvi", ["recursive", "force"])
    flags = {o for o, _ in opts}
    recursive = bool(flags & {"-r", "-R", "--recursive"})
    force = bool(flags & {"-f", "--force"})
    if not paths and not force:
        raise CommandError("rm: missing operand\nTry 'rm --help' for more information.")
    errors: list[str] = []
    out = []
    for path in paths:
        full = call.path(path)
        if recursive and full == "/":
            errors.append("rm: it is dangerous to operate recursively on '/'")
            errors.append("rm: use --no-preserve-root to override this failsafe")
            continue
        if posixpath.basename(path.rstrip("/")) in (".", ".."):
            errors.append(f"rm: refusing to remove '.' or '..' directory: skipping '{path}'")
            continue
        try:
            st = call.fs.lstat(full)
        except (OSError, ValueError):
            if not force:
                errors.append(f"rm: cannot remove '{path}': No such file or directory")
            continue
        try:
            if stat_mod.S_ISDIR(st.st_mode):
                if recursive:
                    call.fs.rm(full, recursive=True)
                elif "-d" in flags:
                    call.fs.rmdir(full)
                else:
                    errors.append(f"rm: cannot remove '{path}': Is a directory")
                    continue
            else:
                call.fs.unlink(full)
            if "-v" in flags:
                out.append(f"removed {'directory ' if stat_mod.S_ISDIR(st.st_mode) else ''}'{path}'\n")
        except OSError as exc:
            errors.append(f"rm: cannot remove '{path}': {os_message(exc)}")
    return CommandResult("".join(out).encode(), stderr_of(errors), 1 if errors else 0)


@guarded
def rmdir(call: CommandCall) -> CommandResult:
    """``rmdir [-p] dirs``."""
    opts, paths = options(call, "pv")
    parents = any(o == "-p" for o, _ in opts)
    if not paths:
        raise CommandError("rmdir: missing operand\nTry 'rmdir --help' for more information.")
    errors: list[str] = []
    for path in paths:
        targets = [path]
        if parents:
            parent = posixpath.dirname(path.rstrip("/"))
            while parent and parent not in ("/", "."):
                targets.append(parent)
                parent = posixpath.dirname(parent)
        for target in targets:
            try:
                call.fs.rmdir(call.path(target))
            except FileNotFoundError:
                errors.append(f"rmdir: failed to remove '{target}': No such file or directory")
                break
            except NotADirectoryError:
                errors.append(f"rmdir: failed to remove '{target}': Not a directory")
                break
            except OSError as exc:
                errors.append(f"rmdir: failed to remove '{target}': {os_message(exc)}")
                break
    return CommandResult(b"", stderr_of(errors), 1 if errors else 0)


def _copy_tree(call: CommandCall, src: str, dst: str) -> None:
    fs = call.fs
    st = fs.lstat(src)
    if stat_mod.S_ISLNK(st.st_mode):
        fs.symlink(fs.readlink(src), dst)
    elif stat_mod.S_ISDIR(st.st_mode):
        if not fs.exists(dst):
            fs.mkdir(dst)
        for name in fs.listdir(src):
            _copy_tree(call, posixpath.join(src, name), posixpath.join(dst, name))
    else:
        fs.copy(src, dst)


def _target(call: CommandCall, sources: list[str], dest: str, name: str) -> list[tuple[str, str]]:
    if _is_dir(call, dest):
        return [(s, posixpath.join(dest, posixpath.basename(s.rstrip("/")))) for s in sources]
    if len(sources) > 1:
        raise CommandError(f"{name}: target '{dest}' is not a directory")
    if dest.endswith("/"):
        if name == "cp":
            raise CommandError(f"cp: cannot create regular file '{dest}': Not a directory")
        raise CommandError(f"{name}: cannot move '{sources[0]}' to '{dest}': Not a directory")
    return [(sources[0], dest)]


@guarded
def cp(call: CommandCall) -> CommandResult:
    """``cp [-r|-R|-a] [-f] [-n] [-p] [-v] sources dest``."""
    opts, paths = options(call, "rRafnpvL", ["recursive"])
    flags = {o for o, _ in opts}
    recursive = bool(flags & {"-r", "-R", "-a", "--recursive"})
    if len(paths) < 2:
        message = (
            "cp: missing file operand" if not paths else f"cp: missing destination file operand after '{paths[0]}'"
        )
        raise CommandError(message + "\nTry 'cp --help' for more information.")
    errors: list[str] = []
    out = []
    for src, dst in _target(call, paths[:-1], paths[-1], "cp"):
        full_src, full_dst = call.path(src), call.path(dst)
        try:
            st = call.fs.stat(full_src)
        except (OSError, ValueError):
            errors.append(f"cp: cannot stat '{src}': No such file or directory")
            continue
        if stat_mod.S_ISDIR(st.st_mode) and not recursive:
            errors.append(f"cp: -r not specified; omitting directory '{src}'")
            continue
        if full_src == full_dst:
            errors.append(f"cp: '{src}' and '{dst}' are the same file")
            continue
        if "-n" in flags and call.fs.exists(full_dst):
            continue
        if stat_mod.S_ISDIR(st.st_mode) and (full_dst + "/").startswith(full_src + "/"):
            errors.append(f"cp: cannot copy a directory, '{src}', into itself, '{dst}'")
            continue
        try:
            if stat_mod.S_ISDIR(st.st_mode):
                _copy_tree(call, full_src, full_dst)
            else:
                call.fs.copy(full_src, full_dst)
            if "-v" in flags:
                out.append(f"'{src}' -> '{dst}'\n")
        except OSError as exc:
            errors.append(f"cp: cannot create regular file '{dst}': {os_message(exc)}")
    return CommandResult("".join(out).encode(), stderr_of(errors), 1 if errors else 0)


@guarded
def mv(call: CommandCall) -> CommandResult:
    """``mv [-f] [-n] [-v] sources dest``."""
    opts, paths = options(call, "fnvi")
    flags = {o for o, _ in opts}
    if len(paths) < 2:
        message = (
            "mv: missing file operand" if not paths else f"mv: missing destination file operand after '{paths[0]}'"
        )
        raise CommandError(message + "\nTry 'mv --help' for more information.")
    errors: list[str] = []
    out = []
    for src, dst in _target(call, paths[:-1], paths[-1], "mv"):
        full_src, full_dst = call.path(src), call.path(dst)
        try:
            call.fs.lstat(full_src)
        except (OSError, ValueError):
            errors.append(f"mv: cannot stat '{src}': No such file or directory")
            continue
        if "-n" in flags and call.fs.exists(full_dst):
            continue
        if (full_dst + "/").startswith(full_src + "/") and full_src != full_dst:
            errors.append(f"mv: cannot move '{src}' to a subdirectory of itself, '{dst}'")
            continue
        try:
            if full_src != full_dst:
                call.fs.rename(full_src, full_dst)
            if "-v" in flags:
                out.append(f"renamed '{src}' -> '{dst}'\n")
        except OSError as exc:
            errors.append(f"mv: cannot move '{src}' to '{dst}': {os_message(exc)}")
    return CommandResult("".join(out).encode(), stderr_of(errors), 1 if errors else 0)


def parse_time(text: str) -> float:
    """A ``touch -d``/``date -d`` time: ISO dates, ``@epoch``, ``YYYY-MM-DD HH:MM[:SS]`` (UTC)."""
    text = text.strip()
    if text.startswith("@") and re.fullmatch(r"@-?\d+(\.\d+)?", text):
        return float(text[1:])
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y%m%d"):
        try:
            return (
                dt.datetime.strptime(text.removesuffix("Z").removesuffix(" UTC"), fmt)
                .replace(tzinfo=dt.UTC)
                .timestamp()
            )
        except ValueError:
            continue
    m = re.fullmatch(r"(\d+) (second|minute|hour|day|week)s? ago", text)
    if m:
        unit = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}[m.group(2)]
        return time.time() - int(m.group(1)) * unit
    raise CommandError(f"invalid date '{text}'")


def _touch_stamp(text: str) -> float:
    m = re.fullmatch(r"(\d{2}|\d{4})?(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{2}))?", text)
    if not m:
        raise CommandError(f"touch: invalid date format '{text}'")
    year = m.group(1)
    if year is None:
        year_value = dt.datetime.now(dt.UTC).year
    elif len(year) == 2:
        year_value = 2000 + int(year) if int(year) < 69 else 1900 + int(year)
    else:
        year_value = int(year)
    stamp = dt.datetime(
        year_value,
        int(m.group(2)),
        int(m.group(3)),
        int(m.group(4)),
        int(m.group(5)),
        int(m.group(6) or 0),
        tzinfo=dt.UTC,
    )
    return stamp.timestamp()


@guarded
def touch(call: CommandCall) -> CommandResult:
    """``touch [-c] [-d DATE] [-t STAMP] [-r REF] files``."""
    opts, paths = options(call, "cd:t:r:am")
    values = dict(opts)
    if not paths:
        raise CommandError("touch: missing file operand\nTry 'touch --help' for more information.")
    when: float | None = None
    if "-d" in values:
        try:
            when = parse_time(values["-d"])
        except CommandError:
            raise CommandError(f"touch: invalid date format '{values['-d']}'") from None
    elif "-t" in values:
        when = _touch_stamp(values["-t"])
    elif "-r" in values:
        try:
            when = call.fs.stat(call.path(values["-r"])).st_mtime
        except OSError:
            raise CommandError(
                f"touch: failed to get attributes of '{values['-r']}': No such file or directory"
            ) from None
    errors: list[str] = []
    for path in paths:
        full = call.path(path)
        try:
            if not call.fs.exists(full):
                if "-c" in values:
                    continue
                call.fs.write(full, b"")
            stamp = time.time() if when is None else when
            call.fs.utime(full, (stamp, stamp))
        except OSError as exc:
            errors.append(f"touch: cannot touch '{path}': {os_message(exc)}")
    return CommandResult(b"", stderr_of(errors), 1 if errors else 0)


@guarded
def ln(call: CommandCall) -> CommandResult:
    """``ln [-s] [-f] [-v] target [link]``."""
    opts, paths = options(call, "sfvnT")
    flags = {o for o, _ in opts}
    if not paths:
        raise CommandError("ln: missing file operand\nTry 'ln --help' for more information.")
    if len(paths) == 1:
        paths.append(posixpath.basename(paths[0].rstrip("/")))
    errors: list[str] = []
    for target, link in _target(call, paths[:-1], paths[-1], "ln"):
        full_link = call.path(link)
        try:
            if call.fs.exists(full_link) or _is_link(call, full_link):
                if "-f" not in flags:
                    errors.append(
                        f"ln: failed to create {'symbolic ' if '-s' in flags else 'hard '}link '{link}': File exists"
                    )
                    continue
                call.fs.unlink(full_link)
            if "-s" in flags:
                call.fs.symlink(target, full_link)
            else:
                call.fs.link(call.path(target), full_link)
        except FileNotFoundError:
            errors.append(f"ln: failed to access '{target}': No such file or directory")
        except OSError as exc:
            errors.append(f"ln: failed to create link '{link}': {os_message(exc)}")
    return CommandResult(b"", stderr_of(errors), 1 if errors else 0)


def _is_link(call: CommandCall, full: str) -> bool:
    try:
        return stat_mod.S_ISLNK(call.fs.lstat(full).st_mode)
    except (OSError, ValueError):
        return False


@guarded
def readlink(call: CommandCall) -> CommandResult:
    """``readlink [-f] path``."""
    opts, paths = options(call, "fenm")
    canonical = bool({o for o, _ in opts} & {"-f", "-e", "-m"})
    out = []
    status = 0
    for path in paths:
        try:
            out.append(call.fs.realpath(call.path(path)) if canonical else call.fs.readlink(call.path(path)))
        except (OSError, ValueError):
            status = 1
    return CommandResult("".join(x + "\n" for x in out).encode(), b"", status)


def _basename(path: str, suffix: str = "") -> str:
    if path == "":
        return ""
    stripped = path.rstrip("/")
    if not stripped:
        return "/"
    base = stripped.rsplit("/", 1)[-1]
    if suffix and base.endswith(suffix) and base != suffix:
        base = base[: -len(suffix)]
    return base


@guarded
def basename(call: CommandCall) -> CommandResult:
    """``basename path [suffix]``, ``basename -a paths``, ``basename -s SUFFIX paths``."""
    opts, args = options(call, "as:z")
    values = dict(opts)
    if not args:
        raise CommandError("basename: missing operand\nTry 'basename --help' for more information.")
    if "-a" in values or "-s" in values:
        suffix = values.get("-s", "")
        return CommandResult("".join(_basename(a, suffix) + "\n" for a in args).encode())
    if len(args) > 2:
        raise CommandError(f"basename: extra operand '{args[2]}'\nTry 'basename --help' for more information.")
    return CommandResult((_basename(args[0], args[1] if len(args) > 1 else "") + "\n").encode())


def _dirname(path: str) -> str:
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else "."
    if "/" not in stripped:
        return "."
    head = stripped.rsplit("/", 1)[0].rstrip("/")
    return head or "/"


@guarded
def dirname(call: CommandCall) -> CommandResult:
    """``dirname paths``."""
    args = call.argv[1:]
    if not args:
        raise CommandError("dirname: missing operand\nTry 'dirname --help' for more information.")
    return CommandResult("".join(_dirname(a) + "\n" for a in args).encode())


def mkfifo(call: CommandCall) -> CommandResult:
    """``mkfifo``: refused clearly — a named pipe needs two processes; bashx streams pipelines instead."""
    return CommandResult(
        b"", b"mkfifo: named pipes are not supported by bashx; connect the commands with a pipeline (a | b)\n", 1
    )


COMMANDS = {
    "mkfifo": mkfifo,
    "ls": ls,
    "mkdir": mkdir,
    "rm": rm,
    "rmdir": rmdir,
    "cp": cp,
    "mv": mv,
    "touch": touch,
    "ln": ln,
    "readlink": readlink,
    "basename": basename,
    "dirname": dirname,
}
