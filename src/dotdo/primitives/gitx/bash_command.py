"""The `git` command inside bashx scripts, run natively against the object's gitx repository.

`git_command(git)` returns a bashx command handler. It understands the everyday subcommands
(status, log, diff, add, rm, commit, branch, checkout/switch, show, tag, reset, merge, init) and
prints what the real git prints for them. Network subcommands (clone, fetch, pull, push) wait on
the network, which a shell command cannot do: they exit 1 and say to use `await ctx.git...`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import GitError
from .worktree import Status

if TYPE_CHECKING:
    from dotdo.primitives.bashx.commands.base import CommandCall, CommandResult

    from .commit import Commit
    from .repository import Git

T = TypeVar("T")
NETWORK = frozenset({"clone", "fetch", "pull", "push", "ls-remote"})
_STAGED_CODE = {"added": "A", "modified": "M", "deleted": "D"}


class _Usage(Exception):
    """A command line git would reject (exit status 129)."""


def run_now(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a gitx coroutine that never waits (local operations) to completion, synchronously."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise GitError("This git operation waits on the network; use `await ctx.git...` outside the shell")


def git_command(git: Git) -> Callable[[CommandCall], CommandResult]:
    """A bashx command handler running `git ...` against `git`'s repository."""

    def handler(call: CommandCall) -> CommandResult:
        from dotdo.primitives.bashx.commands.base import CommandResult

        args = call.argv[1:]
        if not args:
            return CommandResult(b"", b"usage: git <command> [<args>]\n", 1)
        name, rest = args[0], args[1:]
        if name in NETWORK:
            method = name.replace("-", "_")
            message = f"git {name}: not available inside the shell; use `await ctx.git.{method}(...)`\n"
            return CommandResult(b"", message.encode(), 1)
        subcommand = _SUBCOMMANDS.get(name)
        if subcommand is None:
            return CommandResult(b"", f"git: '{name}' is not a git command supported here\n".encode(), 1)
        out: list[str] = []
        err: list[str] = []
        try:
            code = subcommand(_Context(git, call, out, err), rest)
        except _Usage as exc:
            return CommandResult(b"", f"usage: {exc}\n".encode(), 129)
        except (GitError, ValueError, FileNotFoundError) as exc:
            return CommandResult("".join(out).encode(), f"fatal: {exc}\n".encode(), 128)
        return CommandResult("".join(out).encode("utf-8", "surrogateescape"), "".join(err).encode(), code)

    return handler


class _Context:
    """What a subcommand needs: the repository, the shell call, and its output buffers."""

    def __init__(self, git: Git, call: CommandCall, out: list[str], err: list[str]) -> None:
        self.git, self.call, self.out, self.err = git, call, out, err

    def repo_path(self, argument: str) -> str:
        """A shell path argument (relative to the shell's cwd) as a path relative to the worktree root."""
        root = getattr(self.git.files, "root", "/")
        absolute = self.call.path(argument)
        relative = posixpath.relpath(absolute, root)
        if relative == ".":
            return "."
        if relative.startswith(".."):
            raise ValueError(f"{argument!r} is outside the repository at {root!r}")
        return relative

    def print(self, text: str = "") -> None:
        self.out.append(text + "\n")


def _quiet(args: list[str]) -> bool:
    return any(a in ("-q", "--quiet") for a in args)


def _split_paths(args: list[str]) -> tuple[list[str], list[str]]:
    if "--" in args:
        at = args.index("--")
        return args[:at], args[at + 1 :]
    return args, []


def _status(ctx: _Context, args: list[str]) -> int:
    short = any(a in ("-s", "--short", "--porcelain") for a in args)
    status: Status = run_now(ctx.git.status())
    if short:
        for path in status.conflicts:
            ctx.print(f"UU {path}")
        for path in sorted(set(status.staged) | set(status.unstaged)):
            x = _STAGED_CODE.get(status.staged.get(path, ""), " ")
            y = _STAGED_CODE.get(status.unstaged.get(path, ""), " ")
            ctx.print(f"{x}{y} {path}")
        for path in _untracked_display(ctx, status):
            ctx.print(f"?? {path}")
        return 0
    ctx.print(f"On branch {status.branch}" if status.branch else "HEAD detached")
    sections = [
        ("Unmerged paths:", {p: "both modified" for p in status.conflicts}),
        ("Changes to be committed:", status.staged),
        ("Changes not staged for commit:", status.unstaged),
    ]
    for title, entries in sections:
        if entries:
            ctx.print(title)
            for path, change in sorted(entries.items()):
                ctx.print(f"\t{change + ':':<12}{path}")
            ctx.print()
    if status.untracked:
        ctx.print("Untracked files:")
        for path in _untracked_display(ctx, status):
            ctx.print(f"\t{path}")
        ctx.print()
    if status.clean:
        ctx.print("nothing to commit, working tree clean")
    return 0


