"""Mermaid state diagrams of state machines (`Order.diagram()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .durations import describe_seconds

if TYPE_CHECKING:
    from .state_machine import StateMachine


def mermaid(cls: type[StateMachine]) -> str:
    """`stateDiagram-v2` text: the initial and final states, each transition labelled with its name,
    its guard in brackets, the event that fires it and its timeout."""
    lines = ["stateDiagram-v2"]
    states = cls.states
    for s in states.values():
        if s.initial:
            lines.append(f"    [*] --> {s.name}")
    for name, t in cls.transitions.items():
        label = name
        if t.guard is not None:
            guard = t.guard if isinstance(t.guard, str) else getattr(t.guard, "__name__", "guard")
            label += f" [{guard}]"
        if t.on is not None:
            label += f" on {t.on}"
        if t.timeout is not None:
            label += f" (within {describe_seconds(t.timeout)}, else {t.on_timeout})"
        sources = [s for s in states.values() if not s.final and t.allowed_from(s.name)]
        for s in sources:
            lines.append(f"    {s.name} --> {t.target.name} : {label}")
    for s in states.values():
        if s.timeout is not None:
            lines.append(f"    note right of {s.name} : after {describe_seconds(s.timeout)}, {s.on_timeout}")
        if s.final:
            lines.append(f"    {s.name} --> [*]")
    return "\n".join(lines) + "\n"
