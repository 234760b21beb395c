"""The SDK over the generated client, sync and async, against the in-process mock."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from krea_api_client.models import NanoBanana2AspectRatio, NanoBanana2Request
from krea_nano_banana_mock import KreaMock
from PIL import Image

import krea_nano_banana
from krea_nano_banana import (
    APIConnectionError,
    AsyncKrea,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    Deduplicator,
    InsufficientCreditsError,
    InvalidRequestError,
    InvalidWebhook,
    Job,
    JobCancelledError,
    JobFailedError,
    JobStatus,
    Krea,
    KreaError,
    NotFoundError,
    PollSchedule,
    RateLimitError,
    Resolution,
    RetryPolicy,
    ServerError,
    StyleImage,
    WaitTimeoutError,
    estimate_cost,
    parse_webhook,
)
from krea_nano_banana.client import MIN_POLL_INTERVAL


class FakeTime:
    """A clock that moves only when slept on: waiting is exact and instant."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def krea(krea_mock: KreaMock, fake_time: FakeTime) -> Iterator[Krea]:
    with Krea(
        "token-a", transport=krea_mock.transport(), sleep=fake_time.sleep, clock=fake_time.clock
    ) as client:
        yield client


def make(krea_mock: KreaMock, fake_time: FakeTime, **options: Any) -> Krea:
    return Krea(
        "token-a",
        transport=krea_mock.transport(),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        **options,
    )


# -- configuration -------------------------------------------------------------------------


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KREA_API_TOKEN", "from-env")
    monkeypatch.setenv("KREA_BASE_URL", "http://127.0.0.1:9/")
    with Krea() as client:
        assert (client.token, client.base_url) == ("from-env", "http://127.0.0.1:9")
    with Krea("arg", "https://other.test") as client:
        assert (client.token, client.base_url) == ("arg", "https://other.test")


def test_a_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KREA_API_TOKEN", raising=False)
    with pytest.raises(KreaError, match="KREA_API_TOKEN"):
        Krea()


def test_public_names_are_declared_once_and_sorted() -> None:
    names = krea_nano_banana.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert all(getattr(krea_nano_banana, name) is not None for name in names)
    public = {
        name
        for name in dir(krea_nano_banana)
        if not name.startswith("_") and not isinstance(getattr(krea_nano_banana, name), ModuleType)
    }
    assert public - {"TYPE_CHECKING", "Any", "annotations"} == set(names)


# -- the job pattern -----------------------------------------------------------------------


def test_generate_with_typed_parameters(krea: Krea, krea_mock: KreaMock) -> None:
    job = krea.generate(
        "a lighthouse",
        aspect_ratio=NanoBanana2AspectRatio.RATIO_16_9,
        resolution=Resolution.RES_2K,
        style_images=[StyleImage(url="https://example.com/s.png", strength=0.5)],
    )
    assert job.status is JobStatus.QUEUED
    record = krea_mock.job(str(job.job_id))
    assert record is not None
    assert (record.request.width, record.request.height, record.request.model) == (
        2736,
        1536,
        "nano-banana-2",
    )


def test_get_cancel_and_their_errors(krea: Krea) -> None:
    job = krea.generate("a lighthouse")
    assert krea.get(job).job_id == job.job_id
    assert krea.get(str(job.job_id)).job_id == job.job_id
    assert krea.cancel(job.job_id).status is JobStatus.CANCELLED
    with pytest.raises(ConflictError, match="only queued or processing"):
        krea.cancel(job)
    with pytest.raises(NotFoundError) as raised:
        krea.get("3c90c3cc-0d44-4b50-8888-8dd25736052a")
    assert raised.value.status_code == 404


def test_list_iterates_over_every_page(krea: Krea) -> None:
    created = [krea.generate("a lighthouse").job_id for _ in range(7)]
    assert [j.job_id for j in krea.list(page_size=3)] == created[::-1]
    assert [j.job_id for j in krea.list(status=JobStatus.CANCELLED)] == []


@pytest.mark.parametrize("key", ["nextCursor", "next_cursor"])
def test_list_follows_either_cursor_spelling(key: str) -> None:
    pages = {
        None: {
            "items": [_job("11111111-1111-4111-8111-111111111111")],
            key: "2026-01-01T00:00:00Z",
        },
        "2026-01-01T00:00:00+00:00": {
            "items": [_job("22222222-2222-4222-8222-222222222222")],
            key: None,
        },
    }

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("cursor")])

    with Krea("t", transport=httpx.MockTransport(respond)) as client:
        assert [str(j.job_id)[0] for j in client.list()] == ["1", "2"]


