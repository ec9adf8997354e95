"""A search index and a vector collection spread over shard objects, seen through Meilisearch's and Qdrant's SDKs.

    python examples/compat_index_shards.py

The script serves `compat_app(["meilisearch", "qdrant"])` twice with uvicorn on free ports of
127.0.0.1: once as `dotdo compat serve meilisearch qdrant` does, once with `--index-shards 4`
(every new index and collection spread over 4 objects). The same books and the same vectors go to
both; the same searches and nearest-neighbour queries then answer alike, hit for hit and score for
score, because a sharded search ranks with statistics gathered from every shard.
"""

from __future__ import annotations

import random
import socket
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import uvicorn

import dotdo.compat
from dotdo.compat import Credentials, compat_app

WORDS = ["harbour", "lantern", "orchard", "meadow", "copper", "willow", "river", "stone"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(index_shards: int) -> tuple[uvicorn.Server, str, Any]:
    """A server of both layers on a free port, its address and a key of tenant acme."""
    data_dir = Path(tempfile.mkdtemp(prefix="compat-index-shards-"))
    acme = Credentials(data_dir / "compat").create("acme", ["meilisearch", "qdrant"])
    options = {layer: {"index_shards": index_shards} for layer in ("meilisearch", "qdrant")}
    port = free_port()
    app = compat_app(["meilisearch", "qdrant"], data_dir=data_dir, options=options)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}", acme


def fill(url: str, key: Any) -> tuple[Any, Any]:
    """The same books and vectors into the server at `url`; its Meilisearch index and Qdrant client."""
    from qdrant_client import models

    chooser = random.Random(1)
    meili = dotdo.compat.meilisearch.client(url, access_key_id=key.access_key_id, secret=key.secret)
    meili.wait_for_task(meili.create_index("books", {"primaryKey": "id"}).task_uid)
    books = meili.index("books")
    meili.wait_for_task(books.update_filterable_attributes(["shelf"]).task_uid)
    documents = [
        {"id": n, "title": " ".join(chooser.choices(WORDS, k=6)), "shelf": chooser.choice("ABC")} for n in range(300)
    ]
    meili.wait_for_task(books.add_documents(documents).task_uid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the client warns that an api key travels over plain http
        qdrant = dotdo.compat.qdrant.client(url, access_key_id=key.access_key_id, secret=key.secret)
    qdrant.create_collection("notes", vectors_config=models.VectorParams(size=4, distance=models.Distance.COSINE))
    points = [models.PointStruct(id=n, vector=[chooser.uniform(-1, 1) for _ in range(4)]) for n in range(300)]
    qdrant.upsert("notes", points=points, wait=True)
    return books, qdrant


def main() -> None:
    servers = [serve(1), serve(4)]
    try:
        (one_books, one_qdrant), (many_books, many_qdrant) = (fill(url, key) for _, url, key in servers)
        for query in ["harbor lantern", "willow", "copper river stone"]:
            options = {"filter": "shelf != C", "facets": ["shelf"], "limit": 5}
            one, many = one_books.search(query, options), many_books.search(query, options)
            assert [hit["id"] for hit in many["hits"]] == [hit["id"] for hit in one["hits"]]
            assert many["facetDistribution"] == one["facetDistribution"]
            print(f"{query!r}: {[hit['id'] for hit in many['hits']]} {many['facetDistribution']['shelf']}")
        vector = [0.3, -0.2, 0.9, 0.1]
        one = one_qdrant.query_points("notes", query=vector, limit=5).points
        many = many_qdrant.query_points("notes", query=vector, limit=5).points
        assert [(p.id, round(p.score, 6)) for p in many] == [(p.id, round(p.score, 6)) for p in one]
        print(f"nearest notes: {[p.id for p in many]}")
        print("4 shards answer as one index: same hits, facets and scores")
    finally:
        for server, _, _ in servers:
            server.should_exit = True


if __name__ == "__main__":
    main()
