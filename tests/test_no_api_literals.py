"""Everything that describes the API comes from openapi.yaml: no string literal in the SDK, the
mock or the contract suite spells an enum value, a job status, a request field, an
operationId, a header parameter, a path, a response field, a query parameter, a response
header, the base URL or a model name of the API, except where ALLOWED says why.

A new literal fails here, naming its file, its line and what it is in the spec. Tests, examples,
generated/ and the SDK's signatures (written by scripts/regenerate) are not scanned.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import krea_nano_banana_spec as spec

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("krea_nano_banana_spec", "krea_nano_banana", "mock_server", "contract_tests")

# (file, literal): why it may stay.
ALLOWED: dict[tuple[str, str], str] = {
    ("krea_nano_banana_spec/__init__.py", "prompt"): "a role name of x-request-roles (Role.PROMPT)",
    ("krea_nano_banana_spec/__init__.py", "width"): "a role name of x-request-roles (Role.WIDTH)",
    ("krea_nano_banana_spec/__init__.py", "height"): "a role name of x-request-roles (Role.HEIGHT)",
    ("krea_nano_banana_spec/__init__.py", "aspect_ratio"): "a role name (Role.ASPECT_RATIO)",
    ("krea_nano_banana/cli.py", "width"): "a saved file's pixel width in --json output",
    ("krea_nano_banana/cli.py", "height"): "a saved file's pixel height in --json output",
    ("mock_server/krea_nano_banana_mock/core/webhooks.py", "url"): "a webhook log entry's URL",
    ("krea_nano_banana_spec/__init__.py", "url"): "the OpenAPI keyword of servers[].url",
    ("krea_nano_banana/cli.py", "nano-banana"): "the command's own name, which a model shares",
    ("krea_nano_banana/cli.py", "job_id"): "the JOB_ID argument of `jobs get|cancel|wait`",
    ("krea_nano_banana/cli.py", "error"): "the key of a failure in the CLI's --json output",
    ("krea_nano_banana/client.py", "limit"): "page_size's bounds: the list operation's limit's",
    ("krea_nano_banana/client.py", "status"): "list()'s own argument, named in its error",
    ("krea_nano_banana/client.py", "types"): "list()'s own argument, named in its error",
}
# Written by scripts/regenerate from openapi.yaml, as generated/ is: the spec's values as types.
WRITTEN_FROM_THE_SPEC = ("krea_nano_banana/signatures.py",)
M = "mock_server/krea_nano_banana_mock"
C = "contract_tests/krea_nano_banana_contract"


def _each(file: str, words: str, why: str) -> dict[tuple[str, str], str]:
    return {(file, word): why for word in words.split()}


# The response side: each module that writes or reads the API's answers by name, once per
# concern, and why it is the place for it.
ALLOWED |= {
    **_each(
        f"{M}/http_layer/representation.py",
        "job_id status created_at completed_at result urls error",
        "the one place the mock writes a job's JSON",
    ),
    **_each(f"{M}/http_layer/messages.py", "error", "the one place the mock writes an Error body"),
    **_each(
        f"{M}/http_layer/handlers.py",
        "cursor limit status types next_cursor",
        "the list operation reads its query and writes its page",
    ),
    **_each(
        f"{M}/http_layer/deprecations.py",
        "Deprecation Sunset Link",
        "the one place the mock writes the deprecation headers (RFC 9745, RFC 8594)",
    ),
    **_each(f"{M}/core/errors.py", "Retry-After", "the one place the mock names Retry-After"),
    **_each(
        f"{M}/http_layer/dispatcher.py",
        "job_id error",
        "the result path's group name; a forced error's message read from the spec's example",
    ),
    **_each(f"{M}/core/journal.py", "job_id status error", "the journal's own JSON entries"),
    **_each(f"{M}/core/webhooks.py", "job_id error", "the webhook log's own JSON entries"),
    **_each(f"{M}/http_layer/control.py", "status", "the journal's status filter"),
    **_each(f"{M}/dashboard/views.py", "status", "the dashboard's journal filter, as the above"),
    **_each(f"{M}/http_layer/app.py", "status", "ASGI's message key"),
    **_each(f"{M}/proxy/cassettes.py", "status", "the cassette file's own format"),
    **_each(
        f"{M}/proxy/forwarding.py",
        "job_id result urls",
        "the proxy finds the job and its result images in what it forwards",
    ),
    **_each("krea_nano_banana/operations.py", "error", "reads an Error body's message"),
    **_each(
        f"{C}/checks.py",
        "status completed_at result urls error next_cursor",
        "the contract's checks read the fields they judge",
    ),
    **_each(f"{C}/receiver.py", "job_id", "matches a delivered job to the one that was made"),
    **_each(
        f"{C}/target.py", "job_id status completed_at limit", "the target polls and lists jobs"
    ),
    **_each(f"{C}/test_lifecycle.py", "job_id status", "a contract property reads what it checks"),
    **_each(f"{C}/test_requests.py", "error", "a contract property reads what it checks"),
    **_each(
        f"{C}/test_requests.py",
        "job_id",
        "remembers the job it created, to cancel it at the end if it has not ended",
    ),
    **_each(
        f"{C}/test_schemathesis.py",
        "job_id",
        "remembers the jobs Schemathesis created, to cancel those left unfinished",
    ),
    **_each(
        f"{C}/test_state_machine.py",
        "job_id status created_at cursor limit next_cursor",
        "a contract property reads what it checks",
    ),
    **_each(
        f"{C}/test_sunset.py",
        "Deprecation Sunset Link error",
        "a contract property reads what it checks",
    ),
    **_each(
        f"{C}/test_webhooks.py",
        "job_id status completed_at error",
        "a contract property reads what it checks",
    ),
}


def _request_fields(schema: Mapping[str, Any], found: dict[str, str], owner: str) -> None:
    for name, sub in schema.get("properties", {}).items():
        found.setdefault(name, f"a request field of {owner}")
        _request_fields(sub, found, owner)
        _request_fields(sub.get("items", {}), found, owner)


# JSON Schema's own keywords: code that reads a schema spells them, so as response fields
# (a job's `type`, a page's `items`) the scan cannot tell them apart.
SCHEMA_KEYWORDS = frozenset({"type", "items"})


def _response_fields(schema: Any, found: dict[str, str], owner: str) -> None:
    if not isinstance(schema, Mapping):
        return
    for name, sub in schema.get("properties", {}).items():
        if name not in SCHEMA_KEYWORDS:
            found.setdefault(name, f"a response field of {owner}")
        _response_fields(sub, found, owner)
    if "items" in schema:
        _response_fields(schema["items"], found, owner)
    for combined in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(combined, []):
            _response_fields(sub, found, owner)


def _response_words(found: dict[str, str]) -> None:
    for operation in spec.operations().values():
        for status in operation.definition.get("responses", {}):
            documented = operation.response(int(status)) if status.isdigit() else None
            for header in (documented or {}).get("headers", {}):
                found.setdefault(header, f"a response header of {operation.operation_id}")
            schema = operation.response_schema(int(status)) if status.isdigit() else None
            _response_fields(schema, found, operation.operation_id)
        for parameter in operation.parameters():
            if parameter["in"] == "query":
                found.setdefault(parameter["name"], "a query parameter")
    for model in spec.available_models():
        found.setdefault(model, "a model name")
    for server in spec.document()["servers"]:
        found.setdefault(server["url"], "the API's base URL (the spec's servers)")


def api_words() -> dict[str, str]:
    """Each word the spec defines, and what it is there."""
    found: dict[str, str] = {}
    for status in spec.enum_values("JobStatus"):
        found[status] = "a job status"
    for name, schema in spec.document()["components"]["schemas"].items():
        for value in schema.get("enum", []):
            found.setdefault(str(value), f"an enum value of {name}")
    for model in spec.generations():
        _request_fields(model.request_schema, found, model.request_schema_name)
        for alias in model.aliases:
            found.setdefault(alias.alias, "a deprecated alias")
    for operation in spec.operations().values():
        found[operation.operation_id] = "an operationId"
        found[operation.path] = "an API path"
        for parameter in operation.parameters():
            if parameter["in"] == "header":
                found[parameter["name"]] = "a header parameter"
    _response_words(found)
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def found_literals() -> dict[tuple[str, str], list[int]]:
    words = api_words()
    found: dict[tuple[str, str], list[int]] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in WRITTEN_FROM_THE_SPEC:
                continue
            for line, text in literals(path):
                if text in words:
                    found.setdefault((relative, text), []).append(line)
    return found


def test_no_new_literal_of_the_api_outside_the_allow_list() -> None:
    words = api_words()
    unexpected = [
        f"{file}:{lines[0]}: {text!r} is {words[text]} in openapi.yaml: read it from the spec"
        for (file, text), lines in found_literals().items()
        if (file, text) not in ALLOWED
    ]
    assert unexpected == [], "\n".join(unexpected)


def test_every_allow_list_entry_is_still_needed_and_says_why() -> None:
    found = found_literals()
    stale = [entry for entry in ALLOWED if entry not in found]
    assert stale == [], f"no longer needed: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_scan_finds_a_planted_literal(tmp_path: Path) -> None:
    # The check must be able to fail: a status written as a literal is found, a docstring not.
    planted = tmp_path / "planted.py"
    planted.write_text('"""completed"""\nSTATUS = "completed"\nf"{x}/jobs"\n')
    assert [text for _, text in literals(planted)] == ["completed", "/jobs"]


def test_the_response_side_and_the_api_s_names_are_scanned_too(tmp_path: Path) -> None:
    listing = spec.operation_for("job.list")
    page = listing.response_schema(200)
    too_many = next(filter(None, (op.response(429) for op in spec.operations().values())))
    assert page is not None
    planted_words = [
        *(name for name in page["properties"] if name not in SCHEMA_KEYWORDS),
        *(p["name"] for p in listing.parameters() if p["in"] == "query"),
        *too_many.get("headers", {}),
        *spec.available_models(),
        spec.document()["servers"][0]["url"],
    ]
    planted = tmp_path / "planted.py"
    planted.write_text("".join(f"WORD_{n} = {word!r}\n" for n, word in enumerate(planted_words)))
    words = api_words()
    found = [text for _, text in literals(planted) if text in words]
    assert found == planted_words
    assert len(set(found)) >= 6  # page fields, query parameters, a header, models, the URL
