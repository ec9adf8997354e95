"""The job builtins: ``wait``, ``jobs`` and ``kill``, over the shell's :class:`~.jobs.JobTable`."""

from __future__ import annotations

from typing import Any

from dotdo.primitives.bashx import signals
from dotdo.primitives.bashx.commands.base import encode
from dotdo.primitives.bashx.jobs import Job

SIGNAL_STATUS = {"HUP": 129, "INT": 130, "QUIT": 131, "KILL": 137, "TERM": 143, "USR1": 138, "USR2": 140}
"""The exit status of a job stopped by each signal bashx accepts (128 + the signal's number)."""
SIGNAL_NUMBERS = {str(status - 128): name for name, status in SIGNAL_STATUS.items()}


def b_wait(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``wait [-n] [%job|pid ...]``: wait for jobs to end; the status of the last one named."""
    args = argv[1:]
    table = sh.jobs
    if args and args[0] == "-n":
        job = table.wait_any(sh.check_deadline)
        return 127 if job is None else job_status(job)
    if not args:
        for job in list(table.jobs):
            table.wait_for(job, sh.check_deadline)
        return 0
    status = 0
    for spec in args:
        job = table.find(spec)
        if job is None:
            if spec.startswith("%"):
                sh.error(io, f"wait: {spec}: no such job")
            else:
                sh.error(io, f"wait: pid {spec} is not a child of this shell")
            status = 127
            continue
        table.wait_for(job, sh.check_deadline)
        status = job_status(job)
    return status


def job_status(job: Job) -> int:
    """A finished job's exit status (the signal's status when it was killed)."""
    if job.killed_with is not None:
        return job.killed_with
    return job.status if job.status is not None else 127


def b_jobs(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``jobs [-l|-p|-r]``: the jobs still running (a script's shell forgets finished ones, as bash does)."""
    flags = {a for a in argv[1:] if a.startswith("-")}
    unknown = flags - {"-l", "-p", "-r", "-s"}
    if unknown:
        sh.error(io, f"jobs: {sorted(unknown)[0]}: invalid option\njobs: usage: jobs [-lnprs] [jobspec ...]")
        return 2
    table = sh.jobs.jobs
    running = [j for j in table if j.running]
    listed = [] if "-s" in flags else running
    lines = []
    for job in listed:
        if "-p" in flags:
            lines.append(f"{job.pid}\n")
            continue
        mark = "+" if job is running[-1] else ("-" if len(running) > 1 and job is running[-2] else " ")
        pid = f" {job.pid}" if "-l" in flags else " "
        lines.append(f"[{job.number}]{mark}{pid} {'Running':<24}{job.text} &\n")
    io[1].write(encode("".join(lines)))
    return 0


def list_signals(sh: Any, specs: list[str], io: dict[int, Any], command: str) -> int:
    """``kill -l [spec...]`` and ``trap -l``: the signal table, or each spec's name or number."""
    if not specs:
        io[1].write(encode(signals.table()))
        return 0
    status = 0
    for spec in specs:
        answer = signals.describe(spec)
        if answer is None:
            sh.error(io, f"{command}: {spec}: invalid signal specification")
            status = 1
            continue
        io[1].write(encode(answer + "\n"))
    return status


def b_kill(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``kill [-s SIG | -SIG] %job|pid ...``: stop this script's own jobs (there is no other process)."""
    args = argv[1:]
    if args and args[0] in ("-l", "-L"):
        return list_signals(sh, args[1:], io, "kill")
    if args and args[0] == "-s" and len(args) > 1:
        signal, args = args[1], args[2:]
    elif args and args[0].startswith("-") and len(args[0]) > 1:
        signal, args = args[0][1:], args[1:]
    else:
        signal = "TERM"
    name = SIGNAL_NUMBERS.get(signal, signal.upper().removeprefix("SIG"))
    if name not in SIGNAL_STATUS:
        sh.error(io, f"kill: {signal}: invalid signal specification")
        return 1
    status_on_kill = SIGNAL_STATUS[name]
    if not args:
        sh.error(io, "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]")
        return 2
    status = 0
    for spec in args:
        job = sh.jobs.find(spec) or (sh.jobs.process(int(spec)) if spec.isdigit() else None)
        if job is None:
            if spec.startswith("%"):
                sh.error(io, f"kill: {spec}: no such job")
            elif spec.lstrip("-").isdigit():
                sh.error(io, f"kill: ({spec}) - No such process")
            else:
                sh.error(io, f"kill: {spec}: arguments must be process or job IDs")
            status = 1
            continue
        if job.running:
            job.killed_with = status_on_kill
            job.cancel.set()
    return status


JOB_BUILTINS = {"wait": b_wait, "jobs": b_jobs, "kill": b_kill}
