"""Requests: what the generated client sends is what the spec says, and the server agrees, for
every generation operation in the spec."""

from __future__ import annotations

import importlib
import json
import pkgutil
import typing
from typing import Any

import httpx
import krea_api_client.api
import pytest
from hypothesis import given
from hypothesis import strategies as st
from krea_api_client import AuthenticatedClient

import krea_nano_banana_spec as spec
from krea_nano_banana_contract.checks import response_conforms
from krea_nano_banana_contract.strategies import MODELS, invalid_bodies, valid_bodies
from krea_nano_banana_contract.target import Target
from krea_nano_banana_spec.validation import SchemaChecker


def typed_endpoint(operation: spec.Generation) -> tuple[Any, Any]:
    """The generated endpoint module and request model of an operation: the module named after
    its operationId (in whichever tag's folder the generator put it), and the type its
    `sync_detailed` takes as `body`."""
    for found in pkgutil.walk_packages(krea_api_client.api.__path__, "krea_api_client.api."):
        if found.name.rsplit(".", 1)[-1] == operation.operation_id:
            module = importlib.import_module(found.name)
            body_type = typing.get_type_hints(module.sync_detailed)["body"]
            return module, body_type
    raise LookupError(f"no generated module for {operation.operation_id}")


@pytest.mark.parametrize("model", MODELS)
def test_valid_input_is_sent_as_the_spec_says_and_accepted(spending: Target, model: str) -> None:
    if model not in spending.models:
        pytest.skip(f"{model} is not among the models this run checks")
    operation = spec.generation(model)
    endpoint, body_type = typed_endpoint(operation)
    checker = SchemaChecker(operation.request_schema)
    aliases = {a.alias for a in operation.aliases}

    @given(body=valid_bodies(model))
    def sends(body: dict[str, Any]) -> None:
        spending.spend.charge(model, body)
        sent: list[httpx.Request] = []
        hooks = {"request": [sent.append, spending.count]}
        client = AuthenticatedClient(
            base_url=spending.base_url,
            token=spending.fresh_token(),
            timeout=httpx.Timeout(spending.request_timeout),
            httpx_args={"transport": spending.transport, "event_hooks": hooks},
        )
        with client:
            response = endpoint.sync_detailed(client=client, body=body_type.from_dict(body))
        on_the_wire = json.loads(sent[0].content)
        assert checker.is_valid(on_the_wire), on_the_wire
        assert not aliases & set(on_the_wire)
        assert on_the_wire == body  # nothing lost or renamed on the way
        assert response.status_code == 200, response.content
        spending.started(json.loads(response.content)["job_id"], client.token)
        response_conforms(operation.operation_id, httpx.Response(200, content=response.content))

    sends()


@given(data=st.data())
def test_invalid_input_gets_400_naming_the_field(spending: Target, data: st.DataObject) -> None:
    model = data.draw(st.sampled_from(spending.models), label="model")
    case = data.draw(invalid_bodies(model), label="case")
    with spending.client(spending.fresh_token()) as client:
        response = client.create(case.body, model=model)
    assert response.status_code == 400, (model, case.violation.rule, case.body, response.text)
    error = response.json()["error"]
    assert case.leaf in error, (case.violation.rule, error)
    if spending.runs_mock_scenarios:  # our mock promises the whole path: style_images[0].strength
        assert f"{case.field}:" in error or f"{case.field} " in error, error
