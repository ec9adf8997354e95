"""The errors of workflows and state machines."""

from __future__ import annotations

from ..runtime.errors import DotdoError


class WorkflowError(DotdoError):
    """Base class of the errors a workflow or state machine raises."""


class NonRetryableError(Exception):
    """Raise it from a step to fail the step at once, without the remaining retries."""


class StepFailedError(WorkflowError):
    """A step failed for good; raised into `run()` when the original exception cannot be rebuilt.

    `error_type` is the qualified name of the original exception class and `message` its text.
    """

    def __init__(self, step: str, error_type: str, message: str) -> None:
        super().__init__(f"Step {step!r} failed: {error_type}: {message}")
        self.step = step
        self.error_type = error_type
        self.message = message


class StepTimeoutError(WorkflowError, TimeoutError):
    """An attempt of `step.do` ran longer than its `timeout`."""


class EventTimeoutError(WorkflowError, TimeoutError):
    """`step.wait_for_event` reached its timeout before an event of its type arrived."""


class NonDeterminismError(WorkflowError):
    """`run()` asked for steps that differ from the recorded history of the instance (the code changed)."""


class DuplicateStepError(WorkflowError):
    """Two steps of one run share a name; names identify steps in the history, so they must be unique."""


class InstanceNotFoundError(WorkflowError, LookupError):
    """No workflow instance with that id was created."""


class InstanceExistsError(WorkflowError):
    """`create` was given the id of an instance that already exists."""


class InvalidInstanceStateError(WorkflowError):
    """A lifecycle call (pause, resume, send_event, ...) that the instance's status does not allow."""


class InvalidTransitionError(WorkflowError):
    """A state machine transition that is not allowed from the current state (or whose guard refused)."""
