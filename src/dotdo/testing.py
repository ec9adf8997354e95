"""Test helpers: a clock tests advance by hand."""

from .runtime.clock import ManualClock

__all__ = ["ManualClock"]
