"""Subresource Integrity strings (``sha512-<base64>``), as npm writes them in packuments and lockfiles."""

from __future__ import annotations

import base64
import hashlib

from dotdo.primitives.npmx.errors import NpmIntegrityError

STRENGTH = ("sha1", "sha256", "sha384", "sha512")
"""Algorithms npm accepts, weakest first: the strongest one present is the one checked."""


def sri(data: bytes, algorithm: str = "sha512") -> str:
    """The SRI string of ``data`` (``sha512-...`` by default, as npm writes)."""
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def strongest(integrity: str) -> tuple[str, bytes]:
    """The strongest (algorithm, digest) of an SRI string that may list several."""
    best: tuple[str, bytes] | None = None
    for token in integrity.split():
        algorithm, _, encoded = token.partition("-")
        if algorithm not in STRENGTH:
            continue
        try:
            digest = base64.b64decode(encoded.split("?", 1)[0], validate=True)
        except ValueError:
            continue
        if best is None or STRENGTH.index(algorithm) > STRENGTH.index(best[0]):
            best = (algorithm, digest)
    if best is None:
        raise NpmIntegrityError(f"not an integrity string npm understands: {integrity!r}")
    return best


def check(data: bytes, integrity: str, *, what: str) -> None:
    """Raise ``NpmIntegrityError`` unless ``data`` matches ``integrity`` (an SRI string)."""
    algorithm, digest = strongest(integrity)
    actual = hashlib.new(algorithm, data).digest()
    if actual != digest:
        raise NpmIntegrityError(
            f"{what}: integrity check failed ({algorithm} is {base64.b64encode(actual).decode()}, expected "
            f"{base64.b64encode(digest).decode()}); the tarball was changed after it was published, "
            "or the registry is broken. Nothing was installed"
        )


def from_shasum(shasum: str) -> str:
    """The SRI string of a hex sha1 (old packuments carry only ``shasum``)."""
    try:
        raw = bytes.fromhex(shasum)
    except ValueError:
        raise NpmIntegrityError(f"not a sha1 shasum: {shasum!r}") from None
    return "sha1-" + base64.b64encode(raw).decode()
