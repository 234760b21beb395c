"""The in-process door: a respx router that answers for the API's base URL.

Any httpx client, the generated client included, sync or async, reaches the mock with no
network: through respx's global patching while the mock is started, or explicitly through
`KreaMock.transport()`. Webhooks are sent through the same router, so a test can add a route
for its receiver and assert on the deliveries.
"""

from __future__ import annotations

import contextlib
import fnmatch
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

try:
    import respx
    from respx.models import AllMockedAssertionError
except ImportError as missing:  # the SDK alone was installed
    raise ImportError(
        "the in-process mock needs respx: pip install 'krea-nano-banana[mock]'"
    ) from missing

from krea_nano_banana_mock.core.backend import Job
from krea_nano_banana_mock.core.clock import Clock, ManualClock, parse_instant
from krea_nano_banana_mock.core.journal import Entry, Journal
from krea_nano_banana_mock.core.lifecycle import Progression
from krea_nano_banana_mock.core.scenarios import Fault
from krea_nano_banana_mock.core.webhooks import USER_AGENT, Attempt
from krea_nano_banana_mock.http_layer.assembly import DEFAULT_BASE_URL, MockOptions, build
from krea_nano_banana_mock.http_layer.dispatcher import Dispatcher
from krea_nano_banana_mock.http_layer.messages import MockRequest, MockResponse
from krea_nano_banana_mock.testing.verification import RequestPattern, verify


def to_mock_request(request: httpx.Request) -> MockRequest:
    return MockRequest(
        method=request.method,
        path=request.url.path,
        query=request.url.query.decode("latin-1"),
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw},
        body=request.read(),
    )


def to_httpx_response(response: MockResponse, request: httpx.Request) -> httpx.Response:
    body = response.body
    headers = [
        *([("content-type", response.content_type)] if response.content_type else []),
        ("content-length", str(len(body))),
        *response.headers,
    ]
    # Built as a transport builds one (its headers complete, a stream for the client to read):
    # `content=` would encode and read the body here, about 2 us more a call. Bound to its
    # request, so that respx does not copy it.
    return httpx.Response(
        response.status, headers=headers, stream=httpx.ByteStream(body), request=request
    )


def _with_fixed_signature(
    serve: Callable[[httpx.Request], httpx.Response],
) -> Callable[[httpx.Request], httpx.Response]:
    """respx inspects a side effect's signature on every call (to see if it takes `route`);
    working it out once instead takes most of that cost off each in-process request."""

    def side_effect(request: httpx.Request) -> httpx.Response:
        return serve(request)

    side_effect.__signature__ = inspect.signature(side_effect)  # type: ignore[attr-defined]
    return side_effect


class NotMocked(AllMockedAssertionError):
    """A request to a host that is neither the mock's nor let through, nor routed by the test."""


class _Router(respx.MockRouter):
    """respx's router, whose "not mocked!" also says how to let the host through or fake it."""

    def __init__(self, base_url: str) -> None:
        super().__init__(assert_all_called=False, assert_all_mocked=True)
        self.base_url = base_url

    @contextlib.contextmanager
    def resolver(self, request: httpx.Request) -> Iterator[Any]:
        try:
            with super().resolver(request) as resolved:
                yield resolved
        except NotMocked:
            raise
        except AllMockedAssertionError as error:
            host = request.url.host
            raise NotMocked(
                f"{error} Only {self.base_url} is the mock. To let {host} reach the real"
                f" network: @pytest.mark.krea_mock(pass_through=[{host!r}]) (or"
                f" KreaMock(pass_through=[{host!r}])); to fake it:"
                f" krea_mock.router.{request.method.lower()}({str(request.url)!r}).respond(200)"
            ) from None


def _pass_through_pattern(host: str) -> str:
    if not isinstance(host, str) or not host or "/" in host or host.count(":") == 1:
        raise ValueError(
            f"pass_through: {host!r} is not a host name or glob (e.g. 'localhost', '*.internal')"
        )
    return fnmatch.translate(host.lower())


