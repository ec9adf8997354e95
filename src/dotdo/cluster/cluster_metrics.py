"""One `/_dotdo/metrics` for a whole `dotdo serve`: every host's series, each labelled with its host.

Every host listens on the same port, so a Prometheus scraper reaches whichever host the kernel
picks. The host asked answers for all of them: its own series and each live peer's (asked over the
host-to-host connection, with the scraper's own request, so each host checks its access as usual),
every sample with a `host` label, and `dotdo_cluster_host_up{host=...}` saying which hosts answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

METRICS_PATH = "/_dotdo/metrics"
HOST_LABEL = "host"


class _Families:
    """A collector yielding metric families already built (what `generate_latest` renders)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def merge_host_metrics(answers: Iterable[tuple[str, str | None]]) -> bytes:
    """The exposition text of every host's metrics, each sample labelled with its host.

    `answers` gives each host's id and its metrics text (None: the host did not answer). A family
    several hosts report is one family with the samples of each.
    """
    families: dict[str, Metric] = {}
    up = Metric("dotdo_cluster_host_up", "Whether the host answered this scrape (1) or not (0).", "gauge")
    for host_id, text in answers:
        up.add_sample("dotdo_cluster_host_up", {HOST_LABEL: host_id}, 0.0 if text is None else 1.0)
        if text is None:
            continue
        for family in text_string_to_metric_families(text):
            merged = families.get(family.name)
            if merged is None:
                merged = families[family.name] = Metric(family.name, family.documentation, family.type, family.unit)
            for sample in family.samples:
                labels = {**sample.labels, HOST_LABEL: host_id}
                merged.add_sample(sample.name, labels, sample.value, sample.timestamp, sample.exemplar)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families([*families.values(), up]))  # type: ignore[arg-type]
    return generate_latest(registry)
