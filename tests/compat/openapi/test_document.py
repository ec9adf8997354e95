"""An OpenAPI document: its operations, path matching, `$ref`s and validators."""

from __future__ import annotations

import pytest

from dotdo.compat.openapi import InvalidRequest, OpenAPIDocument, response_errors
from dotdo.compat.openapi.validation import check

DOCUMENT = {
    "openapi": "3.0.0",
    "info": {"title": "Pets", "version": "1"},
    "paths": {
        "/pets/{pet_id}": {
            "parameters": [{"$ref": "#/components/parameters/PetId"}],
            "get": {
                "operationId": "GetPet",
                "responses": {"200": {"$ref": "#/components/responses/Pet"}},
            },
            "post": {
                "operationId": "UpdatePet",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"name": {"type": "string", "maxLength": 5}, "age": {"type": "integer"}},
                                "required": ["name"],
                            }
                        }
                    }
                },
                "responses": {"200": {"$ref": "#/components/responses/Pet"}},
            },
        },
        "/pets/search": {"get": {"operationId": "SearchPets", "responses": {}}},
    },
    "components": {
        "parameters": {"PetId": {"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}}},
        "responses": {
            "Pet": {
                "description": "",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/pet"}}},
            }
        },
        "schemas": {
            "pet": {
                "type": "object",
                "required": ["id", "owner"],
                "properties": {
                    "id": {"type": "string"},
                    "owner": {"type": "string", "nullable": True, "enum": ["ann", "bob"]},
                },
            }
        },
    },
}


def test_operations_carry_parameters_bodies_and_responses_through_refs() -> None:
    document = OpenAPIDocument(DOCUMENT)
    get = document.operation("GetPet")
    assert (get.method, get.path, [p.name for p in get.parameters]) == ("GET", "/pets/{pet_id}", ["pet_id"])
    match = get.pattern.fullmatch("/pets/p1")
    assert match is not None and get.path_parameters(match) == {"pet_id": "p1"}
    assert get.pattern.fullmatch("/pets/a/b") is None
    assert response_errors(document, get.response_pointers["200"], {"id": "p1", "owner": None}) == []
    assert response_errors(document, get.response_pointers["200"], {"id": "p1", "owner": "eve"}) != []


def test_request_bodies_are_checked_in_the_services_words() -> None:
    document = OpenAPIDocument(DOCUMENT)
    pointer = document.operation("UpdatePet").body_pointers["application/json"]
    check(document, pointer, {"name": "Rex", "age": 3})
    cases = [
        ({"name": "Rex", "colour": "red"}, "Received unknown parameter: colour"),
        ({}, "Missing required param: name."),
        ({"name": "Rex", "age": "old"}, "Invalid integer: old"),
        ({"name": "Rexford"}, "must be at most 5 characters long"),
    ]
    for body, message in cases:
        with pytest.raises(InvalidRequest) as refused:
            check(document, pointer, body)
        assert message in refused.value.message


def test_only_openapi_3_documents_are_read() -> None:
    with pytest.raises(ValueError, match="OpenAPI 3"):
        OpenAPIDocument({"swagger": "2.0", "paths": {}})


def test_a_multi_segment_path_parameter_spans_slashes_and_others_do_not() -> None:
    document = OpenAPIDocument(
        {
            "openapi": "3.0.3",
            "info": {"title": "Files", "version": "1"},
            "paths": {
                "/repos/{repo}/contents/{path}": {
                    "get": {
                        "operationId": "GetContent",
                        "parameters": [
                            {"name": "repo", "in": "path", "required": True, "schema": {"type": "string"}},
                            {
                                "name": "path",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "string"},
                                "x-multi-segment": True,
                            },
                        ],
                        "responses": {},
                    }
                }
            },
        }
    )
    operation = document.operation("GetContent")
    match = operation.pattern.fullmatch("/repos/hello/contents/docs/guide/a.md")
    assert match is not None and operation.path_parameters(match) == {"repo": "hello", "path": "docs/guide/a.md"}
    root = operation.pattern.fullmatch("/repos/hello/contents/")
    assert root is not None and operation.path_parameters(root)["path"] == ""
    assert operation.pattern.fullmatch("/repos/a/b/contents/x") is None
