"""What the inspector's timeline and metrics see beyond requests: commits, events, dead letters, alarms, evictions."""

import asyncio

from prometheus_client.parser import text_string_to_metric_families

from dotdo.runtime.ids import id_from_name

ACME = id_from_name("Shop", "acme").hex


async def timeline(client):
    return (await client.get(f"/_dotdo/api/objects/Shop/{ACME}/timeline")).json()["entries"]


async def wait_for_entry(client, kind, text):
    """The newest entry of `kind` whose summary contains `text`, once there (the alarm fires in the background)."""
    for _ in range(500):
        for entry in await timeline(client):
            if entry["kind"] == kind and text in entry["summary"]:
                return entry
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {kind} entry with {text!r} in {await timeline(client)}")


def totals(text):
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples if not s.labels}


async def test_the_timeline_shows_commits_events_dead_letters_alarms_and_evictions(inspected):
    api, client = inspected
    await client.post("/acme/order", params={"item": "anvil"})
    assert (await client.post("/acme/pay")).status_code == 402
    await client.post("/acme/ship")
    await client.post("/acme/alarm")
    assert (await client.post(f"/_dotdo/objects/Shop/{ACME}/alarm/fire")).status_code in (200, 303)

    await wait_for_entry(client, "alarm", "alarm alarm fired")
    await wait_for_entry(client, "event", "note_shipment handled Order.shipped from Shop/acme")
    entries = await timeline(client)
    summaries = [(e["kind"], e["summary"]) for e in entries]
    assert ("event", "sent Order.shipped") in summaries
    assert ("event", "sent charge.failed") in summaries
    assert ("commit", "committed 2 row changes") in summaries, "the order's row and its KV entry"
    assert any(kind == "dead letter" and "action charge dead-lettered: RuntimeError" in s for kind, s in summaries)

    for _ in range(100):  # the alarm's event may still be settling
        if api.runtime.evict("Shop", "acme"):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("acme stayed busy")
    assert (await timeline(client))[0]["kind"] == "eviction"

    found = totals((await client.get("/_dotdo/metrics")).text)
    assert found["dotdo_alarms_fired_total"] >= 1
    assert found["dotdo_alarms_retried_total"] == 0
    assert found["dotdo_events_sent_total"] == 2, "Order.shipped, and charge.failed from the failed action"
    assert found["dotdo_events_delivered_total"] == 1
    assert found["dotdo_dead_letters_total"] == 1
    assert found["dotdo_evictions_total"] == 1
    assert found["dotdo_fsync_seconds_total"] >= 0


async def test_the_timeline_formats_a_summary_only_when_read(inspected):
    """A summary with a value that cannot be formatted shows up when read, not when recorded."""
    _, client = inspected
    await client.post("/acme/order", params={"item": "%s %d"})
    entry = (await timeline(client))[0]
    assert entry["summary"].startswith("POST /acme/order → 200"), "the path is a value, never part of the template"
