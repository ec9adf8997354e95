"""Weaviate class definitions: what `POST /v1/schema` accepts, and the full definition `GET /v1/schema` returns.

A class keeps what its creator sent and gains Weaviate's defaults for the rest, so the client's
`collection.config.get()` reads it back like a real server's. One vector per object is served: the
legacy unnamed vector (`vectorizer: "none"`) or a single named vector (`vectorConfig`) whose vectorizer
is `none`; the distance comes from its `vectorIndexConfig`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .errors import WeaviateError

CLASS_NAME = re.compile(r"[A-Z][_0-9A-Za-z]{0,254}")
PROPERTY_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,230}")
DISTANCES = {"cosine": "cosine", "dot": "dot", "l2-squared": "euclidean"}
"""Weaviate's distances and the vector core's metric each is computed from."""
PRIMITIVE_TYPES = frozenset(
    {"text", "text[]", "int", "int[]", "number", "number[]", "boolean", "boolean[]", "date", "date[]", "uuid", "uuid[]"}
)

_HNSW_DEFAULTS: dict[str, Any] = {
    "skip": False,
    "cleanupIntervalSeconds": 300,
    "maxConnections": 32,
    "efConstruction": 128,
    "ef": -1,
    "dynamicEfMin": 100,
    "dynamicEfMax": 500,
    "dynamicEfFactor": 8,
    "vectorCacheMaxObjects": 1000000000000,
    "flatSearchCutoff": 40000,
    "distance": "cosine",
    "pq": {"enabled": False},
    "bq": {"enabled": False},
    "sq": {"enabled": False},
    "filterStrategy": "sweeping",
    "multivector": {"enabled": False, "aggregation": "maxSim"},
}
_CLASS_DEFAULTS: dict[str, Any] = {
    "invertedIndexConfig": {
        "bm25": {"b": 0.75, "k1": 1.2},
        "cleanupIntervalSeconds": 60,
        "stopwords": {"preset": "en", "additions": None, "removals": None},
        "indexNullState": False,
        "indexPropertyLength": False,
        "indexTimestamps": False,
    },
    "multiTenancyConfig": {"enabled": False, "autoTenantCreation": False, "autoTenantActivation": False},
    "replicationConfig": {"factor": 1, "asyncEnabled": False, "deletionStrategy": "NoAutomatedResolution"},
    "shardingConfig": {
        "virtualPerPhysical": 128,
        "desiredCount": 1,
        "actualCount": 1,
        "desiredVirtualCount": 128,
        "actualVirtualCount": 128,
        "key": "_id",
        "strategy": "hash",
        "function": "murmur3",
    },
}


def _invalid(message: str) -> WeaviateError:
    return WeaviateError(422, message)


def _index_config(given: Any, index_type: Any) -> dict[str, Any]:
    if index_type not in (None, "hnsw", "flat"):
        raise _invalid(f"vector index type {index_type!r} is not supported by this server; use hnsw or flat")
    if given is not None and not isinstance(given, dict):
        raise _invalid("vectorIndexConfig must be an object")
    config = {**copy.deepcopy(_HNSW_DEFAULTS), **(given or {})}
    if config["distance"] not in DISTANCES:
        raise _invalid(
            f"distance {config['distance']!r} is not supported by this server; use one of {', '.join(DISTANCES)}"
        )
    if (config.get("multivector") or {}).get("enabled"):
        raise _invalid("multi-vectors are not supported by this server")
    return config


def _properties(given: Any) -> list[dict[str, Any]]:
    if given is None:
        return []
    if not isinstance(given, list):
        raise _invalid("properties must be an array")
    seen: set[str] = set()
    properties = []
    for prop in given:
        if not isinstance(prop, dict) or not isinstance(prop.get("name"), str):
            raise _invalid("each property needs a name")
        name = prop["name"]
        if not PROPERTY_NAME.fullmatch(name):
            raise _invalid(
                f"'{name}' is not a valid property name. Property names in Weaviate are restricted to "
                "valid GraphQL names, which must be “/[_A-Za-z][_0-9A-Za-z]{0,230}/”."
            )
        if name in ("_id", "id", "_additional"):
            raise _invalid(f"'{name}' is a reserved property name")
        if name.lower() in seen:
            raise _invalid(f"property '{name}' already exists")
        seen.add(name.lower())
        data_type = prop.get("dataType")
        if not isinstance(data_type, list) or len(data_type) != 1 or not isinstance(data_type[0], str):
            raise _invalid(f"property '{name}': dataType must be an array of one type")
        if data_type[0] not in PRIMITIVE_TYPES:
            raise _invalid(
                f"property '{name}': data type {data_type[0]!r} is not supported by this server "
                f"(supported: {', '.join(sorted(PRIMITIVE_TYPES))}; no references, objects or geo)"
            )
        text = data_type[0].startswith("text")
        properties.append(
            {
                "name": name,
                "dataType": data_type,
                "description": prop.get("description"),
                "indexFilterable": prop.get("indexFilterable", True),
                "indexSearchable": prop.get("indexSearchable", text),
                "indexRangeFilters": prop.get("indexRangeFilters", False),
                "tokenization": prop.get("tokenization", "word" if text else None),
            }
        )
    return properties


def normalize(body: Any) -> dict[str, Any]:
    """The full definition of the class `body` describes; `WeaviateError` (422) naming what is wrong."""
    if not isinstance(body, dict):
        raise _invalid("the class definition must be a JSON object")
    name = body.get("class")
    if not isinstance(name, str) or not name:
        raise _invalid("a class needs a name in `class`")
    name = name[0].upper() + name[1:]
    if not CLASS_NAME.fullmatch(name):
        raise _invalid(f"'{name}' is not a valid class name")
    if (body.get("multiTenancyConfig") or {}).get("enabled"):
        raise _invalid("multi-tenancy within a class is not supported by this server; use one API key per tenant")
    definition: dict[str, Any] = copy.deepcopy(_CLASS_DEFAULTS)
    for key in ("invertedIndexConfig", "replicationConfig"):
        if isinstance(body.get(key), dict):
            definition[key] = {**definition[key], **body[key]}
    definition["class"] = name
    definition["description"] = body.get("description")
    definition["properties"] = _properties(body.get("properties"))
    definition["moduleConfig"] = body.get("moduleConfig") or {}
    vector_config = body.get("vectorConfig")
    if vector_config:
        if not isinstance(vector_config, dict) or len(vector_config) != 1:
            raise _invalid("this server serves one vector per object: give one named vector in vectorConfig")
        [(vector_name, named)] = vector_config.items()
        if not isinstance(named, dict):
            raise _invalid(f"named vector {vector_name!r} must be an object")
        vectorizer = named.get("vectorizer") or {"none": {}}
        if not isinstance(vectorizer, dict) or list(vectorizer) != ["none"]:
            raise _invalid(
                f"vectorizer {next(iter(vectorizer), vectorizer)!r} is not available: this server runs no "
                "vectorizer modules; bring your own vectors (vectorizer none, `Configure.Vectors.self_provided()`)"
            )
        definition["vectorConfig"] = {
            vector_name: {
                "vectorizer": {"none": {}},
                "vectorIndexType": named.get("vectorIndexType") or "hnsw",
                "vectorIndexConfig": _index_config(named.get("vectorIndexConfig"), named.get("vectorIndexType")),
            }
        }
    else:
        vectorizer = body.get("vectorizer") or "none"
        if vectorizer != "none":
            raise _invalid(
                f"vectorizer {vectorizer!r} is not available: this server runs no vectorizer modules; "
                "bring your own vectors (vectorizer none)"
            )
        definition["vectorizer"] = "none"
        definition["vectorIndexType"] = body.get("vectorIndexType") or "hnsw"
        definition["vectorIndexConfig"] = _index_config(body.get("vectorIndexConfig"), body.get("vectorIndexType"))
    return definition


def vector_name(definition: dict[str, Any]) -> str:
    """The name of the class's vector ("default" for the legacy unnamed one)."""
    return next(iter(definition.get("vectorConfig") or {"default": None}))


def metric(definition: dict[str, Any]) -> str:
    """The vector core's metric for the class's distance."""
    named = definition.get("vectorConfig")
    config = next(iter(named.values()))["vectorIndexConfig"] if named else definition["vectorIndexConfig"]
    return DISTANCES[config["distance"]]


def distance(definition: dict[str, Any]) -> str:
    """The class's Weaviate distance name (cosine, dot, l2-squared)."""
    named = definition.get("vectorConfig")
    config = next(iter(named.values()))["vectorIndexConfig"] if named else definition["vectorIndexConfig"]
    return str(config["distance"])


def property_types(definition: dict[str, Any]) -> dict[str, str]:
    """Each property's data type (`text`, `int[]`, ...)."""
    return {prop["name"]: prop["dataType"][0] for prop in definition["properties"]}


def add_property(definition: dict[str, Any], prop: Any) -> dict[str, Any]:
    """The definition with `prop` added; `WeaviateError` if it is invalid or already there."""
    [added] = _properties([prop])
    if added["name"].lower() in {p["name"].lower() for p in definition["properties"]}:
        raise _invalid(f"property '{added['name']}' already exists")
    return {**definition, "properties": [*definition["properties"], added]}
