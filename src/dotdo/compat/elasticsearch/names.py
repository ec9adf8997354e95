"""The names Elasticsearch accepts: index names and document ids, and its errors for the others."""

from __future__ import annotations

import re

from .errors import ElasticError

INDEX_NAME = re.compile(r"[^A-Z\\/*?\"<>| ,#:\x00-\x1f]{1,255}")
"""Characters an index name may hold (the other rules are in `check_index_name`)."""


def invalid_index_name(name: str) -> ElasticError:
    """Elasticsearch's error for an index name it refuses, with its reason."""
    reason = (
        "must be lowercase"
        if name.lower() != name
        else ('must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]')
    )
    if name.startswith(("_", "-", "+")):
        reason = "must not start with '_', '-', or '+'"
    elif name in (".", ".."):
        reason = "must not be '.' or '..'"
    elif len(name.encode()) > 255:
        reason = "index name is too long, (" + str(len(name.encode())) + " > 255)"
    return ElasticError(
        400,
        "invalid_index_name_exception",
        f"Invalid index name [{name}], {reason}",
        {"index_uuid": "_na_", "index": name},
    )


def check_index_name(name: str) -> None:
    """Refuse an index name Elasticsearch refuses (`invalid_index_name_exception`)."""
    if (
        not INDEX_NAME.fullmatch(name)
        or name.startswith(("_", "-", "+"))
        or name in (".", "..")
        or len(name.encode()) > 255
    ):
        raise invalid_index_name(name)


def check_document_id(doc_id: str) -> None:
    """Refuse an empty document id or one over 512 bytes, as Elasticsearch does."""
    if not doc_id or len(doc_id.encode()) > 512:
        raise ElasticError(
            400,
            "action_request_validation_exception",
            f"Validation Failed: 1: id [{doc_id[:40]}] is too long, must be no longer than 512 bytes but was: "
            f"{len(doc_id.encode())};",
        )
