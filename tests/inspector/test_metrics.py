"""`/_dotdo/metrics` in Prometheus text format, read back with prometheus-client's own parser."""

from prometheus_client.parser import text_string_to_metric_families


def samples(text):
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


async def test_metrics_count_requests_by_class_and_status_and_read_the_runtime(inspected):
    _, client = inspected
    for _ in range(3):
        await client.post("/acme/order", params={"item": "anvil"})
    await client.post("/acme/pay")
    await client.get("/globex")
    answer = await client.get("/_dotdo/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)
    assert found[("dotdo_requests_total", (("cls", "Shop"), ("status", "200")))] == 4
    assert found[("dotdo_requests_total", (("cls", "Shop"), ("status", "402")))] == 1
    assert found[("dotdo_request_duration_seconds_count", (("cls", "Shop"),))] == 5
    assert found[("dotdo_live_objects", ())] == 2
    assert found[("dotdo_activations_total", ())] == 2
    assert found[("dotdo_evictions_total", ())] == 0
    assert found[("dotdo_commits_total", ())] >= 4, "each order and the dead letter committed"
    assert 1 <= found[("dotdo_commit_groups_total", ())] <= found[("dotdo_commits_total", ())]
    requests = sum(value for (name, _), value in found.items() if name == "dotdo_requests_total")
    assert requests == 5, "the inspector's own routes are not counted as the app's requests"
