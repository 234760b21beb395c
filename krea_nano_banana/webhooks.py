"""Webhook deliveries: parse one into the typed job, and drop the duplicates.

Krea documents no signature on webhook requests, so a delivery proves nothing about its
sender: check that the `job_id` is one you created (and fetch the job to be sure, if it
matters). Deliveries can be duplicated; `Deduplicator` remembers what it has seen.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from krea_api_client.models import Job

from krea_nano_banana.errors import KreaError


class InvalidWebhook(KreaError):
    """The delivery is not a job."""


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> Job:
    try:
        data = json.loads(body) if isinstance(body, bytes | str) else dict(body)
        return Job.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidWebhook(f"not a job: {exc}") from None


class Deduplicator:
    """Remembers the last `capacity` (job, status) pairs; `first_time` is True once for each."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, job: Job) -> bool:
        key = (str(job.job_id), str(job.status))
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            if len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True
