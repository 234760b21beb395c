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
from krea_nano_banana.bodies import generation_body
from krea_nano_banana.deprecations import warn_on_aliases
from krea_nano_banana.errors import KreaError, MissingTokenError
from krea_nano_banana.operations import Call, Now, Plan, Send, Sleep
from krea_nano_banana.polling import PollSchedule
from krea_nano_banana.retries import RetryPolicy
from krea_nano_banana_spec import waits

DEFAULT_WAIT_TIMEOUT = 600.0


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
        self.base_url = (base_url or os.environ.get("KREA_BASE_URL") or spec.base_url()).rstrip("/")
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

    def _generate_plan(
        self,
        prompt: str,
        model: str | None,
        webhook_url: str | None,
        extra_body: Mapping[str, Any] | None,
        fields: Mapping[str, Any],
    ) -> Plan[Job]:
        chosen = spec.generation(model)
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
        return operations.call(cancel_job, Job, self.retry, id=operations.job_id_of(job))

    def _page_plan(
        self, cursor: Any, limit: int, status: JobStatus | None, types: Sequence[str] | None
    ) -> Plan[JobList]:
        return operations.call(
            list_jobs,
            JobList,
            self.retry,
            cursor=cursor if cursor is not None else UNSET,
            limit=limit,
            status=status if status is not None else UNSET,
            types=",".join(types) if types else UNSET,
        )

    def _wait_plan(
        self,
        job: JobRef,
        timeout: float,
        poll_interval: float | None,
        on_update: Callable[[Job], None] | None,
    ) -> Plan[Job]:
        schedule = PollSchedule.fixed(poll_interval) if poll_interval is not None else self.poll
        return operations.wait(job, self.retry, schedule, timeout, on_update)

    def _generate_and_wait_plan(
        self,
        prompt: str,
        timeout: float,
        on_update: Callable[[Job], None] | None,
        options: Mapping[str, Any],
    ) -> Plan[Job]:
        model, webhook_url = options.get("model"), options.get("webhook_url")
        extra_body = options.get("extra_body")
        fields = {k: v for k, v in options.items() if k not in GENERATE_KEYWORDS}
        job = yield from self._generate_plan(prompt, model, webhook_url, extra_body, fields)
        if on_update is not None:
            on_update(job)
        finished: Job = yield from self._wait_plan(job, timeout, None, on_update)
        return finished

    def _download_plan(self, job: Job, directory: str | Path) -> Plan[builtins.list[Path]]:
        return operations.download(job, Path(directory), self.retry)


# generate's own keywords, apart from the model's request fields
GENERATE_KEYWORDS = frozenset({"model", "webhook_url", "extra_body"})


class Krea(_Common):
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

    def generate(
        self,
        prompt: str,
        *,
        model: str | None = None,
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Job:
        """Starts a job on `model` (default: the spec's `x-default-model`, nano-banana-2) and
        returns it, pending. `fields` are the model's request fields (`aspect_ratio="16:9"`),
        checked against its schema before sending; `extra_body` is sent as is, untyped."""
        return self._run(self._generate_plan(prompt, model, webhook_url, extra_body, fields))

    def get(self, job: JobRef) -> Job:
        return self._run(self._get_plan(job))

    def cancel(self, job: JobRef) -> Job:
        return self._run(self._cancel_plan(job))

    def list(
        self,
        *,
        status: JobStatus | None = None,
        types: Sequence[str] | None = None,
        page_size: int = 100,
    ) -> Iterator[Job]:
        """Every job of yours, newest first, fetching pages as the iteration needs them."""
        cursor: Any = None
        while True:
            page = self._run(self._page_plan(cursor, page_size, status, types))
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

    def generate_and_wait(
        self,
        prompt: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_update: Callable[[Job], None] | None = None,
        **options: Any,
    ) -> Job:
        """`generate` (with the same keywords), then `wait`."""
        return self._run(self._generate_and_wait_plan(prompt, timeout, on_update, options))

    def download(self, job: JobRef, directory: str | Path = ".") -> builtins.list[Path]:
        """Saves a completed job's images into `directory`; returns their paths."""
        finished = job if isinstance(job, Job) else self.get(job)
        return self._run(self._download_plan(finished, directory))


class AsyncKrea(_Common):
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

    async def generate(
        self,
        prompt: str,
        *,
        model: str | None = None,
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Job:
        return await self._run(self._generate_plan(prompt, model, webhook_url, extra_body, fields))

    async def get(self, job: JobRef) -> Job:
        return await self._run(self._get_plan(job))

    async def cancel(self, job: JobRef) -> Job:
        return await self._run(self._cancel_plan(job))

    async def list(
        self,
        *,
        status: JobStatus | None = None,
        types: Sequence[str] | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Job]:
        cursor: Any = None
        while True:
            page = await self._run(self._page_plan(cursor, page_size, status, types))
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

    async def generate_and_wait(
        self,
        prompt: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_update: Callable[[Job], None] | None = None,
        **options: Any,
    ) -> Job:
        return await self._run(self._generate_and_wait_plan(prompt, timeout, on_update, options))

    async def download(self, job: JobRef, directory: str | Path = ".") -> builtins.list[Path]:
        finished = job if isinstance(job, Job) else await self.get(job)
        return await self._run(self._download_plan(finished, directory))


def _save(path: Path, chunks: Any) -> None:
    """Writes beside the target and renames, so a broken download never leaves half a file."""
    partial = path.with_suffix(path.suffix + ".part")
    with partial.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    partial.replace(path)
