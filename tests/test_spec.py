"""openapi.yaml is a valid OpenAPI 3.1 document that says what Krea's docs say."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing.exceptions import Unresolvable

import krea_nano_banana_spec as spec
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
    found = {(op.method, op.path): op.operation_id for op in spec.operations().values()}
    assert found == {
        ("POST", "/generate/image/google/nano-banana"): "generate_nano_banana",
        ("POST", "/generate/image/google/nano-banana-pro"): "generate_nano_banana_pro",
        ("POST", "/generate/image/google/nano-banana-2"): "generate_nano_banana_2",
        ("GET", "/jobs/{id}"): "get_job",
        ("DELETE", "/jobs/{id}"): "cancel_job",
        ("GET", "/jobs"): "list_jobs",
    }


@pytest.mark.parametrize(
    ("operation_id", "statuses"),
    [
        ("generate_nano_banana", {"200", "400", "401", "402", "429"}),
        ("generate_nano_banana_pro", {"200", "400", "401", "402", "429"}),
        ("generate_nano_banana_2", {"200", "400", "401", "402", "429"}),
        ("get_job", {"200", "401", "404"}),
        ("cancel_job", {"200", "401", "404"}),
        ("list_jobs", {"200", "400", "401"}),
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


SHARED_RATIOS = ["21:9", "1:1", "4:3", "3:2", "2:3", "5:4", "4:5", "3:4", "16:9", "9:16"]
# The family table of Krea's docs: prompt minimum length, aspect ratios, resolutions.
FAMILY = {
    "nano-banana": (1, SHARED_RATIOS, None),
    "nano-banana-pro": (3, SHARED_RATIOS, ["1K", "2K", "4K"]),
    "nano-banana-2": (3, ["4:1", *SHARED_RATIOS, "1:4", "1:8"], ["1K", "2K", "4K"]),
}


@pytest.mark.parametrize("model", sorted(FAMILY))
def test_request_schemas_state_the_documented_constraints(model: str) -> None:
    min_length, ratios, resolutions = FAMILY[model]
    body = spec.generation(model).request_schema
    props = body["properties"]
    assert body["required"] == ["prompt"]
    assert body["additionalProperties"] is False
    assert props["prompt"]["minLength"] == min_length
    assert props["aspect_ratio"]["enum"] == ratios
    if resolutions is None:
        assert "resolution" not in props
    else:
        assert props["resolution"]["enum"] == resolutions
        assert props["resolution"]["default"] == "1K"
    assert props["image_urls"]["items"]["format"] == "uri"
    for side in ("width", "height"):  # published as plain numbers: no upper bound
        assert props[side]["type"] == "number"
        assert "maximum" not in props[side]
    style = props["style_images"]["items"]
    assert style["required"] == ["strength"]  # the url is optional, as published
    assert (
        style["properties"]["strength"]["minimum"],
        style["properties"]["strength"]["maximum"],
    ) == (-2, 2)
    assert spec.generation(model).job_type == "externalImage"


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


@pytest.mark.parametrize("model", sorted(FAMILY))
def test_deprecated_aliases_are_machine_readable(model: str) -> None:
    aliases = {a.alias: (a.replacement, str(a.sunset_date)) for a in spec.generation(model).aliases}
    assert aliases == {
        "imageUrls": ("image_urls", "2026-06-19"),
        "aspectRatio": ("aspect_ratio", "2026-06-19"),
        "styleImages": ("style_images", "2026-06-19"),
    }


@pytest.mark.parametrize(
    ("model", "prices"),
    [
        ("nano-banana", {None: "22.3 compute units"}),
        (
            "nano-banana-pro",
            {
                "1K": "60.1 compute units",
                "2K": "60.1 compute units",
                "4K": "120 compute units",
            },
        ),
        (
            "nano-banana-2",
            {
                "1K": "$0.08 (34.4 compute units)",
                "2K": "$0.12 (57.8 compute units)",
                "4K": "$0.16 (86.5 compute units)",
            },
        ),
    ],
)
def test_published_prices_are_machine_readable(model: str, prices: dict[Any, str]) -> None:
    operation = spec.generation(model)
    for tier, price in prices.items():
        body = {} if tier is None else {"resolution": tier}
        assert str(operation.price(body)) == price
    if None not in prices:
        assert str(operation.price({})) == prices["1K"]  # the default resolution


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
