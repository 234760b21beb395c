"""How the mock shows a job: its JSON, its timestamps, its result URL and the list cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.backend import Job

LIFECYCLE = spec.lifecycle()
RESULTS_PREFIX = "/results/"


_rendered_seconds: dict[tuple[int, int, int, int, int, int], str] = {}


def timestamp(instant: datetime) -> str:
    """An instant as the API shows it: UTC, milliseconds, a `Z`. Every job read renders one,
    many a second, so each second is rendered once."""
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    second = (
        instant.year,
        instant.month,
        instant.day,
        instant.hour,
        instant.minute,
        instant.second,
    )
    text = _rendered_seconds.get(second)
    if text is None:
        if len(_rendered_seconds) >= 4096:
            _rendered_seconds.clear()
        y, mo, d, h, mi, sec = second
        text = _rendered_seconds[second] = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"
    return f"{text}.{instant.microsecond // 1000:03d}Z"


def cursor_text(instant: datetime) -> str:
    # Full precision, so that the next page starts exactly after the last job shown.
    return instant.isoformat(timespec="microseconds").replace("+00:00", "Z")


# The file extension of each result media type the spec's `x-result-images` can name.
EXTENSIONS = {"image/png": "png", "video/mp4": "mp4"}


def result_media_type(job: Job) -> str:
    rules = spec.generation(job.request.model).result_images
    return rules.media_type if rules is not None else "image/png"


def result_path(job: Job) -> str:
    extension = EXTENSIONS[result_media_type(job)]
    return f"{RESULTS_PREFIX}{job.job_id}/{job.request.width}x{job.request.height}.{extension}"


def job_json(job: Job, base_url: str) -> dict[str, Any]:
    result: dict[str, Any] | None = None
    if job.status == LIFECYCLE.succeeded:
        result = {"urls": [base_url + result_path(job)]}
    elif job.status == LIFECYCLE.failed:
        result = {"error": job.error}
    return {
        "job_id": job.job_id,
        "status": job.status,
        "created_at": timestamp(job.created_at),
        "completed_at": timestamp(job.completed_at) if job.completed_at else None,
        "result": result,
        "type": job.request.job_type,
    }


class JobView:
    """How this mock shows its jobs: their JSON, with result URLs under its public base URL."""

    __slots__ = ("base_url",)

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def json(self, job: Job) -> dict[str, Any]:
        return job_json(job, self.base_url)
