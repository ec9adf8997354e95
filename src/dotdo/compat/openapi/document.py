"""`OpenAPIDocument`: one published OpenAPI 3 document, its operations and its schemas' validators.

The document is read once; each operation becomes an `Operation` (method, path template, parameters,
request body schema, response schemas), and every schema is validated by pointing into the document
itself, so the publisher's `$ref`s resolve exactly as written.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

DOCUMENT_URI = "urn:dotdo:openapi"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_TEMPLATE_PART = re.compile(r"\{([^}/]+)\}")


def pointer(*parts: str) -> str:
    """A JSON pointer (RFC 6901) to the value at `parts` of the document."""
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter of an operation."""

    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    schema_pointer: str
    multi_segment: bool = False
    """A path parameter that may span several segments (GitHub's `x-multi-segment`: a file path, a ref)."""


@dataclass(frozen=True)
class Operation:
    """One operation of the document: what a request to `method path` must carry and what it answers."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body_types: tuple[str, ...]
    body_required: bool
    body_pointers: dict[str, str]
    """Pointer to the body schema, per media type."""
    response_pointers: dict[str, str]
    """Pointer to the JSON response schema, per status ("200", "default"…)."""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The regular expression matching this operation's concrete paths."""
        spanning = {p.name for p in self.parameters if p.location == "path" and p.multi_segment}
        regex = ""
        last = 0
        for match in _TEMPLATE_PART.finditer(self.path):
            segment = ".*" if match.group(1) in spanning else "[^/]+"
            regex += re.escape(self.path[last : match.start()]) + f"(?P<{_group(match.group(1))}>{segment})"
            last = match.end()
        return re.compile(regex + re.escape(self.path[last:]))

    @property
    def path_parameter_names(self) -> list[str]:
        """The names in the path template, in order."""
        return _TEMPLATE_PART.findall(self.path)

    def path_parameters(self, match: re.Match[str]) -> dict[str, str]:
        """The path parameters of a matched path, by their names in the document."""
        return {name: match.group(_group(name)) for name in self.path_parameter_names}


def _json_schema(value: Any) -> Any:
    """A copy of an OpenAPI 3.0 document whose schemas are plain JSON Schema.

    OpenAPI 3.0's `nullable: true` is not JSON Schema: it allows null next to whatever else the
    schema says (its `anyOf`, its `enum`), which a JSON Schema validator only understands as an
    explicit alternative.
    """
    if isinstance(value, list):
        return [_json_schema(item) for item in value]
    if not isinstance(value, dict):
        return value
    converted = {key: _json_schema(item) for key, item in value.items()}
    if converted.get("nullable") is True:
        del converted["nullable"]
        return {"anyOf": [converted, {"enum": [None]}]}
    return converted


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)


class OpenAPIDocument:
    """A published OpenAPI 3 document, with validators for any schema in it."""

    def __init__(self, document: dict[str, Any]) -> None:
        if not str(document.get("openapi", "")).startswith("3."):
            raise ValueError("not an OpenAPI 3 document (its 'openapi' field must start with '3.')")
        self.document = document
        # OpenAPI 3.1's schemas are JSON Schema 2020-12; 3.0's are a dialect of draft 4.
        self._modern = str(document["openapi"]).startswith("3.1")
        contents = document if self._modern else _json_schema(document)
        resource = Resource.from_contents(contents, default_specification=DRAFT202012 if self._modern else DRAFT4)
        self._registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self._validators: dict[str, Validator] = {}

    @classmethod
    def load(cls, path: str | Path) -> OpenAPIDocument:
        """Read a document from a `.json` or `.json.gz` file."""
        data = Path(path).read_bytes()
        if str(path).endswith(".gz"):
            data = gzip.decompress(data)
        return cls(json.loads(data))

    @property
    def base_path(self) -> str:
        """The path of the first server's URL (`/v3` for `https://api.sendgrid.com/v3`): the prefix of every route."""
        servers = self.document.get("servers") or [{}]
        return urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")

    @property
    def title(self) -> str:
        """The document's `info.title`."""
        return str(self.document.get("info", {}).get("title", ""))

    def at(self, json_pointer: str) -> Any:
        """The value at a JSON pointer of the document."""
        value: Any = self.document
        for part in json_pointer.lstrip("/").split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            value = value[int(key)] if isinstance(value, list) else value[key]
        return value

    def resolve(self, value: Any) -> Any:
        """`value`, with a top-level `$ref` into this document followed (repeatedly)."""
        while isinstance(value, dict) and "$ref" in value:
            value = self.at(value["$ref"].removeprefix("#"))
        return value

    def schema(self, name: str) -> dict[str, Any]:
        """The component schema called `name`."""
        return self.document["components"]["schemas"][name]

    def validator(self, json_pointer: str) -> Validator:
        """A validator for the schema at `json_pointer` (cached: building one compiles nothing, but is not free)."""
        validator = self._validators.get(json_pointer)
        if validator is None:
            kind = Draft202012Validator if self._modern else Draft4Validator
            validator = kind({"$ref": f"{DOCUMENT_URI}#{json_pointer}"}, registry=self._registry)
            self._validators[json_pointer] = validator
        return validator

    @cached_property
    def operations(self) -> list[Operation]:
        """Every operation of the document, in the document's order."""
        found = []
        for path, item in self.document.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method in item:
                    found.append(self._operation(path, method, item[method], shared))
        return found

    def _operation(self, path: str, method: str, spec: dict[str, Any], shared: list[Any]) -> Operation:
        base = ("paths", path, method)
        parameters: dict[tuple[str, str], Parameter] = {}
        sources = ((("paths", path, "parameters"), shared), ((*base, "parameters"), spec.get("parameters", [])))
        for origin, entries in sources:
            for index, entry in enumerate(entries):
                where, entry = self._follow((*origin, str(index)), entry)
                parameters[(entry["name"], entry["in"])] = Parameter(
                    name=entry["name"],
                    location=entry["in"],
                    required=bool(entry.get("required", entry["in"] == "path")),
                    schema=self.resolve(entry.get("schema", {})),
                    schema_pointer=pointer(*where, "schema"),
                    multi_segment=bool(entry.get("x-multi-segment", False)),
                )
        body_base, body = self._follow((*base, "requestBody"), spec.get("requestBody", {}))
        content = body.get("content", {})
        responses = {}
        for status, response in spec.get("responses", {}).items():
            where, response = self._follow((*base, "responses", str(status)), response)
            if "application/json" in response.get("content", {}):
                responses[str(status)] = pointer(*where, "content", "application/json", "schema")
        return Operation(
            operation_id=spec.get("operationId") or f"{method.upper()} {path}",
            method=method.upper(),
            path=path,
            parameters=tuple(parameters.values()),
            body_types=tuple(content),
            body_required=bool(body.get("required", False)),
            body_pointers={kind: pointer(*body_base, "content", kind, "schema") for kind in content},
            response_pointers=responses,
        )

    def _follow(self, where: tuple[str, ...], value: Any) -> tuple[tuple[str, ...], Any]:
        """Where `value` (found at `where`) really lives, and what it is, once its `$ref`s are followed."""
        while isinstance(value, dict) and "$ref" in value:
            target = value["$ref"].removeprefix("#")
            where = tuple(part.replace("~1", "/").replace("~0", "~") for part in target.lstrip("/").split("/"))
            value = self.at(target)
        return where, value

    def operation(self, operation_id: str) -> Operation:
        """The operation with this `operationId`; KeyError naming it otherwise."""
        for candidate in self.operations:
            if candidate.operation_id == operation_id:
                return candidate
        raise KeyError(f"the document has no operation {operation_id!r}")
