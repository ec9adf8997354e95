"""Checking a request against its operation, and a response against the schema the document promises.

A failed check is one `InvalidRequest` naming the parameter (in the bracket form the services use:
`items[0][price]`) and saying what is wrong in the words the services use ("Received unknown
parameter", "Missing required param", "Invalid integer").
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from .document import OpenAPIDocument


class InvalidRequest(ValueError):
    """A request the operation's schema refuses; `param` names the offending parameter."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def bracket_path(parts: list[Any]) -> str:
    """`["items", 0, "price"]` as `items[0][price]`."""
    if not parts:
        return ""
    return str(parts[0]) + "".join(f"[{part}]" for part in parts[1:])


def explain(error: ValidationError) -> InvalidRequest:
    """The service-style message for one schema error."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = set(schema.get("properties", {}))
        extra = sorted(key for key in error.instance if key not in known) if isinstance(error.instance, dict) else []
        name = bracket_path([*path, extra[0]]) if extra else bracket_path(path)
        return InvalidRequest(f"Received unknown parameter: {name}", name)
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else ""
        name = bracket_path([*path, missing])
        return InvalidRequest(f"Missing required param: {name}.", name)
    name = bracket_path(path)
    if error.validator == "type":
        wanted = error.validator_value
        return InvalidRequest(f"Invalid {_type_word(wanted)}: {_shown(error.instance)}", name or None)
    if error.validator == "enum":
        allowed = error.validator_value if isinstance(error.validator_value, list) else []
        choices = ", ".join(f"`{choice}`" for choice in allowed if choice != "")
        return InvalidRequest(
            f"Invalid {name or 'value'}: must be one of {choices}" if choices else f"Invalid {name}", name or None
        )
    if error.validator == "maxLength":
        return InvalidRequest(
            f"Invalid string: {_shown(error.instance)}; must be at most {error.validator_value} characters long",
            name or None,
        )
    return InvalidRequest(f"Invalid {name or 'request'}: {error.message}", name or None)


def _type_word(kind: Any) -> str:
    words = {"integer": "integer", "number": "number", "boolean": "boolean", "object": "object", "array": "array"}
    if isinstance(kind, list):
        kind = kind[0]
    return words.get(str(kind), "string")


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def check(document: OpenAPIDocument, schema_pointer: str, value: Any) -> None:
    """Raise the `InvalidRequest` that best explains why `value` does not fit the schema, if it does not."""
    validator = document.validator(schema_pointer)
    error = best_match(validator.iter_errors(value), key=_relevance)
    if error is not None:
        raise explain(_deepest(error))


def _relevance(error: ValidationError) -> tuple[int, int]:
    # best_match keeps the largest key: unknown and missing parameters first (what the services
    # report first), then the error nearest the top of the body.
    preferred = error.validator in ("additionalProperties", "required")
    return (1 if preferred else 0, -len(error.absolute_path))


def _deepest(error: ValidationError) -> ValidationError:
    while error.context:
        candidate = best_match(error.context, key=_relevance)
        if candidate is None or (candidate.validator == "enum" and candidate.validator_value == [""]):
            break
        error = candidate
    return error


def response_errors(document: OpenAPIDocument, schema_pointer: str, body: Any) -> list[str]:
    """Every way `body` departs from the response schema (empty when it validates): for tests and checks."""
    validator = document.validator(schema_pointer)
    return [
        f"{bracket_path(list(e.absolute_path)) or '<body>'}: {e.message[:300]}" for e in validator.iter_errors(body)
    ]
