"""openapi.yaml as spec-sync reads and writes it: ruamel.yaml's round trip, which keeps
comments, anchors and layout, and upstream values made readable for every reader."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString


def round_trip() -> YAML:
    loader = YAML()
    loader.preserve_quotes = True
    loader.width = 4096  # never re-wrap a line
    loader.indent(mapping=2, sequence=4, offset=2)
    loader.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return loader


# Plain scalars a YAML 1.1 reader (PyYAML, the spec package's) takes for something else:
# `2:1` is the sexagesimal 121, `no` is false. ruamel.yaml writes YAML 1.2, so they are quoted.
YAML_11_LOOKALIKES = re.compile(
    r"^([-+]?\d+(:[0-5]?\d)+(\.\d*)?|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$"
)


def literal(node: Any) -> Any:
    """Upstream values as YAML writes them readably and every reader reads them alike:
    multi-line text as a literal block, YAML 1.1 look-alikes quoted."""
    if isinstance(node, Mapping):
        return {k: literal(v) for k, v in node.items()}
    if isinstance(node, list):
        return [literal(v) for v in node]
    if isinstance(node, str) and "\n" in node:
        return LiteralScalarString("\n".join(line.rstrip() for line in node.split("\n")))
    if isinstance(node, str) and YAML_11_LOOKALIKES.match(node):
        return DoubleQuotedScalarString(node)
    return node


def dump(document: Any) -> str:
    buffer = io.StringIO()
    round_trip().dump(document, buffer)
    return buffer.getvalue()


def put(mapping: MutableMapping[str, Any], key: str, value: Any, after: str) -> None:
    """Set `key`; a new key goes right after `after` (where readers look for it), not last."""
    if key in mapping or after not in mapping or not hasattr(mapping, "insert"):
        mapping[key] = value
        return
    mapping.insert(list(mapping).index(after) + 1, key, value)
