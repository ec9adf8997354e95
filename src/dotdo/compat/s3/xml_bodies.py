"""The XML S3 speaks: documents built for answers, and request bodies parsed with hostile input in mind.

Request bodies are small (a part list, a key list, a configuration) and bounded by the caller; a
document type declaration is refused outright (S3 never needs one, and entity expansion is how an
XML body exhausts a server), and any parse error is S3's `MalformedXML`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from .errors import S3Error

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
MAX_XML_BODY = 1024 * 1024


def iso_time(seconds: float) -> str:
    """A timestamp as S3 writes it in XML: `2026-12-07T15:25:30.000Z`."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def http_time(seconds: float) -> str:
    """A timestamp as S3 writes it in headers: `Mon, 07 Dec 2026 15:25:30 GMT`."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def document(root: str, children: list[Any]) -> bytes:
    """`<root xmlns=...>children</root>` from nested `(tag, value-or-children)` pairs."""
    element = ET.Element(root, xmlns=NAMESPACE)
    _fill(element, children)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="utf-8")


def _fill(parent: ET.Element, children: list[Any]) -> None:
    for tag, value in children:
        if value is None:
            continue
        child = ET.SubElement(parent, tag)
        if isinstance(value, list):
            _fill(child, value)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        else:
            child.text = str(value)


def parse(body: bytes) -> ET.Element:
    """A request body's root element, namespaces stripped; `MalformedXML` for anything else."""
    if len(body) > MAX_XML_BODY:
        raise S3Error("MalformedXML", "the XML body is too large")
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise S3Error("MalformedXML", "XML document type declarations are not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise S3Error("MalformedXML") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def text(element: ET.Element, tag: str, default: str | None = None) -> str | None:
    """The text of the child `tag`, or `default`."""
    child = element.find(tag)
    if child is None or child.text is None:
        return default
    return child.text
