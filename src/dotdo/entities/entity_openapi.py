"""The OpenAPI 3.1 document of an Entity's REST routes, and a self-contained HTML page describing it."""

from __future__ import annotations

import copy
import html
import json
from typing import Any

from .entity import Entity

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    "required": ["error", "message"],
}


def _schemas(cls: type[Entity]) -> dict[str, Any]:
    name = cls.__name__
    fields = cls.model().model_json_schema(ref_template="#/components/schemas/{model}")
    defs = fields.pop("$defs", {})
    id_property = {"type": "string", "description": f"The {name}'s id (the name of its object)"}
    entity = copy.deepcopy(fields)
    entity["title"] = name
    entity["properties"] = {"id": {**id_property, "readOnly": True}, **entity.get("properties", {})}
    entity["required"] = ["id", *fields.get("required", [])]
    create = copy.deepcopy(fields)
    create["title"] = f"{name}Create"
    create["properties"] = {
        "id": {**id_property, "description": "Optional; generated if absent"},
        **create.get("properties", {}),
    }
    patch = copy.deepcopy(fields)
    patch["title"] = f"{name}Patch"
    patch.pop("required", None)
    page = {
        "type": "object",
        "title": f"{name}Page",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "cursor": {"type": ["string", "null"], "description": "Pass as ?cursor= for the next page"},
        },
        "required": ["items", "cursor"],
    }
    validation = {
        "type": "object",
        "properties": {**_ERROR["properties"], "detail": {"type": "array", "items": {"type": "object"}}},
        "required": ["error", "message", "detail"],
    }
    return {
        **defs,
        name: entity,
        f"{name}Create": create,
        f"{name}Fields": fields,
        f"{name}Patch": patch,
        f"{name}Page": page,
        "Error": _ERROR,
        "ValidationError": validation,
    }


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _response(description: str, ref: str | None = None) -> dict[str, Any]:
    return {"description": description, **(_json(ref) if ref else {})}


def openapi_document(cls: type[Entity]) -> dict[str, Any]:
    """The OpenAPI 3.1 description of `/{collection}` and `/{collection}/{id}` for `cls`."""
    name = cls.__name__
    collection = cls.collection_name()
    errors = {
        "400": _response("Bad request (malformed JSON, bad id, filter or cursor)", "Error"),
        "413": _response("The request body is over the app's limit", "Error"),
        "422": _response("The fields do not validate (pydantic's error list in `detail`)", "ValidationError"),
    }
    id_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    list_parameters = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
        {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "From the previous page"},
        {
            "name": "order_by",
            "in": "query",
            "schema": {"type": "string"},
            "description": "Comma-separated fields, '-' for descending: `-age,id`",
        },
        {
            "name": "where",
            "in": "query",
            "schema": {"type": "string"},
            "description": 'JSON filter: `{"age": {"gte": 18}}` (eq, ne, lt, lte, gt, gte, in, contains, prefix)',
        },
        {
            "name": "{field}[__op]",
            "in": "query",
            "schema": {"type": "string"},
            "description": "Shorthand filters: `?plan=pro`, `?age__gte=18`, `?plan__in=pro,team`",
        },
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{name} API", "version": "1.0.0", "description": (cls.__doc__ or "").strip()},
        "paths": {
            f"/{collection}": {
                "get": {
                    "summary": f"List {name} entities (paged, filtered)",
                    "operationId": f"list_{collection}",
                    "parameters": list_parameters,
                    "responses": {"200": _response(f"A page of {name} entities", f"{name}Page"), "400": errors["400"]},
                },
                "post": {
                    "summary": f"Create a {name}",
                    "operationId": f"create_{collection}",
                    "requestBody": {"required": True, **_json(f"{name}Create")},
                    "responses": {
                        "201": _response(f"The created {name}", name),
                        "409": _response("An entity with that id exists", "Error"),
                        **errors,
                    },
                },
            },
            f"/{collection}/{{id}}": {
                "parameters": [id_parameter],
                "get": {
                    "summary": f"Read a {name}",
                    "operationId": f"get_{collection}",
                    "responses": {"200": _response(f"The {name}", name), "404": _response("No such entity", "Error")},
                },
                "put": {
                    "summary": f"Replace a {name}",
                    "operationId": f"replace_{collection}",
                    "requestBody": {"required": True, **_json(f"{name}Fields")},
                    "responses": {
                        "200": _response(f"The replaced {name}", name),
                        "404": _response("No such entity", "Error"),
                        **errors,
                    },
                },
                "patch": {
                    "summary": f"Change some fields of a {name}",
                    "operationId": f"update_{collection}",
                    "requestBody": {"required": True, **_json(f"{name}Patch")},
                    "responses": {
                        "200": _response(f"The updated {name}", name),
                        "404": _response("No such entity", "Error"),
                        **errors,
                    },
                },
                "delete": {
                    "summary": f"Delete a {name}",
                    "operationId": f"delete_{collection}",
                    "responses": {"204": _response("Deleted"), "404": _response("No such entity", "Error")},
                },
            },
        },
        "components": {"schemas": _schemas(cls)},
    }


def _type_text(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_text(option) for option in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type_text(schema.get('items', {}))}"
    return " | ".join(kind) if isinstance(kind, list) else str(kind)


def docs_page(document: dict[str, Any]) -> str:
    """A self-contained HTML page (no scripts, no outside requests) describing `document`."""
    e = html.escape
    title = document["info"]["title"]
    rows = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = ", ".join(operation["responses"])
            rows.append(
                f"<tr><td><code>{e(method.upper())}</code></td><td><code>{e(path)}</code></td>"
                f"<td>{e(operation['summary'])}</td><td>{e(codes)}</td></tr>"
            )
    schemas = document["components"]["schemas"]
    entity_name = title.removesuffix(" API")
    entity = schemas.get(entity_name, {})
    required = set(entity.get("required", []))
    fields = [
        f"<tr><td><code>{e(name)}</code></td><td>{e(_type_text(schema))}</td>"
        f"<td>{'yes' if name in required else 'no'}</td>"
        f"<td>{e(json.dumps(schema['default'])) if 'default' in schema else ''}</td></tr>"
        for name, schema in entity.get("properties", {}).items()
    ]
    description = document["info"].get("description") or ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}}
table{{border-collapse:collapse;width:100%;margin:1rem 0}}
td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}
code{{background:#f4f4f4;padding:0 .2rem}}</style></head>
<body><h1>{e(title)}</h1><p>{e(description)}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI {e(document["openapi"])}).</p>
<h2>Endpoints</h2><table><tr><th>Method</th><th>Path</th><th>What it does</th><th>Responses</th></tr>
{"".join(rows)}</table>
<h2>Fields of {e(entity_name)}</h2><table><tr><th>Field</th><th>Type</th><th>Required</th><th>Default</th></tr>
{"".join(fields)}</table>
<p>Filters on the list: <code>?where={{"age": {{"gte": 18}}}}</code> or <code>?age__gte=18</code>;
operators: eq, ne, lt, lte, gt, gte, in, contains, prefix. Paging: <code>?limit=</code> and
<code>?cursor=</code> from the previous page.</p></body></html>
"""
