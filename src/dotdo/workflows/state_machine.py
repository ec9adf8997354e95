"""`StateMachine`: declarative states and transitions of an object, persisted with their history.

```python
class Order(StateMachine):
    pending = state(initial=True)
    paid = state(on_enter="receipt")
    shipped = state()
    cancelled = state(final=True)

    pay = transition(pending, paid, guard="has_funds", on="Payment.succeeded")
    ship = transition(paid, shipped, timeout="2 days", on_timeout="cancel")
    cancel = transition([pending, paid], cancelled)
```

Each transition becomes a method of the class (`await order.pay(amount=5)`), reachable through
stubs and `/rpc` like any method; with `on=` it also fires when the object handles a ctx event of
that type (sent by the object itself, or delivered to `receive` by `ctx.subscribe`). A guard is a
method name or callable given the transition's keyword arguments; a falsy answer refuses the
transition. A timeout (on a state, or on a transition out of its source) is a durable timer of the
object: if the machine is still in the state when it comes due, the `on_timeout` transition fires.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from ..context.durable_object import DO
from ..context.handlers import on
from ..runtime.extensions import Extensions
from ..runtime.lazy_table import LazyTable
from .durations import Duration, parse_duration
from .errors import InvalidTransitionError
from .store import decode, encode

if TYPE_CHECKING:
    from ..context.events import Event
    from ..runtime.timer_table import Timer

log = logging.getLogger("dotdo.workflows")

STATE_TABLE = "state_machine"
HISTORY_TABLE = "state_history"
TIMER_KIND = "dotdo.state_timeout"
ANY_STATE = "*"

_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, "
    "entry INTEGER NOT NULL, entered_at REAL NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (entry INTEGER PRIMARY KEY, transition TEXT, source TEXT, "
    "target TEXT NOT NULL, cause TEXT NOT NULL, data TEXT, at REAL NOT NULL)",
)

Action = str | Callable[..., Any] | None


@dataclass(eq=False)
class State:
    """A state of a machine (made with `state()`); its name is the attribute it is assigned to."""

    initial: bool = False
    final: bool = False
    on_enter: Action = None
    on_exit: Action = None
    timeout: float | None = None
    on_timeout: str | None = None
    name: str = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<state {self.name}>"


@dataclass(eq=False)
class Transition:
    """A transition (made with `transition()`); its name is the attribute it is assigned to."""

    sources: tuple[State, ...] | None
    target: State
    guard: Action = None
    on: str | None = None
    timeout: float | None = None
    on_timeout: str | None = None
    action: Action = None
    name: str = ""
    from_states: tuple[str, ...] = field(default=())

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def allowed_from(self, state_name: str) -> bool:
        """Whether the transition may fire in the state `state_name`."""
        return self.sources is None or state_name in {s.name for s in self.sources}


def state(
    *,
    initial: bool = False,
    final: bool = False,
    on_enter: Action = None,
    on_exit: Action = None,
    timeout: Duration | None = None,
    on_timeout: str | None = None,
) -> State:
    """A state. `on_enter`/`on_exit` are method names or callables; after `timeout` in the state the
    transition named `on_timeout` fires."""
    if (timeout is None) != (on_timeout is None):
        raise ValueError("a state's timeout= and on_timeout= go together")
    seconds = None if timeout is None else parse_duration(timeout, what="a state's timeout")
    if initial and final:
        raise ValueError("a state cannot be both initial and final")
    return State(initial, final, on_enter, on_exit, seconds, on_timeout)


def transition(
    source: State | Sequence[State] | str,
    target: State,
    *,
    guard: Action = None,
    on: str | None = None,
    timeout: Duration | None = None,
    on_timeout: str | None = None,
    action: Action = None,
) -> Transition:
    """A transition from `source` (a state, a list of states, or "*" for any non-final state) to `target`.

    `guard` may refuse it; `on="Payment.succeeded"` fires it on that ctx event; `timeout` with
    `on_timeout` fires the transition named `on_timeout` if this one has not happened within
    `timeout` of entering its source state; `action` runs with the transition's arguments.
    """
    if source == ANY_STATE:
        sources = None
    elif isinstance(source, State):
        sources = (source,)
    elif isinstance(source, Sequence) and not isinstance(source, str) and all(isinstance(s, State) for s in source):
        sources = tuple(source)
    else:
        raise TypeError(f"transition source must be a state(), a list of them or '*', not {source!r}")
    if not isinstance(target, State):
        raise TypeError(f"transition target must be a state(), not {target!r}")
    if (timeout is None) != (on_timeout is None):
        raise ValueError("a transition's timeout= and on_timeout= go together")
    seconds = None if timeout is None else parse_duration(timeout, what="a transition's timeout")
    return Transition(sources, target, guard, on, seconds, on_timeout, action)


class _MachineApi:
    """Methods each StateMachine subclass answers (copied onto it, so stubs and `/rpc` reach them)."""

    def current_state(self: Any) -> str:
        """The name of the state the machine is in."""
        return self._machine.current()[0]

    def allowed_transitions(self: Any) -> list[str]:
        """The transitions that may fire now (guards not consulted)."""
        return self._machine.allowed(self._machine.current()[0])

    def history(self: Any, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent entries into states, oldest first: transition, source, target, cause, data, at."""
        return self._machine.history(limit)

    async def receive(self: Any, event: Event) -> str | None:
        """Fire the transition whose `on=` matches a ctx event (from `ctx.subscribe(..., "receive")`)."""
        return await self._machine.fire_for_event(event)


