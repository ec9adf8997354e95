"""Trim a published OpenAPI document to the operations a layer serves: `python -m dotdo.compat.openapi.trim`.

    python -m dotdo.compat.openapi.trim stripe.json --operations src/dotdo/compat/stripe/operations.txt \\
        --output src/dotdo/compat/stripe/openapi.json.gz

Keeps the chosen operations and every component they reach through `$ref` (transitively), drops
the prose (`description`, `summary`) that only documentation needs, and writes the result gzipped
and with sorted keys, so a re-run on the same input gives the same bytes. The publisher's
`info` (title, version, license) is kept. `--patches openapi-patches.json` first applies a layer's
corrections to the publisher's document (JSON Patch operations, each saying why: see `json_patch`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

from .document import METHODS
from .json_patch import PatchError, apply_patches

_REF = re.compile(r'"#/components/([^/"]+)/([^"]+)"')
_PROSE = {"description", "summary"}


def trim(document: dict[str, Any], operation_ids: set[str]) -> dict[str, Any]:
    """A copy of `document` with only `operation_ids` and the components they need."""
    paths: dict[str, Any] = {}
    found: set[str] = set()
    for path, item in document.get("paths", {}).items():
        kept = {m: op for m, op in item.items() if m in METHODS and op.get("operationId") in operation_ids}
        if kept:
            if "parameters" in item:
                kept["parameters"] = item["parameters"]
            paths[path] = kept
            found.update(op["operationId"] for m, op in kept.items() if m in METHODS)
    missing = operation_ids - found
    if missing:
        raise KeyError(f"the document has no operations {sorted(missing)}")
    components: dict[str, dict[str, Any]] = {}
    pending = [json.dumps(paths)]
    while pending:
        for section, name in _REF.findall(pending.pop()):
            if name not in components.setdefault(section, {}):
                value = document["components"][section][name]
                components[section][name] = value
                pending.append(json.dumps(value))
    trimmed = {key: document[key] for key in ("openapi", "info", "servers", "security") if key in document}
    trimmed["paths"] = paths
    schemes = document.get("components", {}).get("securitySchemes")
    if schemes:
        components["securitySchemes"] = schemes
    trimmed["components"] = components
    return _without_prose(trimmed)


def _without_prose(value: Any, *, in_properties: bool = False) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_prose(child, in_properties=key == "properties" and not in_properties)
            for key, child in value.items()
            if in_properties or key not in _PROSE
        }
    if isinstance(value, list):
        return [_without_prose(child) for child in value]
    return value


def main(argv: list[str] | None = None) -> int:
    """The command line: read, trim, write."""
    parser = argparse.ArgumentParser(
        prog="python -m dotdo.compat.openapi.trim", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("source", type=Path, help="the publisher's full OpenAPI 3 document (JSON)")
    parser.add_argument("--operations", type=Path, required=True, help="a file of operationIds, one per line")
    parser.add_argument("--output", type=Path, required=True, help="where to write the trimmed document (.json.gz)")
    parser.add_argument(
        "--patches", type=Path, help="JSON Patch operations correcting the publisher's document, applied first"
    )
    args = parser.parse_args(argv)
    wanted = {
        line.strip() for line in args.operations.read_text().splitlines() if line.strip() and not line.startswith("#")
    }
    try:
        source = json.loads(args.source.read_text())
        if args.patches is not None:
            source = apply_patches(source, json.loads(args.patches.read_text()))
        trimmed = trim(source, wanted)
    except (KeyError, PatchError) as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    text = json.dumps(trimmed, sort_keys=True, separators=(",", ":")).encode()
    args.output.write_bytes(gzip.compress(text, mtime=0))
    components = sum(map(len, trimmed["components"].values()))
    print(f"{len(trimmed['paths'])} paths, {components} components, {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
