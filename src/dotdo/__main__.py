"""`python -m dotdo` runs the `dotdo` command."""

from .cli import main

main()