MACHINE_API = ("current_state", "allowed_transitions", "history", "receive")


class StateMachine(DO):
    """Subclass it with `state()` and `transition()` attributes; see the module docstring."""

    async def _fire_timeout(self, timer: Timer) -> None:
        """Timer kind of state machines: a state's timeout came due."""
        await self._machine.on_timeout(timer.payload)

    extensions = Extensions(timer_kinds={TIMER_KIND: _fire_timeout})

    states: ClassVar[dict[str, State]] = {}
    transitions: ClassVar[dict[str, Transition]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        states: dict[str, State] = {}
        transitions: dict[str, Transition] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, State):
                    states[name] = value
                elif isinstance(value, Transition):
                    transitions[name] = value
                elif isinstance(declared := getattr(value, "__dotdo_transition__", None), Transition):
                    # A transition a base class already turned into its method.
                    transitions[name] = declared
        cls.states = states
        cls.transitions = transitions
        if not states:
            return
        _check(cls, states, transitions)
        for name in MACHINE_API:
            if name in cls.__dict__ and cls.__dict__[name] is not vars(_MachineApi)[name]:
                raise TypeError(f"{cls.__name__} defines {name}(), which belongs to the StateMachine API")
            setattr(cls, name, vars(_MachineApi)[name])
        for name, value in list(vars(cls).items()):
            if isinstance(value, Transition):
                setattr(cls, name, _transition_method(value))
                if value.on is not None:
                    setattr(cls, f"_on_event_{name}", on(value.on, name=f"{cls.__name__}.{name}")(_event_handler(name)))

    @cached_property
    def _machine(self) -> Machine:
        return Machine(self)

    async def _on_activate(self) -> None:
        await super()._on_activate()
        if type(self).states:
            self._machine.current()

    @classmethod
    def diagram(cls) -> str:
        """The machine as a Mermaid state diagram (`stateDiagram-v2`)."""
        from .diagram import mermaid

        return mermaid(cls)


def _check(cls: type, states: dict[str, State], transitions: dict[str, Transition]) -> None:
    initial = [s.name for s in states.values() if s.initial]
    if len(initial) != 1:
        raise TypeError(f"{cls.__name__} needs exactly one state(initial=True), found {initial or 'none'}")
    known = set(states.values())
    for t in transitions.values():
        for s in (*(t.sources or ()), t.target):
            if s not in known:
                raise TypeError(f"{cls.__name__}.{t.name} uses a state that is not an attribute of the class")
    for owner in (*states.values(), *transitions.values()):
        if owner.on_timeout is not None and owner.on_timeout not in transitions:
            raise TypeError(
                f"{cls.__name__}.{owner.name}: on_timeout={owner.on_timeout!r} is not a transition; "
                f"transitions: {', '.join(transitions)}"
            )


