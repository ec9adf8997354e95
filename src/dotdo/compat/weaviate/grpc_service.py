"""Weaviate's gRPC service (`weaviate.v1.Weaviate`) on a `grpc.aio` server: search, batch writes and deletes, counts.

The messages are the generated modules `weaviate-client` ships (`weaviate.proto.v1`), so server and
client agree on every field by construction; which generation is used follows the installed protobuf,
as in the client. Calls this server does not serve (references, tenants within a class, streamed
batches, hybrid and keyword search, grouping, property aggregations) end at once with UNIMPLEMENTED
naming what is missing, never a hang.

    side = WeaviateGrpc(store, "127.0.0.1", 50051)
    await side.start()      # beside the HTTP port, on the same event loop
"""

from __future__ import annotations

import logging
import struct
import time
import uuid
from typing import TYPE_CHECKING, Any

import grpc
import numpy as np
from google.protobuf import json_format
from weaviate.proto.v1 import (
    aggregate_pb2,
    base_pb2,
    batch_delete_pb2,
    batch_pb2,
    health_weaviate_pb2,
    properties_pb2,
    search_get_pb2,
    weaviate_pb2_grpc,
)

from . import filters, schema
from .errors import WeaviateError, unsupported
from .store import NewObject, WeaviateStore

if TYPE_CHECKING:
    from ..search.filters import Filter

log = logging.getLogger("dotdo.compat.weaviate")

DEFAULT_LIMIT = 10
MAX_MESSAGE = 104_858_000
"""The largest gRPC message either way (what Weaviate announces as `grpcMaxMessageSize`)."""
_UNSERVED_SEARCH = (
    "group_by",
    "hybrid_search",
    "bm25_search",
    "near_object",
    "near_text",
    "near_image",
    "near_audio",
    "near_video",
    "near_depth",
    "near_thermal",
    "near_imu",
    "generative",
    "rerank",
    "boost",
)


def _vector(single: bytes, floats: Any, named: Any, what: str) -> tuple[list[float] | None, str | None]:
    """The one vector of a message (its float32 bytes, its floats, or its single named vector) and its name."""
    name = None
    if named:
        if len(named) != 1:
            raise WeaviateError(422, f"{what}: this server serves one vector per object, got {len(named)}")
        if named[0].type == base_pb2.Vectors.VECTOR_TYPE_MULTI_FP32:
            raise unsupported("multi-vectors")
        single, name = named[0].vector_bytes, named[0].name or None
    if single:
        if len(single) % 4:
            raise WeaviateError(422, f"{what}: the vector's bytes are not float32 values")
        return np.frombuffer(single, dtype="<f4").astype(float).tolist(), name
    if floats:
        return list(floats), name
    return None, name


def _near_vector(near: Any) -> tuple[list[float], list[str]]:
    """The query vector of a `NearVector` and the target vectors it names (none, or the class's one)."""
    targets = list(near.target_vectors) or list(near.targets.target_vectors)
    if near.vector_per_target:
        raise unsupported("a vector per target vector")
    if near.vector_for_targets:
        if len(near.vector_for_targets) != 1:
            raise unsupported("searching several target vectors at once")
        [given] = near.vector_for_targets
        vector, _ = _vector(given.vector_bytes, (), given.vectors, "near_vector")
        targets = [given.name]
    else:
        vector, name = _vector(near.vector_bytes, near.vector, near.vectors, "near_vector")
        targets = targets or ([name] if name else [])
    if vector is None:
        raise WeaviateError(422, "near_vector needs a vector")
    if len(set(targets)) > 1:
        raise unsupported("searching several target vectors at once")
    return vector, targets


