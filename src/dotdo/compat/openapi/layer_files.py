"""What every SaaS layer keeps beside its code: `operations.txt` and its trimmed `openapi.json.gz`."""

from __future__ import annotations

from pathlib import Path

from .document import OpenAPIDocument


def served_operations(package_file: str) -> frozenset[str]:
    """The operationIds listed in the `operations.txt` beside `package_file` (comments and blanks skipped)."""
    text = Path(package_file).with_name("operations.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def document_beside(package_file: str) -> OpenAPIDocument:
    """The trimmed OpenAPI document (`openapi.json.gz`) beside `package_file`."""
    return OpenAPIDocument.load(Path(package_file).with_name("openapi.json.gz"))