def _transition_method(t: Transition) -> Callable[..., Any]:
    name = t.name

    async def fire(self: StateMachine, **data: Any) -> str:
        return await self._machine.fire(name, data, cause="call")

    fire.__name__ = fire.__qualname__ = name
    fire.__doc__ = f"Transition {name}: {_sources_text(t)} -> {t.target.name}; returns the new state."
    fire.__dotdo_transition__ = t  # type: ignore[attr-defined]
    return fire


def _event_handler(name: str) -> Callable[..., Any]:
    async def handle(self: StateMachine, event: Event) -> None:
        await self._machine.fire_for_event(event, only=name)

    return handle


def _sources_text(t: Transition) -> str:
    return "any state" if t.sources is None else ", ".join(s.name for s in t.sources)


class Machine:
    """The persisted state of one live machine object."""

    def __init__(self, obj: StateMachine) -> None:
        self.obj = obj
        self.cls = type(obj)
        self.storage = obj.storage
        self._tables = LazyTable(self.storage, STATE_TABLE, *_SCHEMA)

    def _sql(self, query: str, *bindings: Any) -> list[dict[str, Any]]:
        self._tables.ensure()
        return self.storage.sql.exec(query, *bindings).to_list()

    def now(self) -> float:
        return self.obj.runtime.clock.now()

    def current(self) -> tuple[str, int]:
        """`(state name, entry number)`; a new machine enters its initial state first."""
        rows = self._sql(f"SELECT state, entry FROM {STATE_TABLE} WHERE id = 1")
        if rows:
            return rows[0]["state"], rows[0]["entry"]
        initial = next(s for s in self.cls.states.values() if s.initial)
        self.storage.transaction_sync(lambda: self._enter(initial, None, None, "start", {}, 1))
        return initial.name, 1

    def allowed(self, state_name: str) -> list[str]:
        """Transitions allowed from `state_name`."""
        if self.cls.states[state_name].final:
            return []
        return [name for name, t in self.cls.transitions.items() if t.allowed_from(state_name)]

    def history(self, limit: int) -> list[dict[str, Any]]:
        rows = self._sql(f"SELECT * FROM {HISTORY_TABLE} ORDER BY entry DESC LIMIT ?", limit)
        return [
            {
                "entry": r["entry"],
                "transition": r["transition"],
                "source": r["source"],
                "target": r["target"],
                "cause": r["cause"],
                "data": decode(r["data"]),
                "at": r["at"],
            }
            for r in reversed(rows)
        ]

    def _refuse(self, name: str, current: str, reason: str | None = None) -> InvalidTransitionError:
        allowed = self.allowed(current)
        where = f"{self.cls.__name__} {self.obj.name or self.obj.id.hex[:12]!r}"
        if reason is not None:
            return InvalidTransitionError(f"{where}: transition {name!r} from state {current!r} refused: {reason}")
        options = ", ".join(allowed) if allowed else f"none ({current!r} is final)"
        return InvalidTransitionError(
            f"{where} cannot {name!r} from state {current!r}; allowed from {current!r}: {options}"
        )

    async def fire(self, name: str, data: dict[str, Any], *, cause: str) -> str:
        """Take transition `name` with `data` (its keyword arguments), or raise `InvalidTransitionError`."""
        t = self.cls.transitions[name]
        current, entry = self.current()
        if self.cls.states[current].final or not t.allowed_from(current):
            raise self._refuse(name, current)
        data_json = encode(data, f"the arguments of {name}")
        if t.guard is not None:
            allowed = await _call(self.obj, t.guard, data)
            if (current, entry) != self.current():
                raise self._refuse(name, current, "the state changed while its guard ran")
            if not allowed:
                raise self._refuse(name, current, f"guard {_action_name(t.guard)} said no")
        source = self.cls.states[current]
        for action in (source.on_exit, t.action):
            if action is not None and _is_async(self.obj, action):
                await _call(self.obj, action, data)
                if (current, entry) != self.current():
                    raise self._refuse(name, current, "the state changed while its actions ran")

        def commit() -> None:
            for action in (source.on_exit, t.action):
                if action is not None and not _is_async(self.obj, action):
                    _call_sync(self.obj, action, data)
            self._leave(source)
            self._enter(t.target, name, current, cause, data, entry + 1, data_json=data_json)

        self.storage.transaction_sync(commit)
        if t.target.on_enter is not None and _is_async(self.obj, t.target.on_enter):
            await _call(self.obj, t.target.on_enter, data)
        self.obj.ctx.send(
            f"{self.cls.__name__}.{name}",
            {"id": self.obj.name, "from": current, "to": t.target.name, "cause": cause, "data": data},
        )
        return t.target.name

    async def fire_for_event(self, event: Event, *, only: str | None = None) -> str | None:
        """Fire the transition whose `on=` pattern matches `event` and that is allowed now; None if none is."""
        current = self.current()[0]
        for name, t in self.cls.transitions.items():
            if only is not None and name != only:
                continue
            if t.on is None or not _matches(t.on, event.type) or not t.allowed_from(current):
                continue
            if self.cls.states[current].final:
                return None
            data = event.data if isinstance(event.data, dict) else {"data": event.data}
            return await self.fire(name, data, cause=f"event {event.type}")
        return None

    def _leave(self, source: State) -> None:
        timers = self.storage.timers
        for timer_id in self._timeout_timers(source):
            timers.delete(timer_id)

    def _timeout_timers(self, s: State) -> list[str]:
        ids = [f"dotdo:state:{s.name}"] if s.timeout is not None else []
        ids += [
            f"dotdo:transition:{t.name}" for t in self.cls.transitions.values() if t.timeout and t.allowed_from(s.name)
        ]
        return ids

    def _enter(
        self,
        target: State,
        transition_name: str | None,
        source: str | None,
        cause: str,
        data: dict[str, Any],
        entry: int,
        *,
        data_json: str | None = None,
    ) -> None:
        now = self.now()
        self._sql(
            f"INSERT INTO {STATE_TABLE} (id, state, entry, entered_at) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET state = excluded.state, entry = excluded.entry, "
            "entered_at = excluded.entered_at",
            target.name,
            entry,
            now,
        )
        self._sql(
            f"INSERT INTO {HISTORY_TABLE} (entry, transition, source, target, cause, data, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            entry,
            transition_name,
            source,
            target.name,
            cause,
            data_json if data_json is not None else encode(data, "transition arguments"),
            now,
        )
        timers = self.storage.timers
        if not target.final:
            if target.timeout is not None:
                payload = {"transition": target.on_timeout, "entry": entry}
                timers.set(f"dotdo:state:{target.name}", now + target.timeout, kind=TIMER_KIND, payload=payload)
            for t in self.cls.transitions.values():
                if t.timeout is not None and t.allowed_from(target.name):
                    payload = {"transition": t.on_timeout, "entry": entry}
                    timers.set(f"dotdo:transition:{t.name}", now + t.timeout, kind=TIMER_KIND, payload=payload)
        if target.on_enter is not None and not _is_async(self.obj, target.on_enter):
            _call_sync(self.obj, target.on_enter, data)

    async def on_timeout(self, payload: dict[str, Any]) -> None:
        """A state's timeout came due: fire its `on_timeout` transition if the machine is still there."""
        if self.current()[1] != payload.get("entry"):
            return
        try:
            await self.fire(payload["transition"], {}, cause="timeout")
        except InvalidTransitionError as exc:
            log.warning("timeout of %s: %s", self.cls.__name__, exc)


def _matches(pattern: str, event_type: str) -> bool:
    noun, _, verb = pattern.partition(".")
    event_noun, _, event_verb = event_type.partition(".")
    return noun in ("*", event_noun) and verb in ("*", event_verb)


def _resolve(obj: Any, action: Action) -> Callable[..., Any]:
    if isinstance(action, str):
        fn = getattr(obj, action, None)
        if fn is None or not callable(fn):
            raise AttributeError(f"{type(obj).__name__} has no method {action!r} (named as a guard or action)")
        return fn
    assert action is not None
    return lambda **data: action(obj, **data)


def _is_async(obj: Any, action: Action) -> bool:
    fn = getattr(obj, action, None) if isinstance(action, str) else action
    return inspect.iscoroutinefunction(fn)


async def _call(obj: Any, action: Action, data: dict[str, Any]) -> Any:
    result = _resolve(obj, action)(**data)
    return await result if inspect.isawaitable(result) else result


def _call_sync(obj: Any, action: Action, data: dict[str, Any]) -> Any:
    return _resolve(obj, action)(**data)


def _action_name(action: Action) -> str:
    return action if isinstance(action, str) else getattr(action, "__name__", repr(action))
