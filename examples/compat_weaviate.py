"""Vector search on dotdo through Weaviate's own Python client (`weaviate-client` v4, REST and gRPC).

    python examples/compat_weaviate.py

The script serves `compat_app(["weaviate"])` with uvicorn on a free port of 127.0.0.1, its gRPC
service on a second one (what `dotdo compat serve weaviate --grpc-port N` does), then creates a
collection of recipes with their embeddings, finds the nearest vegetarian ones and counts the quick
ones, deletes the slow ones by filter, and shows that another tenant sees none of it.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, MetadataQuery

import dotdo.compat
from dotdo.compat import Credentials, compat_app

RECIPES = [
    {"title": "Tomato soup", "vegetarian": True, "minutes": 30, "embedding": [0.9, 0.1, 0.0]},
    {"title": "Beef stew", "vegetarian": False, "minutes": 120, "embedding": [0.7, 0.3, 0.1]},
    {"title": "Gazpacho", "vegetarian": True, "minutes": 15, "embedding": [0.8, 0.0, 0.3]},
    {"title": "Lemon tart", "vegetarian": True, "minutes": 90, "embedding": [0.0, 0.2, 0.9]},
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="compat-weaviate-example-"))
    keys = Credentials(data_dir / "compat")
    acme = keys.create("acme", ["weaviate"])
    globex = keys.create("globex", ["weaviate"])
    http_port, grpc_port = free_port(), free_port()
    app = compat_app(["weaviate"], data_dir=data_dir, options={"weaviate": {"grpc_port": grpc_port}})
    server = uvicorn.Server(uvicorn.Config(app, port=http_port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{http_port}"
    try:
        with dotdo.compat.weaviate.client(
            url, grpc_port=grpc_port, access_key_id=acme.access_key_id, secret=acme.secret
        ) as client:
            recipes = client.collections.create(
                "Recipe",
                properties=[
                    Property(name="title", data_type=DataType.TEXT),
                    Property(name="vegetarian", data_type=DataType.BOOL),
                    Property(name="minutes", data_type=DataType.INT),
                ],
                vector_config=Configure.Vectors.self_provided(),
            )
            recipes.data.insert_many(
                [
                    DataObject(properties={k: v for k, v in r.items() if k != "embedding"}, vector=r["embedding"])
                    for r in RECIPES
                ]
            )
            nearest = recipes.query.near_vector(
                [0.7, 0.3, 0.1],
                limit=2,
                filters=Filter.by_property("vegetarian").equal(True),
                return_metadata=MetadataQuery(distance=True),
            )
            print(
                "nearest vegetarian:",
                [(o.properties["title"], round(o.metadata.distance, 3)) for o in nearest.objects],
            )
            quick = recipes.aggregate.over_all(total_count=True, filters=Filter.by_property("minutes").less_than(60))
            print("recipes under an hour:", quick.total_count)
            deleted = recipes.data.delete_many(where=Filter.by_property("minutes").greater_or_equal(90))
            print("deleted the slow ones:", deleted.successful, "- left:", len(recipes))
        with dotdo.compat.weaviate.client(
            url, grpc_port=grpc_port, access_key_id=globex.access_key_id, secret=globex.secret
        ) as stranger:
            print("globex sees collections:", list(stranger.collections.list_all()))
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
