"""Routing, apart from the operations (Prism's router, moto's urls.py): which operation of the
spec a method and path name, with the path's parameters. Errors are raised, not answered."""

from __future__ import annotations

import re
from collections.abc import Iterable

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.http_layer.errors import MethodNotAllowed, RouteNotFound


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


class Routes:
    def __init__(self, operations: Iterable[spec.Operation]) -> None:
        # Fixed paths are one dict look-up; only templated ones need a pattern.
        self._fixed: dict[str, dict[str, str]] = {}
        self._templated: list[tuple[str, re.Pattern[str], str]] = []
        for op in operations:
            if "{" in op.path:
                self._templated.append((op.method, _pattern(op.path), op.operation_id))
            else:
                self._fixed.setdefault(op.path, {})[op.method] = op.operation_id

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        """The operationId and path parameters for this request."""
        fixed = self._fixed.get(path)
        if fixed is not None:
            operation_id = fixed.get(method)
            if operation_id is not None:
                return operation_id, {}
        allowed = list(fixed or ())
        for route_method, pattern, operation_id in self._templated:
            found = pattern.match(path)
            if found is None:
                continue
            if route_method == method:
                return operation_id, found.groupdict()
            allowed.append(route_method)
        if allowed:
            raise MethodNotAllowed(method, path, allowed)
        raise RouteNotFound(f"no route for {path}")
