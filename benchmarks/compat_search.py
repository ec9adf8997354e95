"""Search and vector compat layers: recall and speed against exact search, Chroma's own server, and bare FTS5.

    python benchmarks/compat_search.py [--vectors 100000] [--dimension 384] [--documents 100000] [--queries 200]
                                       [--shards 4] [--only vectors|text]

Vector rows: the same clustered embeddings added through `chromadb.HttpClient` in batches to
`dotdo compat serve chroma` and to Chroma's own local server (`chroma run`), and through the
`pinecone` SDK to `dotdo compat serve pinecone` and through `weaviate-client` (gRPC batches and
queries) to `dotdo compat serve weaviate`, all real processes on 127.0.0.1, then queried;
recall@10 is measured against exact cosine search (numpy) on the same data. The bare vector core
(`VectorCollection` called in process, no HTTP) is the layers' baseline.
Text rows: the same synthetic documents indexed through the `meilisearch` SDK into `dotdo compat
serve meilisearch` and through `algoliasearch` into `dotdo compat serve algolia`, queried with one
typo per query, against the bare search core (`SearchIndex` called in process, the same typo
expansion and ranking, no HTTP) and the bare FTS5 path (an FTS5 table in a SQLite file, the same
rows, exact-word MATCH queries): the gaps are what the layers add (HTTP, JSON, the SDK, the object's
transaction) and what typo tolerance and ranking cost. The same documents are also bulk-indexed
through the `elasticsearch` client into `dotdo compat serve elasticsearch` and queried with the Query
DSL: both words in either field (which FTS5 answers alone), and both in the body with one typo (each
candidate read and checked). No Meilisearch, Algolia or Elasticsearch server runs here.
Sharded rows: the same data in an index or collection spread over `--shards` shard objects
(`ShardedIndex`/`ShardedCollection` in process, `--index-shards` for the servers), beside the same
handle over one object and the bare object, in the same run: what spreading costs or gains, with
ranking and recall unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from dotdo import Runtime
from dotdo.compat import Credentials
from dotdo.compat.search import SearchIndex, SearchQuery, ShardedIndex
from dotdo.compat.vector import Point, ShardedCollection, VectorCollection

BATCH = 1000
PINECONE_BATCH = 200
"""Pinecone takes at most 2 MB per upsert: 200 vectors of 384 numbers as JSON."""
WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
    "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
    "xray", "yankee", "zulu", "harbor", "lantern", "meadow", "orchard", "pebble", "quartz", "river", "saddle",
    "timber", "valley", "willow", "canyon", "glacier", "horizon",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def start_dotdo(folder: Path, layer: str, *options: str) -> tuple[subprocess.Popen[bytes], int, str, str]:
    key = Credentials(folder / "compat").default_key()
    assert key.secret is not None
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "dotdo", "compat", "serve", layer, *options),
            *("--port", str(port), "--data-dir", str(folder)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, process)
    return process, port, key.access_key_id, key.secret


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def clustered(count: int, dimension: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(256, dimension))
    return (centers[rng.integers(0, 256, count)] + 0.5 * rng.normal(size=(count, dimension))).astype(np.float32)


def exact_top10(data: np.ndarray, queries: np.ndarray) -> list[set[int]]:
    normalized = data / np.linalg.norm(data, axis=1, keepdims=True)
    answers = []
    for query in queries:
        scores = normalized @ (query / np.linalg.norm(query))
        answers.append(set(np.argpartition(-scores, 10)[:10].tolist()))
    return answers


def run_chroma(client: Any, data: np.ndarray, queries: np.ndarray, truth: list[set[int]]) -> dict[str, float]:
    collection = client.create_collection("bench", configuration={"hnsw": {"space": "cosine"}})
    started = time.perf_counter()
    for start in range(0, len(data), BATCH):
        chunk = data[start : start + BATCH]
        collection.add(ids=[str(i) for i in range(start, start + len(chunk))], embeddings=chunk.tolist())
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    recalls = []
    for query, expected in zip(queries, truth, strict=True):
        found = collection.query(query_embeddings=[query.tolist()], n_results=10, include=[])["ids"][0]
        recalls.append(len({int(i) for i in found} & expected) / 10)
    queried = time.perf_counter() - started
    return {"insert/s": len(data) / inserted, "queries/s": len(queries) / queried, "recall@10": float(np.mean(recalls))}


def run_vector_core(
    folder: Path, data: np.ndarray, queries: np.ndarray, truth: list[set[int]], shards: int | None = None
) -> dict[str, float]:
    """The vector core in process: the bare object, or (given `shards`) a `ShardedCollection` of that many."""

    async def run() -> dict[str, float]:
        async with Runtime(folder, objects=[VectorCollection]) as runtime:
            collection: Any = runtime.get(VectorCollection, "bench/core")
            if shards is not None:
                collection = ShardedCollection(runtime, "bench/sharded", shards=shards)
            await collection.create("core", data.shape[1], "cosine")
            started = time.perf_counter()
            for start in range(0, len(data), BATCH):
                chunk = data[start : start + BATCH]
                await collection.upsert([Point(start + i, row.tolist()) for i, row in enumerate(chunk)])
            inserted = time.perf_counter() - started
            started = time.perf_counter()
            recalls = []
            for query, expected in zip(queries, truth, strict=True):
                found = await collection.query(query.tolist(), 10)
                recalls.append(len({hit["id"] for hit in found} & expected) / 10)
            queried = time.perf_counter() - started
        return {
            "insert/s": len(data) / inserted,
            "queries/s": len(queries) / queried,
            "recall@10": float(np.mean(recalls)),
        }

    return asyncio.run(run())


def run_pinecone(client: Any, data: np.ndarray, queries: np.ndarray, truth: list[set[int]]) -> dict[str, float]:
    from pinecone import ServerlessSpec

    client.create_index(
        "bench", dimension=data.shape[1], metric="cosine", spec=ServerlessSpec(cloud="aws", region="us-east-1")
    )
    index = client.index("bench")
    started = time.perf_counter()
    for start in range(0, len(data), PINECONE_BATCH):
        chunk = data[start : start + PINECONE_BATCH]
        index.upsert(vectors=[(str(start + i), row.tolist()) for i, row in enumerate(chunk)])
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    recalls = []
    for query, expected in zip(queries, truth, strict=True):
        found = index.query(vector=query.tolist(), top_k=10).matches
        recalls.append(len({int(match.id) for match in found} & expected) / 10)
    queried = time.perf_counter() - started
    return {"insert/s": len(data) / inserted, "queries/s": len(queries) / queried, "recall@10": float(np.mean(recalls))}


def run_weaviate(client: Any, data: np.ndarray, queries: np.ndarray, truth: list[set[int]]) -> dict[str, float]:
    import uuid

    from weaviate.classes.config import Configure
    from weaviate.classes.data import DataObject

    collection = client.collections.create("Bench", vector_config=Configure.Vectors.self_provided())
    started = time.perf_counter()
    for start in range(0, len(data), BATCH):
        chunk = data[start : start + BATCH]
        objects = [DataObject(properties={}, uuid=uuid.UUID(int=start + i), vector=row) for i, row in enumerate(chunk)]
        assert collection.data.insert_many(objects).errors == {}
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    recalls = []
    for query, expected in zip(queries, truth, strict=True):
        found = collection.query.near_vector(query.tolist(), limit=10, return_properties=[]).objects
        recalls.append(len({hit.uuid.int for hit in found} & expected) / 10)
    queried = time.perf_counter() - started
    return {"insert/s": len(data) / inserted, "queries/s": len(queries) / queried, "recall@10": float(np.mean(recalls))}


def vector_rows(
    count: int, dimension: int, query_count: int, folder: Path, shards: int
) -> list[tuple[str, dict[str, float]]]:
    import chromadb

    import dotdo.compat.chroma
    import dotdo.compat.pinecone
    import dotdo.compat.weaviate

    data, queries = clustered(count, dimension, 1), clustered(query_count, dimension, 2)
    started = time.perf_counter()
    truth = exact_top10(data, queries)
    exact = {"queries/s": query_count / (time.perf_counter() - started), "recall@10": 1.0}
    rows = [("exact search (numpy, in process)", exact)]
    rows.append(("bare vector core (in process)", run_vector_core(folder / "vector-core", data, queries, truth)))
    for count_of_shards in (1, shards):
        rows.append(
            (
                f"sharded vector core ({count_of_shards} shard{'s' if count_of_shards > 1 else ''}, in process)",
                run_vector_core(folder / f"vector-{count_of_shards}", data, queries, truth, count_of_shards),
            )
        )
    for count_of_shards in (1, shards):
        process, port, key_id, secret = start_dotdo(
            folder / f"dotdo-pinecone-{count_of_shards}", "pinecone", "--index-shards", str(count_of_shards)
        )
        try:
            client = dotdo.compat.pinecone.client(f"http://127.0.0.1:{port}", access_key_id=key_id, secret=secret)
            suffix = "" if count_of_shards == 1 else f", {count_of_shards} shards"
            rows.append((f"dotdo compat pinecone (SDK{suffix})", run_pinecone(client, data, queries, truth)))
        finally:
            stop(process)
    grpc_port = free_port()
    process, port, key_id, secret = start_dotdo(folder / "dotdo-weaviate", "weaviate", "--grpc-port", str(grpc_port))
    try:
        with dotdo.compat.weaviate.client(
            f"http://127.0.0.1:{port}", grpc_port=grpc_port, access_key_id=key_id, secret=secret
        ) as client:
            rows.append(("dotdo compat weaviate (gRPC)", run_weaviate(client, data, queries, truth)))
    finally:
        stop(process)
    process, port, key_id, secret = start_dotdo(folder / "dotdo-chroma", "chroma")
    try:
        client = dotdo.compat.chroma.client("127.0.0.1", port, access_key_id=key_id, secret=secret)
        rows.append(("dotdo compat chroma (HttpClient)", run_chroma(client, data, queries, truth)))
    finally:
        stop(process)
    chroma_cli = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if os.path.exists(chroma_cli):
        port = free_port()
        process = subprocess.Popen(
            [chroma_cli, "run", "--path", str(folder / "chroma-own"), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, process)
            client = chromadb.HttpClient(host="127.0.0.1", port=port)
            rows.append(("Chroma's own server (HttpClient)", run_chroma(client, data, queries, truth)))
        finally:
            stop(process)
    return rows


def documents(count: int) -> list[dict[str, Any]]:
    chooser = random.Random(3)
    return [
        {"id": i, "title": " ".join(chooser.choices(WORDS, k=4)), "body": " ".join(chooser.choices(WORDS, k=20))}
        for i in range(count)
    ]


def typo(word: str, chooser: random.Random) -> str:
    position = chooser.randrange(1, len(word))
    return word[:position] + word[position + 1 :]


def run_search_core(
    folder: Path, docs: list[dict[str, Any]], queries: list[str], shards: int | None = None
) -> dict[str, float]:
    """The search core in process: the bare object, or (given `shards`) a `ShardedIndex` of that many."""

    async def run() -> dict[str, float]:
        async with Runtime(folder, objects=[SearchIndex]) as runtime:
            index: Any = runtime.get(SearchIndex, "bench/core")
            if shards is not None:
                index = ShardedIndex(runtime, "bench/sharded", shards=shards)
            await index.create("core", "id")
            started = time.perf_counter()
            for start in range(0, len(docs), BATCH):
                await index.add(docs[start : start + BATCH])
            indexed = time.perf_counter() - started
            started = time.perf_counter()
            for text in queries:
                await index.search(SearchQuery(q=text))
            queried = time.perf_counter() - started
        return {"documents/s": len(docs) / indexed, "queries/s": len(queries) / queried}

    return asyncio.run(run())


def text_rows(count: int, query_count: int, folder: Path, shards: int) -> list[tuple[str, dict[str, float]]]:
    import dotdo.compat.algolia

    docs = documents(count)
    chooser = random.Random(4)
    pairs = [chooser.sample(WORDS, 2) for _ in range(query_count)]
    typed = [f"{typo(first, chooser)} {second}" for first, second in pairs]
    rows = []
    database = sqlite3.connect(folder / "bare.sqlite", isolation_level=None)
    database.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        database.execute("BEGIN")
        database.executemany(
            "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
            [(d["id"], d["title"], d["body"]) for d in docs[start : start + BATCH]],
        )
        database.execute("COMMIT")
    indexed = time.perf_counter() - started
    started = time.perf_counter()
    for first, second in pairs:
        database.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 20", (f'"{first}" "{second}"*',)
        ).fetchall()
    rows.append(
        (
            "bare FTS5 (exact words)",
            {"documents/s": count / indexed, "queries/s": query_count / (time.perf_counter() - started)},
        )
    )
    rows.append(("bare search core (in process, one typo)", run_search_core(folder / "search-core", docs, typed)))
    for count_of_shards in (1, shards):
        rows.append(
            (
                f"sharded search core ({count_of_shards} shard{'s' if count_of_shards > 1 else ''}, one typo)",
                run_search_core(folder / f"search-{count_of_shards}", docs, typed, count_of_shards),
            )
        )
    rows.append(meilisearch_row(docs, typed, folder, 1))
    rows.append(meilisearch_row(docs, typed, folder, shards))
    process, port, key_id, secret = start_dotdo(folder / "dotdo-algolia", "algolia")
    try:
        client = dotdo.compat.algolia.client(f"http://127.0.0.1:{port}", access_key_id=key_id, secret=secret)
        records = [{**d, "objectID": str(d["id"])} for d in docs]
        started = time.perf_counter()
        client.save_objects("bench", records, wait_for_tasks=True, batch_size=BATCH)
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        for text in typed:
            client.search_single_index("bench", {"query": text, "removeWordsIfNoResults": "lastWords"})
        rows.append(
            (
                "dotdo compat algolia (SDK, one typo)",
                {"documents/s": count / indexed, "queries/s": query_count / (time.perf_counter() - started)},
            )
        )
    finally:
        stop(process)
    rows.extend(elasticsearch_rows(docs, pairs, folder))
    return rows


def meilisearch_row(
    docs: list[dict[str, Any]], typed: list[str], folder: Path, shards: int
) -> tuple[str, dict[str, float]]:
    """Indexing and one-typo queries through the `meilisearch` SDK, the server's indexes having `shards` shards."""
    import dotdo.compat.meilisearch

    process, port, key_id, secret = start_dotdo(
        folder / f"dotdo-meili-{shards}", "meilisearch", "--index-shards", str(shards)
    )
    try:
        client = dotdo.compat.meilisearch.client(f"http://127.0.0.1:{port}", access_key_id=key_id, secret=secret)
        index = client.index("bench")
        started = time.perf_counter()
        task = None
        for start in range(0, len(docs), BATCH):
            task = index.add_documents(docs[start : start + BATCH], primary_key="id")
        assert task is not None
        client.wait_for_task(task.task_uid, timeout_in_ms=600_000)
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        for text in typed:
            index.search(text)
        queried = time.perf_counter() - started
    finally:
        stop(process)
    suffix = "" if shards == 1 else f", {shards} shards"
    return f"dotdo compat meilisearch (SDK{suffix}, one typo)", {
        "documents/s": len(docs) / indexed,
        "queries/s": len(typed) / queried,
    }


