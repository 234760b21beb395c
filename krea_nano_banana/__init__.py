"""A thin, typed SDK for Krea's Nano Banana 2 API, over the client generated from openapi.yaml.

from krea_nano_banana import Krea, AspectRatio, Resolution

with Krea() as krea:  # KREA_API_TOKEN, and KREA_BASE_URL if not the real API
    job = krea.generate_and_wait("a lighthouse", aspect_ratio=AspectRatio.RATIO_16_9)
    krea.download(job, "out/")
"""

from krea_api_client.models import AspectRatio, Job, JobResult, JobStatus, Resolution, StyleImage

from krea_nano_banana.client import DEFAULT_BASE_URL, AsyncKrea, Krea
from krea_nano_banana.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsufficientCreditsError,
    JobCancelledError,
    JobError,
    JobFailedError,
    KreaError,
    NotFoundError,
    RateLimitError,
    ServerError,
    WaitTimeoutError,
)
from krea_nano_banana.operations import is_finished
from krea_nano_banana.polling import PollSchedule
from krea_nano_banana.pricing import Cost, estimate_cost
from krea_nano_banana.retries import RetryPolicy
from krea_nano_banana.webhooks import Deduplicator, InvalidWebhook, parse_webhook

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "AspectRatio",
    "AsyncKrea",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "Cost",
    "Deduplicator",
    "InsufficientCreditsError",
    "InvalidWebhook",
    "Job",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "JobResult",
    "JobStatus",
    "Krea",
    "KreaError",
    "NotFoundError",
    "PollSchedule",
    "RateLimitError",
    "Resolution",
    "RetryPolicy",
    "ServerError",
    "StyleImage",
    "WaitTimeoutError",
    "estimate_cost",
    "is_finished",
    "parse_webhook",
]
