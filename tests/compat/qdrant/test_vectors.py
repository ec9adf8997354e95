"""Named dense and sparse vectors through `qdrant-client` (REST) against `dotdo compat serve qdrant`.

Every score is checked against an exact oracle computed here in Python over the same vectors.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

import dotdo.compat
from tests.compat.conftest import CompatServer

COUNT = 300
IMAGE, TEXT = 8, 4


@pytest.fixture(scope="module")
def client(qdrant_server: CompatServer) -> Iterator[QdrantClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the client warns that an api key travels over plain http
        yield dotdo.compat.qdrant.client(
            qdrant_server.url, access_key_id=qdrant_server.key.access_key_id, secret=qdrant_server.key.secret
        )


def old_search(server: CompatServer, body: dict) -> list[dict]:
    """The older search API (`POST /points/search`): servers still offer it; qdrant-client 1.20 no longer calls it."""
    key = server.key
    answer = httpx.post(
        f"{server.url}/collections/gallery/points/search",
        json=body,
        headers={"api-key": f"{key.access_key_id}{key.secret}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def sparse_dot(query: dict[int, float], stored: dict[int, float]) -> float | None:
    shared = set(query) & set(stored)
    return sum(query[i] * stored[i] for i in shared) if shared else None


@pytest.fixture(scope="module")
def gallery(client: QdrantClient) -> dict[str, list]:
    """A collection with two named dense vectors and a sparse one; every fifth point has no `text`."""
    chooser = random.Random(11)
    rng = np.random.default_rng(11)
    images, texts = rng.random((COUNT, IMAGE)), rng.normal(size=(COUNT, TEXT))
    words = [{index: round(chooser.random(), 3) for index in chooser.sample(range(30), 3)} for _ in range(COUNT)]
    client.create_collection(
        "gallery",
        vectors_config={
            "image": models.VectorParams(size=IMAGE, distance=models.Distance.COSINE),
            "text": models.VectorParams(size=TEXT, distance=models.Distance.EUCLID),
        },
        sparse_vectors_config={"words": models.SparseVectorParams()},
    )
    points = []
    for i in range(COUNT):
        vector: dict = {
            "image": images[i].tolist(),
            "words": models.SparseVector(indices=list(words[i]), values=list(words[i].values())),
        }
        if i % 5:
            vector["text"] = texts[i].tolist()
        points.append(models.PointStruct(id=i, vector=vector, payload={"shelf": i % 4}))
    client.upsert("gallery", points=points, wait=True)
    return {"images": list(images), "texts": list(texts), "words": words}


def test_the_collection_describes_its_named_and_sparse_vectors(client: QdrantClient, gallery: dict) -> None:
    info = client.get_collection("gallery")
    assert info.points_count == COUNT
    assert info.config.params.vectors == {
        "image": models.VectorParams(size=IMAGE, distance=models.Distance.COSINE),
        "text": models.VectorParams(size=TEXT, distance=models.Distance.EUCLID),
    }
    assert set(info.config.params.sparse_vectors or {}) == {"words"}
    [record] = client.retrieve("gallery", ids=[5], with_vectors=True)
    assert set(record.vector) == {"image", "words"}  # point 5 has no text vector
    assert record.vector["words"].indices == sorted(gallery["words"][5])
    norm = np.linalg.norm(gallery["images"][5])
    assert np.allclose(record.vector["image"], gallery["images"][5] / norm, atol=1e-6)  # cosine vectors normalized
    [only_text] = client.retrieve("gallery", ids=[6], with_vectors=["text"])
    assert set(only_text.vector) == {"text"}


def test_dense_queries_by_name_match_the_exact_oracle(
    client: QdrantClient, qdrant_server: CompatServer, gallery: dict
) -> None:
    probe = np.random.default_rng(3).random(IMAGE)
    oracle = sorted(range(COUNT), key=lambda i: -cosine(gallery["images"][i], probe))[:5]
    hits = client.query_points("gallery", query=probe.tolist(), using="image", limit=5).points
    assert [hit.id for hit in hits] == oracle
    assert math.isclose(hits[0].score, cosine(gallery["images"][oracle[0]], probe), rel_tol=1e-5)

    target = np.zeros(TEXT)
    distances = {i: float(np.linalg.norm(gallery["texts"][i] - target)) for i in range(COUNT) if i % 5}
    nearest = sorted(distances, key=distances.get)[:4]
    old_api = old_search(qdrant_server, {"vector": {"name": "text", "vector": target.tolist()}, "limit": 4})
    assert [hit["id"] for hit in old_api] == nearest  # points without a text vector are not candidates
    assert math.isclose(old_api[0]["score"], distances[nearest[0]], rel_tol=1e-5)

    shelf = models.Filter(must=[models.FieldCondition(key="shelf", match=models.MatchValue(value=2))])
    filtered = client.query_points("gallery", query=probe.tolist(), using="image", query_filter=shelf, limit=3)
    assert [hit.id for hit in filtered.points] == [
        i for i in sorted(range(COUNT), key=lambda i: -cosine(gallery["images"][i], probe)) if i % 4 == 2
    ][:3]


def test_sparse_queries_score_the_dot_product_over_shared_indices(
    client: QdrantClient, qdrant_server: CompatServer, gallery: dict
) -> None:
    probe = {2: 1.5, 9: 0.5, 17: 1.0}
    scored = {i: s for i, w in enumerate(gallery["words"]) if (s := sparse_dot(probe, w)) is not None}
    oracle = sorted(scored, key=lambda i: (-scored[i], i))[:10]
    query = models.SparseVector(indices=list(probe), values=list(probe.values()))
    hits = client.query_points("gallery", query=query, using="words", limit=10).points
    assert [round(hit.score, 4) for hit in hits] == [round(scored[i], 4) for i in oracle]
    named_sparse = {"name": "words", "vector": {"indices": list(probe), "values": list(probe.values())}}
    old_api = old_search(qdrant_server, {"vector": named_sparse, "limit": 10})
    assert [hit["id"] for hit in old_api] == [hit.id for hit in hits]
    none_shared = models.SparseVector(indices=[999], values=[1.0])
    assert client.query_points("gallery", query=none_shared, using="words").points == []


def test_hybrid_query_fuses_dense_and_sparse_rankings(client: QdrantClient, gallery: dict) -> None:
    probe, words = np.random.default_rng(4).random(IMAGE), {3: 1.0, 12: 2.0}
    dense = sorted(range(COUNT), key=lambda i: -cosine(gallery["images"][i], probe))[:20]
    scored = {i: s for i, w in enumerate(gallery["words"]) if (s := sparse_dot(words, w)) is not None}
    sparse = sorted(scored, key=lambda i: (-scored[i], i))[:20]
    fused: dict[int, float] = {}
    for ranking in (dense, sparse):
        for rank, point in enumerate(ranking, start=1):
            fused[point] = fused.get(point, 0.0) + 1 / (rank + 1)  # RRF with k = 2, as Qdrant
    hits = client.query_points(
        "gallery",
        prefetch=[
            models.Prefetch(query=probe.tolist(), using="image", limit=20),
            models.Prefetch(
                query=models.SparseVector(indices=list(words), values=list(words.values())), using="words", limit=20
            ),
        ],
        query=models.FusionQuery(fusion=models.Fusion.RRF),
        limit=5,
    ).points
    assert [round(hit.score, 6) for hit in hits] == sorted((round(s, 6) for s in fused.values()), reverse=True)[:5]
    assert all(math.isclose(hit.score, fused[hit.id]) for hit in hits)


def test_recommend_and_vector_updates(client: QdrantClient, gallery: dict) -> None:
    images = gallery["images"]
    unit = [v / np.linalg.norm(v) for v in images]
    wanted = 2 * np.mean([unit[1], unit[2]], axis=0) - unit[3]  # Qdrant's average_vector strategy
    oracle = [i for i in sorted(range(COUNT), key=lambda i: -cosine(images[i], wanted)) if i not in (1, 2, 3)][:3]
    hits = client.query_points(
        "gallery",
        query=models.RecommendQuery(recommend=models.RecommendInput(positive=[1, 2], negative=[3])),
        using="image",
        limit=3,
    ).points
    assert [hit.id for hit in hits] == oracle

    client.update_vectors("gallery", points=[models.PointVectors(id=5, vector={"text": [0.0, 0.0, 0.0, 9.0]})])
    client.delete_vectors("gallery", vectors=["words"], points=[6])
    [five, six] = client.retrieve("gallery", ids=[5, 6], with_vectors=True)
    assert five.vector["text"] == [0.0, 0.0, 0.0, 9.0] and "image" in five.vector and "words" not in six.vector
    [top] = client.query_points("gallery", query=[0.0, 0.0, 0.0, 9.0], using="text", limit=1).points
    assert top.id == 5 and top.score == 0.0


def test_wrong_vectors_are_refused_and_lose_nothing(client: QdrantClient, gallery: dict) -> None:
    refused = [
        models.PointStruct(id=900, vector={"sound": [1.0]}),
        models.PointStruct(id=900, vector=[1.0] * IMAGE),  # an unnamed vector in a collection of named ones
        models.PointStruct(id=900, vector={"image": [1.0] * 3}),
        models.PointStruct(id=900, vector={"words": models.SparseVector(indices=[1, 1], values=[1.0, 2.0])}),
        models.PointStruct(id=900, vector={"image": models.SparseVector(indices=[1], values=[1.0])}),
    ]
    for point in refused:
        with pytest.raises(UnexpectedResponse) as raised:
            client.upsert("gallery", points=[point])
        assert raised.value.status_code == 400
    with pytest.raises(UnexpectedResponse, match="Not existing vector name"):
        client.query_points("gallery", query=[1.0] * IMAGE, using="sound")
    with pytest.raises(UnexpectedResponse):
        client.create_collection(
            "multi",
            vectors_config=models.VectorParams(
                size=2,
                distance=models.Distance.DOT,
                multivector_config=models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM),
            ),
        )
    assert client.count("gallery").count == COUNT
    assert not client.collection_exists("multi")
