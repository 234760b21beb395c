"""How often to poll a running job: Krea's docs advise every 2-5 s, backing off on long jobs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PollSchedule:
    """Exponential from `initial` by `factor` up to `cap`, each delay jittered by ±`jitter`."""

    initial: float = 2.0
    factor: float = 1.5
    cap: float = 5.0
    jitter: float = 0.1
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, poll: int) -> float:
        """The pause after poll number `poll` (0 for the first)."""
        base = min(self.cap, self.initial * self.factor**poll)
        return base * self.rng.uniform(1 - self.jitter, 1 + self.jitter)

    @classmethod
    def fixed(cls, interval: float) -> PollSchedule:
        return cls(initial=interval, factor=1.0, cap=interval, jitter=0.0)
