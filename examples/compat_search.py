"""Search and vector search on dotdo, used through Meilisearch's, Algolia's, Qdrant's, Pinecone's and Chroma's
own Python clients.

    python examples/compat_search.py

The script serves `compat_app(["meilisearch", "algolia", "qdrant", "pinecone", "chroma"])` with uvicorn
on a free port of 127.0.0.1 (what `dotdo compat serve meilisearch algolia qdrant pinecone chroma` does),
then indexes recipes in Meilisearch and Algolia and finds them with a typo and a filter, stores their
embeddings in Qdrant, Pinecone and Chroma and finds the nearest vegetarian ones, and shows that
another tenant sees none of it.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
import warnings
from pathlib import Path

import uvicorn
from pinecone import ServerlessSpec
from qdrant_client import models

import dotdo.compat
from dotdo.compat import Credentials, compat_app

RECIPES = [
    {"id": 1, "title": "Tomato soup", "vegetarian": True, "minutes": 30, "embedding": [0.9, 0.1, 0.0]},
    {"id": 2, "title": "Beef stew", "vegetarian": False, "minutes": 120, "embedding": [0.7, 0.3, 0.1]},
    {"id": 3, "title": "Gazpacho", "vegetarian": True, "minutes": 15, "embedding": [0.8, 0.0, 0.3]},
    {"id": 4, "title": "Lemon tart", "vegetarian": True, "minutes": 90, "embedding": [0.0, 0.2, 0.9]},
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    warnings.simplefilter("ignore")  # qdrant-client warns that its api key travels over plain http
    data_dir = Path(tempfile.mkdtemp(prefix="compat-search-example-"))
    keys = Credentials(data_dir / "compat")
    acme = keys.create("acme", ["meilisearch", "algolia", "qdrant", "pinecone", "chroma"])
    globex = keys.create("globex", ["meilisearch"])
    port = free_port()
    app = compat_app(["meilisearch", "algolia", "qdrant", "pinecone", "chroma"], data_dir=data_dir)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        meili = dotdo.compat.meilisearch.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        recipes = meili.index("recipes")
        meili.wait_for_task(recipes.update_filterable_attributes(["vegetarian", "minutes"]).task_uid)
        meili.wait_for_task(
            recipes.add_documents([{k: v for k, v in r.items() if k != "embedding"} for r in RECIPES]).task_uid
        )
        found = recipes.search("tomatoe", {"filter": "vegetarian = true AND minutes < 60"})
        print("meilisearch, 'tomatoe' (a typo):", [hit["title"] for hit in found["hits"]])

        algolia = dotdo.compat.algolia.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        algolia.set_settings("recipes", {"searchableAttributes": ["title"], "attributesForFaceting": ["vegetarian"]})
        records = [{"objectID": str(r["id"]), "title": r["title"], "minutes": r["minutes"]} for r in RECIPES]
        algolia.save_objects("recipes", records, wait_for_tasks=True)
        hits = algolia.search_single_index("recipes", {"query": "gazpacio", "filters": "minutes < 60"}).hits
        print("algolia, 'gazpacio' (a typo):", [hit.highlight_result["title"].actual_instance.value for hit in hits])

        qdrant = dotdo.compat.qdrant.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        qdrant.create_collection("recipes", vectors_config=models.VectorParams(size=3, distance=models.Distance.COSINE))
        qdrant.upsert(
            "recipes",
            points=[
                models.PointStruct(
                    id=r["id"], vector=r["embedding"], payload={"title": r["title"], "vegetarian": r["vegetarian"]}
                )
                for r in RECIPES
            ],
        )
        vegetarian = models.Filter(must=[models.FieldCondition(key="vegetarian", match=models.MatchValue(value=True))])
        nearest = qdrant.query_points(
            "recipes", query=[0.7, 0.3, 0.1], query_filter=vegetarian, limit=2, with_payload=True
        )
        print("qdrant, nearest vegetarian:", [point.payload["title"] for point in nearest.points])
        # Named dense vectors beside a sparse one (word ids and weights), searched together by rank fusion.
        qdrant.create_collection(
            "recipes-hybrid",
            vectors_config={"taste": models.VectorParams(size=3, distance=models.Distance.COSINE)},
            sparse_vectors_config={"words": models.SparseVectorParams()},
        )
        qdrant.upsert(
            "recipes-hybrid",
            points=[
                models.PointStruct(
                    id=r["id"],
                    vector={
                        "taste": r["embedding"],
                        "words": models.SparseVector(indices=[r["id"], 100], values=[1.0, 0.5]),
                    },
                    payload={"title": r["title"]},
                )
                for r in RECIPES
            ],
        )
        fused = qdrant.query_points(
            "recipes-hybrid",
            prefetch=[
                models.Prefetch(query=[0.7, 0.3, 0.1], using="taste", limit=5),
                models.Prefetch(query=models.SparseVector(indices=[RECIPES[0]["id"]], values=[1.0]), using="words"),
            ],
            query=models.FusionQuery(fusion=models.Fusion.RRF),
            limit=2,
            with_payload=True,
        )
        print("qdrant, hybrid (dense and sparse fused):", [point.payload["title"] for point in fused.points])

        pinecone = dotdo.compat.pinecone.client(url, access_key_id=acme.access_key_id, secret=acme.secret)
        pinecone.create_index(
            "recipes", dimension=3, metric="cosine", spec=ServerlessSpec(cloud="aws", region="us-east-1")
        )
        index = pinecone.index("recipes")  # the data plane, at the host the index's description gives
        index.upsert(
            vectors=[
                (str(r["id"]), r["embedding"], {"title": r["title"], "vegetarian": r["vegetarian"]}) for r in RECIPES
            ],
            namespace="kitchen",
        )
        matches = index.query(
            vector=[0.7, 0.3, 0.1],
            top_k=2,
            filter={"vegetarian": {"$eq": True}},
            include_metadata=True,
            namespace="kitchen",
        ).matches
        print("pinecone, nearest vegetarian:", [match.metadata["title"] for match in matches])

        chroma = dotdo.compat.chroma.client("127.0.0.1", port, access_key_id=acme.access_key_id, secret=acme.secret)
        collection = chroma.create_collection("recipes", configuration={"hnsw": {"space": "cosine"}})
        collection.add(
            ids=[str(r["id"]) for r in RECIPES],
            embeddings=[r["embedding"] for r in RECIPES],
            documents=[r["title"] for r in RECIPES],
            metadatas=[{"vegetarian": r["vegetarian"]} for r in RECIPES],
        )
        result = collection.query(query_embeddings=[[0.0, 0.1, 1.0]], n_results=1, where={"vegetarian": True})
        print("chroma, nearest dessert:", result["documents"][0])

        stranger = dotdo.compat.meilisearch.client(url, access_key_id=globex.access_key_id, secret=globex.secret)
        print("globex sees indexes:", [index.uid for index in stranger.get_indexes()["results"]])
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
