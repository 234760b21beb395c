"""The SDK's logic, written once for the sync and the async client.

Each operation is a generator that yields effects (call the API, sleep, read the clock, fetch
a file) and receives their results; `client.Krea` and `client.AsyncKrea` only carry the effects
out. Retries, backoff, waiting and error mapping therefore have one implementation, and the
tests can drive them with a fake clock and no real sleeping.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from krea_api_client.api.jobs import get_job
from krea_api_client.models import Job, JobList, JobResult
from krea_api_client.types import Response, Unset

import krea_nano_banana_spec as spec
from krea_nano_banana.errors import (
    APIConnectionError,
    APIStatusError,
    DownloadError,
    InvalidRequestError,
    JobCancelledError,
    JobFailedError,
    KreaError,
    WaitTimeoutError,
    error_for_status,
)
from krea_nano_banana.polling import PollSchedule
from krea_nano_banana.retries import RetryPolicy, parse_retry_after

T = TypeVar("T")


class Endpoint(Protocol):
    """The public face of a generated endpoint module (`krea_api_client.api.<tag>.<op>`): the
    only part of it the SDK uses, so a regeneration that changed it fails type checking."""

    @property
    def sync_detailed(self) -> Callable[..., Response[Any]]: ...

    @property
    def asyncio_detailed(self) -> Callable[..., Awaitable[Response[Any]]]: ...


class Parsed(Protocol):
    """A generated model: built from a JSON object."""

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Any: ...


@dataclass(frozen=True)
class Call:
    """Call a generated endpoint and expect a 2xx with an `expected`."""

    endpoint: Endpoint
    expected: type
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Send:
    """Send a request built from the spec (a generation: its body is checked, and may carry
    untyped extras) and parse a 2xx answer as `expected`."""

    method: str
    path: str
    expected: type[Parsed]
    json: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Now:
    """The monotonic clock, in seconds."""


@dataclass(frozen=True)
class Fetch:
    """GET `url` into `path`, without the API token; the result is the HTTP status."""

    url: str
    path: Path


Effect = Call | Send | Sleep | Now | Fetch
Plan = Generator[Effect, Any, T]


class UnexpectedResponse(KreaError):
    """A 2xx answer that does not parse as the spec says it should."""


def job_id_of(job: Job | UUID | str) -> str:
    if isinstance(job, Job):
        return str(job.job_id)
    if isinstance(job, UUID):
        return str(job)
    try:
        return str(UUID(str(job)))
    except ValueError:
        # Krea's job ids are UUIDs (its Job.job_id): anything else cannot name a job, so
        # nothing is sent. The path parameter itself is a plain string, as Krea publishes it.
        raise InvalidRequestError.argument(
            "job", f"{job!r} is not a job id (a UUID such as 3c90c3cc-0d44-4b50-8888-8dd25736052a)"
        ) from None


def status_error(status: int, content: bytes, headers: Mapping[str, str]) -> APIStatusError:
    message = content.decode("utf-8", "replace")[:500] or f"HTTP {status}"
    try:
        parsed = json.loads(content)
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
            message = parsed["error"]
    except ValueError:
        pass
    retry_after = parse_retry_after(headers.get("retry-after"))
    return error_for_status(status)(message, status, content, retry_after)


def result_of(response: Response[Any], expected: type[T]) -> T:
    if 200 <= response.status_code < 300:
        if expected is Response:
            return response  # type: ignore[return-value]  # the plan reads the answer itself
        if isinstance(response.parsed, expected):
            return response.parsed
        raise UnexpectedResponse(
            f"a {response.status_code} answer that is not a {expected.__name__}"
        )
    raise status_error(response.status_code, response.content, response.headers)


def parsed_answer(response: httpx.Response, expected: type[Parsed]) -> Any:
    if not 200 <= response.status_code < 300:
        raise status_error(response.status_code, response.content, response.headers)
    try:
        return expected.from_dict(response.json())
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnexpectedResponse(
            f"a {response.status_code} answer that is not a {expected.__name__}: {exc}"
        ) from None


def interpret(effect: Effect, raw: Any) -> Any:
    """Run by the drivers on what an effect produced: a Call's or a Send's answer becomes its
    typed value or raises its status error, a Fetch's non-200 raises; so errors surface inside
    the plan, at the `yield`, where the retry loop sees them."""
    if isinstance(effect, Call):
        return result_of(raw, effect.expected)
    if isinstance(effect, Send):
        return parsed_answer(raw, effect.expected)
    if isinstance(effect, Fetch) and raw != 200:
        raise status_error(raw, b"", {})
    return raw


def connection_error(error: httpx.TransportError) -> APIConnectionError:
    """Says which URL could not be reached: the first thing to check is usually the base URL."""
    try:
        where = f"{error.request.method} {error.request.url}"
    except RuntimeError:  # an error raised without its request
        where = "the API"
    return APIConnectionError(f"cannot reach {where}: {type(error).__name__}: {error}")


def with_retries(effect: Effect, retry: RetryPolicy, creates: bool = False) -> Plan[Any]:
    attempt = 0
    while True:
        attempt += 1
        try:
            return (yield effect)
        except (APIStatusError, httpx.TransportError) as error:
            if not retry.should_retry(error, attempt, creates):
                if isinstance(error, httpx.TransportError):
                    raise connection_error(error) from error
                raise
            yield Sleep(retry.delay(error, attempt))


def call(endpoint: Endpoint, expected: type[T], retry: RetryPolicy, **kwargs: Any) -> Plan[T]:
    result: T = yield from with_retries(Call(endpoint, expected, kwargs), retry)
    return result


def create(
    model: spec.Generation,
    body: Mapping[str, Any],
    headers: Mapping[str, str],
    retry: RetryPolicy,
) -> Plan[Job]:
    """Starts a job; retried only where no job can have been made (see `retries`)."""
    effect = Send(model.operation.method, model.path, Job, body, headers)
    job: Job = yield from with_retries(effect, retry, creates=True)
    return job


def cancel(endpoint: Endpoint, job: Job | UUID | str, retry: RetryPolicy) -> Plan[Job]:
    """Cancels a job and returns it. Krea documents the answer as a 200 with no body; an empty
    body or the job itself (as older servers sent) is accepted too. The job is returned from
    the answer when it carries one, else fetched with one `GET /jobs/{id}`."""
    job_id = job_id_of(job)
    answer: Response[Any] = yield from call(endpoint, Response, retry, id=job_id)
    try:
        carried = json.loads(answer.content) if answer.content.strip() else None
        if isinstance(carried, dict):  # the job, or not: the generated model decides
            cancelled: Job = Job.from_dict(carried)
            return cancelled
    except (ValueError, KeyError, TypeError, AttributeError):
        pass  # not the job: what the job is now is one GET away
    fetched: Job = yield from call(get_job, Job, retry, id=job_id)
    return fetched


def is_finished(job: Job) -> bool:
    # Krea's own examples detect the end by completed_at; a status this SDK does not know
    # yet is then still recognised as finished.
    return str(job.status) in spec.lifecycle().terminal or isinstance(job.completed_at, datetime)


def outcome(job: Job) -> Job:
    status, graph = str(job.status), spec.lifecycle()
    if status == graph.failed:
        reason = job.result.error if isinstance(job.result, JobResult) else None
        raise JobFailedError(job, None if isinstance(reason, Unset) else reason)
    if status == graph.cancelled:
        raise JobCancelledError(job)
    return job


def wait(
    job: Job | UUID | str,
    retry: RetryPolicy,
    schedule: PollSchedule,
    timeout: float,
    on_update: Callable[[Job], None] | None = None,
) -> Plan[Job]:
    job_id = job_id_of(job)
    started: float = yield Now()
    poll = 0
    while True:
        current = yield from call(get_job, Job, retry, id=job_id)
        if on_update is not None:
            on_update(current)
        if is_finished(current):
            return outcome(current)
        remaining = timeout - ((yield Now()) - started)
        if remaining <= 0:
            raise WaitTimeoutError(current, timeout)
        yield Sleep(min(schedule.delay(poll), remaining))
        poll += 1


def cursor_after(page: JobList) -> datetime | None:
    """The cursor of the next page (`next_cursor`, or an older server's `nextCursor`); None
    after the last page, or after an empty one, whatever its cursor says."""
    if not page.items:
        return None
    for value in (page.next_cursor, page.nextCursor):
        if isinstance(value, str) and value:
            return datetime.fromisoformat(value)
    return None


class Driver(Generic[T]):
    """Steps a plan for a client: hands out each effect, takes back what carrying it out
    produced (or the exception it raised), and holds the plan's result once it returns. Both
    clients loop over it, one blocking on each effect, the other awaiting it."""

    def __init__(self, plan: Plan[T]) -> None:
        self._plan = plan
        self._effect: Effect | None = None
        self._send: Any = None
        self._error: BaseException | None = None
        self.result: T

    def next_effect(self) -> Effect | None:
        """The next effect to carry out, or None when the plan has returned."""
        try:
            if self._error is not None:
                self._effect = self._plan.throw(self._error)
            else:
                self._effect = self._plan.send(self._send)
        except StopIteration as done:
            self.result = done.value
            return None
        self._send, self._error = None, None
        return self._effect

    def produced(self, raw: Any) -> None:
        assert self._effect is not None
        try:
            self._send = interpret(self._effect, raw)
        except Exception as exc:  # a status error, raised inside the plan where retries see it
            self._error = exc

    def failed(self, error: BaseException) -> None:
        effect = self._effect
        if isinstance(effect, Call) and not isinstance(error, KreaError | httpx.TransportError):
            # The generated client raises whatever it meets while parsing an answer (not JSON,
            # a field of another type): to the caller, that is an answer off the spec.
            unexpected = UnexpectedResponse(
                f"an answer that is not a {effect.expected.__name__}: "
                f"{type(error).__name__}: {error}"
            )
            unexpected.__cause__ = error
            error = unexpected
        self._error = error


def download(job: Job, destination: Path, retry: RetryPolicy) -> Plan[list[Path]]:
    urls = job.result.urls if isinstance(job.result, JobResult) else None
    if str(job.status) != spec.lifecycle().succeeded or not isinstance(urls, list) or not urls:
        raise KreaError(f"job {job.job_id} has no results to download (status {job.status})")
    targets = download_targets(job, urls, destination)
    for url, target in zip(urls, targets, strict=True):
        yield from with_retries(Fetch(url, target), retry)
    return targets


def download_targets(job: Job, urls: list[str], destination: Path) -> list[Path]:
    """Where each result goes. As the CLI's `-o`: an existing folder, or a path without a
    suffix, is a folder (made if need be) that receives `<job_id>-<n>.<ext>`; any other path
    is the file for the first image (replaced if it exists), and `<stem>-<n><suffix>` beside
    it for the others."""
    suffixes = [Path(urlsplit(url).path).suffix or ".png" for url in urls]
    if destination.is_dir() or not destination.suffix:
        folder, names = destination, [f"{job.job_id}-{n}{s}" for n, s in enumerate(suffixes)]
    else:
        folder = destination.parent
        stem, suffix = destination.stem, destination.suffix
        names = [destination.name] + [f"{stem}-{n}{suffix}" for n in range(1, len(urls))]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot save into {folder}: {exc.strerror or exc}") from None
    return [folder / name for name in names]
