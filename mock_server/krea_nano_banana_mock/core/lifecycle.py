"""How a mock job moves through the documented lifecycle, and when.

The graph of allowed transitions is the spec's (`JobStatus.x-lifecycle`); this module only
picks which path through it a job takes and the policy that decides when it takes a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

import krea_nano_banana_spec as spec


class Progression(StrEnum):
    """When jobs take their next step."""

    POLL = "poll"  # each GET /jobs/{id} of the job moves it one step
    TIME = "time"  # a step every `step_seconds` of (clock) time
    MANUAL = "manual"  # only when a test or the control surface says so


class Outcome(StrEnum):
    COMPLETE = "complete"
    FAIL = "fail"
    STUCK = "stuck"  # reaches processing and stays there until cancelled


# Each outcome's path through the lifecycle: the spec's `x-lifecycle.mock_paths`.
STATUS_SEQUENCES: dict[Outcome, tuple[str, ...]] = {
    outcome: spec.lifecycle().mock_paths[outcome.value] for outcome in Outcome
}
BACKLOGGED = spec.lifecycle().over_limit

FAILURE_MESSAGES = {
    "moderation": "The prompt or an input image was rejected by content moderation (NSFW).",
    "provider": "The image provider returned an error.",
    "timeout": "The job timed out after 2 hours at the external provider.",
    "invalid": "The provider rejected the generation parameters.",
}
DEFAULT_FAILURE = "moderation"


@dataclass(frozen=True, slots=True)
class Pace:
    """How long each step takes under the time policy, and how many polls under the poll policy."""

    step_seconds: float = 0.6
    polls_per_step: int = 1
    step: timedelta = field(init=False, compare=False)  # read on every create: made once

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", timedelta(seconds=self.step_seconds))

    def slowed(self, factor: int = 10) -> Pace:
        return Pace(self.step_seconds * factor, self.polls_per_step * 3)


def _check_paths_follow_the_spec() -> None:
    graph = spec.lifecycle()
    for outcome, path in STATUS_SEQUENCES.items():
        if path[0] not in graph.initial or not graph.is_path(path):
            raise RuntimeError(f"the {outcome} path {path} is not a path of the spec's lifecycle")
        if (path[-1] in graph.terminal) == (outcome is Outcome.STUCK):
            raise RuntimeError(f"the {outcome} path ends in the wrong kind of status")
    if not graph.allows(BACKLOGGED, STATUS_SEQUENCES[Outcome.COMPLETE][0]):
        raise RuntimeError("backlogged jobs cannot start the way the mock starts them")


_check_paths_follow_the_spec()
