"""The compat layers' route table: path parameters, trailing slashes, and the methods a path allows."""

from __future__ import annotations

from dotdo.compat.routing import RouteTable


def routes() -> RouteTable[str]:
    return RouteTable(
        [
            ("GET", "/", "info"),
            ("POST", "/_bulk", "bulk"),
            ("GET", "/{index}/_doc/{id}", "get"),
            ("PUT", "/{index}/_doc/{id}", "put"),
            ("GET", "/{index}", "index"),
        ]
    )


def test_a_path_resolves_to_its_handler_with_unquoted_parameters() -> None:
    found = routes().resolve("GET", "/books/_doc/a%20b")
    assert found.handler == "get" and found.params == {"index": "books", "id": "a b"}
    assert routes().resolve("GET", "/books/").handler == "index"
    assert routes().resolve("GET", "/").handler == "info"


def test_fixed_segments_win_when_listed_first_and_parameters_match_one_segment() -> None:
    assert routes().resolve("POST", "/_bulk").handler == "bulk"
    assert routes().resolve("GET", "/books/_doc").handler is None
    assert routes().resolve("GET", "/a/b/c/d").handler is None


def test_a_known_path_with_another_method_lists_the_methods_it_allows() -> None:
    found = routes().resolve("DELETE", "/books/_doc/1")
    assert found.handler is None and found.allowed == ("GET", "PUT")
    assert routes().resolve("GET", "/nowhere/at/all").allowed == ()
