"""`Krea` and `AsyncKrea`: the generated client, made pleasant.

Both build the same plans from `operations` and differ only in how they carry out an effect:
blocking, or awaiting. Configuration comes from arguments, else `KREA_API_TOKEN` and
`KREA_BASE_URL`.
"""

from __future__ import annotations

import builtins
import functools
import os
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict, TypeVar, Unpack
from uuid import UUID

import httpx
from krea_api_client import AuthenticatedClient
from krea_api_client.api.jobs import cancel_job, get_job, list_jobs
from krea_api_client.models import Job, JobList, JobStatus
from krea_api_client.types import UNSET

import krea_nano_banana_spec as spec
from krea_nano_banana import operations
from krea_nano_banana.bodies import generation, generation_body
from krea_nano_banana.deprecations import warn_on_aliases
from krea_nano_banana.errors import (
    ConfigurationError,
    DownloadError,
    InvalidRequestError,
    KreaError,
    MissingTokenError,
)
from krea_nano_banana.operations import Call, Now, Plan, Send, Sleep
from krea_nano_banana.polling import PollSchedule
from krea_nano_banana.retries import RetryPolicy
from krea_nano_banana.signatures import AsyncGeneration, Generation, JobStatusName
from krea_nano_banana_spec import waits

DEFAULT_WAIT_TIMEOUT = 600.0
# Krea advises polling every 2-5 s: a shorter poll_interval is raised to this.
MIN_POLL_INTERVAL = 2.0


def __getattr__(name: str) -> str:
    # The spec's `servers` name the base URL; read on first use, so importing the SDK does not
    # load the spec.
    if name == "DEFAULT_BASE_URL":
        return spec.base_url()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


T = TypeVar("T")
JobRef = Job | UUID | str


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One context for every client: loading the system's certificates takes ~45 ms, which
    each new httpx client would otherwise pay again (a context is safe to share)."""
    return ssl.create_default_context()


class ClientOptions(TypedDict, total=False):
    """The options both clients take, besides the token, the base URL, the transport and the
    sleep function (whose types differ between blocking and awaiting)."""

    timeout: float
    retry: RetryPolicy | None
    poll: PollSchedule | None
    default_headers: Mapping[str, str] | None
    clock: Callable[[], float] | None


class _Common:
    """Configuration, and every plan both clients run: a client only carries out effects."""

    def __init__(
        self,
        token: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        poll: PollSchedule | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: Any = None,
        sleep: Any = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        token = token or os.environ.get("KREA_API_TOKEN")
        if not token:
            raise MissingTokenError("no API token: pass token=... or set KREA_API_TOKEN")
        self.token = token
        self.base_url = checked_base_url(
            base_url or os.environ.get("KREA_BASE_URL") or spec.base_url()
        )
        self.timeout = httpx.Timeout(timeout)
        self.retry = retry or RetryPolicy()
        self.poll = poll or PollSchedule()
        self.default_headers = dict(default_headers or {})
        self.api = AuthenticatedClient(
            base_url=self.base_url,
            token=self.token,
            timeout=self.timeout,
            headers=self.default_headers,
            verify_ssl=tls_context(),
            httpx_args={"transport": transport} if transport is not None else {},
        )
        self._transport = transport
        self._sleep = sleep
        self._clock = clock

    # -- the plans ----------------------------------------------------------------------------

    def _generate_plan(self, prompt: str, options: Mapping[str, Any]) -> Plan[Job]:
        """`options` are generate's keywords: its own (GENERATE_KEYWORDS), and the fields."""
        model, webhook_url = options.get("model"), options.get("webhook_url")
        extra_body: Mapping[str, Any] | None = options.get("extra_body")
        fields = {k: v for k, v in options.items() if k not in GENERATE_KEYWORDS}
        chosen = generation(model)
        body = generation_body(chosen, prompt, fields)
        if extra_body:
            warn_on_aliases(extra_body, chosen.aliases, stacklevel=4)
            body = {**body, **extra_body}
        headers = {}
        if webhook_url is not None:
            header = chosen.header(spec.Role.WEBHOOK_URL)
            if header is None:
                raise KreaError(f"{chosen.model} takes no webhook URL")
            headers[header] = webhook_url
        return operations.create(chosen, body, headers, self.retry)

    def _get_plan(self, job: JobRef) -> Plan[Job]:
        return operations.call(get_job, Job, self.retry, id=operations.job_id_of(job))

    def _cancel_plan(self, job: JobRef) -> Plan[Job]:
        return operations.cancel(cancel_job, job, self.retry)

    def _page_plan(self, cursor: Any, query: Mapping[str, Any]) -> Plan[JobList]:
        return operations.call(
            list_jobs,
            JobList,
            self.retry,
            cursor=cursor if cursor is not None else UNSET,
            **query,
        )

    def _wait_plan(
        self,
        job: JobRef,
        timeout: float,
        poll_interval: float | None,
        on_update: Callable[[Job], None] | None,
    ) -> Plan[Job]:
        schedule = wait_schedule(timeout, poll_interval, self.poll)
        return operations.wait(job, self.retry, schedule, timeout, on_update)

    def _generate_and_wait_plan(self, prompt: str, options: Mapping[str, Any]) -> Plan[Job]:
        waiting = {k: options[k] for k in WAIT_KEYWORDS if k in options}
        timeout = waiting.get("timeout", DEFAULT_WAIT_TIMEOUT)
        poll_interval, on_update = waiting.get("poll_interval"), waiting.get("on_update")
        wait_schedule(timeout, poll_interval, self.poll)  # refused before the job is paid for
        creating = {k: v for k, v in options.items() if k not in WAIT_KEYWORDS}
        job = yield from self._generate_plan(prompt, creating)
        if on_update is not None:
            on_update(job)
        finished: Job = yield from self._wait_plan(job, timeout, poll_interval, on_update)
        return finished

    def _download_plan(self, job: Job, destination: str | Path) -> Plan[builtins.list[Path]]:
        return operations.download(job, Path(destination), self.retry)


