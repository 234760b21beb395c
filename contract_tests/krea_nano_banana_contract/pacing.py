"""How long the suite waits for a job, and how often it looks: every wait has a budget.

A budget comes from the spec (the lifecycle has so many statuses, so a job takes at most that
many steps) and from the target: the in-process mock moves a job a step per poll, the
project's server moves it a step per `step_seconds` (which the suite sets short), and any
other server is polled as Krea advises, up to a timeout the user chooses.
"""

from __future__ import annotations

from dataclasses import dataclass

import krea_nano_banana_spec as spec
from krea_nano_banana.polling import PollSchedule

# The mock's slowest scenario (`Prefer: scenario=slow`) takes ten times the usual step time.
SLOWEST_SCENARIO_FACTOR = 10
# What a loopback round trip and a scheduler hiccup on a busy machine may add to a budget.
MARGIN_SECONDS = 1.0
# What a server's own delivery queue may add between a job's end and its webhook's arrival,
# for a server the suite cannot steer (Krea documents no delivery delay).
DELIVERY_MARGIN_SECONDS = 10.0


def most_steps() -> int:
    """No path through the lifecycle visits a status twice, so none takes more steps."""
    return len(spec.lifecycle().statuses)


@dataclass(frozen=True)
class Pacing:
    schedule: PollSchedule | None  # None: poll back to back
    budget_seconds: float
    budget_polls: int | None
    derivation: str  # quoted when a wait runs out, so the user sees why it was this long
    # How long a webhook may arrive after polling has seen its job end: the webhook was due at
    # the end, which the poller sees at most one pause later; never the job's whole budget.
    delivery_seconds: float = 0.0
    delivery_derivation: str = "in-process, delivered when the job ends"

    def delay(self, poll: int) -> float:
        return 0.0 if self.schedule is None else self.schedule.delay(poll)

    @classmethod
    def per_poll(cls, polls_per_step: int) -> Pacing:
        """The in-process mock, where each poll moves a job `1 / polls_per_step` of a step."""
        polls = most_steps() * polls_per_step + 2
        return cls(
            None,
            budget_seconds=60.0,
            budget_polls=polls,
            derivation=f"{most_steps()} statuses x {polls_per_step} polls a step, + 2",
        )

    @classmethod
    def per_step_time(cls, step_seconds: float) -> Pacing:
        """A server that moves a job a step every `step_seconds` (the project's own)."""
        seconds = most_steps() * step_seconds * SLOWEST_SCENARIO_FACTOR + MARGIN_SECONDS
        pause = max(step_seconds / 2, 0.005)
        return cls(
            PollSchedule.fixed(pause),
            delivery_seconds=pause + MARGIN_SECONDS,
            delivery_derivation=f"a {pause:g} s poll pause + {MARGIN_SECONDS} s",
            budget_seconds=seconds,
            budget_polls=None,
            derivation=(
                f"{most_steps()} statuses x {step_seconds} s a step"
                f" x {SLOWEST_SCENARIO_FACTOR} (slowest scenario) + {MARGIN_SECONDS} s"
            ),
        )

    @classmethod
    def as_krea_advises(cls, timeout: float) -> Pacing:
        schedule = PollSchedule()
        longest_pause = schedule.cap * (1 + schedule.jitter)
        return cls(
            schedule,
            delivery_seconds=longest_pause + DELIVERY_MARGIN_SECONDS,
            delivery_derivation=(
                f"the longest poll pause, {longest_pause:g} s, + {DELIVERY_MARGIN_SECONDS:g} s"
                " for the server's delivery queue"
            ),
            budget_seconds=timeout,
            budget_polls=None,
            derivation=f"polls every 2-5 s as Krea advises, up to the {timeout:g} s job timeout",
        )
