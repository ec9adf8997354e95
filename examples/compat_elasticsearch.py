"""Elasticsearch on dotdo, used through Elasticsearch's own Python client.

    python examples/compat_elasticsearch.py

The script serves `compat_app(["elasticsearch"])` with uvicorn on a free port of 127.0.0.1 (what
`dotdo compat serve elasticsearch` does), bulk-indexes recipes with an embedding each, then asks
the Query DSL for a typo-tolerant match with a filter and a highlight, aggregates them by course
with the mean cooking time, finds the nearest vegetarian recipe by vector (`knn`), guards an update
with `if_seq_no`, and shows that another tenant sees none of it.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from elasticsearch import ConflictError

import dotdo.compat
from dotdo.compat import Credentials, compat_app

RECIPES = [
    {"title": "Tomato soup", "course": "starter", "vegetarian": True, "minutes": 30, "embedding": [0.9, 0.1, 0.0]},
    {"title": "Beef stew", "course": "main", "vegetarian": False, "minutes": 120, "embedding": [0.7, 0.3, 0.1]},
    {"title": "Gazpacho", "course": "starter", "vegetarian": True, "minutes": 15, "embedding": [0.8, 0.0, 0.3]},
    {"title": "Mushroom risotto", "course": "main", "vegetarian": True, "minutes": 45, "embedding": [0.6, 0.4, 0.2]},
    {"title": "Lemon tart", "course": "dessert", "vegetarian": True, "minutes": 90, "embedding": [0.0, 0.2, 0.9]},
]
MAPPINGS = {
    "properties": {
        "title": {"type": "text"},
        "course": {"type": "keyword"},
        "vegetarian": {"type": "boolean"},
        "minutes": {"type": "integer"},
        "embedding": {"type": "dense_vector", "dims": 3, "similarity": "cosine"},
    }
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="compat-elasticsearch-example-"))
    keys = Credentials(data_dir / "compat")
    acme = keys.create("acme", ["elasticsearch"])
    globex = keys.create("globex", ["elasticsearch"])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(compat_app(["elasticsearch"], data_dir=data_dir), port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        es = dotdo.compat.elasticsearch.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        print("cluster:", es.info()["version"]["number"])
        es.indices.create(index="recipes", mappings=MAPPINGS)
        operations: list[dict] = []
        for number, recipe in enumerate(RECIPES, start=1):
            operations += [{"index": {"_index": "recipes", "_id": str(number)}}, recipe]
        print("bulk errors:", es.bulk(operations=operations)["errors"])

        found = es.search(
            index="recipes",
            query={
                "bool": {
                    "must": {"match": {"title": {"query": "tomatoe", "fuzziness": "AUTO"}}},
                    "filter": [{"term": {"vegetarian": True}}, {"range": {"minutes": {"lt": 60}}}],
                }
            },
            highlight={"fields": {"title": {}}},
        )
        print("'tomatoe' (a typo):", [hit["highlight"]["title"][0] for hit in found["hits"]["hits"]])

        courses = es.search(
            index="recipes",
            size=0,
            aggs={"courses": {"terms": {"field": "course"}, "aggs": {"minutes": {"avg": {"field": "minutes"}}}}},
        )
        for bucket in courses["aggregations"]["courses"]["buckets"]:
            print(f"  {bucket['key']}: {bucket['doc_count']} recipes, {bucket['minutes']['value']:.0f} min on average")

        nearest = es.search(
            index="recipes",
            knn={
                "field": "embedding",
                "query_vector": [0.7, 0.3, 0.1],
                "k": 1,
                "num_candidates": 10,
                "filter": {"term": {"vegetarian": True}},
            },
        )
        print("nearest vegetarian to the stew:", nearest["hits"]["hits"][0]["_source"]["title"])

        current = es.get(index="recipes", id="1")
        es.update(index="recipes", id="1", doc={"minutes": 25}, if_seq_no=current["_seq_no"], if_primary_term=1)
        try:
            es.update(index="recipes", id="1", doc={"minutes": 35}, if_seq_no=current["_seq_no"], if_primary_term=1)
        except ConflictError as conflict:
            print("stale update refused:", conflict.error)

        stranger = dotdo.compat.elasticsearch.client(url, access_key_id=globex.access_key_id, secret=globex.secret)
        print("globex sees indices:", [row["index"] for row in stranger.cat.indices(format="json")])
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
