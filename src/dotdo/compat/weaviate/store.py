"""`WeaviateStore`: the classes and objects of every tenant, shared by the REST routes and the gRPC services.

Each tenant (the tenant of the API key) has a `VectorCatalog` (`weaviate/<tenant>`) whose entries hold
the class definitions; each class's objects are a `VectorCollection` (`weaviate/<tenant>/<uid>`),
created at the first write because a Weaviate class learns its vector length from its first vector.
An object is a point whose id is its UUID and whose payload is its properties; its creation and update
times ride in the point's document field, which this layer does not otherwise use.
"""

from __future__ import annotations

import hmac
import json
import math
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..vector import Point, VectorCatalog, VectorCollection, VectorError
from . import schema
from .errors import WeaviateError, not_found

if TYPE_CHECKING:
    from ...runtime.stub import Stub
    from ..layer import CompatContext
    from ..search.filters import Filter

ACCESS_KEY_LENGTH = 20
ID_PROPERTY = "_id"
FLOAT32_MAX = 3.4e38
RESERVED_PROPERTIES = frozenset({"_id", "id", "_additional"})
MAX_BATCH = 10_000
_INFERRED_TYPES = {bool: "boolean", str: "text", int: "number", float: "number"}


@dataclass
class NewObject:
    """An object to write: its class, UUID (None: a new one), properties, vector and the vector's name if given."""

    class_name: str
    id: str | None
    properties: dict[str, Any]
    vector: list[float] | None
    vector_name: str | None = None