def _properties(message: Any) -> dict[str, Any]:
    """A batch object's properties as one dict (the client splits arrays out of the Struct by type)."""
    if message.single_target_ref_props or message.multi_target_ref_props:
        raise unsupported("cross-references")
    if message.object_properties or message.object_array_properties:
        raise WeaviateError(422, "nested object properties are not supported by this server")
    found: dict[str, Any] = json_format.MessageToDict(message.non_ref_properties)
    for item in message.number_array_properties:
        found[item.prop_name] = (
            np.frombuffer(item.values_bytes, dtype="<f8").tolist() if item.values_bytes else list(item.values)
        )
    for group in (message.int_array_properties, message.text_array_properties, message.boolean_array_properties):
        for item in group:
            found[item.prop_name] = list(item.values)
    for name in message.empty_list_props:
        found[name] = []
    return found


def _value(value: Any, data_type: str | None) -> properties_pb2.Value:
    """A property value as Weaviate's gRPC `Value`, by the property's type (or the value's own)."""
    if value is None:
        return properties_pb2.Value(null_value="NULL_VALUE")
    if isinstance(value, list):
        element = (data_type or "").removesuffix("[]")
        return properties_pb2.Value(list_value=_list_value(value, element))
    if data_type == "date":
        return properties_pb2.Value(date_value=value)
    if data_type == "uuid":
        return properties_pb2.Value(uuid_value=value)
    if isinstance(value, bool):
        return properties_pb2.Value(bool_value=value)
    if data_type == "int" or (data_type is None and isinstance(value, int)):
        return properties_pb2.Value(int_value=int(value))
    if isinstance(value, int | float):
        return properties_pb2.Value(number_value=float(value))
    return properties_pb2.Value(text_value=str(value))


def _list_value(values: list[Any], element: str) -> properties_pb2.ListValue:
    if element == "int":
        return properties_pb2.ListValue(
            int_values=properties_pb2.IntValues(values=struct.pack(f"<{len(values)}q", *values))
        )
    if element == "number" or (
        not element and values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ):
        packed = struct.pack(f"<{len(values)}d", *(float(v) for v in values))
        return properties_pb2.ListValue(number_values=properties_pb2.NumberValues(values=packed))
    if element == "boolean" or (not element and values and all(isinstance(v, bool) for v in values)):
        return properties_pb2.ListValue(bool_values=properties_pb2.BoolValues(values=values))
    if element == "date":
        return properties_pb2.ListValue(date_values=properties_pb2.DateValues(values=values))
    if element == "uuid":
        return properties_pb2.ListValue(uuid_values=properties_pb2.UuidValues(values=values))
    return properties_pb2.ListValue(text_values=properties_pb2.TextValues(values=[str(v) for v in values]))


