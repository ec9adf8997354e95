"""The compat layers this package provides, by name, each loaded only when asked for.

`dotdo compat serve s3`, `API(..., compat=["s3"])` and `dotdo.compat.services()` all read this one
table; a layer's modules (and its SDK-sized dependencies) are imported when it is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .layer import Service


def _s3() -> Service:
    from .s3 import service

    return service


def _sqs() -> Service:
    from .sqs import service

    return service


def _elasticsearch() -> Service:
    from .elasticsearch import service

    return service


def _gcs() -> Service:
    from .gcs import service

    return service


def _meilisearch() -> Service:
    from .meilisearch import service

    return service


def _stripe() -> Service:
    from .stripe import service

    return service


def _chroma() -> Service:
    from .chroma import service

    return service


def _github() -> Service:
    from .github import service

    return service


def _resend() -> Service:
    from .resend import service

    return service


def _pinecone() -> Service:
    from .pinecone import service

    return service


def _algolia() -> Service:
    from .algolia import service

    return service


def _qdrant() -> Service:
    from .qdrant import service

    return service


def _sendgrid() -> Service:
    from .sendgrid import service

    return service


def _slack() -> Service:
    from .slack import service

    return service


def _typesense() -> Service:
    from .typesense import service

    return service


def _twilio() -> Service:
    from .twilio import service

    return service


def _weaviate() -> Service:
    from .weaviate import service

    return service


LAYERS: dict[str, Callable[[], Service]] = {
    "algolia": _algolia,
    "chroma": _chroma,
    "elasticsearch": _elasticsearch,
    "gcs": _gcs,
    "github": _github,
    "meilisearch": _meilisearch,
    "pinecone": _pinecone,
    "qdrant": _qdrant,
    "resend": _resend,
    "s3": _s3,
    "sendgrid": _sendgrid,
    "slack": _slack,
    "sqs": _sqs,
    "stripe": _stripe,
    "twilio": _twilio,
    "typesense": _typesense,
    "weaviate": _weaviate,
}
"""Each layer's name and the function that loads it."""


class UnknownServiceError(LookupError):
    """A compat layer that does not exist; the message lists those that do."""


@cache
def service(name: str) -> Service:
    """The layer called `name`; `UnknownServiceError` naming the available ones otherwise."""
    loader = LAYERS.get(name)
    if loader is None:
        raise UnknownServiceError(f"no compat layer named {name!r}; available: {', '.join(sorted(LAYERS))}")
    return loader()


def names() -> list[str]:
    """The names of every compat layer."""
    return sorted(LAYERS)
