"""Typed exceptions: one per HTTP failure the API documents, and one per job outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.validation import InvalidRequest

if TYPE_CHECKING:
    from krea_api_client.models import Job


class KreaError(Exception):
    """Base class of every error this SDK raises."""


class ConfigurationError(KreaError, ValueError):
    """The client cannot be built as configured (a base URL that is not a URL, ...)."""


class MissingTokenError(ConfigurationError):
    """No API token was given, and KREA_API_TOKEN is not set."""


class UnknownModel(KreaError, spec.UnknownModel):
    """No model of the spec has this name (the message lists the models there are)."""


class DownloadError(KreaError):
    """A result could not be saved where it was asked to go; the message names the path."""


class InvalidRequestError(KreaError, ValueError):
    """The request breaks the model's schema, or an argument is out of its range; raised before
    anything is sent. `field` names the first field at fault and `reason` says why (with the
    allowed values or the bound)."""

    def __init__(self, model: str | None, problem: InvalidRequest) -> None:
        super().__init__(str(problem) if model is None else f"{model}: {problem}")
        self.model = model
        self.field = problem.field
        self.reason = problem.reason
        self.problems = [problem, *problem.others]

    @classmethod
    def argument(cls, name: str, reason: str) -> InvalidRequestError:
        """An argument of a method (not a request field) that is wrong."""
        return cls(None, InvalidRequest(name, reason))


class APIConnectionError(KreaError):
    """The API could not be reached, or the connection broke before an answer arrived."""


class APIStatusError(KreaError):
    """The API answered with an error status; `message` is its `error` string, and
    `retry_after` the seconds its `Retry-After` header asked for, if any."""

    def __init__(
        self, message: str, status_code: int, body: bytes = b"", retry_after: float | None = None
    ) -> None:
        super().__init__(f"{status_code}: {message}")
        self.message = message
        self.status_code = status_code
        self.body = body
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """400: the request is invalid; the message names the field and the reason."""


class AuthenticationError(APIStatusError):
    """401: the token is missing or not accepted."""


class InsufficientCreditsError(APIStatusError):
    """402: out of credits."""


class NotFoundError(APIStatusError):
    """404: no such job, or not yours."""


class ConflictError(APIStatusError):
    """409: the job's status does not allow this (e.g. cancelling a finished job)."""


class RateLimitError(APIStatusError):
    """429: at the maximum number of concurrent jobs; retry after `retry_after` seconds."""


class ServerError(APIStatusError):
    """5xx: a failure on the server's side."""


class JobError(KreaError):
    """A job ended, or was waited on, without a result."""

    def __init__(self, message: str, job: Job) -> None:
        super().__init__(message)
        self.job = job


class JobFailedError(JobError):
    """The job failed; `reason` is the server's `result.error`."""

    def __init__(self, job: Job, reason: object) -> None:
        super().__init__(f"job {job.job_id} failed: {reason}", job)
        self.reason = reason


class JobCancelledError(JobError):
    """The job was cancelled, by the user or the system."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"job {job.job_id} was cancelled", job)


class WaitTimeoutError(JobError):
    """The job did not finish within the time allowed; `job` is its last known state."""

    def __init__(self, job: Job, timeout: float) -> None:
        super().__init__(f"job {job.job_id} still {job.status} after {timeout:g} s", job)
        self.timeout = timeout


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_for_status(status: int) -> type[APIStatusError]:
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return ServerError if status >= 500 else APIStatusError
