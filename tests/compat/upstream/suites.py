"""The official clients' own integration tests, run against dotdo's search and vector compat layers.

Each suite is a selection of one client repository's tests, vendored under its own folder with the
upstream license (see each folder's NOTICE.md). A run starts `dotdo compat serve <layer>` on a free
port with a fresh data folder, points the suite at it through the suite's own settings (environment
variables read by its conftest or settings module) and runs pytest on the selection in a child
process, whose JUnit report gives each test's outcome. `baseline.json` lists the tests that pass;
a test that passed once may not fail again (`run.py --update-baseline` only adds to the list).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from tests.compat.conftest import CompatServer, start_server, stop_server  # noqa: E402

BASELINE = HERE / "baseline.json"


def _meilisearch(server: CompatServer) -> dict[str, str]:
    return {
        "MEILISEARCH_URL": server.url,
        "MEILISEARCH_MASTER_KEY": server.key.access_key_id + (server.key.secret or ""),
    }


def _typesense(server: CompatServer) -> dict[str, str]:
    return {
        "TYPESENSE_URL": server.url,
        "TYPESENSE_API_KEY": server.key.access_key_id + (server.key.secret or ""),
    }


def _qdrant(server: CompatServer) -> dict[str, str]:
    return {"QDRANT_URL": server.url, "QDRANT_API_KEY": server.key.access_key_id + (server.key.secret or "")}


@dataclass(frozen=True)
class Suite:
    """One client's vendored tests: the layer they run against and how they are pointed at it."""

    name: str
    layer: str
    upstream: str
    files: tuple[str, ...]
    """The vendored test files run by `run.py` (paths inside the suite's folder)."""
    fast: tuple[str, ...]
    """The files `make test` runs: the lean subset, seconds on a loaded machine."""
    environment: Callable[[CompatServer], dict[str, str]]
    client_source: str | None = None
    """A folder of the suite holding the client release its tests were written for, imported first."""
    keyword: str | None = None
    """A `pytest -k` expression that picks the tests which talk to a server (others test the client alone)."""
    excluded: dict[str, str] = field(default_factory=dict)
    """Upstream test files or test ids not run, each with its reason."""

    @property
    def folder(self) -> Path:
        return HERE / self.name


SUITES = {
    suite.name: suite
    for suite in [
        Suite(
            name="meilisearch",
            layer="meilisearch",
            upstream="meilisearch/meilisearch-python v0.43.0 (tests/)",
            files=("tests",),
            fast=("tests/settings", "tests/client/test_client_key_meilisearch.py"),
            environment=_meilisearch,
            excluded={
                "tests/client/test_chat_completions.py": "chat completions (LLM workspaces) are not part of the layer",
                "tests/client/test_client_dumps.py": "dumps are not part of the layer",
                "tests/client/test_clinet_snapshots.py": "snapshots are not part of the layer",
                "tests/client/test_client_exports.py": "exports to a remote instance need a second server",
                "tests/client/test_client_network.py": "network (remote instances) is not part of the layer",
                "tests/client/test_client_sharding.py": "sharding across remote instances is not part of the layer",
                "tests/client/test_client_dynamic_search_rules_meilisearch.py": "dynamic search rules are not served",
                "tests/client/test_client_update_document_by_functions.py": "edit by function (Rhai) is not served",
                "tests/client/test_client_render_template.py": "document templates (for embedders) are not served",
                "tests/client/test_client_webhooks_meilisearch.py": "webhooks are listed as none, not created",
                "tests/client/test_experimental_features.py": "experimental features are not served",
                "tests/client/test_multimodal.py": "embedders (vector and multimodal search) are refused",
                "tests/settings/test_settings_embedders.py": "embedders (vector and hybrid search) are refused",
                "tests/settings/test_settings_foreign_keys_meilisearch.py": "foreign keys (joins) are not served",
            },
        ),
        Suite(
            name="typesense",
            layer="typesense",
            upstream="typesense/typesense-python 450ae43 (tests/), with its client of that commit (src/)",
            files=(
                "tests/alias_test.py",
                "tests/aliases_test.py",
                "tests/analytics_events_test.py",
                "tests/analytics_rule_test.py",
                "tests/analytics_rule_v1_test.py",
                "tests/analytics_rules_test.py",
                "tests/analytics_rules_v1_test.py",
                "tests/collection_test.py",
                "tests/collections_test.py",
                "tests/conversation_model_test.py",
                "tests/conversations_models_test.py",
                "tests/curation_set_test.py",
                "tests/curation_sets_test.py",
                "tests/debug_test.py",
                "tests/document_test.py",
                "tests/key_test.py",
                "tests/keys_test.py",
                "tests/metrics_test.py",
                "tests/nl_search_model_test.py",
                "tests/nl_search_models_test.py",
                "tests/override_test.py",
                "tests/overrides_test.py",
                "tests/stemming_test.py",
                "tests/stopwords_set_test.py",
                "tests/stopwords_test.py",
                "tests/synonym_set_test.py",
                "tests/synonym_sets_test.py",
                "tests/synonym_test.py",
                "tests/synonyms_test.py",
            ),
            fast=(
                "tests/collection_test.py",
                "tests/collections_test.py",
                "tests/debug_test.py",
                "tests/document_test.py",
                "tests/key_test.py",
                "tests/keys_test.py",
            ),
            environment=_typesense,
            client_source="src",
            keyword="actual",
            excluded={
                "tests/*_test.py without test_actual_*": "they test the client alone against requests_mock",
                "tests/api_call_test.py, documents_test.py, import_test.py": "no test of them talks to a server",
            },
        ),
        Suite(
            name="qdrant",
            layer="qdrant",
            upstream="qdrant/qdrant-client 326adef (congruence tests: server vs local mode)",
            files=("tests/congruence_tests",),
            fast=(
                "tests/congruence_tests/test_collections.py::test_collection_exists",
                "tests/congruence_tests/test_updates.py::test_upload_collection_float_list",
                "tests/congruence_tests/test_updates.py::test_upload_collection_np_array_2d",
                "tests/congruence_tests/test_updates.py::test_upload_collection_list_np_arrays",
                "tests/congruence_tests/test_retrieve.py",
            ),
            environment=_qdrant,
            excluded={
                "tests/congruence_tests/ (other files)": "not vendored yet: multivectors, discovery and context "
                "search, order_by, formula queries, text inference and the files testing them",
                "tests/test_qdrant_client.py": "gRPC, snapshots, sharding and cluster calls need a real Qdrant",
                **{
                    f"tests/congruence_tests/{test}": "gRPC (prefer_grpc=True): the layer serves Qdrant's REST API"
                    for test in [
                        "test_collections.py::test_recreate_collection",
                        "test_collections.py::test_config_variations",
                        *(
                            f"test_payload.py::{name}[True]"
                            for name in [
                                "test_delete_payload",
                                "test_clear_payload",
                                "test_update_payload",
                                "test_set_payload_with_key",
                                "test_upsert_operation",
                                "test_delete_operation",
                                "test_delete_and_clear_payload_operation",
                                "test_update_or_delete_vectors_operation",
                                "test_set_or_overwrite_payload_operation",
                            ]
                        ),
                        "test_updates.py::test_update_filter[True]",
                        "test_updates.py::test_update_mode[True]",
                        "test_uuids.py::test_uuid_input[True]",
                    ]
                },
            },
        ),
    ]
}


