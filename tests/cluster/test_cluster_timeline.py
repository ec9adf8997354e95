"""Entries of a host's timeline stream, labelled with the host before they join the cluster's stream."""

import json

from dotdo.cluster.cluster_timeline import labelled_events


def test_each_entry_is_labelled_with_its_host_and_comments_are_dropped():
    chunk = b': following\n\ndata: {"object": "acme", "kind": "request"}\n\ndata: {"object": "globex"}\n\n'
    events = labelled_events(chunk, "host-1").decode().split("\n\n")
    assert [json.loads(e.removeprefix("data: ")) for e in events if e] == [
        {"object": "acme", "kind": "request", "host": "host-1"},
        {"object": "globex", "host": "host-1"},
    ]
    assert labelled_events(b": still here\n\n", "host-1") == b""
