"""openapi.yaml is a valid OpenAPI 3.1 document that says what Krea's docs say."""

from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing.exceptions import Unresolvable

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.normalize import derived_operation_id
from krea_nano_banana_spec.pricing_tables import parse_compute_unit_table
from tests.repository_copy import UPSTREAM
from tests.spec_lint import unused_components

DOC = spec.document()


def test_document_is_valid_openapi_3_1() -> None:
    assert DOC["openapi"].startswith("3.1")
    validate(dict(DOC))


def test_a_broken_reference_fails_validation() -> None:
    broken = copy.deepcopy(dict(DOC))
    broken["paths"]["/jobs/{id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/NoSuchSchema"}
    with pytest.raises((OpenAPIValidationError, Unresolvable)):
        validate(broken)


def test_every_component_is_used() -> None:
    assert unused_components(DOC) == []


def test_an_unused_component_is_reported() -> None:
    extended = copy.deepcopy(dict(DOC))
    extended["components"]["schemas"]["Orphan"] = {"type": "string"}
    assert unused_components(extended) == ["#/components/schemas/Orphan"]


def test_the_operations_have_their_ids() -> None:
    """A generation's id is the one the normalisation would derive (so an operation copied
    from Krea gets the same), and the jobs operations are named by their role."""
    for model in spec.generations():
        assert model.operation_id == derived_operation_id(model.operation.method, model.path)
    roles = {"job.get": "get_job", "job.cancel": "cancel_job", "job.list": "list_jobs"}
    for role, operation_id in roles.items():
        assert spec.operation_for(role).operation_id == operation_id
    assert len(spec.operations()) == len(spec.generations()) + len(roles)


# Krea's document: every job-creating operation documents these; the jobs operations, these.
CREATE_STATUSES = {"200", "400", "401", "402", "429"}
JOB_STATUSES = {
    "job.get": {"200", "401", "404"},
    "job.cancel": {"200", "401", "404"},
    "job.list": {"200", "400", "401"},
}


@pytest.mark.parametrize(
    ("operation_id", "statuses"),
    [
        *[(g.operation_id, CREATE_STATUSES) for g in spec.generations()],
        *[(spec.operation_for(role).operation_id, s) for role, s in JOB_STATUSES.items()],
    ],
)
def test_documented_responses_are_declared_with_error_bodies(
    operation_id: str, statuses: set[str]
) -> None:
    operation = spec.operation(operation_id)
    declared = set(operation.definition["responses"])
    assert statuses <= declared
    for status in declared - {"200"}:
        schema = operation.response(int(status))["content"]["application/json"]["schema"]  # type: ignore[index]
        assert schema["required"] == ["error"]
        assert schema["properties"]["error"]["type"] == "string"


# Krea's published document (a copy): what each of our generation operations must say.
KREA: dict[str, Any] = json.loads(UPSTREAM.read_text())
PUBLISHED = [g for g in spec.generations() if g.path in KREA["paths"]]


def published(model: spec.Generation) -> dict[str, Any]:
    operation: dict[str, Any] = KREA["paths"][model.path][model.operation.method.lower()]
    return operation


def test_the_family_is_published_by_krea() -> None:
    assert list(spec.generations()) == PUBLISHED  # every model of ours is one of Krea's


@pytest.mark.parametrize("model", PUBLISHED, ids=lambda g: g.model)
def test_request_schemas_state_the_published_constraints(model: spec.Generation) -> None:
    theirs = published(model)["requestBody"]["content"]["application/json"]["schema"]
    ours = model.request_schema
    assert ours["required"] == theirs["required"]
    assert ours.get("additionalProperties") == theirs.get("additionalProperties")
    assert set(ours["properties"]) == set(theirs["properties"])
    kept = ("type", "enum", "default", "minLength", "maxLength", "minimum", "maximum", "format")
    for name, field in theirs["properties"].items():
        mine = ours["properties"][name]
        for keyword in kept:
            assert mine.get(keyword) == field.get(keyword), (name, keyword)
        if "items" in field:  # style images: the url optional, the strength bounded
            items = mine["items"]
            assert items.get("required") == field["items"].get("required"), name
            assert items.get("additionalProperties") == field["items"].get(
                "additionalProperties"
            ), name
            for sub, sub_field in field["items"].get("properties", {}).items():
                for keyword in kept:
                    assert items["properties"][sub].get(keyword) == sub_field.get(keyword)
    for side in ("width", "height"):  # published as plain numbers: no upper bound
        if side in ours["properties"]:
            assert "maximum" not in ours["properties"][side]


