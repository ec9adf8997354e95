"""Sections of the runtime benchmark (`python benchmarks/runtime.py`), one module each."""
