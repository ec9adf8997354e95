"""A bucket's CORS rules: parsed from and written to S3's XML, and matched against browser requests."""

from __future__ import annotations

import fnmatch
import json
import xml.etree.ElementTree as ET
from typing import Any

from .errors import S3Error
from .xml_bodies import document, text

METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"}
MAX_RULES = 100


def parse_cors(root: ET.Element) -> list[dict[str, Any]]:
    """The rules of a `CORSConfiguration` document."""
    rules = []
    for element in root.findall("CORSRule"):
        methods = [m.text or "" for m in element.findall("AllowedMethod")]
        origins = [o.text or "" for o in element.findall("AllowedOrigin")]
        if not methods or not origins:
            raise S3Error("MalformedXML", "each CORSRule needs an AllowedMethod and an AllowedOrigin")
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise S3Error("InvalidRequest", f"Found unsupported HTTP method in CORS config: {unknown[0]}")
        max_age = text(element, "MaxAgeSeconds")
        rules.append(
            {
                "id": text(element, "ID"),
                "methods": methods,
                "origins": origins,
                "headers": [h.text or "" for h in element.findall("AllowedHeader")],
                "expose": [h.text or "" for h in element.findall("ExposeHeader")],
                "max_age": int(max_age) if max_age and max_age.isdigit() else None,
            }
        )
    if not rules or len(rules) > MAX_RULES:
        raise S3Error("MalformedXML", f"a CORS configuration has 1 to {MAX_RULES} rules")
    return rules


def render_cors(stored: str) -> bytes:
    """The stored rules as a `CORSConfiguration` document."""
    children = []
    for rule in json.loads(stored):
        entry: list[tuple[str, Any]] = [("ID", rule["id"])]
        entry += [("AllowedHeader", h) for h in rule["headers"]]
        entry += [("AllowedMethod", m) for m in rule["methods"]]
        entry += [("AllowedOrigin", o) for o in rule["origins"]]
        entry += [("ExposeHeader", h) for h in rule["expose"]]
        entry.append(("MaxAgeSeconds", rule["max_age"]))
        children.append(("CORSRule", entry))
    return document("CORSConfiguration", children)


def matching_rule(stored: str | None, origin: str, method: str, headers: list[str]) -> dict[str, Any] | None:
    """The first rule allowing `origin` to use `method` with `headers`, or None."""
    if not stored:
        return None
    for rule in json.loads(stored):
        if method not in rule["methods"]:
            continue
        if not any(fnmatch.fnmatchcase(origin, pattern) for pattern in rule["origins"]):
            continue
        allowed = [h.lower() for h in rule["headers"]]
        if all(any(fnmatch.fnmatchcase(h.lower(), a) for a in allowed) for h in headers):
            return rule
    return None


def cors_headers(rule: dict[str, Any], origin: str, *, preflight: bool, requested_headers: list[str]) -> dict[str, str]:
    """The `Access-Control-*` headers answering `origin` under `rule`."""
    headers = {
        "Access-Control-Allow-Origin": "*" if rule["origins"] == ["*"] else origin,
        "Access-Control-Allow-Methods": ", ".join(rule["methods"]),
        "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    }
    if rule["origins"] != ["*"]:
        headers["Access-Control-Allow-Credentials"] = "true"
    if rule["expose"]:
        headers["Access-Control-Expose-Headers"] = ", ".join(rule["expose"])
    if preflight:
        if requested_headers:
            headers["Access-Control-Allow-Headers"] = ", ".join(requested_headers)
        if rule["max_age"] is not None:
            headers["Access-Control-Max-Age"] = str(rule["max_age"])
    return headers
