"""scripts/spec-diff classifies each kind of upstream change, against documents built here."""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "py"))

import spec_diff  # noqa: E402

from tests.repository_copy import UPSTREAM  # noqa: E402

OURS: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
CREATE = "POST /generate/image/google/nano-banana-2"
Edit = Callable[[dict[str, Any]], None]


def upstream(edit: Edit) -> dict[str, Any]:
    document = copy.deepcopy(OURS)
    edit(document)
    return document


def schemas(doc: dict[str, Any]) -> Any:
    return doc["components"]["schemas"]


def body(doc: dict[str, Any]) -> Any:
    return schemas(doc)["NanoBanana2Request"]["properties"]


def create_op(doc: dict[str, Any]) -> Any:
    return doc["paths"]["/generate/image/google/nano-banana-2"]["post"]


def aliases(doc: dict[str, Any]) -> Any:
    return create_op(doc)[spec_diff.KREA_ALIASES]


def price_table(doc: dict[str, Any], row: str, replacement: str) -> None:
    """Krea states prices only in the description: upstream carries no x-pricing of ours."""
    operation = create_op(doc)
    operation.pop("x-pricing")
    assert row in operation["description"]
    operation["description"] = operation["description"].replace(row, replacement)


def diff(edit: Edit, ours: dict[str, Any] | None = None) -> list[spec_diff.Difference]:
    return spec_diff.compare(ours or OURS, upstream(edit))


def only(differences: list[spec_diff.Difference]) -> spec_diff.Difference:
    assert len(differences) == 1, differences
    return differences[0]


