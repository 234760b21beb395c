"""Requests: what the generated client sends is what the spec says, and the server agrees."""

from __future__ import annotations

import json

import httpx
from hypothesis import given
from krea_api_client import AuthenticatedClient
from krea_api_client.api.images import generate_nano_banana_2
from krea_api_client.models import NanoBanana2Request

from contract_tests.checks import response_conforms
from contract_tests.strategies import InvalidBody, invalid_bodies, valid_bodies
from contract_tests.target import Target
from krea_nano_banana import spec
from mock_server.validation import request_body


@given(body=valid_bodies())
def test_valid_input_is_sent_as_the_spec_says_and_accepted(
    spending: Target, body: dict[str, object]
) -> None:
    sent: list[httpx.Request] = []
    client = AuthenticatedClient(
        base_url=spending.base_url,
        token=spending.fresh_token(),
        httpx_args={"transport": spending.transport, "event_hooks": {"request": [sent.append]}},
    )
    with client:
        response = generate_nano_banana_2.sync_detailed(
            client=client, body=NanoBanana2Request.from_dict(body)
        )
    on_the_wire = json.loads(sent[0].content)
    assert request_body().is_valid(on_the_wire), on_the_wire
    assert not {a.alias for a in spec.deprecated_aliases()} & set(on_the_wire)
    assert on_the_wire == body  # nothing lost or renamed on the way
    assert response.status_code == 200, response.content
    spending.created += 1
    response_conforms(spec.CREATE_OPERATION, httpx.Response(200, content=response.content))


@given(case=invalid_bodies())
def test_invalid_input_gets_400_naming_the_field(spending: Target, case: InvalidBody) -> None:
    with spending.client(spending.fresh_token()) as client:
        response = client.create(case.body)
    assert response.status_code == 400, (case.violation.rule, case.body, response.text)
    error = response.json()["error"]
    assert case.leaf in error, (case.violation.rule, error)
    if spending.runs_mock_scenarios:  # our mock promises the whole path: style_images[0].strength
        assert f"{case.field}:" in error or f"{case.field} " in error, error