# generate's own keywords, apart from the model's request fields; and wait's
GENERATE_KEYWORDS = frozenset({"model", "webhook_url", "extra_body"})
WAIT_KEYWORDS = frozenset({"timeout", "poll_interval", "on_update"})


def checked_base_url(url: str) -> str:
    """The base URL without its trailing slash, refused here if httpx could not use it."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConfigurationError(f"base URL {url!r} is not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(
            f"base URL {url!r} is not an http(s) URL with a host (e.g. {spec.base_url()})"
        )
    return url.rstrip("/")


def wait_schedule(
    timeout: float, poll_interval: float | None, default: PollSchedule
) -> PollSchedule:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
        raise InvalidRequestError.argument(
            "timeout", f"{timeout!r} is not a number of seconds >= 0"
        )
    if poll_interval is None:
        return default
    if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float):
        raise InvalidRequestError.argument("poll_interval", f"{poll_interval!r} is not a number")
    if poll_interval < 0:
        raise InvalidRequestError.argument(
            "poll_interval", f"{poll_interval!r} is negative (seconds between polls)"
        )
    return PollSchedule.fixed(max(poll_interval, MIN_POLL_INTERVAL))


def list_query(status: Any, types: Any, page_size: Any) -> dict[str, Any]:
    """`list`'s arguments as the list operation's query, each checked before anything is sent."""
    statuses = spec.lifecycle().statuses
    if status is not None and str(status) not in statuses:
        raise InvalidRequestError.argument(
            "status", f"{status!r} is not one of {', '.join(statuses)}"
        )
    if isinstance(types, str):  # one type, or several comma-separated, as the API takes them
        types = [types]
    if types is not None and not all(isinstance(t, str) for t in types):
        raise InvalidRequestError.argument("types", f"{types!r} is not a list of job types")
    limit = spec.operation_for("job.list").parameter("limit")["schema"]
    low, high = limit.get("minimum", 1), limit.get("maximum")
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or page_size < low
        or (high is not None and page_size > high)
    ):
        raise InvalidRequestError.argument(
            "page_size", f"{page_size!r} is not a whole number from {low} to {high}"
        )
    return {
        "limit": page_size,
        "status": JobStatus(str(status)) if status is not None else UNSET,
        "types": ",".join(types) if types else UNSET,
    }


class Krea(Generation, _Common):
    """The blocking client. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        token: str | None = None,
        base_url: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(token, base_url, transport=transport, sleep=sleep, **options)
        # Result URLs are served elsewhere (a CDN): they must never receive the API token.
        self.files = httpx.Client(
            timeout=self.timeout, follow_redirects=True, transport=transport, verify=tls_context()
        )

    def __enter__(self) -> Krea:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.api.get_httpx_client().close()
        self.files.close()

    def _perform(self, effect: operations.Effect) -> Any:
        if isinstance(effect, Call):
            return effect.endpoint.sync_detailed(client=self.api, **effect.kwargs)
        if isinstance(effect, Send):
            return self.api.get_httpx_client().request(
                effect.method, effect.path, json=effect.json, headers=effect.headers
            )
        if isinstance(effect, Sleep):
            return (self._sleep or waits.current().sleep)(effect.seconds)
        if isinstance(effect, Now):
            return (self._clock or waits.current().clock)()
        with self.files.stream("GET", effect.url) as response:
            if response.status_code == 200:
                _save(effect.path, response.iter_bytes())
            return response.status_code

    def _run(self, plan: Plan[T]) -> T:
        driver = operations.Driver(plan)
        while (effect := driver.next_effect()) is not None:
            try:
                driver.produced(self._perform(effect))
            except Exception as exc:  # handed to the plan, which decides what it means
                driver.failed(exc)
        return driver.result

    # generate and generate_and_wait: typed per model in `signatures`, carried out here.
    def _generate(self, prompt: str, options: dict[str, Any]) -> Job:
        return self._run(self._generate_plan(prompt, options))

    def _generate_and_wait(self, prompt: str, options: dict[str, Any]) -> Job:
        return self._run(self._generate_and_wait_plan(prompt, options))

    def get(self, job: JobRef) -> Job:
        return self._run(self._get_plan(job))

    def cancel(self, job: JobRef) -> Job:
        return self._run(self._cancel_plan(job))

    def list(
        self,
        *,
        status: JobStatus | JobStatusName | None = None,
        types: Sequence[str] | None = None,
        page_size: int = 100,
    ) -> Iterator[Job]:
        """Every job of yours, newest first, fetching pages as the iteration needs them.
        `status` is one status, `types` job types (`["externalImage"]`; a plain string is
        passed as the API takes it, comma-separated), `page_size` the jobs a request fetches."""
        query = list_query(status, types, page_size)
        return self._pages(query)

    def _pages(self, query: Mapping[str, Any]) -> Iterator[Job]:
        cursor: Any = None
        while True:
            page = self._run(self._page_plan(cursor, query))
            yield from page.items
            if (cursor := operations.cursor_after(page)) is None:
                return

    def wait(
        self,
        job: JobRef,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
    ) -> Job:
        """Polls until the job ends (with backoff unless `poll_interval` is given); returns it
        completed, or raises JobFailedError, JobCancelledError or WaitTimeoutError."""
        return self._run(self._wait_plan(job, timeout, poll_interval, on_update))

    def download(self, job: JobRef, destination: str | Path = ".") -> builtins.list[Path]:
        """Saves a completed job's images and returns their paths. `destination` is a folder
        (`out/`: `<job_id>-0.png` inside) or, with a suffix, the file (`out.png`), as the CLI's
        `-o`."""
        finished = job if isinstance(job, Job) else self.get(job)
        return self._run(self._download_plan(finished, destination))


