"""A thin, typed SDK for Krea's Nano Banana API family, over the client generated from
openapi.yaml.

from krea_nano_banana import Krea

with Krea() as krea:  # KREA_API_TOKEN, and KREA_BASE_URL if not the real API
    job = krea.generate_and_wait("a lighthouse", model="nano-banana-pro", aspect_ratio="16:9")
    krea.download(job, "out/")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from krea_nano_banana_spec.lazy import exports as _exports

if TYPE_CHECKING:
    from krea_api_client.models import (
        AspectRatio as AspectRatio,
    )
    from krea_api_client.models import (
        Job as Job,
    )
    from krea_api_client.models import (
        JobResult as JobResult,
    )
    from krea_api_client.models import (
        JobStatus as JobStatus,
    )
    from krea_api_client.models import (
        NanoBanana2AspectRatio as NanoBanana2AspectRatio,
    )
    from krea_api_client.models import (
        Resolution as Resolution,
    )
    from krea_api_client.models import (
        StyleImage as StyleImage,
    )

    from krea_nano_banana.client import (
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
    )
    from krea_nano_banana.client import (
        AsyncKrea as AsyncKrea,
    )
    from krea_nano_banana.client import (
        Krea as Krea,
    )
    from krea_nano_banana.errors import (
        APIConnectionError as APIConnectionError,
    )
    from krea_nano_banana.errors import (
        APIStatusError as APIStatusError,
    )
    from krea_nano_banana.errors import (
        AuthenticationError as AuthenticationError,
    )
    from krea_nano_banana.errors import (
        BadRequestError as BadRequestError,
    )
    from krea_nano_banana.errors import (
        ConfigurationError as ConfigurationError,
    )
    from krea_nano_banana.errors import (
        ConflictError as ConflictError,
    )
    from krea_nano_banana.errors import (
        DownloadError as DownloadError,
    )
    from krea_nano_banana.errors import (
        InsufficientCreditsError as InsufficientCreditsError,
    )
    from krea_nano_banana.errors import (
        InvalidRequestError as InvalidRequestError,
    )
    from krea_nano_banana.errors import (
        JobCancelledError as JobCancelledError,
    )
    from krea_nano_banana.errors import (
        JobError as JobError,
    )
    from krea_nano_banana.errors import (
        JobFailedError as JobFailedError,
    )
    from krea_nano_banana.errors import (
        KreaError as KreaError,
    )
    from krea_nano_banana.errors import (
        MissingTokenError as MissingTokenError,
    )
    from krea_nano_banana.errors import (
        NotFoundError as NotFoundError,
    )
    from krea_nano_banana.errors import (
        RateLimitError as RateLimitError,
    )
    from krea_nano_banana.errors import (
        ServerError as ServerError,
    )
    from krea_nano_banana.errors import (
        UnknownModel as UnknownModel,
    )
    from krea_nano_banana.errors import (
        WaitTimeoutError as WaitTimeoutError,
    )
    from krea_nano_banana.operations import (
        is_finished as is_finished,
    )
    from krea_nano_banana.polling import (
        PollSchedule as PollSchedule,
    )
    from krea_nano_banana.pricing import (
        Cost as Cost,
    )
    from krea_nano_banana.pricing import (
        estimate_cost as estimate_cost,
    )
    from krea_nano_banana.retries import (
        RetryPolicy as RetryPolicy,
    )
    from krea_nano_banana.signatures import (
        JobStatusName as JobStatusName,
    )
    from krea_nano_banana.signatures import (
        ModelName as ModelName,
    )
    from krea_nano_banana.webhooks import (
        Deduplicator as Deduplicator,
    )
    from krea_nano_banana.webhooks import (
        InvalidWebhook as InvalidWebhook,
    )
    from krea_nano_banana.webhooks import (
        parse_webhook as parse_webhook,
    )
    from krea_nano_banana_spec import (
        available_models as available_models,
    )
    from krea_nano_banana_spec import (
        default_model as default_model,
    )

# Loaded on first use: the mock server imports only what serving needs, which keeps its
# memory and start-up small (see docs/benchmarks.md).
_EXPORTS = {
    "DEFAULT_BASE_URL": "krea_nano_banana.client",
    "APIConnectionError": "krea_nano_banana.errors",
    "APIStatusError": "krea_nano_banana.errors",
    "AspectRatio": "krea_api_client.models",
    "AsyncKrea": "krea_nano_banana.client",
    "AuthenticationError": "krea_nano_banana.errors",
    "BadRequestError": "krea_nano_banana.errors",
    "ConfigurationError": "krea_nano_banana.errors",
    "ConflictError": "krea_nano_banana.errors",
    "Cost": "krea_nano_banana.pricing",
    "Deduplicator": "krea_nano_banana.webhooks",
    "DownloadError": "krea_nano_banana.errors",
    "InsufficientCreditsError": "krea_nano_banana.errors",
    "InvalidRequestError": "krea_nano_banana.errors",
    "InvalidWebhook": "krea_nano_banana.webhooks",
    "Job": "krea_api_client.models",
    "JobCancelledError": "krea_nano_banana.errors",
    "JobError": "krea_nano_banana.errors",
    "JobFailedError": "krea_nano_banana.errors",
    "JobResult": "krea_api_client.models",
    "JobStatus": "krea_api_client.models",
    "JobStatusName": "krea_nano_banana.signatures",
    "Krea": "krea_nano_banana.client",
    "KreaError": "krea_nano_banana.errors",
    "MissingTokenError": "krea_nano_banana.errors",
    "ModelName": "krea_nano_banana.signatures",
    "NanoBanana2AspectRatio": "krea_api_client.models",
    "NotFoundError": "krea_nano_banana.errors",
    "PollSchedule": "krea_nano_banana.polling",
    "RateLimitError": "krea_nano_banana.errors",
    "Resolution": "krea_api_client.models",
    "RetryPolicy": "krea_nano_banana.retries",
    "ServerError": "krea_nano_banana.errors",
    "StyleImage": "krea_api_client.models",
    "UnknownModel": "krea_nano_banana.errors",
    "WaitTimeoutError": "krea_nano_banana.errors",
    "available_models": "krea_nano_banana_spec",
    "default_model": "krea_nano_banana_spec",
    "estimate_cost": "krea_nano_banana.pricing",
    "is_finished": "krea_nano_banana.operations",
    "parse_webhook": "krea_nano_banana.webhooks",
}
__all__, __getattr__, __dir__ = _exports(__name__, _EXPORTS, globals())
