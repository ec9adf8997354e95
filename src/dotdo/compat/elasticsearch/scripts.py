"""The small part of Painless that update scripts mostly use, run on a document's `_source`.

A script is statements separated by `;`, each one of:

    ctx._source.views += 1                    ctx._source.title = params.title
    ctx._source.tags.add(params.tag)          ctx._source.remove('draft')
    ctx._source.price *= 2                    ctx.op = 'delete'   (or 'noop')

with values that are literals (numbers, quoted strings, true, false, null), `params.NAME` or
`ctx._source.FIELD`. Anything else is refused with a `script_exception` naming the statement, rather
than guessed at.
"""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

from .errors import ElasticError

_PATH = r"ctx\._source(?:\.[A-Za-z_][A-Za-z0-9_]*|\[(?:'[^']*'|\"[^\"]*\")\])+"
_ASSIGN = re.compile(rf"({_PATH})\s*(=|\+=|-=|\*=|/=)\s*(.+)")
_ADD = re.compile(rf"({_PATH})\.add\((.+)\)")
_REMOVE = re.compile(r"ctx\._source\.remove\(\s*(?:'([^']*)'|\"([^\"]*)\")\s*\)")
_OP = re.compile(r"ctx\.op\s*=\s*(?:'([a-z]+)'|\"([a-z]+)\")")
_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(?:'([^']*)'|\"([^\"]*)\")\]")


def _failure(source: str, statement: str, reason: str) -> ElasticError:
    return ElasticError(
        400,
        "script_exception",
        "compile error",
        {
            "script_stack": [statement],
            "script": source,
            "lang": "painless",
            "caused_by": {"type": "illegal_argument_exception", "reason": reason},
        },
    )


def check(script: Any) -> tuple[str, dict[str, Any]]:
    """The script's source and params (`"ctx._source.n += 1"` or `{"source": ..., "params": {...}}`)."""
    if isinstance(script, str):
        return script, {}
    if not isinstance(script, dict) or not isinstance(script.get("source", script.get("inline")), str):
        raise ElasticError(400, "parsing_exception", "[script] must be a string or an object with a [source]")
    lang = script.get("lang", "painless")
    if lang != "painless":
        raise ElasticError(400, "illegal_argument_exception", f"script_lang not supported [{lang}]")
    params = script.get("params", {})
    if not isinstance(params, dict):
        raise ElasticError(400, "parsing_exception", "[params] of a script must be an object")
    source = script.get("source", script.get("inline"))
    assert isinstance(source, str)  # checked at the top
    for statement in _statements(source):
        _shape(source, statement)
    return source, params


def _statements(source: str) -> list[str]:
    return [s.strip() for s in re.split(r";(?=(?:[^'\"]|'[^']*'|\"[^\"]*\")*$)", source) if s.strip()]


def _shape(source: str, statement: str) -> None:
    if not (
        _ASSIGN.fullmatch(statement)
        or _ADD.fullmatch(statement)
        or _REMOVE.fullmatch(statement)
        or _OP.fullmatch(statement)
    ):
        raise _failure(source, statement, f"this server runs only simple update scripts; cannot run [{statement}]")


def run(source: str, params: dict[str, Any], document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The document after the script, and the operation it asks for (`index`, `noop` or `delete`)."""
    result = copy.deepcopy(document)
    op = "index"
    for statement in _statements(source):
        if match := _OP.fullmatch(statement):
            op = match.group(1) or match.group(2)
            if op not in ("index", "noop", "delete", "none"):
                raise _failure(source, statement, f"Operation type [{op}] not allowed, only [noop, index, delete]")
            op = "noop" if op == "none" else op
        elif match := _REMOVE.fullmatch(statement):
            result.pop(match.group(1) if match.group(1) is not None else match.group(2), None)
        elif match := _ADD.fullmatch(statement):
            parent, key = _locate(result, match.group(1), source, statement)
            target = parent.get(key)
            if not isinstance(target, list):
                raise _failure(source, statement, f"cannot add to [{key}]: it is not a list")
            target.append(_value(match.group(2).strip(), params, result, source, statement))
        elif match := _ASSIGN.fullmatch(statement):
            parent, key = _locate(result, match.group(1), source, statement)
            value = _value(match.group(3).strip(), params, result, source, statement)
            operator = match.group(2)
            if operator == "=":
                parent[key] = value
            else:
                current = parent.get(key)
                parent[key] = _arithmetic(current, operator[0], value, source, statement)
        else:
            raise _failure(source, statement, f"cannot run [{statement}]")
    return result, op


def _locate(document: dict[str, Any], path: str, source: str, statement: str) -> tuple[dict[str, Any], str]:
    parts = [m.group(1) or m.group(2) or m.group(3) or "" for m in _PART.finditer(path[len("ctx._source") :])]
    current = document
    for part in parts[:-1]:
        following = current.get(part)
        if following is None:
            following = current[part] = {}
        if not isinstance(following, dict):
            raise _failure(source, statement, f"[{part}] is not an object")
        current = following
    return current, parts[-1]


def _value(text: str, params: dict[str, Any], document: dict[str, Any], source: str, statement: str) -> Any:
    if text.startswith("params."):
        name = text[len("params.") :]
        if name not in params:
            raise ElasticError(
                400,
                "script_exception",
                "runtime error",
                {
                    "script_stack": [statement],
                    "script": source,
                    "lang": "painless",
                    "caused_by": {"type": "null_pointer_exception", "reason": f"params.{name} is not set"},
                },
            )
        return copy.deepcopy(params[name])
    if text.startswith("ctx._source"):
        parent, key = _locate(copy.deepcopy(document), text, source, statement)
        return parent.get(key)
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    try:
        value = json.loads(text)
    except ValueError:
        raise _failure(source, statement, f"cannot read the value [{text}]") from None
    if isinstance(value, dict | list):
        raise _failure(source, statement, f"cannot read the value [{text}]")
    return value


def _arithmetic(current: Any, operator: str, value: Any, source: str, statement: str) -> Any:
    if operator == "+" and isinstance(current, str):
        return current + str(value)
    numbers = (int, float)
    if not isinstance(current, numbers) or isinstance(current, bool) or not isinstance(value, numbers):
        raise ElasticError(
            400,
            "script_exception",
            "runtime error",
            {
                "script_stack": [statement],
                "script": source,
                "lang": "painless",
                "caused_by": {"type": "class_cast_exception", "reason": f"cannot apply [{operator}] to [{current}]"},
            },
        )
    if operator == "+":
        result = current + value
    elif operator == "-":
        result = current - value
    elif operator == "*":
        result = current * value
    else:
        if value == 0:
            raise ElasticError(
                400,
                "script_exception",
                "runtime error",
                {
                    "script_stack": [statement],
                    "script": source,
                    "lang": "painless",
                    "caused_by": {"type": "arithmetic_exception", "reason": "/ by zero"},
                },
            )
        result = current // value if isinstance(current, int) and isinstance(value, int) else current / value
    if isinstance(result, float) and not math.isfinite(result):
        raise _failure(source, statement, "the result is not a finite number")
    return result
