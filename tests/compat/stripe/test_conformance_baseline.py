"""The stripe-python baseline names vendored tests, so none of it can stop running unnoticed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.compat.stripe.conformance.exclusions import FAILING, NO_SERVER, NOT_SERVED, UPSTREAM_TESTS

CONFORMANCE = Path(__file__).parent / "conformance"


def test_every_baseline_test_is_a_vendored_test() -> None:
    baseline = json.loads((CONFORMANCE / "baseline.json").read_text())["passed"]
    assert len(baseline) == len(set(baseline)) > 0
    for test_id in [*baseline, *FAILING]:
        path, *scopes, name = test_id.split("::")
        source = (CONFORMANCE / "upstream" / path).read_text()
        for scope in scopes:
            assert re.search(rf"^class {scope}\b", source, re.MULTILINE), test_id
        assert re.search(rf"^\s*(async )?def {re.escape(name.split('[')[0])}\(", source, re.MULTILINE), test_id


def test_the_table_accounts_for_every_upstream_test() -> None:
    vendored = 0
    for path in (CONFORMANCE / "upstream").rglob("test_*.py"):
        source = path.read_text()
        plain = re.findall(r"^    def test_\w+\(", source, re.MULTILINE)
        asynchronous = re.findall(r"^    async def test_\w+\(", source, re.MULTILINE)
        vendored += len(plain) + len(asynchronous)
    assert vendored + NO_SERVER[0] + sum(NOT_SERVED.values()) == UPSTREAM_TESTS
