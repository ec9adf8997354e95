""".npmrc: registries per scope and credentials per registry path, as npm reads them."""

from __future__ import annotations

import base64

from dotdo.primitives.npmx import DEFAULT_REGISTRY, parse_npmrc


def test_registries_and_tokens() -> None:
    config = parse_npmrc(
        "# comment\nregistry=http://main.example/npm\n@corp:registry=https://corp.example/\n"
        "//corp.example/:_authToken=${CORP_TOKEN}\n//main.example/npm/:_auth=dXNlcjpwYXNz\n",
        {"CORP_TOKEN": "s3cret"},
    )
    assert config.registry_for("lodash") == "http://main.example/npm/"
    assert config.registry_for("@corp/tool") == "https://corp.example/"
    assert config.registry_for("@other/tool") == "http://main.example/npm/"
    assert config.headers_for("https://corp.example/@corp%2ftool") == {"authorization": "Bearer s3cret"}
    assert config.headers_for("http://main.example/npm/lodash") == {"authorization": "Basic dXNlcjpwYXNz"}
    assert config.headers_for("https://elsewhere.example/x") == {}


def test_username_and_password() -> None:
    password = base64.b64encode(b"pw").decode()
    config = parse_npmrc(f"//r.example/:username=me\n//r.example/:_password={password}\n")
    expected = "Basic " + base64.b64encode(b"me:pw").decode()
    assert config.headers_for("https://r.example/pkg") == {"authorization": expected}


def test_defaults() -> None:
    assert parse_npmrc("").registry_for("x") == DEFAULT_REGISTRY
