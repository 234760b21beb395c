"""Request bodies for the generation operations, built from plain arguments and checked
against the model's schema before anything is sent.

A field the model does not have, a value outside its enum, a bound crossed: each is an
`InvalidRequestError` naming the model, the field and what is allowed, raised locally, so a
mistake costs no request (and no money).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import krea_nano_banana_spec as spec
from krea_nano_banana.errors import InvalidRequestError, UnknownModel
from krea_nano_banana_spec.validation import InvalidRequest, SchemaChecker


def generation(model: str | None) -> spec.Generation:
    """The model by its name (or operationId); None: the spec's default model."""
    try:
        return spec.generation(model)
    except spec.UnknownModel as unknown:
        raise UnknownModel(unknown.name) from None


@functools.cache
def _checker(model: spec.Generation) -> SchemaChecker:
    return SchemaChecker(model.request_schema)


def plain(value: Any) -> Any:
    """JSON-ready: enum members as their values, generated models as their dicts."""
    if isinstance(value, enum.Enum):
        return value.value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


def _explained(model: spec.Generation, problem: InvalidRequest) -> InvalidRequest:
    """An unknown field that is a deprecated alias says what to send instead."""
    for alias in model.aliases:
        if problem.field == alias.alias:
            return InvalidRequest(
                problem.field,
                f"deprecated alias of {alias.replacement}: pass {alias.replacement}=... "
                f"(Krea refuses {alias.alias} from {alias.sunset_date})",
            )
    return problem


def check(model: spec.Generation, body: Mapping[str, Any]) -> None:
    problems = [_explained(model, p) for p in _checker(model).problems(body)]
    if problems:
        raise InvalidRequestError(model.model, InvalidRequest.joined(problems))


def generation_body(
    model: spec.Generation, prompt: str | None, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON body for `model`: `prompt` in the field that plays the prompt, then `fields`
    as given (None means "not sent"), checked against the model's schema."""
    body: dict[str, Any] = {}
    prompt_field = model.field(spec.Role.PROMPT)
    if prompt is not None:
        if prompt_field is None:
            raise InvalidRequestError(
                model.model, InvalidRequest(spec.Role.PROMPT, "this model takes no prompt")
            )
        body[prompt_field] = prompt
    for name, value in fields.items():
        if value is not None:
            body[name] = plain(value)
    check(model, body)
    return body