class AsyncKrea(AsyncGeneration, _Common):
    """The asyncio client: the same operations, awaited."""

    def __init__(
        self,
        token: str | None = None,
        base_url: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(token, base_url, transport=transport, sleep=sleep, **options)
        self.files = httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=True, transport=transport, verify=tls_context()
        )

    async def __aenter__(self) -> AsyncKrea:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.api.get_async_httpx_client().aclose()
        await self.files.aclose()

    async def _perform(self, effect: operations.Effect) -> Any:
        if isinstance(effect, Call):
            return await effect.endpoint.asyncio_detailed(client=self.api, **effect.kwargs)
        if isinstance(effect, Send):
            return await self.api.get_async_httpx_client().request(
                effect.method, effect.path, json=effect.json, headers=effect.headers
            )
        if isinstance(effect, Sleep):
            return await (self._sleep or waits.current().async_sleep)(effect.seconds)
        if isinstance(effect, Now):
            return (self._clock or waits.current().clock)()
        async with self.files.stream("GET", effect.url) as response:
            if response.status_code == 200:
                _save(effect.path, [chunk async for chunk in response.aiter_bytes()])
            return response.status_code

    async def _run(self, plan: Plan[T]) -> T:
        driver = operations.Driver(plan)
        while (effect := driver.next_effect()) is not None:
            try:
                driver.produced(await self._perform(effect))
            except Exception as exc:  # handed to the plan, which decides what it means
                driver.failed(exc)
        return driver.result

    async def _generate(self, prompt: str, options: dict[str, Any]) -> Job:
        return await self._run(self._generate_plan(prompt, options))

    async def _generate_and_wait(self, prompt: str, options: dict[str, Any]) -> Job:
        return await self._run(self._generate_and_wait_plan(prompt, options))

    async def get(self, job: JobRef) -> Job:
        return await self._run(self._get_plan(job))

    async def cancel(self, job: JobRef) -> Job:
        return await self._run(self._cancel_plan(job))

    def list(
        self,
        *,
        status: JobStatus | JobStatusName | None = None,
        types: Sequence[str] | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Job]:
        query = list_query(status, types, page_size)  # raised at the call, not the first await
        return self._pages(query)

    async def _pages(self, query: Mapping[str, Any]) -> AsyncIterator[Job]:
        cursor: Any = None
        while True:
            page = await self._run(self._page_plan(cursor, query))
            for job in page.items:
                yield job
            if (cursor := operations.cursor_after(page)) is None:
                return

    async def wait(
        self,
        job: JobRef,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
    ) -> Job:
        return await self._run(self._wait_plan(job, timeout, poll_interval, on_update))

    async def download(self, job: JobRef, destination: str | Path = ".") -> builtins.list[Path]:
        finished = job if isinstance(job, Job) else await self.get(job)
        return await self._run(self._download_plan(finished, destination))


def _save(path: Path, chunks: Any) -> None:
    """Writes beside the target and renames, so a broken download never leaves half a file."""
    partial = path.with_suffix(path.suffix + ".part")
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"cannot save {path}: {exc.strerror or exc}") from None
