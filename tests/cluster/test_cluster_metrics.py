"""Every host's metrics in one exposition, labelled by host, with which hosts answered."""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from dotdo.cluster.cluster_metrics import merge_host_metrics


def exposition(requests: int, seconds: list[float]) -> str:
    registry = CollectorRegistry()
    Counter("dotdo_requests", "Requests answered.", ["status"], registry=registry).labels("200").inc(requests)
    latency = Histogram("dotdo_request_seconds", "Request latency.", registry=registry, buckets=(0.01, 0.1))
    for value in seconds:
        latency.observe(value)
    return generate_latest(registry).decode()


def test_each_hosts_series_are_labelled_with_it_and_a_silent_host_is_reported_down() -> None:
    merged = merge_host_metrics(
        [("host-0", exposition(3, [0.005])), ("host-1", exposition(5, [0.05, 0.5])), ("host-2", None)]
    ).decode()
    families = {family.name: family for family in text_string_to_metric_families(merged)}
    requests = {s.labels["host"]: s.value for s in families["dotdo_requests"].samples if s.name.endswith("_total")}
    assert requests == {"host-0": 3.0, "host-1": 5.0}
    counts = {s.labels["host"]: s.value for s in families["dotdo_request_seconds"].samples if s.name.endswith("_count")}
    assert counts == {"host-0": 1.0, "host-1": 2.0}
    assert families["dotdo_requests"].type == "counter" and families["dotdo_request_seconds"].type == "histogram"
    up = {s.labels["host"]: s.value for s in families["dotdo_cluster_host_up"].samples}
    assert up == {"host-0": 1.0, "host-1": 1.0, "host-2": 0.0}
    assert merged.count("# TYPE dotdo_requests_total counter") == 1
