"""npm's ``overrides``: which spec replaces a dependency's, depending on where in the tree it is wanted.

``{"overrides": {"foo": "1.0.0"}}`` replaces every ``foo`` below the project;
``{"bar": {"foo": "1.0.0"}}`` only the ``foo`` wanted by ``bar`` or by anything below ``bar``;
``{"bar": {".": "2.0.0", "foo": "1.0.0"}}`` also replaces ``bar`` itself; a key may name versions
(``"foo@^1"``: only where the wanted range meets ``^1``); ``"$foo"`` is the project's own spec of
``foo``. Each package in the tree carries the rule set it was reached through (arborist's
``OverrideSet``): the rules of its own entry first, then those of the entries above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import nodesemver

from dotdo.primitives.npmx.errors import NpmSpecError
from dotdo.primitives.npmx.versions import check_name, check_range, is_tag, satisfies, split_alias


class OverrideSet:
    """One entry of ``overrides`` (the root is the whole object) with the entries nested in it."""

    def __init__(self, overrides: Any, *, key: str | None = None, parent: OverrideSet | None = None) -> None:
        self.parent = parent
        self.children: dict[str, OverrideSet] = {}
        self.key = key or ""
        self.name = ""
        self.key_spec = ""
        self.value = ""
        where = f"overrides.{key}" if key else "overrides"
        if isinstance(overrides, str):
            overrides = {".": overrides}
        if not isinstance(overrides, Mapping):
            raise NpmSpecError(f"package.json {where} must be a version string or an object, not {overrides!r}")
        if parent is not None and key is not None:
            at = key.find("@", 1)
            self.name = check_name(key if at < 0 else key[:at])
            self.key_spec = check_range(self.name, key[at + 1 :] if at >= 0 else "") or "*"
            dot = overrides.get(".", "")
            if not isinstance(dot, str):
                raise NpmSpecError(f'package.json {where}["."] must be a version string, not {dot!r}')
            if dot and not dot.startswith("$"):
                check_range(self.name, dot)
            self.value = dot.strip() or self.key_spec
        elif "." in overrides:
            raise NpmSpecError('package.json overrides: "." belongs inside a package\'s entry, not at the top')
        for child_key, child in overrides.items():
            if child_key != ".":
                made = OverrideSet(child, key=str(child_key), parent=self)
                self.children[made.key] = made

    def __repr__(self) -> str:
        path = [s.key for s in self.ancestry() if s.parent is not None]
        return f"OverrideSet({' > '.join(reversed(path)) or 'root'})"

    def ancestry(self) -> list[OverrideSet]:
        """This set, its parent, and so on up to the root."""
        found: list[OverrideSet] = []
        node: OverrideSet | None = self
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    @property
    def ruleset(self) -> dict[str, OverrideSet]:
        """The rules in force here, nearest first: own entries, self, then each ancestor's in turn."""
        rules: dict[str, OverrideSet] = {}
        for level in self.ancestry():
            for key, kid in level.children.items():
                rules.setdefault(key, kid)
            if level.parent is not None:
                rules.setdefault(level.key, level)
        return rules

    def edge_rule(self, name: str, raw_spec: str) -> OverrideSet:
        """The set a dependency on ``name``@``raw_spec`` declared here goes on with (this set when no rule names it)."""
        _, wanted = split_alias(name, raw_spec)
        for rule in self.ruleset.values():
            if rule.name != name:
                continue
            if rule.key_spec == "*" or is_tag(wanted) or intersects(wanted or "*", rule.key_spec):
                return rule
        return self

    def is_equal(self, other: OverrideSet | None) -> bool:
        """Whether ``other`` is the same entry at the same place (structurally, as arborist compares)."""
        if self is other:
            return True
        if other is None or self.key != other.key or self.value != other.value:
            return False
        if not self.children_equal(other):
            return False
        if self.parent is None or other.parent is None:
            return self.parent is None and other.parent is None
        return self.parent.is_equal(other.parent)

    def children_equal(self, other: OverrideSet) -> bool:
        """Whether both have the same nested entries with the same values, all the way down."""
        if self.children.keys() != other.children.keys():
            return False
        return all(
            kid.value == other.children[key].value and kid.children_equal(other.children[key])
            for key, kid in self.children.items()
        )


def more_specific(first: OverrideSet, second: OverrideSet) -> OverrideSet | None:
    """Of two sets reaching one package, the one nested in the other; else their common ancestor, or None
    when their rules disagree (the package cannot be shared between them)."""
    if any(level.is_equal(first) for level in second.ancestry()):
        return second
    if any(level.is_equal(second) for level in first.ancestry()):
        return first
    if conflicting(first, second):
        return None
    for upper in second.ancestry():
        for lower in first.ancestry():
            if lower.is_equal(upper):
                return lower
    return None


