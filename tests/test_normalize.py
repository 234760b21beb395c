"""The one normalisation: each step on Krea's own writing, and nothing changed on ours."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from krea_nano_banana_spec.normalize import (
    NormalizationError,
    derived_operation_id,
    normalize,
    value_type,
)
from tests.repository_copy import ROOT, UPSTREAM

KREA: dict[str, Any] = json.loads(UPSTREAM.read_text())
NORMALISED = normalize(KREA)


def test_ours_changes_only_where_it_is_written_as_krea_writes_it() -> None:
    ours = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    normalised = normalize(ours)
    for item in ours["paths"].values():  # bodies left unmarked, as Krea publishes them
        for operation in item.values():
            if "requestBody" in operation and "required" not in operation["requestBody"]:
                operation["requestBody"]["required"] = True
    assert normalised == ours


def test_normalising_twice_changes_nothing() -> None:
    assert normalize(NORMALISED) == NORMALISED


def test_krea_is_not_changed_in_place() -> None:
    assert json.loads(UPSTREAM.read_text()) == KREA


def test_every_operation_gets_a_distinct_operation_id_from_its_path() -> None:
    ids = [
        (method, path, operation["operationId"])
        for path, item in NORMALISED["paths"].items()
        for method, operation in item.items()
    ]
    assert len({i for _, _, i in ids}) == len(ids)
    for method, path, operation_id in ids:
        assert operation_id == derived_operation_id(method, path)
    assert derived_operation_id("post", "/generate/image/bfl/flux-1.1-pro") == (
        "generate_flux_1_1_pro"
    )
    assert derived_operation_id("get", "/styles/{id}/share/link") == "get_styles_id_share_link"


def test_an_operation_id_clash_is_refused_naming_both() -> None:
    document = copy.deepcopy(KREA)
    document["paths"]["/generate/image/other/flux_1_dev"] = copy.deepcopy(
        document["paths"]["/generate/image/bfl/flux-1-dev"]
    )
    with pytest.raises(NormalizationError, match=r"generate_flux_1_dev.*/bfl/flux-1-dev"):
        normalize(document)


def test_a_body_whose_schema_requires_a_field_is_required() -> None:
    post = NORMALISED["paths"]["/generate/image/google/nano-banana-2"]["post"]
    assert post["requestBody"]["required"] is True
    # a body that requires nothing stays optional, as Krea wrote it
    train = NORMALISED["paths"]["/styles/train"]["post"]["requestBody"]
    assert "required" not in train


def test_inline_request_schemas_are_named_after_their_model() -> None:
    post = NORMALISED["paths"]["/generate/image/bfl/flux-1.1-pro"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Flux11ProRequest"}
    original = KREA["paths"]["/generate/image/bfl/flux-1.1-pro"]["post"]["requestBody"]
    assert (
        NORMALISED["components"]["schemas"]["Flux11ProRequest"]
        == original["content"]["application/json"]["schema"]
    )


def test_constants_become_enums() -> None:
    schemas = NORMALISED["components"]["schemas"]
    assert schemas["Kling21Request"]["properties"]["duration"] == {
        "type": "number",
        "enum": [5, 10],
        "default": 5,
    }
    assert schemas["Kling2Request"]["properties"]["duration"]["enum"] == [5]
    text = json.dumps(NORMALISED)
    assert '"const"' not in text


def test_nested_constants_become_one_enum() -> None:
    # Krea writes LTX's durations as an anyOf of an anyOf of an anyOf of constants.
    schemas = NORMALISED["components"]["schemas"]
    assert schemas["LtxVideo2322bRequest"]["properties"]["duration"] == {
        "type": "number",
        "enum": [5, 10, 15, 20],
        "default": 5,
    }


def test_a_model_named_like_a_number_takes_its_vendor_s_name() -> None:
    post = NORMALISED["paths"]["/generate/image/qwen/2512"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Qwen2512Request"}


def test_type_lists_stay_and_readers_take_the_non_null_type() -> None:
    image_url = NORMALISED["components"]["schemas"]["Flux1DevRequest"]["properties"]["image_url"]
    assert image_url["type"] == ["string", "null"]
    assert value_type(image_url) == "string"
    assert value_type({"type": "integer"}) == "integer"
    assert value_type({"type": ["string", "integer"]}) is None
    assert value_type({}) is None
