"""Schedule texts: `to_cron("daily at 9am")`, `next_runs(text, n, start=)`, `describe(text)`."""

from .context.cron_times import describe, next_runs
from .context.schedule_grammar import ScheduleError, to_cron

__all__ = ["ScheduleError", "describe", "next_runs", "to_cron"]
