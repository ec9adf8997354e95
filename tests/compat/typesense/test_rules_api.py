"""Aliases, synonyms, overrides, stopword sets and /metrics.json through Typesense's own client."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import typesense.exceptions

import dotdo.compat
from tests.compat.conftest import CompatServer

SCHEMA = {
    "name": "products",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "brand", "type": "string", "facet": True},
        {"name": "price", "type": "int32"},
    ],
    "default_sorting_field": "price",
}
PRODUCTS = [
    {"id": "1", "name": "blazer jacket", "brand": "acme", "price": 120},
    {"id": "2", "name": "rain coat", "brand": "acme", "price": 90},
    {"id": "3", "name": "sport coat", "brand": "zenith", "price": 150},
    {"id": "4", "name": "wool sweater", "brand": "zenith", "price": 70},
    {"id": "5", "name": "denim jacket", "brand": "rivet", "price": 60},
    {"id": "6", "name": "linen shirt", "brand": "rivet", "price": 40},
]


@pytest.fixture(scope="module")
def client(typesense_server: CompatServer) -> Any:
    address = urlsplit(typesense_server.url)
    return dotdo.compat.typesense.client(
        address.hostname,
        address.port,
        access_key_id=typesense_server.key.access_key_id,
        secret=typesense_server.key.secret,
    )


@pytest.fixture(scope="module")
def products(client: Any) -> Any:
    client.collections.create(SCHEMA)
    results = client.collections["products"].documents.import_(PRODUCTS, {"action": "create"})
    assert all(result["success"] for result in results)
    return client.collections["products"]


def ids(result: dict[str, Any]) -> list[str]:
    return [hit["document"]["id"] for hit in result["hits"]]


def test_an_alias_stands_for_its_collection_everywhere_and_can_be_moved(client: Any, products: Any) -> None:
    assert client.aliases.upsert("catalog", {"collection_name": "products"}) == {
        "name": "catalog",
        "collection_name": "products",
    }
    assert client.aliases["catalog"].retrieve() == {"name": "catalog", "collection_name": "products"}
    assert {"name": "catalog", "collection_name": "products"} in client.aliases.retrieve()["aliases"]
    through_alias = client.collections["catalog"].documents.search({"q": "coat", "query_by": "name"})
    assert sorted(ids(through_alias)) == ["2", "3"]
    assert client.collections["catalog"].documents["4"].retrieve()["name"] == "wool sweater"
    assert client.collections["catalog"].retrieve()["name"] == "products"
    multi = client.multi_search.perform({"searches": [{"collection": "catalog", "q": "shirt", "query_by": "name"}]}, {})
    assert ids(multi["results"][0]) == ["6"]

    client.collections.create({"name": "products_v2", "fields": [{"name": "name", "type": "string"}]})
    client.collections["products_v2"].documents.create({"id": "9", "name": "new coat"})
    client.aliases.upsert("catalog", {"collection_name": "products_v2"})
    assert ids(client.collections["catalog"].documents.search({"q": "coat", "query_by": "name"})) == ["9"]
    assert client.aliases["catalog"].delete() == {"name": "catalog", "collection_name": "products_v2"}
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        client.aliases["catalog"].retrieve()
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        client.collections["catalog"].documents.search({"q": "coat", "query_by": "name"})
    client.collections["products_v2"].delete()


def test_synonyms_widen_a_search_multi_way_and_one_way(products: Any) -> None:
    assert ids(products.documents.search({"q": "blazer", "query_by": "name"})) == ["1"]
    created = products.synonyms.upsert("coats", {"synonyms": ["blazer", "coat", "jacket"]})
    assert created == {"id": "coats", "synonyms": ["blazer", "coat", "jacket"]}
    assert sorted(ids(products.documents.search({"q": "blazer", "query_by": "name"}))) == ["1", "2", "3", "5"]
    assert sorted(ids(products.documents.search({"q": "jacket", "query_by": "name"}))) == ["1", "2", "3", "5"]

    products.synonyms.upsert("knit", {"root": "knitwear", "synonyms": ["sweater"]})
    assert ids(products.documents.search({"q": "knitwear", "query_by": "name"})) == ["4"]
    assert ids(products.documents.search({"q": "sweater", "query_by": "name"})) == ["4"]
    assert ids(products.documents.search({"q": "knitwear sweater", "query_by": "name"})) == ["4"]
    one_way = products.documents.search({"q": "sweater", "query_by": "name", "drop_tokens_threshold": 0})
    assert ids(one_way) == ["4"]

    listed = products.synonyms.retrieve()["synonyms"]
    assert {rule["id"] for rule in listed} == {"coats", "knit"}
    assert products.synonyms["knit"].retrieve() == {"id": "knit", "root": "knitwear", "synonyms": ["sweater"]}
    assert products.synonyms["coats"].delete() == {"id": "coats"}
    assert ids(products.documents.search({"q": "blazer", "query_by": "name"})) == ["1"]
    products.synonyms["knit"].delete()
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        products.synonyms["knit"].retrieve()
    with pytest.raises(typesense.exceptions.RequestMalformed, match="synonyms"):
        products.synonyms.upsert("bad", {"synonyms": "coat"})


def test_overrides_pin_hide_filter_and_replace(products: Any) -> None:
    organic = ids(products.documents.search({"q": "coat", "query_by": "name", "sort_by": "price:asc"}))
    assert organic == ["2", "3"]
    override = {
        "rule": {"query": "coat", "match": "exact"},
        "includes": [{"id": "5", "position": 1}],
        "excludes": [{"id": "3"}],
        "metadata": {"banner": "autumn"},
    }
    assert products.overrides.upsert("coat-promo", override) == {"id": "coat-promo", **override}
    curated = products.documents.search({"q": "coat", "query_by": "name", "sort_by": "price:asc"})
    assert ids(curated) == ["5", "2"] and curated["found"] == 2
    assert curated["hits"][0].get("curated") is True and "curated" not in curated["hits"][1]
    assert curated["metadata"] == {"banner": "autumn"}
    # Not the query of the rule (exact match): untouched; overrides switched off: untouched.
    assert ids(products.documents.search({"q": "rain coat", "query_by": "name", "sort_by": "price:asc"})) == ["2"]
    switched_off = {"q": "coat", "query_by": "name", "sort_by": "price:asc", "enable_overrides": "false"}
    assert ids(products.documents.search(switched_off)) == ["2", "3"]

    products.overrides.upsert(
        "cheap",
        {"rule": {"query": "cheap", "match": "contains"}, "filter_by": "price:<100", "remove_matched_tokens": True},
    )
    cheap = products.documents.search({"q": "cheap jacket", "query_by": "name", "sort_by": "price:asc"})
    assert ids(cheap) == ["5"]
    products.overrides.upsert("outerwear", {"rule": {"query": "outerwear", "match": "exact"}, "replace_query": "coat"})
    assert sorted(ids(products.documents.search({"q": "outerwear", "query_by": "name"}))) == ["2", "3"]

    assert {o["id"] for o in products.overrides.retrieve()["overrides"]} == {"cheap", "coat-promo", "outerwear"}
    assert products.overrides["cheap"].retrieve()["filter_by"] == "price:<100"
    for name in ("cheap", "coat-promo", "outerwear"):
        assert products.overrides[name].delete() == {"id": name}
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        products.overrides["cheap"].retrieve()
    with pytest.raises(typesense.exceptions.RequestMalformed, match="match"):
        products.overrides.upsert("bad", {"rule": {"query": "x", "match": "sometimes"}})
    with pytest.raises(typesense.exceptions.RequestMalformed, match="position"):
        products.overrides.upsert("bad", {"rule": {"query": "x", "match": "exact"}, "includes": [{"id": "1"}]})


def test_a_stopword_set_named_by_a_search_drops_its_words(client: Any, products: Any) -> None:
    assert client.stopwords.upsert("fillers", {"stopwords": ["the", "best", "ever"]}) == {
        "id": "fillers",
        "stopwords": ["the", "best", "ever"],
    }
    query = {"q": "the best shirt ever", "query_by": "name", "drop_tokens_threshold": 0}
    assert ids(products.documents.search(query)) == []
    assert ids(products.documents.search({**query, "stopwords": "fillers"})) == ["6"]
    assert client.stopwords["fillers"].retrieve() == {
        "stopwords": {"id": "fillers", "stopwords": ["the", "best", "ever"]}
    }
    assert [s["id"] for s in client.stopwords.retrieve()["stopwords"]] == ["fillers"]
    assert client.stopwords["fillers"].delete() == {"id": "fillers"}
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        products.documents.search({**query, "stopwords": "fillers"})


def test_metrics_report_the_machine_and_the_process(client: Any) -> None:
    metrics = client.metrics.retrieve()
    assert int(metrics["system_memory_total_bytes"]) > int(metrics["system_memory_used_bytes"]) > 0
    assert int(metrics["typesense_memory_resident_bytes"]) > 0
    assert float(metrics["system_cpu_active_percentage"]) >= 0


def test_rules_of_one_tenant_are_invisible_to_another_and_bad_ids_are_refused(
    typesense_server: CompatServer, client: Any, products: Any
) -> None:
    products.synonyms.upsert("mine", {"synonyms": ["coat", "parka"]})
    client.stopwords.upsert("mine", {"stopwords": ["a"]})
    other = dotdo.compat.Credentials(typesense_server.data_dir / "compat").create(
        "other-tenant", services=["typesense"]
    )
    address = urlsplit(typesense_server.url)
    stranger = dotdo.compat.typesense.client(
        address.hostname, address.port, access_key_id=other.access_key_id, secret=other.secret
    )
    assert stranger.stopwords.retrieve() == {"stopwords": []}
    assert stranger.aliases.retrieve() == {"aliases": []}
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        stranger.collections["products"].synonyms.retrieve()
    headers = {"X-TYPESENSE-API-KEY": typesense_server.key.access_key_id + (typesense_server.key.secret or "")}
    traversal = httpx.put(
        typesense_server.url + "/aliases/..%2F..%2Fetc%2Fpasswd", json={"collection_name": "products"}, headers=headers
    )
    assert traversal.status_code == 404 and traversal.json() == {"message": "Not Found"}
    assert client.aliases.retrieve() == {"aliases": []}
    for path in ("/aliases/a%00b", "/stopwords/a%00b", "/collections/products/synonyms/" + "x" * 300):
        answer = httpx.put(
            typesense_server.url + path, json={"collection_name": "p", "stopwords": ["x"]}, headers=headers
        )
        assert answer.status_code == 400 and "invalid" in answer.json()["message"]
    malformed = httpx.put(typesense_server.url + "/stopwords/s", content=b"{not json", headers=headers)
    assert malformed.status_code == 400 and malformed.json() == {"message": "Bad JSON."}
    products.synonyms["mine"].delete()
    client.stopwords["mine"].delete()
