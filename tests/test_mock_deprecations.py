"""Deprecated camelCase aliases follow Krea's x-krea-deprecated-field-aliases and the mock's
clock, each alias with its own sunset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from krea_nano_banana_contract.strategies import minimal_body, minimal_value
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from tests.helpers import CheckedClient

# Every alias of every model, as the spec states it: each with its own sunset.
ALIASES = [(g.model, alias) for g in spec.generations() for alias in g.aliases]
IDS = [f"{model}:{alias.alias}" for model, alias in ALIASES]


def body_with(model: str, alias: spec.DeprecatedAlias) -> dict[str, Any]:
    """A valid request to `model` that sets the alias's field through the alias."""
    replaced = spec.generation(model).fields[alias.replacement]
    return {**minimal_body(model), alias.alias: minimal_value(replaced)}


def test_the_spec_states_aliases() -> None:
    assert ALIASES, "no alias left: these tests check nothing"


@pytest.mark.parametrize(("model", "alias"), ALIASES, ids=IDS)
def test_before_sunset_alias_is_accepted_with_deprecation_headers(
    krea_mock: KreaMock, client: CheckedClient, model: str, alias: spec.DeprecatedAlias
) -> None:
    krea_mock.set_now(alias.sunset - timedelta(seconds=1))
    response = client.create(body_with(model, alias), model)
    assert response.status_code == 200, response.text
    assert response.headers["Deprecation"] == "true"
    assert response.headers["Sunset"] == format_datetime(alias.sunset, usegmt=True)
    assert (
        response.headers["Link"] == f'<{alias.migration_url}>; rel="deprecation"; type="text/html"'
    )


@pytest.mark.krea_mock(now="2026-06-01")
def test_alias_is_mapped_to_its_field(client: CheckedClient, krea_mock: KreaMock) -> None:
    job = client.create_job({"prompt": "a cat", "aspectRatio": "16:9", "resolution": "2K"})
    record = krea_mock.job(job["job_id"])
    assert record is not None
    assert (record.request.width, record.request.height) == (2736, 1536)


@pytest.mark.krea_mock(now="2026-06-01")
def test_no_deprecation_headers_without_aliases(client: CheckedClient) -> None:
    response = client.create({"prompt": "a cat", "aspect_ratio": "16:9"})
    assert "Deprecation" not in response.headers
    assert "Sunset" not in response.headers


@pytest.mark.parametrize("after", [timedelta(0), timedelta(days=1), timedelta(days=158)])
@pytest.mark.parametrize(("model", "alias"), ALIASES, ids=IDS)
def test_from_sunset_on_alias_gets_400_naming_the_replacement(
    krea_mock: KreaMock,
    client: CheckedClient,
    after: timedelta,
    model: str,
    alias: spec.DeprecatedAlias,
) -> None:
    krea_mock.set_now(alias.sunset + after)
    response = client.create(body_with(model, alias), model)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith(f"{alias.alias}: ")
    assert f"use {alias.replacement}" in error


def test_by_default_the_clock_is_today_so_aliases_are_refused(client: CheckedClient) -> None:
    past = [(model, alias) for model, alias in ALIASES if alias.sunset <= datetime.now(UTC)]
    for model, alias in past:
        assert client.create(body_with(model, alias), model).status_code == 400


@pytest.mark.krea_mock(now="2026-06-01")
def test_alias_with_its_replacement_is_ambiguous(client: CheckedClient) -> None:
    response = client.create({"prompt": "a cat", "aspectRatio": "16:9", "aspect_ratio": "1:1"})
    assert response.status_code == 400
    assert (
        response.json()["error"]
        == "aspectRatio: deprecated alias of aspect_ratio; send only aspect_ratio"
    )


@pytest.mark.krea_mock(now="2026-06-01")
def test_invalid_alias_value_is_reported_as_sent(client: CheckedClient) -> None:
    response = client.create(
        {"prompt": "a cat", "styleImages": [{"url": "https://x.test/s.png", "strength": 3}]}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith(
        "styleImages (deprecated alias of style_images)[0].strength: "
        "3 is greater than the maximum of 2"
    )
