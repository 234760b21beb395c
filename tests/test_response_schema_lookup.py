"""One lookup of "the documented response schema for this operation and status", on the spec
package, and one judge: the mock's validating proxy and the contract checks find the same
problem in the same response."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from krea_nano_banana_contract.checks import SchemaMismatch, body_matches_schema
from krea_nano_banana_mock import KreaMock
from krea_nano_banana_mock.proxy.conformance import response_problems

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.validation import response_checker
from tests.helpers import CheckedClient

GET = spec.operation_for("job.get").operation_id
MISSING = object()


def test_the_lookup_is_the_json_schema_of_each_documented_status() -> None:
    for operation in spec.operations().values():
        for status in operation.definition["responses"]:
            documented = spec.inline_refs(operation.definition["responses"][status])
            expected = documented.get("content", {}).get(spec.JSON, {}).get("schema")
            assert operation.response_schema(int(status)) == expected, (operation, status)
            checker = response_checker(operation.operation_id, int(status))
            assert (checker is None) == (expected is None)


def test_an_undocumented_status_has_no_schema() -> None:
    undocumented = next(s for s in range(100, 600) if spec.operation(GET).response(s) is None)
    assert spec.operation(GET).response_schema(undocumented) is None
    assert response_checker(GET, undocumented) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "yesterday"),
        ("job_id", 7),
        ("completed_at", ["not", "a", "date"]),
        ("result", {"urls": ["no scheme, so not a URI"]}),
        ("job_id", MISSING),
    ],
)
def test_the_proxy_and_the_contract_checks_find_the_same_problem(
    krea_mock: KreaMock, client: CheckedClient, field: str, value: Any
) -> None:
    job = client.get_job(client.create_job()["job_id"])
    assert response_problems(GET, 200, spec.JSON, orjson.dumps(job)) == []
    body_matches_schema(GET, 200, job)  # the valid job passes both

    broken = {k: v for k, v in job.items() if k != field}
    if value is not MISSING:
        broken[field] = value
    found_by_proxy = response_problems(GET, 200, spec.JSON, orjson.dumps(broken))
    with pytest.raises(SchemaMismatch) as found_by_contract:
        body_matches_schema(GET, 200, broken)
    assert found_by_proxy == [f"response 200: {found_by_contract.value.problem}"]
    assert found_by_contract.value.problem.startswith(f"{field}: ")