def renamed_and_reworded(doc: dict[str, Any]) -> None:
    """The same API in substance: other component names, no prose, 3.0-style nullable."""
    text = json.dumps(doc).replace('#/components/schemas/Job"', '#/components/schemas/KreaJob"')
    doc.clear()
    doc.update(json.loads(text))
    schemas(doc)["KreaJob"] = schemas(doc).pop("Job")
    completed_at = schemas(doc)["KreaJob"]["properties"]["completed_at"]
    completed_at.update({"type": "string", "nullable": True})
    for schema in schemas(doc).values():
        schema.pop("description", None)
    for path_item in doc["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.pop("summary", None)
                operation.pop("tags", None)
                table = [
                    line
                    for line in operation.pop("description", "").splitlines()
                    if line.startswith("|")
                ]  # prices live in the table, reworded or not
                operation["description"] = "Reworded.\n" + "\n".join(table)


def test_a_document_identical_in_substance_reports_nothing() -> None:
    assert diff(renamed_and_reworded) == []
    assert spec_diff.exit_code([]) == spec_diff.EXIT_NONE


@pytest.mark.parametrize(
    ("edit", "impacts", "detail"),
    [
        # request side
        (
            lambda d: schemas(d)["AspectRatio"]["enum"].append("8:1"),
            ["mock"],
            "aspect_ratio: enum value '8:1' added",
        ),
        (
            lambda d: schemas(d)["NanoBanana2AspectRatio"]["enum"].remove("1:8"),
            ["client", "mock"],
            "enum value '1:8' removed",
        ),
        (lambda d: body(d).update(seed={"type": "integer"}), ["mock"], "field seed added upstream"),
        (lambda d: body(d).pop("width"), ["client"], "field width removed upstream"),
        (
            lambda d: body(d)["prompt"].update(type="integer"),
            ["client", "mock"],
            "prompt: type 'string' -> 'integer'",
        ),
        (
            lambda d: schemas(d)["NanoBanana2Request"]["required"].append("aspect_ratio"),
            ["client", "mock"],
            "'aspect_ratio' now required",
        ),
        (lambda d: body(d)["prompt"].update(minLength=5), ["mock"], "prompt: minLength 3 -> 5"),
        (
            lambda d: body(d)["prompt"].update(maxLength=4000),
            ["mock"],
            "prompt: maxLength None -> 4000",
        ),
        (
            lambda d: schemas(d)["StyleImage"]["properties"]["strength"].update(maximum=3),
            ["mock"],
            "style_images.strength: maximum 2 -> 3",
        ),
        (
            lambda d: body(d)["image_urls"]["items"].update(format="uri-reference"),
            ["mock"],
            "format 'uri' -> 'uri-reference'",
        ),
        (
            lambda d: create_op(d)["parameters"].append(
                {"name": "X-Seed", "in": "header", "required": True, "schema": {"type": "string"}}
            ),
            ["client", "mock"],
            "parameter header:x-seed added",
        ),
        (
            lambda d: d["paths"]["/jobs"]["get"]["parameters"].pop(2),
            ["client"],
            "parameter query:types removed",
        ),
        # response side
        (
            lambda d: schemas(d)["JobStatus"]["enum"].append("upscaling"),
            ["mock"],
            "enum value 'upscaling' added",
        ),
        (
            lambda d: schemas(d)["Job"]["properties"].pop("job_id"),
            ["client"],
            "field job_id removed upstream",
        ),
        (
            lambda d: schemas(d)["Job"]["properties"].update(progress={"type": "number"}),
            ["mock"],
            "field progress added upstream",
        ),
        (
            lambda d: schemas(d)["Job"]["properties"]["created_at"].update(format="date"),
            [],
            "created_at: format 'date-time' -> 'date'",
        ),
        (
            lambda d: create_op(d)["responses"].update({"403": {"description": "no"}}),
            ["mock"],
            "response 403 added upstream",
        ),
        (lambda d: create_op(d)["responses"].pop("402"), [], "response 402 removed upstream"),
        (
            lambda d: d["components"]["responses"]["NotFound"].update(
                headers={"X-Request-Id": {"schema": {"type": "string"}}}
            ),
            ["mock"],
            "header x-request-id added",
        ),
        # aliases, in Krea's own extension
        (
            lambda d: aliases(d).append(
                {"from": "seedValue", "to": "seed", "sunset_date": "2027-01-01"}
            ),
            ["mock"],
            "alias 'seedValue' is new upstream",
        ),
        (
            lambda d: aliases(d)[0].update(sunset_date="2026-12-31"),
            ["mock"],
            "alias 'imageUrls': sunset_date '2026-06-19' -> '2026-12-31'",
        ),
        (lambda d: aliases(d).pop(), ["mock"], "alias 'styleImages' is gone upstream"),
        # prices, as Krea states them: in the description's table
        (
            lambda d: price_table(d, "| 4K | 86.5 |", "| 4K | 99 |"),
            ["mock"],
            "price of '4K': 86.5 -> 99 compute units upstream",
        ),
        (
            lambda d: price_table(d, "| 4K | 86.5 |", "| 4K | 86.5 |\n| 8K | 140 |"),
            ["mock"],
            "price of '8K' is new upstream: 140 compute units",
        ),
        # a field is shown whole: its type and its bounds
        (
            lambda d: body(d).update(seed={"type": "integer", "minimum": 0}),
            ["mock"],
            'field seed added upstream: {"minimum": 0, "type": "integer"}',
        ),
    ],
)
def test_each_kind_of_change_is_classified(edit: Edit, impacts: list[str], detail: str) -> None:
    found = diff(edit)
    assert found, "no difference found"
    assert any(detail in d.detail for d in found), [d.detail for d in found]
    matching = [d for d in found if detail in d.detail]
    assert sorted(matching[0].impacts) == sorted(impacts), matching[0]


def test_a_new_status_breaks_a_client_whose_enum_is_closed() -> None:
    closed = copy.deepcopy(OURS)
    schemas(closed)["Job"]["properties"]["status"] = {"$ref": "#/components/schemas/JobStatus"}

    def closed_with_a_new_status(d: dict[str, Any]) -> None:
        schemas(d)["Job"]["properties"]["status"] = {"$ref": "#/components/schemas/JobStatus"}
        schemas(d)["JobStatus"]["enum"].append("upscaling")

    found = spec_diff.compare(closed, upstream(closed_with_a_new_status))
    statuses = [
        d for d in found if "'upscaling'" in d.detail and d.location.startswith("responses")
    ]
    assert statuses
    assert all("client" in d.impacts for d in statuses)


def test_a_missing_operation_breaks_both() -> None:
    found = only(diff(lambda d: d["paths"]["/jobs/{id}"].pop("delete")))
    assert (found.operation, sorted(found.impacts)) == ("DELETE /jobs/{id}", ["client", "mock"])


def test_other_operation_ids_are_informational() -> None:
    found = only(diff(lambda d: d["paths"]["/jobs"]["get"].update(operationId="listJobs")))
    assert found.impacts == []
    assert found.category == "informational"
    assert spec_diff.exit_code([found]) == spec_diff.EXIT_INFO


def published_upstream(doc: dict[str, Any]) -> None:
    """Krea's document as its docs publish it, without the tolerances we chose."""
    job = schemas(doc)["Job"]
    job["properties"]["status"] = {"$ref": "#/components/schemas/JobStatus"}
    job["properties"]["completed_at"] = {"type": "string", "format": "date-time"}
    job["properties"]["result"] = {"$ref": "#/components/schemas/JobResult"}
    job["required"] = ["job_id", "status", "created_at", "completed_at", "result"]
    listing = schemas(doc)["JobList"]
    listing["properties"].pop("nextCursor")
    listing["required"] = ["items", "next_cursor"]
    for path, path_item in doc["paths"].items():
        if path.startswith("/generate/"):
            create = path_item["post"]
            request = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            properties = schemas(doc)[request.rsplit("/", 1)[-1]]["properties"]
            for name in ("width", "height"):
                properties[name] = {"type": "number"}
            for extension in ("x-pricing", "x-request-roles", "x-result-images"):
                create.pop(extension, None)  # ours, never Krea's
            create["responses"]["200"].pop("headers", None)  # shared by the anchors
    for path_item in doc["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                for code in ("409", "413", "415", "503"):
                    operation["responses"].pop(code, None)
    doc["components"]["responses"]["TooManyRequests"].pop("headers")


def test_our_intentional_differences_are_reported_as_known() -> None:
    found = diff(published_upstream)
    assert found
    spec_diff.mark_known(found, spec_diff.load_known(spec_diff.KNOWN_FILE))
    unknown = [f"{d.operation}: {d.location} {d.change} {d.detail}" for d in found if not d.known]
    assert unknown == []
    assert spec_diff.exit_code(found) == spec_diff.EXIT_NONE
    text = spec_diff.report(found)
    assert "known, reviewed in known-differences.yaml (" in text
    for reason in {d.known for d in found}:  # each reviewed reason is written once
        assert text.count(str(reason)) == 1
    assert "Next, for each open item" not in text  # nothing to do


def test_the_report_is_a_checklist_that_names_parameters_and_says_what_next() -> None:
    found = diff(lambda d: schemas(d)["JobStatus"]["enum"].append("archived"))
    spec_diff.mark_known(found, spec_diff.load_known(spec_diff.KNOWN_FILE))
    text = spec_diff.report(found)
    assert "  [ ] GET /jobs: query parameter status: enum value 'archived' added upstream" in text
    assert "(the body)" not in text
    assert "Next, for each open item above:\n  [ ] ./scripts/spec-sync" in text
    assert "known-differences.yaml" in text


@pytest.mark.slow
def test_help_states_the_exit_codes() -> None:
    help_text = run("--help").stdout
    for code in ("0  no drift", "1  informational", "2  breaking", "3  the upstream document"):
        assert code in help_text


def test_every_known_difference_has_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "known.yaml"
    bad.write_text("- location: '*'\n")
    with pytest.raises(SystemExit, match="needs a reason"):
        spec_diff.load_known(bad)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "py" / "spec_diff.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.slow
def test_command_line_human_and_json_output_and_exit_codes(tmp_path: Path) -> None:
    same = tmp_path / "same.json"
    same.write_text(json.dumps(OURS))
    result = run("--upstream", str(same))
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "No differences: openapi.yaml matches upstream for our operations.",
    )
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        yaml.safe_dump(
            upstream(lambda d: schemas(d)["NanoBanana2AspectRatio"]["enum"].remove("1:8"))
        )
    )
    human = run("--upstream", str(changed))
    assert human.returncode == spec_diff.EXIT_BREAKING
    assert human.stdout.splitlines()[0] == "breaks the generated client (1):"
    machine = json.loads(run("--upstream", str(changed), "--json").stdout)
    assert machine["exit_code"] == spec_diff.EXIT_BREAKING
    assert {d["category"] for d in machine["differences"]} == {"breaks the generated client"}


