"""Builds one mock from its options; both doors (respx and HTTP) start from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.backend import Backend, Settings
from krea_nano_banana_mock.core.clock import Clock
from krea_nano_banana_mock.core.journal import DEFAULT_SIZE as DEFAULT_JOURNAL_SIZE
from krea_nano_banana_mock.core.journal import Journal
from krea_nano_banana_mock.core.lifecycle import Pace, Progression
from krea_nano_banana_mock.core.option_rules import checked
from krea_nano_banana_mock.core.webhooks import DeliveryPolicy, Outbox
from krea_nano_banana_mock.http_layer.dispatcher import Dispatcher

DEFAULT_BASE_URL = spec.base_url()


@dataclass(slots=True)
class MockOptions:
    """Everything a mock can be configured with; the same names as the server's flags."""

    progression: Progression = Progression.POLL
    tokens: Sequence[str] | None = None
    concurrency_limit: int = 8
    backlog_limit: int = 1000
    credits: Decimal | None = None  # compute units per token
    step_seconds: float = 0.6
    webhook_retry: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    webhook_hosts: Sequence[str] | None = None  # glob patterns; None allows any host
    journal_size: int = DEFAULT_JOURNAL_SIZE  # requests kept in the journal; 0 keeps none

    def __post_init__(self) -> None:
        for name in ("step_seconds", "concurrency_limit", "backlog_limit", "journal_size"):
            checked(name, getattr(self, name))
        checked("webhook_first_delay", self.webhook_retry.first_delay)


def build(clock: Clock, base_url: str, options: MockOptions) -> Dispatcher:
    backend = Backend(
        clock,
        Settings(
            progression=Progression(options.progression),
            pace=Pace(step_seconds=options.step_seconds),
            concurrency_limit=options.concurrency_limit,
            backlog_limit=options.backlog_limit,
            credits=options.credits,
        ),
    )
    return Dispatcher(
        backend,
        Outbox(clock, options.webhook_retry),
        base_url,
        options.tokens,
        options.webhook_hosts,
        Journal(options.journal_size),
    )