def _job(job_id: str) -> dict[str, Any]:
    return {"job_id": job_id, "status": "completed", "created_at": "2026-01-01T00:00:00Z"}


def test_wait_backs_off_from_2_to_5_seconds_with_jitter(
    krea: Krea, krea_mock: KreaMock, fake_time: FakeTime
) -> None:
    job = krea.generate(
        "a lighthouse",
    )
    krea_mock.set_progression("manual")
    updates: list[str] = []

    def on_update(current: Job) -> None:
        updates.append(str(current.status))
        if len(updates) == 6:
            krea_mock.advance(str(job.job_id), steps=10)

    done = krea.wait(job, on_update=on_update)
    assert done.status is JobStatus.COMPLETED
    assert updates == ["queued"] * 6 + ["completed"]
    nominal = [2.0, 3.0, 4.5, 5.0, 5.0, 5.0]
    assert len(fake_time.sleeps) == len(nominal)
    for slept, expected in zip(fake_time.sleeps, nominal, strict=True):
        assert expected * 0.9 <= slept <= expected * 1.1


def test_wait_with_a_fixed_interval(krea: Krea, fake_time: FakeTime) -> None:
    job = krea.generate("a lighthouse")
    krea.wait(job, poll_interval=2.5)
    assert fake_time.sleeps == [2.5] * 3  # poll policy: one step per poll, four polls


@pytest.mark.parametrize("asked", [0, 0.01, 1.9])
def test_a_poll_interval_under_krea_s_advice_is_raised_to_the_floor(
    krea: Krea, fake_time: FakeTime, asked: float
) -> None:
    job = krea.generate("a lighthouse")
    krea.wait(job, poll_interval=asked)
    assert fake_time.sleeps == [MIN_POLL_INTERVAL] * 3


def test_wait_times_out_with_the_last_state(
    krea: Krea, krea_mock: KreaMock, fake_time: FakeTime
) -> None:
    krea_mock.set_progression("manual")
    job = krea.generate("a lighthouse")
    with pytest.raises(WaitTimeoutError) as raised:
        krea.wait(job, timeout=12)
    assert raised.value.job.status is JobStatus.QUEUED
    assert fake_time.now == pytest.approx(12)
    assert "after 12 s" in str(raised.value)


def test_failed_and_cancelled_outcomes(krea_mock: KreaMock, fake_time: FakeTime) -> None:
    failing = make(
        krea_mock, fake_time, default_headers={"Prefer": "scenario=fail; reason=moderation"}
    )
    with failing, pytest.raises(JobFailedError) as failed:
        failing.generate_and_wait("a lighthouse")
    assert "moderation" in str(failed.value.reason)
    assert failed.value.job.status is JobStatus.FAILED
    stuck = make(krea_mock, fake_time, default_headers={"Prefer": "scenario=stuck"})
    with stuck:
        job = stuck.generate("a lighthouse")
        stuck.get(job)
        stuck.get(job)
        stuck.cancel(job)
        with pytest.raises(JobCancelledError):
            stuck.wait(job)


def test_generate_and_wait_reports_every_status(krea: Krea) -> None:
    seen: list[str] = []
    job = krea.generate_and_wait("a lighthouse", on_update=lambda j: seen.append(str(j.status)))
    assert seen == ["queued", "scheduled", "processing", "sampling", "completed"]
    assert job.status is JobStatus.COMPLETED


def test_download(krea: Krea, krea_mock: KreaMock, tmp_path: Path) -> None:
    job = krea.generate_and_wait("a lighthouse", aspect_ratio=NanoBanana2AspectRatio.RATIO_9_16)
    [path] = krea.download(job, tmp_path / "out")
    with Image.open(path) as image:
        assert image.size == (768, 1360)
    assert not list((tmp_path / "out").glob("*.part"))
    fetched = krea_mock.api_route.calls.last.request
    assert fetched.url.path.startswith("/results/")
    assert "authorization" not in fetched.headers  # the token never goes to a result URL


def test_download_refuses_an_unfinished_job(krea: Krea, tmp_path: Path) -> None:
    with pytest.raises(KreaError, match="no results"):
        krea.download(krea.generate("a lighthouse"), tmp_path)


# -- errors and retries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefer", "error"),
    [("code=402", InsufficientCreditsError), ("code=429", RateLimitError)],
)
def test_typed_errors_by_status(
    krea_mock: KreaMock, fake_time: FakeTime, prefer: str, error: type[Exception]
) -> None:
    with (
        make(krea_mock, fake_time, default_headers={"Prefer": prefer}) as client,
        pytest.raises(error),
    ):
        client.generate("a lighthouse")