def elasticsearch_rows(
    docs: list[dict[str, Any]], pairs: list[list[str]], folder: Path
) -> list[tuple[str, dict[str, float]]]:
    """Bulk-index `docs` through the official client, then ask for both words of each pair in title or body
    (which FTS5 answers alone), and for both in the body with one typo (which reads and checks each candidate)."""
    import dotdo.compat.elasticsearch

    process, port, key_id, secret = start_dotdo(folder / "dotdo-elasticsearch", "elasticsearch")
    try:
        client = dotdo.compat.elasticsearch.client(
            f"http://127.0.0.1:{port}", access_key_id=key_id, secret=secret, request_timeout=600
        )
        client.indices.create(
            index="bench", mappings={"properties": {"title": {"type": "text"}, "body": {"type": "text"}}}
        )
        started = time.perf_counter()
        for start in range(0, len(docs), BATCH):
            operations: list[dict[str, Any]] = []
            for doc in docs[start : start + BATCH]:
                operations += [{"index": {"_id": str(doc["id"])}}, {"title": doc["title"], "body": doc["body"]}]
            assert not client.bulk(index="bench", operations=operations)["errors"]
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        for first, second in pairs:
            words = [{"multi_match": {"query": word, "fields": ["title", "body"]}} for word in (first, second)]
            client.search(index="bench", query={"bool": {"must": words}}, size=20)
        searched = time.perf_counter() - started
        chooser = random.Random(5)
        started = time.perf_counter()
        for first, second in pairs:
            fuzzy = {"query": f"{typo(first, chooser)} {second}", "operator": "and", "fuzziness": "AUTO"}
            client.search(index="bench", query={"match": {"body": fuzzy}}, size=20)
        checked = time.perf_counter() - started
    finally:
        stop(process)
    return [
        (
            "dotdo compat elasticsearch (client, both words in either field)",
            {"documents/s": len(docs) / indexed, "queries/s": len(pairs) / searched},
        ),
        ("dotdo compat elasticsearch (both words in the body, one typo)", {"queries/s": len(pairs) / checked}),
    ]