@pytest.mark.slow
def test_an_unreachable_upstream_is_one_line_and_a_distinct_exit_code() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run("--upstream", f"http://127.0.0.1:{port}/openapi.json")
    assert result.returncode == spec_diff.EXIT_UNAVAILABLE
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("spec-diff: cannot read the upstream document")


def without_our_extensions(doc: dict[str, Any]) -> None:
    """Every `x-` key but Krea's own removed, everywhere: what Krea could publish."""

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            for key in [k for k in node if k.startswith("x-") and k != spec_diff.KREA_ALIASES]:
                node.pop(key)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for item in node:
                strip(item)

    strip(doc)


def test_our_own_extensions_are_never_drift() -> None:
    assert diff(without_our_extensions) == []


def test_an_upstream_operation_we_do_not_have_is_listed_as_not_adopted() -> None:
    model = f"dream-{uuid.uuid4().hex[:8]}"  # a name no spec can already hold

    def new_model(doc: dict[str, Any]) -> None:
        added = copy.deepcopy(create_op(doc))
        added.pop("operationId")
        added["description"] = "A new model.\n| Compute Units |\n|---|\n| ~7 |\n"
        doc["paths"][f"/generate/image/acme/{model}"] = {"post": added}

    found = only(diff(new_model))
    assert found.category == spec_diff.NOT_ADOPTED
    assert found.impacts == []
    assert found.detail == (
        f"not adopted: model {model!r} upstream, not in openapi.yaml; ~7 compute units"
    )
    assert spec_diff.exit_code([found]) == spec_diff.EXIT_INFO
    assert f"not adopted (informational) (1):\n  [ ] POST /generate/image/acme/{model}" in (
        spec_diff.report([found])
    )