def _untracked_display(ctx: _Context, status: Status) -> list[str]:
    """Untracked files as git lists them: a folder holding no tracked file is shown once, as `dir/`."""
    tracked_dirs: set[str] = set()
    for path in [*ctx.git.index.entries(), *status.conflicts]:
        parts = path.split("/")[:-1]
        tracked_dirs.update("/".join(parts[: n + 1]) for n in range(len(parts)))
    shown: list[str] = []
    for path in status.untracked:
        parts = path.split("/")
        entry = path
        for n in range(1, len(parts)):
            folder = "/".join(parts[:n])
            if folder not in tracked_dirs:
                entry = folder + "/"
                break
        if entry not in shown:
            shown.append(entry)
    return shown


def _log(ctx: _Context, args: list[str]) -> int:
    options, paths = _split_paths(args)
    count: int | None = None
    oneline = False
    ref = "HEAD"
    iterator = iter(options)
    for arg in iterator:
        if arg == "--oneline":
            oneline = True
        elif arg == "-n":
            count = int(next(iterator, "x"))
        elif arg.startswith("--max-count="):
            count = int(arg.split("=", 1)[1])
        elif arg.startswith("-") and arg[1:].isdigit():
            count = int(arg[1:])
        elif arg.startswith("-"):
            raise _Usage(f"git log: option {arg} is not supported here")
        else:
            ref = arg
    path = ctx.repo_path(paths[0]) if paths else None
    commits: list[Commit] = run_now(ctx.git.log(n=count, path=path, ref=ref))
    for index, commit in enumerate(commits):
        if oneline:
            ctx.print(f"{commit.sha[:7]} {commit.message.splitlines()[0] if commit.message else ''}")
            continue
        if index:
            ctx.print()
        ctx.print(f"commit {commit.sha}")
        if len(commit.parents) > 1:
            ctx.print("Merge: " + " ".join(p[:7] for p in commit.parents))
        ctx.print(f"Author: {commit.author}")
        ctx.print("Date:   " + commit.time.strftime("%a %b %-d %H:%M:%S %Y %z"))
        ctx.print()
        for line in commit.message.rstrip("\n").split("\n"):
            ctx.print(f"    {line}" if line else "")
    return 0


def _diff(ctx: _Context, args: list[str]) -> int:
    options, _paths = _split_paths(args)
    staged = any(a in ("--cached", "--staged") for a in options)
    revisions = [a for a in options if not a.startswith("-")]
    if len(revisions) > 2:
        raise _Usage("git diff [--cached] [<commit> [<commit>]]")
    first = revisions[0] if revisions else None
    second = revisions[1] if len(revisions) > 1 else None
    diff = run_now(ctx.git.diff(first, second, staged=staged))
    ctx.out.append(diff.text)
    return 0


def _add(ctx: _Context, args: list[str]) -> int:
    options, paths = _split_paths(args)
    paths = [a for a in options if not a.startswith("-")] + paths
    if any(a in ("-A", "--all") for a in options):
        paths.append(".")
    if not paths:
        ctx.err.append("Nothing specified, nothing added.\n")
        return 0
    run_now(ctx.git.add([ctx.repo_path(p) for p in paths]))
    return 0


def _rm(ctx: _Context, args: list[str]) -> int:
    options, paths = _split_paths(args)
    paths = [a for a in options if not a.startswith("-")] + paths
    cached = "--cached" in options
    removed = run_now(ctx.git.rm([ctx.repo_path(p) for p in paths], cached=cached))
    if not _quiet(options):
        for path in removed:
            ctx.print(f"rm '{path}'")
    return 0