def canonical_uuid(value: Any) -> str:
    """`value` as a lowercase hyphenated UUID; `WeaviateError` (422) if it is not one."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise WeaviateError(422, f"id in body must be of type uuid: {value!r}") from None


def distance_of(metric: str, score: float) -> float:
    """Weaviate's distance for the vector core's score: 1 - cosine, the negated dot, the squared euclidean."""
    if metric == "cosine":
        return 1.0 - score
    if metric == "dot":
        return -score
    return score * score


class WeaviateStore:
    """Classes and objects per tenant on the runtime of `context`."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context

    # -- keys ---------------------------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> str:
        """The tenant of a `Bearer <access key id><secret>` header; `WeaviateError` (401) otherwise."""
        token = (authorization or "").removeprefix("Bearer ").strip()
        access = self.context.credentials.lookup(token[:ACCESS_KEY_LENGTH]) if len(token) > ACCESS_KEY_LENGTH else None
        if (
            access is None
            or access.secret is None
            or not hmac.compare_digest(access.secret, token[ACCESS_KEY_LENGTH:])
            or not access.allows("weaviate")
        ):
            raise WeaviateError(401, "anonymous access not enabled, please provide an auth scheme such as OIDC")
        return access.tenant

    # -- classes ------------------------------------------------------------------------------------

    def _catalog(self, tenant: str) -> Stub:
        return self.context.runtime.get(VectorCatalog, f"weaviate/{tenant}")

    async def _entry(self, tenant: str, name: str) -> dict[str, Any] | None:
        # Weaviate capitalizes the first letter of a class name wherever one is given.
        name = name[:1].upper() + name[1:]
        entry = await self._catalog(tenant).find(name)
        return entry if entry is not None and entry["name"] == name else None

    async def create_class(self, tenant: str, body: Any) -> dict[str, Any]:
        """Create a class from its definition; its full definition."""
        definition = schema.normalize(body)
        if await self._entry(tenant, definition["class"]) is not None:
            raise WeaviateError(422, f"class name {definition['class']!r} already exists")
        await self._catalog(tenant).add(definition["class"], definition)
        return definition

    async def definition(self, tenant: str, name: str) -> dict[str, Any]:
        """The full definition of class `name`; 404 if there is none."""
        entry = await self._entry(tenant, name)
        if entry is None:
            raise not_found(name)
        return dict(entry["metadata"])

    async def classes(self, tenant: str) -> list[dict[str, Any]]:
        """Every class definition of `tenant`, oldest first."""
        return [entry["metadata"] for entry in await self._catalog(tenant).list()]

    async def delete_class(self, tenant: str, name: str) -> None:
        """Delete class `name` and its objects (nothing happens if there is none, as in Weaviate)."""
        entry = await self._entry(tenant, name)
        if entry is None:
            return
        collection = self._collection(tenant, entry)
        if await collection.exists():
            await collection.drop()
        await self._catalog(tenant).remove(entry["name"])

    async def add_property(self, tenant: str, name: str, prop: Any) -> dict[str, Any]:
        """Add a property to class `name`; the property as stored."""
        entry = await self._entry(tenant, name)
        if entry is None:
            raise not_found(name)
        definition = schema.add_property(entry["metadata"], prop)
        await self._catalog(tenant).update(entry["name"], None, definition)
        return definition["properties"][-1]

    def _collection(self, tenant: str, entry: dict[str, Any]) -> Stub:
        return self.context.runtime.get(VectorCollection, f"weaviate/{tenant}/{entry['uid']}")

    async def _class(self, tenant: str, name: str) -> tuple[dict[str, Any], Stub]:
        entry = await self._entry(tenant, name)
        if entry is None:
            raise not_found(name)
        return entry["metadata"], self._collection(tenant, entry)

    # -- writes -------------------------------------------------------------------------------------

    async def put(self, tenant: str, objects: list[NewObject], *, replace: bool = True) -> list[str | None]:
        """Write objects (a class at a time); for each, None or the error that kept it out.

        `replace` False merges the given properties into the stored ones (PATCH); a missing vector then
        keeps the stored one.
        """
        if len(objects) > MAX_BATCH:
            raise WeaviateError(422, f"a batch holds at most {MAX_BATCH} objects; split it")
        errors: list[str | None] = [None] * len(objects)
        by_class: dict[str, list[int]] = {}
        for position, new in enumerate(objects):
            by_class.setdefault(new.class_name[:1].upper() + new.class_name[1:], []).append(position)
        for class_name, positions in by_class.items():
            entry = await self._entry(tenant, class_name)
            if entry is None:
                for position in positions:
                    errors[position] = f"class {class_name!r} not found in schema"
                continue
            await self._put_class(tenant, entry, [(p, objects[p]) for p in positions], errors, replace)
        return errors

    async def _put_class(
        self,
        tenant: str,
        entry: dict[str, Any],
        items: list[tuple[int, NewObject]],
        errors: list[str | None],
        replace: bool,
    ) -> None:
        definition = entry["metadata"]
        types = schema.property_types(definition)
        collection = self._collection(tenant, entry)
        exists = await collection.exists()
        dimension = (await collection.info())["dimension"] if exists else None
        now = int(time.time() * 1000)
        points: list[Point] = []
        added: dict[str, str] = {}
        ids: dict[int, str] = {}
        for position, new in items:
            try:
                ids[position] = canonical_uuid(new.id) if new.id is not None else str(uuid.uuid4())
            except WeaviateError as exc:
                errors[position] = exc.message
        stored = {view["id"]: view for view in await collection.get(list(ids.values()))} if exists and ids else {}
        for position, new in items:
            if position not in ids:
                continue
            object_id = ids[position]
            try:
                properties = _typed_properties(new.properties, types, added)
                previous = stored.get(object_id)
                if not replace and previous is not None:
                    properties = {**previous["payload"], **properties}
                # The id rides in the payload too, so filters on `_id` work like those on properties.
                properties[ID_PROPERTY] = object_id
                if new.vector is None and (replace or previous is None):
                    raise WeaviateError(
                        422, "this server runs no vectorizer: every object needs a vector (`vector=` on insert)"
                    )
                if new.vector_name is not None:
                    _check_vector_name(definition, new.vector_name)
                if new.vector is not None:
                    if dimension is None:
                        dimension = len(new.vector)
                    if len(new.vector) != dimension:
                        raise WeaviateError(
                            422,
                            f"new node has a vector with length {len(new.vector)}. "
                            f"Existing nodes have vectors with length {dimension}",
                        )
                    if not all(
                        isinstance(v, int | float) and math.isfinite(v) and abs(v) <= FLOAT32_MAX for v in new.vector
                    ):
                        raise WeaviateError(
                            422,
                            "the vector holds NaN, infinity or a number past float32; every value must be finite",
                        )
                created = json.loads(previous["document"])["created"] if previous and previous["document"] else now
                points.append(
                    Point(
                        object_id,
                        None if new.vector is None else list(new.vector),
                        properties,
                        json.dumps({"created": created, "updated": now}),
                    )
                )
            except WeaviateError as exc:
                errors[position] = exc.message
        if not points:
            return
        if added:
            await self._add_inferred(tenant, entry["name"], added)
        if not exists and not await collection.exists():
            try:
                await collection.create(entry["name"], dimension, schema.metric(definition))
            except VectorError as exc:
                # Another batch may have created it since this one looked (concurrent batches are
                # common): the upsert below then checks these vectors against the length it chose.
                if not await collection.exists():
                    for position, _ in items:
                        errors[position] = errors[position] or str(exc)
                    return
        try:
            await collection.upsert(points)
        except VectorError as exc:
            for position, _ in items:
                errors[position] = errors[position] or str(exc)

    async def _add_inferred(self, tenant: str, name: str, added: dict[str, str]) -> None:
        """Add the properties auto-schema inferred (the class read afresh: a concurrent batch may have added some)."""
        entry = await self._entry(tenant, name)
        if entry is None:
            return
        definition = entry["metadata"]
        known = set(schema.property_types(definition))
        for prop, data_type in added.items():
            if prop not in known:
                definition = schema.add_property(definition, {"name": prop, "dataType": [data_type]})
        await self._catalog(tenant).update(name, None, definition)

    async def delete(self, tenant: str, class_name: str, object_id: str) -> bool:
        """Delete one object; False if it was not there."""
        _, collection = await self._class(tenant, class_name)
        if not await collection.exists():
            return False
        return await collection.delete([canonical_uuid(object_id)]) > 0

    async def delete_where(self, tenant: str, class_name: str, tree: Filter, dry_run: bool) -> list[str]:
        """Delete the objects `tree` accepts (only find them, `dry_run`); their UUIDs."""
        _, collection = await self._class(tenant, class_name)
        if not await collection.exists():
            return []
        try:
            found = await collection.scroll(tree, limit=MAX_BATCH * 10)
            ids = [point["id"] for point in found["points"]]
            if ids and not dry_run:
                await collection.delete(ids)
        except VectorError as exc:
            raise WeaviateError(422, str(exc)) from None
        return ids

    # -- reads --------------------------------------------------------------------------------------

    async def get(
        self, tenant: str, class_name: str, object_id: str, with_vector: bool = False
    ) -> dict[str, Any] | None:
        """One object ({id, class, properties, vector?, creationTimeUnix, lastUpdateTimeUnix}) or None."""
        definition, collection = await self._class(tenant, class_name)
        if not await collection.exists():
            return None
        found = await collection.get([canonical_uuid(object_id)], with_vector)
        return _object(definition, found[0]) if found else None

    async def search(
        self,
        tenant: str,
        class_name: str,
        *,
        vector: list[float] | None = None,
        tree: Filter | None = None,
        limit: int = 10,
        offset: int = 0,
        with_vector: bool = False,
        max_distance: float | None = None,
        after: str | None = None,
        target: str | None = None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The class definition and its objects: the nearest `vector` (each with `distance`), or in insertion order.

        `tree` is applied during the vector search (the core filters before it ranks).
        """
        definition, collection = await self._class(tenant, class_name)
        if target is not None:
            _check_vector_name(definition, target)
        if not await collection.exists():
            return definition, []
        try:
            if vector is None:
                # The core's `after` includes that object; Weaviate's cursor starts past it.
                start = canonical_uuid(after) if after else None
                page = await collection.scroll(
                    tree, after=start, limit=limit + (start is not None), with_vectors=with_vector, offset=offset
                )
                points = [point for point in page["points"] if point["id"] != start][:limit]
                return definition, [_object(definition, point) for point in points]
            metric = schema.metric(definition)
            hits = await collection.query(vector, limit=limit, filter=tree, offset=offset, with_vectors=with_vector)
        except VectorError as exc:
            raise WeaviateError(422, str(exc)) from None
        found = []
        for hit in hits:
            distance = distance_of(metric, hit["score"])
            if max_distance is not None and distance > max_distance:
                break
            found.append({**_object(definition, hit), "distance": distance})
        return definition, found

    async def count(self, tenant: str, class_name: str, tree: Filter | None = None) -> int:
        """How many objects of the class `tree` accepts."""
        _, collection = await self._class(tenant, class_name)
        if not await collection.exists():
            return 0
        try:
            return int(await collection.count(tree))
        except VectorError as exc:
            raise WeaviateError(422, str(exc)) from None


def _check_vector_name(definition: dict[str, Any], name: str) -> None:
    own = schema.vector_name(definition)
    if name != own:
        raise WeaviateError(422, f"class {definition['class']!r} has no vector named {name!r}; its vector is {own!r}")


def _object(definition: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
    times = json.loads(point["document"]) if point.get("document") else {}
    found = {
        "id": point["id"],
        "class": definition["class"],
        "properties": {k: v for k, v in point["payload"].items() if k != ID_PROPERTY},
        "creationTimeUnix": times.get("created", 0),
        "lastUpdateTimeUnix": times.get("updated", 0),
    }
    if "vector" in point:
        found["vector"] = point["vector"]
        found["vectors"] = {schema.vector_name(definition): point["vector"]}
    return found


def _typed_properties(given: Any, types: dict[str, str], added: dict[str, str]) -> dict[str, Any]:
    """`given` checked against the class's property types (numbers that must be int become int).

    A property the class does not have yet gets a type from its first value, as Weaviate's
    auto-schema does; `added` collects those.
    """
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise WeaviateError(422, "properties must be an object")
    typed = {}
    for name, value in given.items():
        if not isinstance(name, str) or not schema.PROPERTY_NAME.fullmatch(name):
            raise WeaviateError(422, f"'{name}' is not a valid property name")
        if name in RESERVED_PROPERTIES:
            raise WeaviateError(422, f"'{name}' is a reserved property name")
        data_type = types.get(name) or added.get(name)
        if data_type is None and value is not None:
            data_type = _infer(name, value)
            added[name] = data_type
        typed[name] = None if value is None else _check(name, value, data_type or "text")
    return typed


def _infer(name: str, value: Any) -> str:
    if isinstance(value, list):
        if not value:
            raise WeaviateError(422, f"cannot infer the type of property '{name}' from an empty array")
        return _infer(name, value[0]) + "[]"
    inferred = _INFERRED_TYPES.get(type(value))
    if inferred is None:
        raise WeaviateError(
            422, f"property '{name}': nested objects, references and geo values are not supported by this server"
        )
    return inferred


def _check(name: str, value: Any, data_type: str) -> Any:
    if data_type.endswith("[]"):
        if not isinstance(value, list):
            raise WeaviateError(422, f"invalid {data_type} property '{name}': requires an array, got {value!r}")
        return [_check(name, item, data_type[:-2]) for item in value]
    valid = True
    if data_type in ("text", "date"):
        valid = isinstance(value, str)
    elif data_type == "uuid":
        valid = isinstance(value, str)
        if valid:
            value = canonical_uuid(value)
    elif data_type == "boolean":
        valid = isinstance(value, bool)
    elif data_type in ("int", "number"):
        valid = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if valid and data_type == "int":
            valid = float(value).is_integer()
            value = int(value) if valid else value
    if not valid:
        raise WeaviateError(422, f"invalid {data_type} property '{name}' on class: got {value!r}")
    return value