def test_against_krea_published_document_nothing_breaks_and_every_known_entry_is_true() -> None:
    krea = json.loads(UPSTREAM.read_text())
    found = spec_diff.compare(OURS, krea)
    known = spec_diff.load_known(spec_diff.KNOWN_FILE)
    spec_diff.mark_known(found, known)
    open_items = [f"{d.operation}: {d.detail}" for d in found if not d.known]
    assert all(d.category == spec_diff.NOT_ADOPTED for d in found if not d.known), open_items
    assert spec_diff.exit_code(found) <= spec_diff.EXIT_INFO
    # an entry that matches nothing in Krea's real document would be a false "known"
    for entry in known:
        assert any(d.known == entry["reason"] for d in found), entry
    # every upstream operation is either ours or listed as not adopted
    ours = {f"{m.upper()} {p}" for m, p in spec_diff.our_operations(OURS)}
    listed = {d.operation for d in found if d.category == spec_diff.NOT_ADOPTED}
    published = {f"{m.upper()} {p}" for p, item in krea["paths"].items() for m in item}
    assert listed == published - ours
    assert ours <= published


def test_the_command_against_krea_published_document_exits_informational() -> None:
    result = run("--upstream", str(UPSTREAM))
    assert result.returncode == spec_diff.EXIT_INFO, result.stdout[-2000:]
    assert "breaks" not in result.stdout


def test_our_extension_inside_a_parameter_s_schema_is_not_drift() -> None:
    # GET /jobs' `status` filter takes JobStatus, which carries our x-lifecycle.
    status = next(
        p for p in OURS["paths"]["/jobs"]["get"]["parameters"] if p.get("name") == "status"
    )
    assert "x-lifecycle" in spec_diff.resolve(status, OURS)["schema"]
    assert diff(lambda d: schemas(d)["JobStatus"].pop("x-lifecycle")) == []
