"""Index mappings: field types (explicit, or guessed from the first document that has the field) and typed values.

Mappings are kept in Elasticsearch's own shape (`{"properties": {"title": {"type": "text", ...}}}`);
`Mappings` gives the flat view the queries and aggregations read: every field by its full dotted
name, multi-fields included (`title.keyword` reads `title`'s value as a keyword). Dynamic mapping
follows Elasticsearch's defaults: a string is `text` with a `keyword` sub-field (or a `date` when it
reads as one), an integer `long`, a fraction `float`, an object `object` with its own properties.
"""

from __future__ import annotations

import copy
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import ElasticError

NUMERIC = frozenset(
    {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
)
INTEGRAL = frozenset({"long", "integer", "short", "byte", "unsigned_long"})
TYPES = NUMERIC | {"text", "keyword", "boolean", "date", "dense_vector", "object", "nested", "match_only_text"}
SIMILARITIES = {"cosine": "cosine", "dot_product": "dot", "l2_norm": "euclidean", "max_inner_product": "dot"}
"""Elasticsearch's vector similarities and the vector engine's metric for each."""
MAX_FIELDS = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{4}/\d{2}/\d{2}")
_DATE_MATH = re.compile(r"now(?:([+-])(\d+)([yMwdhHms]))?(?:/([yMwdhHms]))?")
_UNIT_SECONDS = {"y": 365 * 86400, "M": 30 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "H": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class Field:
    """One searchable field: its full name, its type, where its value is in the source, its mapping."""

    name: str
    type: str
    source: str
    mapping: dict[str, Any]


def parse_date(value: Any) -> int | None:
    """A date as milliseconds since the epoch (`2024-01-05`, `2024-01-05T10:00:00Z`, epoch millis, `now-1d`)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    math_match = _DATE_MATH.fullmatch(value)
    if math_match:
        seconds = time.time()
        sign, amount, unit, rounding = math_match.groups()
        if sign:
            seconds += (1 if sign == "+" else -1) * int(amount) * _UNIT_SECONDS[unit]
        if rounding:
            seconds -= seconds % _UNIT_SECONDS[rounding]
        return int(seconds * 1000)
    if not _DATE.fullmatch(value):
        return int(value) if value.isdigit() else None
    try:
        parsed = datetime.fromisoformat(value.replace("/", "-").replace(" ", "T"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def format_date(millis: int) -> str:
    """Milliseconds since the epoch as Elasticsearch writes a date key (`2024-01-05T00:00:00.000Z`)."""
    moment = datetime.fromtimestamp(millis / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _guess(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "long"}
    if isinstance(value, float):
        return {"type": "float"}
    if isinstance(value, str):
        if _DATE.fullmatch(value) and parse_date(value) is not None:
            return {"type": "date"}
        return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
    if isinstance(value, dict):
        return {"properties": {}}
    return None


def check_mapping(properties: Any, where: str = "") -> None:
    """`ElasticError` (mapper_parsing_exception) unless `properties` is a valid properties object."""
    if not isinstance(properties, dict):
        raise ElasticError(400, "mapper_parsing_exception", f"properties{where} must be an object")
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            raise ElasticError(400, "mapper_parsing_exception", f"Expected map for property [fields] on field [{name}]")
        kind = spec.get("type", "object" if "properties" in spec else None)
        if kind not in TYPES:
            raise ElasticError(
                400, "mapper_parsing_exception", f"No handler for type [{kind}] declared on field [{name}]"
            )
        if kind == "dense_vector":
            dims = spec.get("dims")
            if dims is not None and (isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= 4096):
                raise ElasticError(
                    400,
                    "mapper_parsing_exception",
                    f"The number of dimensions for field [{name}] should be in the range [1, 4096] but was [{dims}]",
                )
            if spec.get("similarity", "cosine") not in SIMILARITIES:
                raise ElasticError(
                    400, "mapper_parsing_exception", f"Unknown value [{spec.get('similarity')}] for field [similarity]"
                )
        if "properties" in spec:
            check_mapping(spec["properties"], f" of [{name}]")


def merge(current: dict[str, Any], changes: dict[str, Any], path: str = "") -> dict[str, Any]:
    """`current` properties with `changes` added; `illegal_argument_exception` if a field would change type."""
    merged = copy.deepcopy(current)
    for name, spec in changes.items():
        full = f"{path}{name}"
        old = merged.get(name)
        if old is None:
            merged[name] = copy.deepcopy(spec)
            continue
        old_type = old.get("type", "object")
        new_type = spec.get("type", "object")
        if old_type != new_type:
            raise ElasticError(
                400,
                "illegal_argument_exception",
                f"mapper [{full}] cannot be changed from type [{old_type}] to [{new_type}]",
            )
        if "properties" in spec:
            old["properties"] = merge(old.get("properties", {}), spec["properties"], full + ".")
        if "fields" in spec:
            old["fields"] = {**old.get("fields", {}), **spec["fields"]}
        if new_type == "dense_vector" and old.get("dims") is None and spec.get("dims") is not None:
            old["dims"] = spec["dims"]
    return merged


class Mappings:
    """The flat view of an index's mapping: `mappings.field("title.keyword")`."""

    def __init__(self, mapping: dict[str, Any]) -> None:
        self.mapping = mapping
        self.dynamic = str(mapping.get("dynamic", "true")).lower()
        self.fields: dict[str, Field] = {}
        self._flatten(mapping.get("properties", {}), "")

    def _flatten(self, properties: dict[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            full = prefix + name
            kind = spec.get("type", "object")
            self.fields[full] = Field(full, kind, full, spec)
            for sub, sub_spec in spec.get("fields", {}).items():
                self.fields[f"{full}.{sub}"] = Field(f"{full}.{sub}", sub_spec.get("type", "keyword"), full, sub_spec)
            if "properties" in spec:
                self._flatten(spec["properties"], full + ".")

    def field(self, name: str) -> Field | None:
        """The field called `name` (a multi-field's full name included), or None if it is not mapped."""
        found = self.fields.get(name)
        return found if found is not None and found.type not in ("object", "nested") else None

    def matching(self, pattern: str) -> list[Field]:
        """The searchable fields whose names match a `*` pattern (text and keyword ones for `*`)."""
        if "*" not in pattern:
            found = self.field(pattern)
            return [found] if found else []
        regex = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
        return [
            f
            for f in self.fields.values()
            if regex.fullmatch(f.name) and f.type in ("text", "match_only_text", "keyword") and f.source == f.name
        ]

    def text_sources(self) -> list[str]:
        """The source paths of every text field (what the full-text index holds)."""
        return sorted({f.source for f in self.fields.values() if f.type in ("text", "match_only_text")})

    def vectors(self) -> dict[str, Field]:
        """The dense_vector fields by name."""
        return {name: f for name, f in self.fields.items() if f.type == "dense_vector"}

    def learn(self, document: dict[str, Any], doc_id: str) -> dict[str, Any] | None:
        """The properties `document` adds (None when it adds none); checks its values against their types.

        `strict_dynamic_mapping_exception` for an unmapped field under `dynamic: strict`, and
        `document_parsing_exception` for a value its field's type cannot hold.
        """
        added: dict[str, Any] = {}
        self._learn(document, self.mapping.get("properties", {}), added, "", doc_id)
        return added or None

    def _learn(
        self, document: dict[str, Any], properties: dict[str, Any], added: dict[str, Any], prefix: str, doc_id: str
    ) -> None:
        for name, value in document.items():
            if name.startswith("_") and not prefix and name in ("_id", "_index", "_source", "_version", "_seq_no"):
                raise ElasticError(
                    400,
                    "document_parsing_exception",
                    f"[1:2] Field [{name}] is a metadata field and cannot be added inside a document. "
                    "Use the index API request parameters.",
                )
            full = prefix + name
            spec = properties.get(name)
            if spec is None:
                if self.dynamic == "strict":
                    raise ElasticError(
                        400,
                        "strict_dynamic_mapping_exception",
                        f"[1:2] mapping set to strict, dynamic introduction of [{name}] within [_doc] is not allowed",
                    )
                if self.dynamic == "false":
                    continue
                sample = next((v for v in _items(value) if v is not None), None)
                guessed = _guess(sample)
                if guessed is None:
                    continue
                if len(self.fields) + len(added) >= MAX_FIELDS:
                    raise ElasticError(
                        400,
                        "document_parsing_exception",
                        f"Limit of total fields [{MAX_FIELDS}] has been exceeded while adding new fields",
                    )
                added[name] = guessed
                spec = guessed
            kind = spec.get("type", "object")
            if kind in ("object", "nested"):
                inner: dict[str, Any] = {}
                for item in _items(value):
                    if isinstance(item, dict):
                        self._learn(item, spec.get("properties", {}), inner, full + ".", doc_id)
                    elif item is not None:
                        _refuse(full, kind, item, doc_id)
                if name in added:
                    added[name]["properties"].update(inner)
                elif inner:
                    added[name] = {"properties": inner}
                continue
            if kind == "dense_vector":
                check_vector_value(full, spec, value, doc_id)
                if spec.get("dims") is None:
                    # A vector field declared without `dims` takes them from its first vector, as in Elasticsearch.
                    added[name] = {**spec, "dims": len(value)}
                continue
            for item in _items(value):
                if item is not None and typed(kind, item) is None:
                    _refuse(full, kind, item, doc_id)


def _items(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _items(item)
    else:
        yield value


def _refuse(name: str, kind: str, value: Any, doc_id: str) -> None:
    preview = str(value)[:20]
    raise ElasticError(
        400,
        "document_parsing_exception",
        f"[1:2] failed to parse field [{name}] of type [{kind}] in document with id '{doc_id}'. "
        f"Preview of field's value: '{preview}'",
    )


def check_vector_value(name: str, spec: dict[str, Any], value: Any, doc_id: str) -> None:
    """`document_parsing_exception` unless `value` is a list of finite numbers of the field's dimension."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    ):
        _refuse(name, "dense_vector", value, doc_id)
    dims = spec.get("dims")
    if dims is not None and len(value) != dims:
        raise ElasticError(
            400,
            "document_parsing_exception",
            f"[1:2] The [dense_vector] field [{name}] in doc [document with id '{doc_id}'] has a different number "
            f"of dimensions [{len(value)}] than defined in the mapping [{dims}]",
        )


def typed(kind: str, value: Any) -> Any:
    """`value` as a field of type `kind` compares it (numbers as floats, dates as millis); None if it cannot be one."""
    if kind in NUMERIC:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value) if math.isfinite(value) else None
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return None
            return number if math.isfinite(number) else None
        return None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        return None
    if kind == "date":
        return parse_date(value)
    if kind in ("keyword",):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        return None
    if kind in ("text", "match_only_text"):
        return value if isinstance(value, str) else (str(value) if isinstance(value, int | float) else None)
    return value


def source_values(document: dict[str, Any], path: str) -> list[Any]:
    """The values at dotted `path` in `document`, arrays (of objects too) flattened, nulls dropped."""
    current: list[Any] = [document]
    for part in path.split("."):
        following: list[Any] = []
        for item in current:
            if isinstance(item, dict) and part in item:
                following.extend(_items(item[part]))
        current = following
    return [value for value in current if value is not None]


def field_values(document: dict[str, Any], field: Field) -> list[Any]:
    """The typed values of `field` in `document` (values its type cannot hold are left out)."""
    if field.type == "dense_vector":
        return []
    values = []
    for raw in source_values(document, field.source):
        value = typed(field.type, raw)
        if value is not None:
            if field.type == "keyword" and len(value) > field.mapping.get("ignore_above", 1 << 30):
                continue
            values.append(value)
    return values