def test_bad_request_carries_the_servers_message(krea: Krea) -> None:
    with pytest.raises(BadRequestError) as raised:
        krea.generate("a lighthouse", webhook_url="ftp://hooks.test/x")
    assert raised.value.message == (
        "X-Webhook-URL: 'ftp://hooks.test/x' must be an absolute http or https URL"
    )


def test_unauthenticated(krea_mock: KreaMock) -> None:
    with (
        Krea("wrong", transport=KreaMock(tokens=["right"]).transport()) as client,
        pytest.raises(AuthenticationError),
    ):
        client.generate("a lighthouse")


def test_429_is_retried_after_retry_after_and_bounded(
    krea_mock: KreaMock, fake_time: FakeTime
) -> None:
    client = make(krea_mock, fake_time, default_headers={"Prefer": "code=429, retry-after=7"})
    with client, pytest.raises(RateLimitError) as raised:
        client.generate("a lighthouse")
    assert raised.value.retry_after == 7
    assert fake_time.sleeps == [7.0, 7.0, 7.0]  # three retries, each after Retry-After
    assert krea_mock.api_route.call_count == 4


def test_a_long_retry_after_is_not_waited_for(krea_mock: KreaMock, fake_time: FakeTime) -> None:
    client = make(krea_mock, fake_time, default_headers={"Prefer": "code=429, retry-after=3600"})
    with client, pytest.raises(RateLimitError):
        client.generate("a lighthouse")
    assert fake_time.sleeps == []


def test_a_5xx_once_is_retried_for_reads(
    krea: Krea, krea_mock: KreaMock, fake_time: FakeTime
) -> None:
    job = krea.generate("a lighthouse")
    flaky = make(krea_mock, fake_time, default_headers={"Prefer": "scenario=flaky"})
    with flaky:
        assert flaky.get(job).job_id == job.job_id
    assert fake_time.sleeps == [1.0]  # the 503's Retry-After


def test_a_create_that_may_have_happened_is_not_retried(
    krea_mock: KreaMock, fake_time: FakeTime
) -> None:
    client = make(krea_mock, fake_time, default_headers={"Prefer": "scenario=flaky"})
    with client, pytest.raises(ServerError):
        client.generate("a lighthouse")
    assert fake_time.sleeps == []
    assert krea_mock.api_route.call_count == 1


class FailingFirst(httpx.BaseTransport):
    """Raises `error` for the first `times` requests, then hands over to `then`."""

    def __init__(self, error: Exception, then: httpx.BaseTransport, times: int = 1) -> None:
        self.error, self.then, self.times = error, then, times
        self.seen = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        if self.seen <= self.times:
            raise self.error
        return self.then.handle_request(request)


def test_a_create_that_was_never_sent_is_retried(krea_mock: KreaMock, fake_time: FakeTime) -> None:
    transport = FailingFirst(httpx.ConnectError("refused"), krea_mock.transport())
    with Krea(
        "token-a", transport=transport, sleep=fake_time.sleep, clock=fake_time.clock
    ) as client:
        client.generate("a lighthouse")
    assert len(krea_mock.dispatcher.backend) == 1  # exactly one job


def test_a_create_timing_out_after_sending_is_not_retried(
    krea_mock: KreaMock, fake_time: FakeTime
) -> None:
    transport = FailingFirst(httpx.ReadTimeout("slow"), krea_mock.transport())
    with Krea(
        "token-a", transport=transport, sleep=fake_time.sleep, clock=fake_time.clock
    ) as client:
        with pytest.raises(APIConnectionError, match="ReadTimeout"):
            client.generate("a lighthouse")
        assert transport.seen == 1
        job = client.generate("a lighthouse")
        transport.times, transport.seen = 2, 0
        assert client.get(job).job_id == job.job_id  # reads are retried after timeouts


def test_connection_errors_are_bounded(krea_mock: KreaMock, fake_time: FakeTime) -> None:
    transport = FailingFirst(httpx.ConnectError("refused"), krea_mock.transport(), times=100)
    retry = RetryPolicy(max_retries=2)
    with (
        Krea(
            "t", transport=transport, retry=retry, sleep=fake_time.sleep, clock=fake_time.clock
        ) as client,
        pytest.raises(APIConnectionError),
    ):
        client.get("3c90c3cc-0d44-4b50-8888-8dd25736052a")
    assert transport.seen == 3
    assert all(0 <= s <= 8 for s in fake_time.sleeps)


# -- deprecations, webhooks, cost ------------------------------------------------------------