class WeaviateServicer(weaviate_pb2_grpc.WeaviateServicer):
    """The `weaviate.v1.Weaviate` methods on a `WeaviateStore`."""

    def __init__(self, store: WeaviateStore) -> None:
        self.store = store

    def _tenant(self, context: grpc.aio.ServicerContext) -> str:
        metadata = dict(context.invocation_metadata() or ())
        authorization = metadata.get("authorization")
        return self.store.authenticate(authorization if isinstance(authorization, str) else None)

    async def _answer(self, context: grpc.aio.ServicerContext, call: Any) -> Any:
        try:
            return await call(self._tenant(context))
        except WeaviateError as exc:
            await context.abort(exc.grpc_code, exc.message)
        except Exception:
            log.exception("Weaviate gRPC call failed")
            await context.abort(grpc.StatusCode.INTERNAL, "internal error; see the server's log")

    # -- search -------------------------------------------------------------------------------------

    async def Search(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """Fetch objects (filtered, paged) or the nearest a vector, with the properties and metadata asked for."""

        async def call(tenant: str) -> Any:
            started = time.perf_counter()
            for name in _UNSERVED_SEARCH:
                if request.HasField(name):
                    raise unsupported(f"search with {name}")
            if request.sort_by:
                raise unsupported("sorting (sort_by)")
            if request.tenant:
                raise unsupported("multi-tenancy within a class (tenant=)")
            if request.autocut:
                raise unsupported("autocut")
            tree = filters.parse(request.filters) if request.HasField("filters") else None
            vector, max_distance, targets = None, None, []
            if request.HasField("near_vector"):
                near = request.near_vector
                vector, targets = _near_vector(near)
                if near.HasField("distance"):
                    max_distance = near.distance
                elif near.HasField("certainty"):
                    max_distance = 2 * (1 - near.certainty)
            metadata = request.metadata
            with_vector = metadata.vector or bool(metadata.vectors)
            definition, found = await self.store.search(
                tenant,
                request.collection,
                vector=vector,
                tree=tree,
                limit=request.limit or DEFAULT_LIMIT,
                offset=request.offset,
                with_vector=with_vector,
                max_distance=max_distance,
                after=request.after or None,
                target=targets[0] if vector is not None and targets else None,
            )
            return search_get_pb2.SearchReply(
                took=time.perf_counter() - started,
                results=[self._result(definition, request, hit) for hit in found],
            )

        return await self._answer(context, call)

    def _result(self, definition: dict[str, Any], request: Any, hit: dict[str, Any]) -> Any:
        asked = request.metadata
        metadata = search_get_pb2.MetadataResult(id=hit["id"], id_as_bytes=uuid.UUID(hit["id"]).bytes)
        if asked.creation_time_unix:
            metadata.creation_time_unix = hit["creationTimeUnix"]
            metadata.creation_time_unix_present = True
        if asked.last_update_time_unix:
            metadata.last_update_time_unix = hit["lastUpdateTimeUnix"]
            metadata.last_update_time_unix_present = True
        if "distance" in hit and asked.distance:
            metadata.distance = hit["distance"]
            metadata.distance_present = True
        if "distance" in hit and asked.certainty and schema.distance(definition) == "cosine":
            metadata.certainty = 1 - hit["distance"] / 2
            metadata.certainty_present = True
        if "vector" in hit:
            packed = np.asarray(hit["vector"], dtype="<f4").tobytes()
            if definition.get("vectorConfig"):
                metadata.vectors.append(
                    base_pb2.Vectors(
                        name=schema.vector_name(definition),
                        vector_bytes=packed,
                        type=base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32,
                    )
                )
            else:
                metadata.vector_bytes = packed
        result = search_get_pb2.SearchResult(metadata=metadata)
        # No properties message asks for every property, as an empty list of names asks for none.
        names: set[str] | None = None
        if request.HasField("properties"):
            wanted = request.properties
            if wanted.ref_properties or wanted.object_properties:
                raise unsupported("returning references or nested object properties")
            names = None if wanted.return_all_nonref_properties else set(wanted.non_ref_properties)
        types = schema.property_types(definition)
        fields = {
            name: _value(value, types.get(name))
            for name, value in hit["properties"].items()
            if names is None or name in names
        }
        result.properties.CopyFrom(
            search_get_pb2.PropertiesResult(
                non_ref_props=properties_pb2.Properties(fields=fields), target_collection=definition["class"]
            )
        )
        return result

    # -- writes -------------------------------------------------------------------------------------

    async def BatchObjects(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """Insert or replace objects; the reply lists the index and error of each one refused."""

        async def call(tenant: str) -> Any:
            started = time.perf_counter()
            objects: list[NewObject | None] = []
            errors: dict[int, str] = {}
            for index, item in enumerate(request.objects):
                try:
                    if item.tenant:
                        raise unsupported("multi-tenancy within a class (tenant=)")
                    vector, name = _vector(item.vector_bytes, item.vector, item.vectors, "vector")
                    properties = _properties(item.properties)
                    objects.append(NewObject(item.collection, item.uuid or None, properties, vector, name))
                except WeaviateError as exc:
                    errors[index] = exc.message
                    objects.append(None)
            kept = [(index, new) for index, new in enumerate(objects) if new is not None]
            outcomes = await self.store.put(tenant, [new for _, new in kept])
            for (index, _), error in zip(kept, outcomes, strict=True):
                if error is not None:
                    errors[index] = error
            return batch_pb2.BatchObjectsReply(
                took=time.perf_counter() - started,
                errors=[
                    batch_pb2.BatchObjectsReply.BatchError(index=index, error=error)
                    for index, error in sorted(errors.items())
                ],
            )

        return await self._answer(context, call)

    async def BatchDelete(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """Delete the objects a filter accepts (or only count them, `dry_run`)."""

        async def call(tenant: str) -> Any:
            started = time.perf_counter()
            if request.tenant:
                raise unsupported("multi-tenancy within a class (tenant=)")
            if not request.HasField("filters"):
                raise WeaviateError(422, "a batch delete needs a filter")
            ids = await self.store.delete_where(
                tenant, request.collection, filters.parse(request.filters), request.dry_run
            )
            return batch_delete_pb2.BatchDeleteReply(
                took=time.perf_counter() - started,
                failed=0,
                matches=len(ids),
                successful=0 if request.dry_run else len(ids),
                objects=[
                    batch_delete_pb2.BatchDeleteObject(uuid=uuid.UUID(i).bytes, successful=not request.dry_run)
                    for i in ids
                ]
                if request.verbose
                else [],
            )

        return await self._answer(context, call)

    async def Aggregate(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """The count of objects a filter accepts (`aggregate.over_all(total_count=True)`)."""

        async def call(tenant: str) -> Any:
            started = time.perf_counter()
            if request.aggregations:
                raise unsupported("property aggregations (return_metrics)")
            if request.HasField("group_by"):
                raise unsupported("grouped aggregations (group_by)")
            if request.tenant:
                raise unsupported("multi-tenancy within a class (tenant=)")
            search = request.WhichOneof("search")
            if search is not None:
                raise unsupported(f"aggregating over a search ({search})")
            tree: Filter | None = filters.parse(request.filters) if request.HasField("filters") else None
            count = await self.store.count(tenant, request.collection, tree)
            single = aggregate_pb2.AggregateReply.Single()
            if request.objects_count:
                single.objects_count = count
            return aggregate_pb2.AggregateReply(took=time.perf_counter() - started, single_result=single)

        return await self._answer(context, call)

    async def BatchReferences(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """Not served: cross-references."""
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, unsupported("cross-references").message)

    async def TenantsGet(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """Not served: tenants within a class (a dotdo tenant is an API key's)."""
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, unsupported("multi-tenancy within a class").message)

    async def BatchStream(self, request_iterator: Any, context: grpc.aio.ServicerContext) -> Any:
        """Not served: server-side batching (the client uses `BatchObjects` with the version this server reports)."""
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, unsupported("server-side batching (BatchStream)").message)


async def _health(request: Any, context: grpc.aio.ServicerContext) -> Any:
    return health_weaviate_pb2.WeaviateHealthCheckResponse(
        status=health_weaviate_pb2.WeaviateHealthCheckResponse.SERVING
    )


class WeaviateGrpc:
    """The gRPC server beside the HTTP port: `start()` listens on host:port, `stop()` ends it."""

    def __init__(self, store: WeaviateStore, host: str, port: int) -> None:
        self.store = store
        self.host = host
        self.port = port
        self.server: grpc.aio.Server | None = None

    async def start(self) -> str:
        """Listen and serve; the address listened on."""
        options = [("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE)]
        server = grpc.aio.server(options=options)
        weaviate_pb2_grpc.add_WeaviateServicer_to_server(WeaviateServicer(self.store), server)
        health = grpc.unary_unary_rpc_method_handler(
            _health,
            request_deserializer=health_weaviate_pb2.WeaviateHealthCheckRequest.FromString,
            response_serializer=health_weaviate_pb2.WeaviateHealthCheckResponse.SerializeToString,
        )
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": health}),)
        )
        address = f"{self.host}:{self.port}"
        try:
            bound = server.add_insecure_port(address)
        except RuntimeError:
            bound = 0
        if bound == 0:
            raise OSError(f"cannot listen for gRPC on {address}; is the port taken? (choose another with --grpc-port)")
        self.port = bound
        await server.start()
        self.server = server
        return f"{self.host}:{self.port}"

    async def stop(self) -> None:
        """Stop serving (calls in flight get a second to finish)."""
        if self.server is not None:
            await self.server.stop(1.0)
            self.server = None