def conflicting(first: OverrideSet, second: OverrideSet) -> bool:
    """Whether two sets give one name replacement ranges no version meets both of."""
    other = second.ruleset
    for key, rule in first.ruleset.items():
        theirs = other.get(key)
        if theirs is None or theirs is rule or rule.is_equal(theirs):
            continue
        if rule.value.startswith("$") or theirs.value.startswith("$"):
            continue
        if is_tag(rule.value) or is_tag(theirs.value):
            continue
        if not intersects(rule.value, theirs.value):
            return True
    return False


def sets_conflict(first: OverrideSet, second: OverrideSet) -> bool:
    """Whether a package reached through ``second`` cannot also serve a dependency declared under ``first``."""
    if more_specific(first, second) is not None:
        return False
    return conflicting(first, second)


def overridden_spec(rule: OverrideSet | None, name: str, raw_spec: str, root_manifest: Mapping[str, Any]) -> str:
    """The spec a dependency on ``name``@``raw_spec`` is resolved with under ``rule``."""
    if rule is None or rule.name != name or not rule.value or rule.value == "*":
        return raw_spec
    if not rule.value.startswith("$"):
        return rule.value
    referenced = rule.value[1:]
    for group in ("devDependencies", "optionalDependencies", "dependencies", "peerDependencies"):
        spec = (root_manifest.get(group) or {}).get(referenced)
        if spec:
            return str(spec)
    raise NpmSpecError(
        f"overrides: {name} is overridden with {rule.value}, but {referenced} is not a dependency of the project"
    )


def accepted_under(version: str, spec: str, raw_spec: str, rule: OverrideSet | None) -> bool:
    """Whether ``version`` serves a dependency overridden to ``spec`` (npm's ``Edge.satisfiedBy``): it meets
    ``spec``, or it meets the dependency's own ``raw_spec`` without being a version the override replaces."""
    if _accepts(version, spec):
        return True
    if rule is None or rule.parent is None or spec == raw_spec:
        return False
    return _accepts(version, raw_spec) and not _accepts(version, rule.key_spec)


def _accepts(version: str, spec: str) -> bool:
    _, spec = split_alias("", spec)
    if spec in ("", "*", "latest") or is_tag(spec):
        return True
    return satisfies(version, spec)


def intersects(first: str, second: str) -> bool:
    """Whether some version satisfies both ranges (node-semver's ``intersects``, on version intervals)."""
    try:
        left = nodesemver.make_range(first or "*", False).set
        right = nodesemver.make_range(second or "*", False).set
    except (ValueError, TypeError):
        return False
    return any(_interval_meets(_interval(a), _interval(b)) for a in left for b in right)


_Bound = tuple[Any, bool] | None
"""A version and whether it is included; None when unbounded."""


def _interval(comparators: list[Any]) -> tuple[_Bound, _Bound]:
    low: _Bound = None
    high: _Bound = None
    for comparator in comparators:
        operator = comparator.operator
        if operator is None or not comparator.value:
            continue
        version = comparator.semver
        if operator in ("", "="):
            low = _tighter(low, (version, True), lower=True)
            high = _tighter(high, (version, True), lower=False)
        elif operator in (">", ">="):
            low = _tighter(low, (version, operator == ">="), lower=True)
        else:
            high = _tighter(high, (version, operator == "<="), lower=False)
    return low, high


def _tighter(current: _Bound, new: _Bound, *, lower: bool) -> _Bound:
    if current is None or new is None:
        return new if current is None else current
    order = nodesemver.compare(str(new[0]), str(current[0]), False)
    if order == 0:
        return (current[0], current[1] and new[1])
    return new if (order > 0) == lower else current


def _interval_meets(a: tuple[_Bound, _Bound], b: tuple[_Bound, _Bound]) -> bool:
    low = _tighter(a[0], b[0], lower=True)
    high = _tighter(a[1], b[1], lower=False)
    if low is None or high is None:
        return True
    order = nodesemver.compare(str(low[0]), str(high[0]), False)
    return order < 0 or (order == 0 and low[1] and high[1])


def root_overrides(package_json: Mapping[str, Any]) -> OverrideSet | None:
    """The project's override set, or None when it has no ``overrides``."""
    overrides = package_json.get("overrides")
    if overrides is None or overrides == {}:
        return None
    if not isinstance(overrides, Mapping):
        raise NpmSpecError(f"package.json overrides must be an object, not {overrides!r}")
    return OverrideSet(overrides)
