import pytest

from dotdo.http.errors import HTTPError
from dotdo.http.routing import FixedRouting, HostnameRouting, PathRouting, check_object_name, routing_for


def scope(path="/", host="localhost"):
    return {"type": "http", "path": path, "headers": [(b"host", host.encode())]}


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("acme.example.com", "acme"),
        ("acme.localhost:8787", "acme"),
        ("ACME.Example.COM.", "acme"),
        ("shop.acme.example.com", "shop"),
    ],
)
def test_hostname_mode_takes_the_first_label(host, name):
    match = HostnameRouting().match(scope("/orders", host))
    assert (match.name, match.path) == (name, "/orders")


@pytest.mark.parametrize("host", ["localhost", "localhost:8787", "example.com", "127.0.0.1:8787", "[::1]:80", ""])
def test_hosts_without_subdomain_get_404_saying_why(host):
    with pytest.raises(HTTPError) as error:
        HostnameRouting().match(scope("/", host))
    assert error.value.status_code == 404
    assert "subdomain" in error.value.message


def test_path_mode_one_segment():
    match = PathRouting(1).match(scope("/acme/orders/7"))
    assert (match.name, match.path, match.prefix) == ("acme", "/orders/7", "/acme")
    assert PathRouting(1).match(scope("/acme")).path == "/"
    assert PathRouting(1).match(scope("/acme/")).path == "/"


def test_path_mode_two_segments_joins_with_a_colon():
    match = PathRouting(2).match(scope("/acme/site/x"))
    assert (match.name, match.path) == ("acme:site", "/x")
    with pytest.raises(HTTPError) as error:
        PathRouting(2).match(scope("/acme"))
    assert error.value.status_code == 404


@pytest.mark.parametrize("path", ["/", "//x", ""])
def test_path_mode_without_a_name_is_404(path):
    with pytest.raises(HTTPError) as error:
        PathRouting(1).match(scope(path or "/"))
    assert error.value.status_code == 404


@pytest.mark.parametrize("name", ["..", ".", "a\x00b", "tab\there", "x" * 257, "é" * 129, "del\x7f"])
def test_bad_names_get_400(name):
    with pytest.raises(HTTPError) as error:
        check_object_name(name)
    assert error.value.status_code == 400
    with pytest.raises(HTTPError):
        PathRouting(1).match(scope(f"/{name}/x"))


def test_fixed_mode_sends_everything_to_one_object():
    match = FixedRouting("main").match(scope("/anything"))
    assert (match.name, match.path) == ("main", "/anything")


def test_routing_for_parses_ns():
    assert isinstance(routing_for(None), HostnameRouting)
    assert routing_for("/:org").segments == 1
    assert routing_for("/:org/:project").segments == 2
    assert routing_for("main").name == "main"
    for bad in ["/org", "/:a/:b/:c", "/:"]:
        with pytest.raises(ValueError):
            routing_for(bad)
    with pytest.raises(TypeError):
        routing_for(3)
