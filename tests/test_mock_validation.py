"""Requests are validated against openapi.yaml; errors name the field and the reason."""

from __future__ import annotations

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from krea_nano_banana_contract.strategies import MODELS, invalid_bodies, valid_bodies
from krea_nano_banana_mock import KreaMock
from krea_nano_banana_mock.http_layer.validation import SchemaValidator, request_body

from tests.conftest import ClientFactory
from tests.helpers import CREATE_PATH, CheckedClient


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prompt": "a cat", "aspect_ratio": "7:3"}, "aspect_ratio: '7:3' is not one of ['4:1'"),
        (
            {"prompt": "a cat", "style_images": [{"url": "https://x.test/a.png", "strength": 5}]},
            "style_images[0].strength: 5 is greater than the maximum of 2",
        ),
        ({"prompt": "a cat", "seed": 1}, "seed: unknown field"),
        ({"prompt": "ab"}, "prompt: 'ab' is too short (minimum length: 3)"),
        ({}, "prompt: required field is missing"),
        ({"prompt": 42}, "prompt: 42 is not of type 'string'"),
        ({"prompt": "a cat", "resolution": "8K"}, "resolution: '8K' is not one of"),
        (
            {"prompt": "a cat", "image_urls": ["not a url"]},
            "image_urls[0]: 'not a url' is not a 'uri'",
        ),
        (
            {"prompt": "a cat", "style_images": [{"url": "https://x.test/a.png"}]},
            "style_images[0].strength: required field is missing",
        ),
        (
            {"prompt": "a cat", "style_images": [{"url": "x y", "strength": 1}]},
            "style_images[0].url: 'x y' is not a 'uri'",
        ),
        ({"prompt": "a cat", "width": 0}, "width: 0 is less than or equal to the minimum of 0"),
        ({"prompt": "a cat", "height": -5}, "height: -5 is less than or equal to the minimum of 0"),
        ({"prompt": "a cat", "width": "wide"}, "width: 'wide' is not of type 'number'"),
    ],
)
def test_invalid_body_gets_400_naming_field_and_reason(
    client: CheckedClient, body: object, message: str
) -> None:
    response = client.create(body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_style_image_may_carry_keys_krea_does_not_list(client: CheckedClient) -> None:
    """Krea's published style image item does not forbid other keys; the mock is no stricter."""
    style = {"url": "https://x.test/a.png", "strength": 1, "x": 1}
    assert client.create({"prompt": "a cat", "style_images": [style]}).status_code == 200


def test_every_problem_is_reported_at_once(client: CheckedClient) -> None:
    error = client.create({"prompt": "ab", "seed": 1, "resolution": "8K"}).json()["error"]
    for field in ("prompt:", "seed:", "resolution:"):
        assert field in error


@pytest.mark.parametrize(
    ("content", "content_type", "status", "message"),
    [
        (b'{"prompt": "a cat"', "application/json", 400, "body: malformed JSON"),
        (b"[1, 2]", "application/json", 400, "body: must be a JSON object, not an array"),
        (b'"a cat"', "application/json", 400, "body: must be a JSON object, not a string"),
        (b"null", "application/json", 400, "body: must be a JSON object, not null"),
        (b"", "application/json", 400, "prompt: required field is missing"),
        (b"", "", 400, "prompt: required field is missing"),
        (b"  ", "text/plain", 400, "prompt: required field is missing"),
        (b"\xff\xfe\x00", "application/json", 400, "body: malformed JSON"),
        (
            b"prompt=a+cat",
            "application/x-www-form-urlencoded",
            415,
            "Content-Type: expected application/json",
        ),
    ],
)
def test_unreadable_bodies_get_a_clear_4xx(
    krea_mock: KreaMock,
    content: bytes,
    content_type: str,
    status: int,
    message: str,
    connect: ClientFactory,
) -> None:
    client = connect(krea_mock.transport())
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.http.post(CREATE_PATH, content=content, headers=headers)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_json_without_a_content_type_is_read_as_json(client: CheckedClient) -> None:
    response = client.http.post(CREATE_PATH, content=b'{"prompt": "a cat"}')
    assert response.status_code == 200, response.text


def test_json_with_charset_is_accepted(client: CheckedClient) -> None:
    response = client.http.post(
        CREATE_PATH,
        content=b'{"prompt": "a cat"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


def test_oversized_body_gets_413(client: CheckedClient) -> None:
    response = client.create({"prompt": "a" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "1048576 bytes" in response.json()["error"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "limit: 0 is less than the minimum of 1"),
        ({"limit": 1001}, "limit: 1001 is greater than the maximum of 1000"),
        ({"limit": "many"}, "limit: 'many' is not of type 'integer'"),
        ({"status": "done"}, "status: 'done' is not one of"),
        ({"cursor": "yesterday"}, "cursor: 'yesterday' is not a 'date-time'"),
    ],
)
def test_bad_list_parameters_get_400(
    client: CheckedClient, params: dict[str, object], message: str
) -> None:
    response = client.list_jobs(**params)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "X-Webhook-URL: 'not a url' is not a 'uri'"),
        ("ftp://hooks.test/x", "must be an absolute http or https URL"),
        ("https://user:secret@hooks.test/x", "must not carry credentials"),
    ],
)
def test_bad_webhook_url_gets_400(client: CheckedClient, url: str, message: str) -> None:
    response = client.create(x_webhook_url=url)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_unknown_path_and_wrong_method(client: CheckedClient) -> None:
    assert client.http.get("/nope").status_code == 404
    response = client.http.put("/jobs/3c90c3cc-0d44-4b50-8888-8dd25736052a")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "DELETE"}


