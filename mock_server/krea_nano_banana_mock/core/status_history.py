"""Each job's status changes, for people reading the dashboard, kept small.

A mock may hold 100,000 jobs, so a job's history is one `bytes` of fixed-size records (the
status as its index in the spec's list, the microseconds since the job was created) rather
than a list of tuples: about 40 bytes a job instead of a few hundred.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta

import krea_nano_banana_spec as spec

STATUSES: tuple[str, ...] = spec.lifecycle().statuses
_INDEX = {status: index for index, status in enumerate(STATUSES)}
_RECORD = struct.Struct("<Bq")
EMPTY = b""


def appended(history: bytes, status: str, at: datetime, created_at: datetime) -> bytes:
    """`history` with one more change: the job entered `status` at `at`."""
    micros = (at - created_at) // timedelta(microseconds=1)
    return history + _RECORD.pack(_INDEX[status], micros)


def changes(history: bytes, created_at: datetime) -> list[tuple[str, datetime]]:
    """The changes, oldest first, as (status, instant)."""
    return [
        (STATUSES[index], created_at + timedelta(microseconds=micros))
        for index, micros in _RECORD.iter_unpack(history)
    ]