def _commit(ctx: _Context, args: list[str]) -> int:
    messages: list[str] = []
    author: str | None = None
    stage_all = allow_empty = quiet = False
    iterator = iter(args)
    for arg in iterator:
        if arg in ("-m", "--message"):
            messages.append(next(iterator, ""))
        elif arg.startswith("--message="):
            messages.append(arg.split("=", 1)[1])
        elif arg.startswith("-m") and len(arg) > 2:
            messages.append(arg[2:])
        elif arg.startswith("--author="):
            author = arg.split("=", 1)[1]
        elif arg in ("-a", "--all"):
            stage_all = True
        elif arg == "--allow-empty":
            allow_empty = True
        elif arg in ("-q", "--quiet"):
            quiet = True
        elif arg in ("-am", "-qm"):
            stage_all, quiet = stage_all or arg == "-am", quiet or arg == "-qm"
            messages.append(next(iterator, ""))
        else:
            raise _Usage(f"git commit: option {arg} is not supported here")
    if not messages:
        raise _Usage("git commit -m <message> (an editor is not available in the shell)")
    if stage_all:
        tracked = run_now(ctx.git.status())
        changed = sorted(set(tracked.unstaged))
        if changed:
            run_now(ctx.git.add(changed))
    message = "\n\n".join(messages)
    env = ctx.call.env
    if author is None and env.get("GIT_AUTHOR_NAME") and env.get("GIT_AUTHOR_EMAIL"):
        author = f"{env['GIT_AUTHOR_NAME']} <{env['GIT_AUTHOR_EMAIL']}>"
    committer = None
    if env.get("GIT_COMMITTER_NAME") and env.get("GIT_COMMITTER_EMAIL"):
        committer = f"{env['GIT_COMMITTER_NAME']} <{env['GIT_COMMITTER_EMAIL']}>"
    sha = run_now(
        ctx.git.commit(message, author=author, committer=committer, allow_empty=allow_empty, timestamp=_env_time(env))
    )
    if not quiet:
        status: Status = run_now(ctx.git.status())
        where = status.branch or "detached HEAD"
        ctx.print(f"[{where} {sha[:7]}] {message.splitlines()[0]}")
    return 0


def _env_time(env: dict[str, str]) -> int | None:
    """GIT_AUTHOR_DATE / GIT_COMMITTER_DATE given as `@<epoch> [+0000]` or `<epoch> [+0000]`."""
    value = env.get("GIT_COMMITTER_DATE") or env.get("GIT_AUTHOR_DATE")
    if not value:
        return None
    stamp = value.split()[0].lstrip("@")
    if not stamp.isdigit():
        raise ValueError(f"GIT_AUTHOR_DATE/GIT_COMMITTER_DATE must be '@<epoch seconds> +0000', not {value!r}")
    return int(stamp)


def _branch(ctx: _Context, args: list[str]) -> int:
    delete = force = False
    names: list[str] = []
    for arg in args:
        if arg in ("-d", "--delete"):
            delete = True
        elif arg == "-D":
            delete = force = True
        elif arg in ("-f", "--force"):
            force = True
        elif arg.startswith("-"):
            raise _Usage(f"git branch: option {arg} is not supported here")
        else:
            names.append(arg)
    if delete:
        for name in names:
            sha = ctx.git.repo.refs.read_loose_ref(f"refs/heads/{name}".encode()) or b""
            run_now(ctx.git.branch(name, delete=True, force=force))
            ctx.print(f"Deleted branch {name} (was {sha[:7].decode()}).")
        return 0
    if names:
        run_now(ctx.git.branch(names[0], start=names[1] if len(names) > 1 else "HEAD", force=force))
        return 0
    current: Status = run_now(ctx.git.status())
    for name in run_now(ctx.git.branch()):
        ctx.print(("* " if name == current.branch else "  ") + name)
    return 0


