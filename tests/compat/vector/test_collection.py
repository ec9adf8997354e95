"""The vector core: exact search as the oracle for the graph, filters before the search, writes, persistence."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from dotdo import Runtime
from dotdo.compat.search.filters import Compare
from dotdo.compat.vector import Point, Space, SparseVector, VectorCollection, VectorError
from dotdo.compat.vector.collection import EXACT_BELOW


def clustered(count: int, dimension: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(50, dimension))
    return (centers[rng.integers(0, 50, count)] + 0.4 * rng.normal(size=(count, dimension))).astype(np.float32)


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
async def test_graph_search_recalls_what_exact_search_finds(tmp_path: Path, metric: str) -> None:
    data = clustered(EXACT_BELOW * 2, 32, seed=1)
    queries = clustered(20, 32, seed=2)
    async with Runtime(tmp_path, objects=[VectorCollection]) as rt:
        collection = rt.get(VectorCollection, "t/c")
        await collection.create("c", 32, metric)
        await collection.upsert([Point(i, row.tolist(), {"group": i % 4}) for i, row in enumerate(data)])
        recalls = []
        for query in queries:
            approximate = await collection.query(query.tolist(), 10)
            exact = await collection.query(query.tolist(), 10, exact=True)
            recalls.append(len({h["id"] for h in approximate} & {h["id"] for h in exact}) / 10)
            assert [h["score"] for h in approximate] == sorted(
                (h["score"] for h in approximate), reverse=metric != "euclidean"
            )
        assert sum(recalls) / len(recalls) >= 0.95
        filtered = await collection.query(queries[0].tolist(), 5, filter=Compare("group", "=", 3))
        assert len(filtered) == 5 and all(hit["payload"]["group"] == 3 for hit in filtered)
        exact_filtered = await collection.query(queries[0].tolist(), 5, filter=Compare("group", "=", 3), exact=True)
        assert [h["id"] for h in filtered] == [h["id"] for h in exact_filtered]


async def test_scores_writes_and_refused_vectors(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[VectorCollection]) as rt:
        collection = rt.get(VectorCollection, "t/small")
        await collection.create("small", 2, "cosine")
        await collection.upsert([Point(1, [1, 0], {"color": "red"}), Point("b", [0, 1], {"color": "blue"})])
        [best, other] = await collection.query([1, 1], 2)
        assert math.isclose(best["score"], math.sqrt(0.5), rel_tol=1e-6) and other["score"] == best["score"]
        assert (await collection.query([1, 0.1], 1))[0]["id"] == 1
        for bad in ([float("nan"), 1], [1, 2, 3], ["a", 1], [float("inf"), 0]):
            with pytest.raises(VectorError):
                await collection.upsert([Point(3, bad)])
        with pytest.raises(VectorError):
            await collection.query([1, float("nan")])
        assert await collection.count() == 2  # a refused write lost nothing
        await collection.set_payload([1], None, {"size": 3}, replace=False)
        assert (await collection.get([1]))[0]["payload"] == {"color": "red", "size": 3}
        assert await collection.delete(filter=Compare("color", "=", "blue")) == 1
        assert [p["id"] for p in (await collection.scroll())["points"]] == [1]


async def test_points_and_graph_survive_a_restart(tmp_path: Path) -> None:
    data = clustered(EXACT_BELOW + 500, 16, seed=3)
    async with Runtime(tmp_path, objects=[VectorCollection]) as rt:
        collection = rt.get(VectorCollection, "t/kept")
        await collection.create("kept", 16, "euclidean")
        await collection.upsert([Point(i, row.tolist()) for i, row in enumerate(data)])
        before = await collection.query(data[7].tolist(), 3)
        # What the alarm set by the writes does an instant later; stopping sooner would leave the graph to be
        # rebuilt, whose approximate candidates may differ.
        assert await collection.save_graph()
    async with Runtime(tmp_path, objects=[VectorCollection]) as rt:
        after = await rt.get(VectorCollection, "t/kept").query(data[7].tolist(), 3)
    assert [h["id"] for h in after] == [h["id"] for h in before] and after[0]["id"] == 7


async def test_an_evicted_collection_restores_its_saved_graph(tmp_path: Path) -> None:
    data = clustered(EXACT_BELOW + 200, 8, seed=4)
    async with Runtime(tmp_path, objects=[VectorCollection]) as rt:
        collection = rt.get(VectorCollection, "t/evicted")
        await collection.create("evicted", 8, "dot")
        await collection.upsert([Point(i, row.tolist()) for i, row in enumerate(data)])
        before = await collection.query(data[3].tolist(), 5)
        assert await collection.save_graph()  # what the alarm set by the writes does an instant later
        assert rt.evict(VectorCollection, "t/evicted")
        after = await collection.query(data[3].tolist(), 5)
        assert [h["id"] for h in after] == [h["id"] for h in before]
        await collection.upsert([Point("new", (data[3] * 10).tolist())])  # a longer vector: the dot graph is rebuilt
        assert (await collection.query(data[3].tolist(), 1))[0]["id"] == "new"


ODD = Compare("odd", "=", 1)


def sparse_dot(query: dict[int, float], stored: dict[int, float]) -> float | None:
    """The oracle: the dot product over shared indices, None when they share none."""
    shared = set(query) & set(stored)
    return sum(query[i] * stored[i] for i in shared) if shared else None


async def test_named_and_sparse_vectors_score_as_an_exact_oracle_does(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    images, texts = clustered(EXACT_BELOW + 300, 12, seed=6), clustered(EXACT_BELOW + 300, 5, seed=7)
    words = [
        dict(zip(rng.choice(50, 4, replace=False).tolist(), rng.random(4).round(3).tolist(), strict=True))
        for _ in images
    ]
    spaces = {"image": Space(12, "dot"), "text": Space(5, "euclidean"), "words": Space(sparse=True)}
    async with Runtime(tmp_path, objects=[VectorCollection]) as rt:
        collection = rt.get(VectorCollection, "t/named")
        await collection.create("named", None, None, spaces=spaces)
        points = []
        for i in range(len(images)):
            vectors = {"image": images[i].tolist(), "words": SparseVector(tuple(words[i]), tuple(words[i].values()))}
            if i % 3:  # every third point has no text vector
                vectors["text"] = texts[i].tolist()
            points.append(Point(i, None, {"odd": i % 2}, vectors=vectors))
        await collection.upsert(points, keep_vectors=False, require_vector=False)

        query = rng.normal(size=12).astype(np.float32)
        exact = sorted(range(len(images)), key=lambda i: -float(images[i] @ query))[:10]
        found = await collection.query(query.tolist(), 10, using="image")
        assert len({hit["id"] for hit in found} & set(exact)) >= 9  # the graph's candidates, exactly re-scored
        assert found[0]["score"] == pytest.approx(float(images[exact[0]] @ query), rel=1e-5)

        target = texts[4]
        nearest = await collection.query(target.tolist(), 3, using="text", exact=True)
        assert nearest[0]["id"] == 4 and all(hit["id"] % 3 for hit in nearest)

        probe = {3: 1.0, 7: 0.5, 11: 2.0}
        oracle = sorted(
            ((i, score) for i, w in enumerate(words) if (score := sparse_dot(probe, w)) is not None),
            key=lambda pair: (-pair[1], pair[0]),
        )
        hits = await collection.query({"indices": list(probe), "values": list(probe.values())}, 20, using="words")
        assert [round(hit["score"], 4) for hit in hits] == [round(score, 4) for _, score in oracle[:20]]
        assert len(await collection.query(SparseVector((49_999,), (1.0,)), 5, using="words")) == 0
        odd = await collection.query(SparseVector((3, 7, 11), (1.0, 0.5, 2.0)), 5, using="words", filter=ODD)
        assert odd and all(hit["payload"]["odd"] == 1 for hit in odd)

        [stored] = await collection.get([1], with_vectors=["text", "words"])
        assert set(stored["vectors"]) == {"text", "words"} and stored["vectors"]["words"]["indices"] == sorted(words[1])
        await collection.delete_vectors([1], None, ["text"])
        await collection.update_vectors([Point(2, vectors={"image": [0.0] * 12})])
        [one, two] = await collection.get([1, 2], with_vectors=True)
        assert "text" not in one["vectors"] and two["vectors"]["image"] == [0.0] * 12 and "words" in two["vectors"]
        with pytest.raises(VectorError, match="Not existing vector name"):
            await collection.upsert([Point(9, vectors={"sound": [1.0]})])
        with pytest.raises(VectorError, match="unique"):
            await collection.upsert([Point(9, vectors={"words": {"indices": [1, 1], "values": [1.0, 2.0]}})])
        with pytest.raises(VectorError, match="finite"):
            await collection.query({"indices": [1], "values": [float("nan")]}, using="words")
        assert await collection.count() == len(images)  # the refused writes lost nothing
        assert await collection.save_graph()
    async with Runtime(tmp_path, objects=[VectorCollection]) as rt:
        again = await rt.get(VectorCollection, "t/named").query(query.tolist(), 10, using="image")
    assert [hit["id"] for hit in again] == [hit["id"] for hit in found]