@pytest.mark.krea_mock(webhook_hosts=["127.0.0.1", "*.hooks.test"])
def test_webhook_hosts_can_be_restricted(client: CheckedClient) -> None:
    assert client.create(x_webhook_url="https://a.hooks.test/x").status_code == 200
    assert client.create(x_webhook_url="http://127.0.0.1:9000/x").status_code == 200
    refused = client.create(x_webhook_url="https://example.com/x")
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("X-Webhook-URL: host 'example.com' is not allowed")


URI_LIKE = st.from_regex(r"\A[A-Za-z0-9+.%-]{0,4}:[/a-z0-9%?#@:.-]{0,8}\Z") | st.text(max_size=8)
NEAR_LIMITS = st.one_of(st.integers(-10, 5000), st.floats(allow_nan=False), st.booleans())
PROMPT = "a lighthouse"
# Valid but for one edge value: only then can a disagreement between the validators show.
EDGE_BODIES = st.one_of(
    st.lists(URI_LIKE, min_size=1, max_size=2).map(
        lambda urls: {"prompt": PROMPT, "image_urls": urls}
    ),
    URI_LIKE.map(lambda url: {"prompt": PROMPT, "style_images": [{"url": url, "strength": 1}]}),
    NEAR_LIMITS.map(
        lambda value: {
            "prompt": PROMPT,
            "style_images": [{"url": "https://x.test", "strength": value}],
        }
    ),
    NEAR_LIMITS.map(lambda value: {"prompt": PROMPT, "width": value}),
    st.text(min_size=2, max_size=4).map(lambda text: {"prompt": text}),
)


@pytest.mark.slow  # 300 examples a model
@pytest.mark.parametrize("model", MODELS)
def test_the_fast_and_the_detailed_validator_agree(model: str) -> None:
    # The fast one decides on the hot path, the detailed one words the error: if they ever
    # disagreed (a format one checks and the other does not), valid bodies would be refused
    # without a reason, or invalid ones let through.
    validator = request_body(model)
    bodies = st.one_of(
        valid_bodies(model), invalid_bodies(model).map(lambda case: case.body), EDGE_BODIES
    )

    @settings(max_examples=300)  # microseconds an example: room to reach rare disagreements
    @given(body=bodies)
    def agree(body: dict[str, object]) -> None:
        assert _fast_verdict(validator, body) == validator.is_valid(body), body

    agree()


def _fast_verdict(validator: SchemaValidator, body: dict[str, object]) -> bool:
    try:
        validator._fast(body)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True
