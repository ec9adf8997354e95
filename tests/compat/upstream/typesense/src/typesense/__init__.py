from .client import Client  # NOQA


__version__ = "1.3.0"