@dataclass
class Report:
    """One suite's run: each test's outcome by its id, and the run's own error output if it broke."""

    suite: Suite
    outcomes: dict[str, str]
    groups: dict[str, str]
    crash: str | None = None

    def counts(self, group: str | None = None) -> Counter[str]:
        return Counter(o for test, o in self.outcomes.items() if group is None or self.groups[test] == group)


def run_suite(suite: Suite, files: tuple[str, ...] | None = None, timeout: float = 1800) -> Report:
    """Run `files` of `suite` (all of its files by default) against a fresh server of its layer."""
    with tempfile.TemporaryDirectory(prefix=f"upstream-{suite.name}-") as folder:
        server = start_server(Path(folder) / "data", [suite.layer])
        try:
            report = Path(folder) / "report.xml"
            deselected = [arg for test in suite.excluded if "::" in test for arg in ("--deselect", test)]
            # Entries without `::` name upstream files that are not vendored: documented, not deselected.
            if suite.keyword:
                deselected += ["-k", suite.keyword]
            paths = [str(suite.folder / suite.client_source)] if suite.client_source else []
            environment = {
                **os.environ,
                **suite.environment(server),
                "PYTHONPATH": os.pathsep.join([*paths, str(ROOT / "src")]),
            }
            completed = subprocess.run(
                [
                    *(sys.executable, "-m", "pytest", *(files or suite.files), *deselected),
                    *("-p", "no:cacheprovider", "-q", "--timeout", "60", "-o", "junit_family=xunit1"),
                    *("--junitxml", str(report)),
                ],
                cwd=suite.folder,
                env=environment,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if not report.exists():
                return Report(suite, {}, {}, crash=(completed.stdout + completed.stderr)[-3000:])
            return _parse(suite, report)
        finally:
            stop_server(server)


def _parse(suite: Suite, report: Path) -> Report:
    outcomes, groups = {}, {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        test = f"{case.get('file') or case.get('classname')}::{case.get('name')}"
        children = {child.tag for child in case}
        outcome = next((tag for tag in ("error", "failure", "skipped") if tag in children), "passed")
        # A test that fails and then errors in its teardown is reported twice: keep the worst.
        if outcomes.get(test) in ("failure", "error"):
            continue
        outcomes[test] = {"failure": "failed"}.get(outcome, outcome)
        groups[test] = case.get("file") or str(case.get("classname"))
    return Report(suite, outcomes, groups)


def table(reports: list[Report]) -> str:
    """A Markdown table: per suite and file, how many tests passed, failed, errored and were skipped."""
    lines = ["| suite | file | passed | failed | error | skipped |", "|---|---|---:|---:|---:|---:|"]
    for report in reports:
        if report.crash:
            lines.append(f"| {report.suite.name} | (the run broke) | | | | |")
            continue
        for group in sorted(set(report.groups.values())):
            counts = report.counts(group)
            lines.append(
                f"| {report.suite.name} | {group} | {counts['passed']} | {counts['failed']} | "
                f"{counts['error']} | {counts['skipped']} |"
            )
        total = report.counts()
        lines.append(
            f"| **{report.suite.name}** | **all** | **{total['passed']}** | **{total['failed']}** | "
            f"**{total['error']}** | **{total['skipped']}** |"
        )
    return "\n".join(lines)


def load_baseline() -> dict[str, list[str]]:
    """The tests of each suite that passed once and must keep passing."""
    if not BASELINE.exists():
        return {}
    return json.loads(BASELINE.read_text())["passing"]


def save_baseline(reports: list[Report]) -> None:
    """Add this run's passing tests to the baseline (it never drops one)."""
    passing = load_baseline()
    for report in reports:
        now = {test for test, outcome in report.outcomes.items() if outcome == "passed"}
        passing[report.suite.name] = sorted(set(passing.get(report.suite.name, [])) | now)
    document = {
        "about": "tests of each client's own suite that pass against dotdo; the list may only grow",
        "passing": dict(sorted(passing.items())),
    }
    BASELINE.write_text(json.dumps(document, indent=1) + "\n")
