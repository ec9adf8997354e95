"""Which version a dependency spec picks, by npm's rules (npm-pick-manifest), on npm's own range grammar.

Ranges (``^``, ``~``, ``x``, ``||``, hyphen ranges, prerelease rules) are node-semver's, through its
Python port ``nodesemver``. The pick: a dist-tag names its version; otherwise the ``latest`` tag's
version wins when it satisfies the range and is not deprecated (npm prefers it over a newer
match), then the highest satisfying version that is not deprecated, then the highest deprecated one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

import nodesemver

from dotdo.primitives.npmx.errors import NpmResolveError, NpmSpecError

_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9_.~-][a-z0-9._~-]*$", re.IGNORECASE)
ALIAS = "npm:"
"""The prefix of an alias spec: ``"foo": "npm:bar@^1"`` installs package ``bar`` in folder ``foo``."""
_UNSUPPORTED = ("git+", "git:", "github:", "gitlab:", "bitbucket:", "file:", "link:", "http:", "https:")


@dataclass(frozen=True)
class Spec:
    """A registry dependency: a package name and what was asked of it (a range or a dist-tag)."""

    name: str
    range: str

    def __str__(self) -> str:
        return f"{self.name}@{self.range}"


def check_name(name: str) -> str:
    """``name`` if it is a valid npm package name, else ``NpmSpecError``."""
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > 214 or name.startswith((".", "_")):
        raise NpmSpecError(f"not a valid npm package name: {name!r}")
    return name


def parse_spec(text: str) -> Spec:
    """``"lodash"``, ``"lodash@^4.17"``, ``"@scope/pkg@next"`` -> ``Spec``; an empty range means ``latest``."""
    if not isinstance(text, str) or not text.strip():
        raise NpmSpecError(f"a package spec is a non-empty str such as 'lodash@^4.17', not {text!r}")
    text = text.strip()
    at = text.find("@", 1)
    name, wanted = (text, "") if at < 0 else (text[:at], text[at + 1 :])
    return Spec(check_name(name), check_range(name, wanted or "latest"))


def split_alias(name: str, spec: str) -> tuple[str, str]:
    """The package a spec installs and the range asked of it: ``("bar", "^1")`` for ``"npm:bar@^1"``,
    ``(name, spec)`` for a plain range or dist-tag."""
    if not spec.startswith(ALIAS):
        return name, spec
    inner = spec[len(ALIAS) :]
    at = inner.find("@", 1)
    real, wanted = (inner, "") if at < 0 else (inner[:at], inner[at + 1 :])
    return real, wanted or "*"


def check_range(name: str, wanted: str) -> str:
    """``wanted`` if it is a semver range, a dist-tag name or an alias (``npm:bar@^1``) of one, else
    ``NpmSpecError`` (or NotImplementedError for the kinds of spec npmx does not install)."""
    if not isinstance(wanted, str):
        raise NpmSpecError(f"{name}: a dependency's version is a str, not {wanted!r}")
    wanted = wanted.strip()
    if wanted.startswith(ALIAS):
        real, inner = split_alias(name, wanted)
        check_name(real)
        if inner.startswith(ALIAS):
            raise NpmSpecError(f"{name}: an alias cannot name another alias ({wanted!r})")
        check_range(real, inner)
        return wanted
    if wanted.startswith(_UNSUPPORTED) or "/" in wanted:
        raise NotImplementedError(
            f"{name}@{wanted}: npmx installs from registries only; git, file and URL specs are not "
            "supported yet — publish the package to a registry and depend on a version range"
        )
    if is_tag(wanted) or valid_range(wanted):
        return wanted
    raise NpmSpecError(f"{name}: invalid version range {wanted!r} (write it as npm does, such as '^1.2.0' or '1.x')")


def valid_range(wanted: str) -> bool:
    """Whether ``wanted`` is a semver range npm accepts (``""`` and ``"*"`` are)."""
    try:
        return nodesemver.valid_range(wanted, False) is not None
    except (ValueError, TypeError):
        return False


def is_tag(wanted: str) -> bool:
    """Whether ``wanted`` can only be a dist-tag (``latest``, ``next``): a name, not a range."""
    return bool(wanted) and bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", wanted)) and not valid_range(wanted)


def satisfies(version: str, wanted: str) -> bool:
    """Whether ``version`` satisfies the range ``wanted`` (prereleases only where the range names one)."""
    try:
        return nodesemver.satisfies(version, wanted, False)
    except (ValueError, TypeError):
        return False


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as version ``a`` sorts before, with or after ``b``."""
    return nodesemver.compare(a, b, False)


def pick(packument: dict[str, Any], wanted: str) -> dict[str, Any]:
    """The manifest of the version of ``packument`` that npm installs for ``wanted``."""
    name = packument.get("name", "?")
    versions: dict[str, Any] = packument.get("versions") or {}
    tags: dict[str, str] = packument.get("dist-tags") or {}
    if not versions:
        raise NpmResolveError(f"{name} has no published versions")
    if is_tag(wanted):
        version = tags.get(wanted)
        if version is None or version not in versions:
            known = ", ".join(sorted(tags)) or "none"
            raise NpmResolveError(f"{name} has no dist-tag {wanted!r} (its tags: {known})")
        return versions[version]
    rng = "*" if wanted in ("", "latest") else wanted
    latest = tags.get("latest")
    if latest in versions and satisfies(latest, rng) and not versions[latest].get("deprecated"):
        return versions[latest]
    try:
        compiled = nodesemver.make_range(rng, False)
    except ValueError:
        raise NpmSpecError(f"{name}: invalid version range {wanted!r}") from None
    matching = [v for v in versions if nodesemver.valid(v, False) and compiled.test(v)]
    if not matching:
        shown = sorted((v for v in versions if nodesemver.valid(v, False)), key=cmp_to_key(compare))[-8:]
        raise NpmResolveError(
            f"No matching version found for {name}@{wanted}; its versions end with {', '.join(shown)}"
        )
    matching.sort(key=cmp_to_key(compare), reverse=True)
    current = [v for v in matching if not versions[v].get("deprecated")]
    return versions[(current or matching)[0]]
