"""Primitives every object can use: fsx (filesystem), bashx (shell), gitx (git), each usable alone."""