def table(title: str, rows: list[tuple[str, dict[str, float]]], baselines: list[str], columns: list[str]) -> Table:
    """Each row's figures, with their ratio to each baseline row's (measured in the same run)."""
    out = Table(title=title)
    out.add_column("system")
    for column in columns:
        out.add_column(column, justify="right")
        if column != "recall@10":
            for baseline in baselines:
                out.add_column(f"vs {baseline}", justify="right")
    measured = dict(rows)
    for name, values in rows:
        cells = [name]
        for column in columns:
            value = values.get(column)
            cells.append("-" if value is None else f"{value:.3f}" if column == "recall@10" else f"{value:,.0f}")
            if column != "recall@10":
                for baseline in baselines:
                    reference = measured.get(baseline, {}).get(column)
                    cells.append("-" if value is None or not reference else f"{value / reference:.2f}x")
        out.add_row(*cells)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=int, default=100_000, help="how many vectors (default 100000)")
    parser.add_argument("--dimension", type=int, default=384, help="their dimension (default 384)")
    parser.add_argument("--documents", type=int, default=100_000, help="how many text documents (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="queries per system (default 200)")
    parser.add_argument("--shards", type=int, default=4, help="shards of the sharded rows' indexes (default 4)")
    parser.add_argument("--only", choices=["vectors", "text"], help="run only the vector or the text rows")
    arguments = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if arguments.only != "text":
            status = "vector search: the vector core, dotdo's pinecone, weaviate and chroma layers, Chroma's own server"
            with console.status(status):
                vectors = vector_rows(
                    arguments.vectors, arguments.dimension, arguments.queries, folder, arguments.shards
                )
            console.print(
                table(
                    f"{arguments.vectors:,} vectors x {arguments.dimension}",
                    vectors,
                    ["bare vector core (in process)", "Chroma's own server (HttpClient)"],
                    ["insert/s", "queries/s", "recall@10"],
                )
            )
        if arguments.only != "vectors":
            status = "text search: dotdo's meilisearch, algolia and elasticsearch layers, the search core, bare FTS5"
            with console.status(status):
                texts = text_rows(arguments.documents, arguments.queries, folder, arguments.shards)
            console.print(
                table(
                    f"{arguments.documents:,} documents",
                    texts,
                    ["bare search core (in process, one typo)", "bare FTS5 (exact words)"],
                    ["documents/s", "queries/s"],
                )
            )


if __name__ == "__main__":
    main()
