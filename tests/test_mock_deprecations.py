"""Deprecated camelCase aliases follow the spec's x-deprecated-aliases and the mock's clock."""

from __future__ import annotations

import pytest
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from tests.helpers import Api

STYLE = [{"url": "https://x.test/s.png", "strength": 0.5}]
ALIAS_BODIES = {
    "imageUrls": {"prompt": "a cat", "imageUrls": ["https://x.test/i.png"]},
    "aspectRatio": {"prompt": "a cat", "aspectRatio": "16:9"},
    "styleImages": {"prompt": "a cat", "styleImages": STYLE},
}


def test_every_alias_in_the_spec_is_covered() -> None:
    for model in spec.generations():
        assert {a.alias for a in model.aliases} == set(ALIAS_BODIES), model.model


@pytest.mark.krea_mock(now="2026-06-18T23:59:59Z")
@pytest.mark.parametrize("alias", sorted(ALIAS_BODIES))
def test_before_sunset_alias_is_accepted_with_deprecation_headers(api: Api, alias: str) -> None:
    response = api.create(ALIAS_BODIES[alias])
    assert response.status_code == 200, response.text
    assert response.headers["Deprecation"] == "true"
    assert response.headers["Sunset"] == "Fri, 19 Jun 2026 00:00:00 GMT"
    assert response.headers["Link"] == (
        "<https://docs.krea.ai/developers/deprecations#public-api-snake-case-fields>; "
        'rel="deprecation"; type="text/html"'
    )


@pytest.mark.krea_mock(now="2026-06-01")
def test_alias_is_mapped_to_its_field(api: Api, krea_mock: KreaMock) -> None:
    job = api.create_job({"prompt": "a cat", "aspectRatio": "16:9", "resolution": "2K"})
    record = krea_mock.job(job["job_id"])
    assert record is not None
    assert (record.request.width, record.request.height) == (2736, 1536)


@pytest.mark.krea_mock(now="2026-06-01")
def test_no_deprecation_headers_without_aliases(api: Api) -> None:
    response = api.create({"prompt": "a cat", "aspect_ratio": "16:9"})
    assert "Deprecation" not in response.headers
    assert "Sunset" not in response.headers


@pytest.mark.parametrize("now", ["2026-06-19T00:00:00Z", "2026-06-20", "2026-11-24"])
@pytest.mark.parametrize("alias", sorted(ALIAS_BODIES))
@pytest.mark.parametrize("model", spec.available_models())
def test_from_sunset_on_alias_gets_400_naming_the_replacement(
    krea_mock: KreaMock, api: Api, now: str, alias: str, model: str
) -> None:
    krea_mock.set_now(now)
    response = api.create(ALIAS_BODIES[alias], model)
    assert response.status_code == 400
    aliases = spec.generation(model).aliases
    replacement = next(a.replacement for a in aliases if a.alias == alias)
    error = response.json()["error"]
    assert error.startswith(f"{alias}: ")
    assert f"use {replacement}" in error


def test_by_default_the_clock_is_today_so_aliases_are_refused(api: Api) -> None:
    assert api.create(ALIAS_BODIES["aspectRatio"]).status_code == 400


@pytest.mark.krea_mock(now="2026-06-01")
def test_alias_with_its_replacement_is_ambiguous(api: Api) -> None:
    response = api.create({"prompt": "a cat", "aspectRatio": "16:9", "aspect_ratio": "1:1"})
    assert response.status_code == 400
    assert (
        response.json()["error"]
        == "aspectRatio: deprecated alias of aspect_ratio; send only aspect_ratio"
    )


@pytest.mark.krea_mock(now="2026-06-01")
def test_invalid_alias_value_is_reported_as_sent(api: Api) -> None:
    response = api.create(
        {"prompt": "a cat", "styleImages": [{"url": "https://x.test/s.png", "strength": 3}]}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith(
        "styleImages (deprecated alias of style_images)[0].strength: "
        "3 is greater than the maximum of 2"
    )