def test_the_generation_operations_are_read_from_the_spec() -> None:
    with_job_type = [
        path.rsplit("/", 1)[-1]
        for path, item in DOC["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict) and "x-krea-job-type" in operation
    ]
    assert spec.available_models() == tuple(with_job_type)
    assert spec.default_model() in spec.available_models()
    for model in spec.generations():
        assert spec.generation(model.operation_id) is model
    unknown = f"no-such-model-{uuid.uuid4().hex[:8]}"  # cannot collide with a real one
    known = ", ".join(spec.available_models())
    with pytest.raises(spec.UnknownModel, match=f"known: {re.escape(known)}"):
        spec.generation(unknown)


def test_list_parameters() -> None:
    params = {p["name"]: p for p in spec.operation("list_jobs").parameters()}
    assert set(params) == {"cursor", "limit", "types", "status"}
    limit = params["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 1000, 100)
    assert params["cursor"]["schema"]["format"] == "date-time"
    assert "minLength" not in params["types"]["schema"]  # an empty filter filters nothing


def test_webhook_callback_and_links() -> None:
    create = spec.operation("generate_nano_banana_2").definition
    assert "{$request.header.X-Webhook-URL}" in create["callbacks"]["jobFinished"]
    links = create["responses"]["200"]["links"]
    assert {name: link["operationId"] for name, link in links.items()} == {
        "GetJob": "get_job",
        "CancelJob": "cancel_job",
    }
    assert all(link["parameters"] == {"id": "$response.body#/job_id"} for link in links.values())


@pytest.mark.parametrize("model", PUBLISHED, ids=lambda g: g.model)
def test_deprecated_aliases_are_krea_s_own(model: spec.Generation) -> None:
    definition = model.operation.definition
    assert definition[spec.ALIASES_KEY] == published(model)[spec.ALIASES_KEY]  # Krea's format
    assert [(a.alias, a.replacement, str(a.sunset_date)) for a in model.aliases] == [
        (a["from"], a["to"], a["sunset_date"]) for a in published(model)[spec.ALIASES_KEY]
    ]


@pytest.mark.parametrize("model", PUBLISHED, ids=lambda g: g.model)
def test_published_prices_are_machine_readable(model: spec.Generation) -> None:
    table = parse_compute_unit_table(published(model)["description"])
    assert table is not None
    assert model.pricing is not None
    tier = model.field(spec.Role.TIER)
    for row, price in table.prices.items():
        body = {tier: row[0]} if row and tier else {}
        assert model.price(body).compute_units == price.compute_units  # type: ignore[union-attr]
    default = model.price({})
    assert default is not None
    if tier is not None:  # a job without a tier costs what its default tier costs
        assert default == model.price({tier: model.default(tier)})
    for by_value in model.pricing.by_value.values():  # where Krea publishes dollars: both
        if by_value.usd is not None:
            assert str(by_value).startswith(f"${by_value.usd} (")


def test_lifecycle_graph_is_over_the_documented_statuses() -> None:
    graph = spec.lifecycle()
    assert set(graph.transitions) == set(graph.statuses)
    assert graph.terminal == {"completed", "failed", "cancelled"}
    assert all(not graph.transitions[s] for s in graph.terminal)
    assert graph.user_cancellable == {"queued", "processing"}
    for targets in graph.transitions.values():
        assert targets <= set(graph.statuses)


def _examples() -> list[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) for every media-type example in the document."""
    found: list[tuple[str, dict[str, Any], Any]] = []
    for path, path_item in DOC["paths"].items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            media = [("request", operation.get("requestBody", {}).get("content", {}))]
            for status, response in operation["responses"].items():
                resolved = spec.inline_refs(response)
                media.append((status, resolved.get("content", {})))
            for where, content in media:
                for item in content.values():
                    schema = spec.inline_refs(item["schema"])
                    examples = [e["value"] for e in item.get("examples", {}).values()]
                    if "example" in item:
                        examples.append(item["example"])
                    found.extend((f"{method} {path} {where}", schema, e) for e in examples)
    return found


@pytest.mark.parametrize(
    ("where", "schema", "example"), _examples(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_example_validates(where: str, schema: dict[str, Any], example: Any) -> None:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(example)) == [], where


def test_reachability_follows_the_graph() -> None:
    graph = spec.lifecycle()
    assert graph.reachable("queued", "completed")
    assert graph.reachable("backlogged", "sampling")
    assert not graph.reachable("completed", "queued")
    assert not graph.reachable("sampling", "queued")
    assert not graph.reachable("cancelled", "cancelled")
