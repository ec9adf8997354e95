"""Mermaid diagrams of state machines."""

from __future__ import annotations

from test_state_machine import Order


def test_the_diagram_shows_states_transitions_guards_events_and_timeouts():
    assert Order.diagram() == (
        "stateDiagram-v2\n"
        "    [*] --> pending\n"
        "    pending --> paid : pay [has_funds] on Payment.succeeded\n"
        "    paid --> shipped : ship (within 2 days, else cancel)\n"
        "    shipped --> delivered : deliver\n"
        "    pending --> cancelled : cancel\n"
        "    paid --> cancelled : cancel\n"
        "    delivered --> [*]\n"
        "    cancelled --> [*]\n"
    )
