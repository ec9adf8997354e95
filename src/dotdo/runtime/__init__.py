"""The runtime: objects with their own storage, hosted in this process; `Objects` is the door to them."""

from .objects import Objects

__all__ = ["Objects"]