def _checkout(ctx: _Context, args: list[str]) -> int:
    options, paths = _split_paths(args)
    create = any(a in ("-b", "-c", "--create") for a in options)
    targets = [a for a in options if not a.startswith("-")]
    if paths:
        run_now(ctx.git.checkout(targets[0] if targets else None, paths=[ctx.repo_path(p) for p in paths]))
        return 0
    if len(targets) != 1:
        raise _Usage("git checkout [-b] <branch> | git checkout [<commit>] -- <paths>")
    target = targets[0]
    is_branch = create or ctx.git.repo.refs.read_loose_ref(f"refs/heads/{target}".encode()) is not None
    if not is_branch and not create and _is_path(ctx, target):
        run_now(ctx.git.checkout(paths=[ctx.repo_path(target)]))
        return 0
    run_now(ctx.git.checkout(target, create=create))
    if _quiet(options):
        return 0
    if create:
        ctx.err.append(f"Switched to a new branch '{target}'\n")
    elif is_branch:
        ctx.err.append(f"Switched to branch '{target}'\n")
    else:
        ctx.err.append(f"HEAD is now at {ctx.git.repo.refs[b'HEAD'][:7].decode()}\n")
    return 0


def _is_path(ctx: _Context, argument: str) -> bool:
    try:
        return ctx.repo_path(argument) in ctx.git.index.entries()
    except ValueError:
        return False


def _show(ctx: _Context, args: list[str]) -> int:
    if len(args) != 1 or ":" not in args[0]:
        raise _Usage("git show <rev>:<path>")
    data: bytes = run_now(ctx.git.show(args[0]))
    ctx.out.append(data.decode("utf-8", "surrogateescape"))
    return 0


def _tag(ctx: _Context, args: list[str]) -> int:
    message: str | None = None
    delete = False
    names: list[str] = []
    iterator = iter(args)
    for arg in iterator:
        if arg in ("-m", "--message"):
            message = next(iterator, "")
        elif arg in ("-a", "--annotate"):
            continue
        elif arg in ("-d", "--delete"):
            delete = True
        elif arg.startswith("-"):
            raise _Usage(f"git tag: option {arg} is not supported here")
        else:
            names.append(arg)
    if not names:
        for name in run_now(ctx.git.tag()):
            ctx.print(name)
        return 0
    run_now(ctx.git.tag(names[0], ref=names[1] if len(names) > 1 else "HEAD", message=message, delete=delete))
    return 0


def _reset(ctx: _Context, args: list[str]) -> int:
    modes = {"--soft": "soft", "--mixed": "mixed", "--hard": "hard"}
    mode = next((modes[a] for a in args if a in modes), "mixed")
    refs = [a for a in args if a not in modes and not a.startswith("-")]
    run_now(ctx.git.reset(refs[0] if refs else "HEAD", mode=mode))
    if mode == "hard" and not _quiet(args):
        ctx.print(f"HEAD is now at {ctx.git.repo.refs[b'HEAD'][:7].decode()}")
    return 0


def _merge(ctx: _Context, args: list[str]) -> int:
    branches = [a for a in args if not a.startswith("-")]
    if len(branches) != 1:
        raise _Usage("git merge <branch>")
    result = run_now(ctx.git.merge(branches[0]))
    if _quiet(args) and not result.conflicts:
        return 0
    if result.up_to_date:
        ctx.print("Already up to date.")
        return 0
    for path in result.conflicts:
        ctx.print(f"CONFLICT (content): Merge conflict in {path}")
    if result.conflicts:
        ctx.print("Automatic merge failed; fix conflicts and then commit the result.")
        return 1
    ctx.print("Fast-forward" if result.fast_forward else "Merge made by the 'ort' strategy.")
    return 0


def _init(ctx: _Context, args: list[str]) -> int:
    branch = "main"
    iterator = iter(args)
    for arg in iterator:
        if arg in ("-b", "--initial-branch"):
            branch = next(iterator, branch)
        elif arg.startswith("--initial-branch="):
            branch = arg.split("=", 1)[1]
    fresh = not ctx.git.repo.initialized
    run_now(ctx.git.init(default_branch=branch))
    if not _quiet(args):
        verb = "Initialized empty" if fresh else "Reinitialized existing"
        ctx.print(f"{verb} Git repository in {getattr(ctx.git.files, 'root', '/')}")
    return 0


_SUBCOMMANDS: dict[str, Callable[[_Context, list[str]], int]] = {
    "status": _status,
    "log": _log,
    "diff": _diff,
    "add": _add,
    "rm": _rm,
    "commit": _commit,
    "branch": _branch,
    "checkout": _checkout,
    "switch": _checkout,
    "show": _show,
    "tag": _tag,
    "reset": _reset,
    "merge": _merge,
    "init": _init,
}