class KreaMock:
    """A stateful mock of the API for one test: start it, point a client at `base_url`."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        now: datetime | str | None = None,
        clock: Clock | None = None,
        pass_through: Sequence[str] = (),
        **options: Any,
    ) -> None:
        start = parse_instant(now) if isinstance(now, str) else now
        self.clock: Clock = clock if clock is not None else ManualClock(start)
        self.base_url = base_url.rstrip("/")
        self.dispatcher: Dispatcher = build(self.clock, self.base_url, MockOptions(**options))
        self.router = _Router(self.base_url)
        self.api_route = self.router.route(url__startswith=self.base_url + "/").mock(
            side_effect=_with_fixed_signature(self._serve)
        )
        # Hosts the test lets reach the real network (globs: "*.internal").
        for host in [pass_through] if isinstance(pass_through, str) else pass_through:
            self.router.route(host__regex=_pass_through_pattern(host)).pass_through()

    # -- doors ------------------------------------------------------------------------------

    def _serve(self, request: httpx.Request) -> httpx.Response:
        response = self.dispatcher.handle(to_mock_request(request))
        if (
            self.dispatcher.outbox
        ):  # handling already moved time-driven jobs on; send what they queued
            self.dispatcher.outbox.deliver_due(self._send_webhook)
        if response.fault is Fault.RESET:
            raise httpx.RemoteProtocolError("connection dropped (scenario=reset)", request=request)
        if response.fault is Fault.TIMEOUT:
            raise httpx.ReadTimeout("no answer in time (scenario=timeout)", request=request)
        return to_httpx_response(response, request)

    def transport(self) -> httpx.MockTransport:
        """A transport for `httpx.Client`/`AsyncClient` (or the generated client's
        `httpx_args={"transport": ...}`) that reaches this mock without global patching."""
        return httpx.MockTransport(self.router.handler)

    def start(self) -> KreaMock:
        self.router.start()
        return self

    def stop(self) -> None:
        self.router.stop()

    def __enter__(self) -> KreaMock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- webhooks ---------------------------------------------------------------------------

    def _send_webhook(self, url: str, body: bytes) -> int:
        with httpx.Client(transport=self.transport(), timeout=5.0) as client:
            response = client.post(
                url,
                content=body,
                headers={"content-type": "application/json", "user-agent": USER_AGENT},
            )
            return response.status_code

    def deliver_webhooks(self) -> int:
        """Sends every delivery that is due; returns how many were attempted."""
        self.dispatcher.backend.catch_up()
        return self.dispatcher.outbox.deliver_due(self._send_webhook)

    @property
    def webhook_log(self) -> list[Attempt]:
        return self.dispatcher.outbox.log

    # -- control ----------------------------------------------------------------------------

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.deliver_webhooks()

    def set_now(self, instant: datetime | str) -> None:
        self.clock.set(parse_instant(instant) if isinstance(instant, str) else instant)
        self.deliver_webhooks()

    def set_progression(self, progression: Progression | str) -> None:
        self.dispatcher.backend.set_progression(Progression(progression))

    def advance(self, job_id: str, steps: int = 1) -> Job:
        job = self.dispatcher.backend.advance(job_id, steps)
        self.deliver_webhooks()
        return job

    def job(self, job_id: str) -> Job | None:
        return self.dispatcher.backend.find(job_id)

    def reset(self) -> None:
        self.dispatcher.reset()

    # -- journal and verification -----------------------------------------------------------

    @property
    def journal(self) -> Journal:
        return self.dispatcher.journal

    def requests(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        model: str | None = None,
        status: int | None = None,
        since: datetime | None = None,
    ) -> list[Entry]:
        """What reached the mock, oldest first (`path` may be a glob: `/jobs/*`)."""
        return self.journal.entries(
            method=method, path=path, model=model, status=status, since=since
        )

    def verify(
        self,
        times: int | None = None,
        *,
        at_least: int | None = None,
        method: str | None = None,
        path: str | None = None,
        model: str | None = None,
        status: int | None = None,
        body_contains: Mapping[str, Any] | None = None,
    ) -> list[Entry]:
        """Asserts that `times` requests (default: at least one) matched; when not, the error
        lists the closest requests and how each differs. Returns the matching ones."""
        __tracebackhide__ = True  # the failure is the caller's: pytest shows their line first
        pattern = RequestPattern(method, path, model, status, body_contains)
        return verify(self.journal.entries(), pattern, times=times, at_least=at_least)