@pytest.mark.krea_mock(now="2026-06-01")
def test_aliases_in_a_raw_passthrough_warn(krea: Krea) -> None:
    with pytest.warns(
        DeprecationWarning, match=r"'aspectRatio' is deprecated: use 'aspect_ratio'.*2026-06-19"
    ):
        job = krea.generate("a lighthouse", extra_body={"aspectRatio": "4:3"})
    assert job.status is JobStatus.QUEUED


def test_the_typed_api_cannot_send_aliases(krea: Krea) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        body = NanoBanana2Request(
            prompt="abc", aspect_ratio=NanoBanana2AspectRatio.RATIO_4_3
        ).to_dict()
    assert body == {"prompt": "abc", "aspect_ratio": "4:3"}


def test_webhook_parsing_and_deduplication(krea_mock: KreaMock, fake_time: FakeTime) -> None:
    receiver = krea_mock.router.post("https://hooks.example.test/in").respond(200)
    client = make(krea_mock, fake_time, default_headers={"Prefer": "scenario=duplicate-webhook"})
    with client:
        job = client.generate_and_wait("a lighthouse", webhook_url="https://hooks.example.test/in")
    deliveries = [parse_webhook(call.request.content) for call in receiver.calls]
    assert len(deliveries) == 2
    assert deliveries[0].job_id == job.job_id
    assert deliveries[0].status is JobStatus.COMPLETED
    dedupe = Deduplicator()
    assert [dedupe.first_time(d) for d in deliveries] == [True, False]
    with pytest.raises(InvalidWebhook):
        parse_webhook(b"{}")
    assert parse_webhook(json.loads(receiver.calls[0].request.content)).job_id == job.job_id


def test_deduplicator_forgets_the_oldest() -> None:
    dedupe = Deduplicator(capacity=2)
    jobs = [parse_webhook(_job(f"{i}1111111-1111-4111-8111-111111111111")) for i in range(3)]
    assert [dedupe.first_time(j) for j in jobs] == [True, True, True]
    assert dedupe.first_time(jobs[0])  # forgotten, so new again
    assert not dedupe.first_time(jobs[2])


def test_cost_estimate_from_the_documented_pricing() -> None:
    assert str(estimate_cost()) == "$0.08 (34.4 compute units)"
    assert str(estimate_cost(resolution=Resolution.RES_4K, images=3)) == (
        "$0.48 (259.5 compute units)"
    )
    assert str(estimate_cost("nano-banana-pro", resolution="4K", images=2)) == ("240 compute units")
    assert str(estimate_cost("nano-banana", images=10)) == "223.0 compute units"
    with pytest.raises(InvalidRequestError, match="nano-banana: resolution: unknown field"):
        estimate_cost("nano-banana", resolution="2K")
    with pytest.raises(InvalidRequestError, match="'8K' has no price"):
        estimate_cost(resolution="8K")


# -- async ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_client_does_the_same(
    krea_mock: KreaMock, fake_time: FakeTime, tmp_path: Path
) -> None:
    async with AsyncKrea(
        "token-a",
        transport=krea_mock.transport(),
        sleep=fake_time.async_sleep,
        clock=fake_time.clock,
    ) as client:
        seen: list[str] = []
        job = await client.generate_and_wait(
            "a lighthouse",
            resolution=Resolution.RES_2K,
            on_update=lambda j: seen.append(str(j.status)),
        )
        assert seen[-1] == "completed"
        [path] = await client.download(job, tmp_path)
        with Image.open(path) as image:
            assert image.size == (2048, 2048)
        assert [j.job_id async for j in client.list(page_size=1)] == [job.job_id]
        other = await client.generate("a lighthouse")
        assert (await client.cancel(other)).status is JobStatus.CANCELLED
        with pytest.raises(JobCancelledError):
            await client.wait(other)


@pytest.mark.anyio
async def test_async_retries_and_timeouts(krea_mock: KreaMock, fake_time: FakeTime) -> None:
    async with AsyncKrea(
        "token-a",
        transport=krea_mock.transport(),
        sleep=fake_time.async_sleep,
        clock=fake_time.clock,
        default_headers={"Prefer": "code=429, retry-after=2"},
    ) as limited:
        with pytest.raises(RateLimitError):
            await limited.generate("a lighthouse")
    assert fake_time.sleeps == [2.0, 2.0, 2.0]
    krea_mock.set_progression("manual")
    async with AsyncKrea(
        "token-a",
        transport=krea_mock.transport(),
        sleep=fake_time.async_sleep,
        clock=fake_time.clock,
        poll=PollSchedule.fixed(1.0),
    ) as client:
        job = await client.generate("a lighthouse")
        with pytest.raises(WaitTimeoutError):
            await client.wait(job, timeout=3)
