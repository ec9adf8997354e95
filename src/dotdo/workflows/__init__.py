"""Workflows and state machines: durable multi-step programs and declarative, persisted states."""

from .durations import Duration, parse_duration
from .errors import (
    DuplicateStepError,
    EventTimeoutError,
    InstanceExistsError,
    InstanceNotFoundError,
    InvalidInstanceStateError,
    InvalidTransitionError,
    NonDeterminismError,
    NonRetryableError,
    StepFailedError,
    StepTimeoutError,
    WorkflowError,
)
from .instance import WorkflowInstance
from .state_machine import StateMachine, state, transition
from .step import ReceivedEvent, Retries, Step, WorkflowEvent, idempotency_key
from .workflow import Workflow

__all__ = [
    "DuplicateStepError",
    "Duration",
    "EventTimeoutError",
    "InstanceExistsError",
    "InstanceNotFoundError",
    "InvalidInstanceStateError",
    "InvalidTransitionError",
    "NonDeterminismError",
    "NonRetryableError",
    "ReceivedEvent",
    "Retries",
    "StateMachine",
    "Step",
    "StepFailedError",
    "StepTimeoutError",
    "Workflow",
    "WorkflowError",
    "WorkflowEvent",
    "WorkflowInstance",
    "idempotency_key",
    "parse_duration",
    "state",
    "transition",
]
