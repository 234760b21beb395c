"""Bring an upstream operation into one of ours, in place, in openapi.yaml as ruamel.yaml reads it.

Every value is written where it lives: through a `$ref` into its component, through a YAML
alias into the anchored node, so the file keeps its shape (components, anchors, comments).
Kept as ours: every `x-` key, the prose inside schemas, and every location a reviewed known
difference covers. Each change is recorded as a `Change` for the changelog and the semver
bump. A node that two operations share (an anchor, a component) and that upstream now wants
different for each is never written back and forth: it is a `Conflict` for a person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from spec_sync_import import enum_varname

PROSE = {"description", "summary", "title", "example", "examples", "externalDocs", "$comment"}
# Kinds of change, as Keep a Changelog sections; the semver level each one implies.
ADDED, CHANGED, REMOVED = "Added", "Changed", "Removed"
MAJOR, MINOR, PATCH = "major", "minor", "patch"
LOWER_BOUNDS = {"minimum", "exclusiveMinimum", "minLength", "minItems"}
UPPER_BOUNDS = {"maximum", "exclusiveMaximum", "maxLength", "maxItems"}
# Keywords whose removal lets more values through.
LIMITS = {"pattern", "format", "enum", "required", "additionalProperties", "multipleOf", "const"}


@dataclass(frozen=True)
class Change:
    subject: str  # the model, or the operation for the jobs API
    text: str  # e.g. "aspect_ratio 2:1 added"
    section: str  # ADDED, CHANGED or REMOVED
    level: str  # MAJOR (breaking), MINOR or PATCH

    def line(self) -> str:
        mark = "**Breaking:** " if self.level == MAJOR else ""
        return f"{mark}{self.subject}: {self.text}"


@dataclass(frozen=True)
class Reviewed:
    """The locations (spec-diff's, e.g. `requestBody/required`) of one operation's known
    differences: what spec-sync leaves as ours."""

    locations: frozenset[str]

    def covers(self, location: str) -> bool:
        """A known difference is at this location or above it."""
        return any(location == k or location.startswith(k + "/") for k in self.locations)

    def overlaps(self, location: str) -> bool:
        """A known difference is at, above or below this location."""
        return self.covers(location) or any(k.startswith(location + "/") for k in self.locations)


@dataclass(frozen=True)
class Conflict:
    subject: str
    where: str
    why: str

    def line(self) -> str:
        return f"{self.subject}: {self.where}: {self.why}"


def canonical(node: Any) -> str:
    return json.dumps(plain(node), sort_keys=True, default=str)


def plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, Decimal):
        return float(node)
    return node


def short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(plain(value), default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class _Unshared(Exception):
    """The operation being merged got its own copy of a node it shared: merge it again."""


# A slot: (id of a container in the document, a key in it).
Slot = tuple[int, Any]


class Merger:
    """Merges upstream operations into our document, in two passes over all of them. The
    first writes nothing and notes what each operation wants in each slot; the second writes.
    A node several operations share (a component, an anchor) is written in place when they all
    want the same; otherwise an operation that wants it changed gets its own copy (inlined at
    the deepest node on its way that is its alone), and the others keep the shared one."""

    def __init__(
        self,
        document: MutableMapping[str, Any],
        operations: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]],
        wants: Mapping[Slot, Mapping[str, str]] | None = None,
    ) -> None:
        self.document = document
        self.operations = operations  # subject -> (operation, its path item, upstream's)
        self.dry = wants is None
        self.wants: dict[Slot, dict[str, str]] = {k: dict(v) for k, v in (wants or {}).items()}
        self.changes: list[Change] = []
        self.conflicts: list[Conflict] = []
        self._reviewed = Reviewed(frozenset())
        self._subject = ""
        self._chain: list[tuple[Any, Any]] = []  # (container, key) from the operation down
        self._reach = self._sharing()

    def _sharing(self) -> dict[int, set[str]]:
        """id of each node -> the operations whose merge reaches it (through aliases and
        `$ref`s): their parameters, and the bodies upstream also has."""
        reach: dict[int, set[str]] = {}

        def walk(node: Any, subject: str, seen: set[int]) -> None:
            if not isinstance(node, Mapping | list) or id(node) in seen:
                return
            seen.add(id(node))
            reach.setdefault(id(node), set()).add(subject)
            if isinstance(node, Mapping):
                target = self.deref(node)
                if target is not node:
                    walk(target, subject, seen)
                for value in node.values():
                    walk(value, subject, seen)
            else:
                for value in node:
                    walk(value, subject, seen)

        for subject, (operation, path_item, theirs) in self.operations.items():
            seen: set[int] = set()
            walk(path_item.get("parameters"), subject, seen)
            walk(operation.get("parameters"), subject, seen)
            for media in theirs.get("requestBody", {}).get("content", {}):
                body = self.deref(operation.get("requestBody", {}))
                walk(self.deref(body.get("content", {}).get(media)), subject, seen)
            responses = self.deref(operation.get("responses", {}))
            for code, response in theirs.get("responses", {}).items():
                mine = self.deref(responses.get(str(code))) or {}
                for media in response.get("content", {}):
                    walk(self.deref(mine.get("content", {}).get(media)), subject, seen)
        return reach

    # -- navigation --------------------------------------------------------------------------

    def deref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
            target: Any = self.document
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node, seen = target, seen + 1
        return node

    def resolved(self, node: Any) -> Any:
        node = self.deref(node)
        if isinstance(node, Mapping):
            return {k: self.resolved(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolved(v) for v in node]
        return node

    def comparable(self, node: Any) -> Any:
        """A schema as compared: references resolved, prose and our extensions dropped, and the
        lists whose order means nothing sorted."""
        node = self.deref(node)
        if isinstance(node, Mapping):
            out = {
                k: self.comparable(v)
                for k, v in node.items()
                if k not in PROSE and not str(k).startswith("x-")
            }
            for key in ("enum", "required", "type"):
                if isinstance(out.get(key), list):
                    out[key] = sorted(out[key], key=lambda v: json.dumps(v, default=str))
            return out
        if isinstance(node, list):
            return [self.comparable(v) for v in node]
        return plain(node)

    # -- writing, once per shared node ---------------------------------------------------------

    def _keep(self, location: str) -> bool:
        return self._reviewed.overlaps(location)

    def _settle(self, container: Any, key: Any, wanted: Any, where: str) -> bool:
        """Whether this operation may write `wanted` into `container[key]` now. The first pass
        only notes the wish; the second gives the operation its own copy first when others
        that share the node want something else."""
        slot = (id(container), key)
        if self.dry:
            self.wants.setdefault(slot, {})[self._subject] = canonical(wanted)
            return False
        sharers = self._reach.get(id(container), {self._subject})
        current = canonical(container.get(key) if isinstance(container, Mapping) else None)
        wished = {self.wants.get(slot, {}).get(s, current) for s in sharers}
        if len(sharers) > 1 and len(wished) > 1:
            self._unshare(where)
        return True

    def _unshare(self, where: str) -> None:
        """Replace the first shared node on this operation's way down with a copy of its own."""
        for parent, key in self._chain:
            node = parent[key]
            shared = [n for n in (node, self.deref(node)) if len(self._reach.get(id(n), ())) > 1]
            if shared and len(self._reach.get(id(parent), ())) <= 1:
                parent[key] = self.resolved(node)
                self._reach = self._sharing()
                raise _Unshared
        self.conflicts.append(
            Conflict(
                self._subject,
                where,
                "openapi.yaml shares this with other operations whose upstream differs, and "
                "spec-sync found no copy to make: give each its own, then run spec-sync again",
            )
        )

    def _record(self, text: str, section: str, level: str) -> None:
        self.changes.append(Change(self._subject, text, section, level))

    # -- operations ---------------------------------------------------------------------------

    def merge_operation(
        self,
        subject: str,
        ours: MutableMapping[str, Any],
        path_item: Mapping[str, Any],
        theirs: Mapping[str, Any],
        reviewed: Reviewed,
    ) -> None:
        """Merge `theirs` (normalised, see spec_sync_import) into `ours`, keeping what the
        reviewed known differences of this operation cover."""
        self._subject, self._reviewed = subject, reviewed
        for _ in range(64):  # each retry follows one copy made: bounded by the shared nodes
            try:
                self._merge_whole(ours, path_item, theirs)
                return
            except _Unshared:
                continue
        self.conflicts.append(Conflict(subject, "", "too many shared nodes to copy"))

    def _merge_whole(
        self,
        ours: MutableMapping[str, Any],
        path_item: Mapping[str, Any],
        theirs: Mapping[str, Any],
    ) -> None:
        self._chain = []  # a shared parameter is never copied: a person splits it
        self._merge_parameters(ours, path_item, theirs)
        their_body = theirs.get("requestBody")
        our_body = self.deref(ours.get("requestBody"))
        if isinstance(their_body, Mapping) and isinstance(our_body, MutableMapping):
            for media, content in their_body.get("content", {}).items():
                mine = self.deref(our_body.get("content", {}).get(media))
                if mine is None or "schema" not in content:
                    continue
                self._chain = [
                    (ours, "requestBody"),
                    (our_body, "content"),
                    (our_body["content"], media),
                ]
                self.merge_schema(
                    mine, "schema", content["schema"], f"requestBody/content/{media}", True, ""
                )
        self._merge_responses(ours, theirs)

    def _merge_parameters(
        self,
        ours: MutableMapping[str, Any],
        path_item: Mapping[str, Any],
        theirs: Mapping[str, Any],
    ) -> None:
        mine: dict[str, Any] = {}
        for param in [*path_item.get("parameters", []), *ours.get("parameters", [])]:
            found = self.deref(param)
            mine[self._param_key(found)] = found
        for param in theirs.get("parameters", []):
            key = self._param_key(param)
            location = f"parameters/{key}"
            if key not in mine:
                if not self._keep(location):
                    ours.setdefault("parameters", []).append(dict(param))
                    required = bool(param.get("required"))
                    self._record(
                        f"{param['in']} parameter {param['name']} added",
                        ADDED,
                        MAJOR if required else MINOR,
                    )
                continue
            target = mine.pop(key)
            if "schema" in param:
                self.merge_schema(
                    target,
                    "schema",
                    param["schema"],
                    f"{location}/schema",
                    True,
                    f"parameter {param['name']}:",
                )
            if bool(target.get("required", False)) != bool(param.get("required", False)):
                self._merge_scalar(
                    target,
                    "required",
                    bool(param.get("required", False)),
                    f"{location}/required",
                    f"parameter {param['name']}",
                    True,
                )
        for key, param in mine.items():
            if not self._keep(f"parameters/{key}"):
                self.conflicts.append(
                    Conflict(
                        self._subject,
                        f"parameters/{key}",
                        f"parameter {param.get('name')} is gone upstream; remove it by hand if so",
                    )
                )

    @staticmethod
    def _param_key(param: Mapping[str, Any]) -> str:
        name = str(param.get("name", ""))
        return f"{param.get('in')}:{name.lower() if param.get('in') == 'header' else name}"

    def _merge_responses(self, ours: MutableMapping[str, Any], theirs: Mapping[str, Any]) -> None:
        responses = self.deref(ours.get("responses"))
        if not isinstance(responses, MutableMapping):
            return
        for code, response in theirs.get("responses", {}).items():
            location = f"responses/{code}"
            mine = self.deref(responses.get(str(code)))
            if mine is None:
                if not self._keep(location) and self._settle(
                    responses, str(code), response, location
                ):
                    responses[str(code)] = dict(response)
                    self._record(f"response {code} added", ADDED, MINOR)
                continue
            for media, content in response.get("content", {}).items():
                our_content = self.deref(mine.get("content", {}).get(media))
                if our_content is None or "schema" not in content:
                    continue
                # A response the SDK reads by its class is never copied: a person splits it.
                self._chain = []
                self.merge_schema(
                    our_content,
                    "schema",
                    content["schema"],
                    f"{location}/content/{media}",
                    False,
                    f"response {code}:",
                )
        for code in list(responses):
            if str(code) not in {str(c) for c in theirs.get("responses", {})}:
                location = f"responses/{code}"
                if not self._keep(location) and self._settle(responses, str(code), None, location):
                    del responses[code]
                    self._record(f"response {code} removed", REMOVED, MAJOR)

    # -- schemas -------------------------------------------------------------------------------

    def merge_schema(
        self, parent: Any, key: Any, theirs: Any, location: str, request: bool, name: str
    ) -> None:
        """Make `parent[key]` (followed through references) match `theirs`."""
        if self._reviewed.covers(location):
            return  # a reviewed known difference at this node or above it: ours stays
        self._chain.append((parent, key))
        try:
            self._merge_node(parent, key, theirs, location, request, name)
        finally:
            self._chain.pop()

    def _merge_node(
        self, parent: Any, key: Any, theirs: Any, location: str, request: bool, name: str
    ) -> None:
        node = self.deref(parent[key])
        if not isinstance(node, MutableMapping) or not isinstance(theirs, Mapping):
            differs = self.comparable(node) != self.comparable(theirs)
            if differs and not self._keep(location) and self._settle(parent, key, theirs, location):
                parent[key] = theirs
                self._record(f"{_label(name)}: schema changed", CHANGED, MAJOR)
            return
        if self.comparable(node) == self.comparable(theirs):
            return
        for keyword, value in theirs.items():
            if keyword in PROSE or str(keyword).startswith("x-"):
                continue
            sub = f"{location}/{keyword}"
            if keyword == "properties":
                self._merge_properties(node, value, sub, request, name, theirs.get("required", []))
            elif (
                keyword in ("items", "additionalProperties")
                and isinstance(value, Mapping)
                and isinstance(self.deref(node.get(keyword)), Mapping)
            ):
                self.merge_schema(
                    node, keyword, value, sub, request, f"{name}[]" if keyword == "items" else name
                )
            elif keyword in ("enum", "required"):
                self._merge_set(node, keyword, value, sub, request, name)
            else:
                self._merge_scalar(node, keyword, value, sub, _label(name), request)
        for keyword in [k for k in node if k not in theirs]:
            if keyword in PROSE or str(keyword).startswith("x-") or keyword == "$ref":
                continue
            sub = f"{location}/{keyword}"
            if self._keep(sub) or not self._settle(node, keyword, None, sub):
                continue
            old = node.pop(keyword)
            if keyword == "enum":
                node.pop("x-enum-varnames", None)
            loosened = keyword in LOWER_BOUNDS | UPPER_BOUNDS | LIMITS
            level = (MINOR if loosened else MAJOR) if request else (MAJOR if loosened else MINOR)
            self._record(f"{_label(name)}: {keyword} {short(old)} removed", CHANGED, level)

    def _merge_properties(
        self,
        node: MutableMapping[str, Any],
        theirs: Mapping[str, Any],
        location: str,
        request: bool,
        parent_name: str,
        required: Any,
    ) -> None:
        self._chain.append((node, "properties"))
        try:
            self._merge_fields(node, theirs, location, request, parent_name, required)
        finally:
            self._chain.pop()

    def _merge_fields(
        self,
        node: MutableMapping[str, Any],
        theirs: Mapping[str, Any],
        location: str,
        request: bool,
        parent_name: str,
        required: Any,
    ) -> None:
        properties = self.deref(node.setdefault("properties", {}))
        for field, schema in theirs.items():
            name = _child(parent_name, field)
            sub = f"{location}/{field}"
            if field not in properties:
                if not self._keep(sub) and self._settle(properties, field, schema, sub):
                    properties[field] = schema
                    needed = request and field in (required or [])
                    self._record(f"field {name} added", ADDED, MAJOR if needed else MINOR)
                continue
            self.merge_schema(properties, field, schema, sub, request, name)
        for field in [f for f in properties if f not in theirs]:
            sub = f"{location}/{field}"
            if self._keep(sub) or not self._settle(properties, field, None, sub):
                continue
            del properties[field]
            self._record(f"field {_child(parent_name, field)} removed", REMOVED, MAJOR)

    def _merge_set(
        self,
        node: MutableMapping[str, Any],
        keyword: str,
        theirs: list[Any],
        location: str,
        request: bool,
        name: str,
    ) -> None:
        mine = list(self.deref(node.get(keyword)) or [])
        added = [v for v in theirs if v not in mine]
        removed = [v for v in mine if v not in theirs]
        if not added and not removed:
            return
        covered = self._keep(location)
        if covered or not self._settle(node, keyword, sorted(map(str, theirs)), location):
            return
        kept = [v for v in mine if v in theirs] + added
        varnames = node.get("x-enum-varnames") if keyword == "enum" else None
        if isinstance(varnames, list) and len(varnames) == len(mine):
            by_value = dict(zip(map(str, mine), varnames, strict=True))
            node["x-enum-varnames"] = [by_value.get(str(v)) or enum_varname(v) for v in kept]
        node[keyword] = kept
        subject = _label(name)
        for value in added:
            if keyword == "enum":
                self._record(f"{subject} {value} added", ADDED, MINOR if request else MAJOR)
            else:
                self._record(
                    f"{subject}.{value} now required", CHANGED, MAJOR if request else MINOR
                )
        for value in removed:
            if keyword == "enum":
                self._record(f"{subject} {value} removed", REMOVED, MAJOR if request else MINOR)
            else:
                self._record(
                    f"{subject}.{value} no longer required", CHANGED, MINOR if request else MAJOR
                )

    def _merge_scalar(
        self,
        node: MutableMapping[str, Any],
        keyword: str,
        theirs: Any,
        location: str,
        name: str,
        request: bool,
    ) -> None:
        had = keyword in node
        mine = node.get(keyword)
        if had and self.comparable(mine) == self.comparable(theirs):
            return
        if isinstance(theirs, Mapping) and had and isinstance(self.deref(mine), Mapping):
            self.merge_schema(node, keyword, theirs, location, request, name)
            return
        if self._keep(location) or not self._settle(node, keyword, theirs, location):
            return
        node[keyword] = theirs
        if not had:
            level = MAJOR if request and keyword != "default" else MINOR
            self._record(
                f"{name}: {keyword} {short(theirs)} added",
                ADDED if keyword == "default" else CHANGED,
                level if keyword != "default" else PATCH,
            )
        else:
            self._record(
                f"{name}: {keyword} {short(mine)} -> {short(theirs)}",
                CHANGED,
                _level(keyword, mine, theirs, request),
            )


def _child(parent: str, field: str) -> str:
    if not parent:
        return str(field)
    return f"{parent} {field}" if parent.endswith(":") else f"{parent}.{field}"


def _label(name: str) -> str:
    return name.rstrip(":") or "body"


def _level(keyword: str, before: Any, after: Any, request: bool) -> str:
    """How a changed keyword breaks: a request bound that tightens refuses what was accepted."""
    if keyword in ("default", "description"):
        return PATCH
    numeric = isinstance(before, int | float) and isinstance(after, int | float)
    if numeric and keyword in LOWER_BOUNDS:
        tighter = after > before
    elif numeric and keyword in UPPER_BOUNDS:
        tighter = after < before
    else:
        return MAJOR
    if request:
        return MAJOR if tighter else MINOR
    return MINOR if tighter else MAJOR
