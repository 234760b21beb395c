"""CHANGELOG.md entries (Keep a Changelog 1.1.0) and the semver bump of pyproject.toml's
version, from the changes spec-sync made."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from spec_sync_merge import ADDED, CHANGED, MAJOR, MINOR, REMOVED, Change

HEADER = """\
# Changelog

All notable changes to this project are written here. The format follows
[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and versions follow
[Semantic Versioning](https://semver.org/spec/v2.0.0.html): a breaking change to the API
bumps the major version, an addition the minor one, anything else the patch.
"""
VERSION = re.compile(r'^version\s*=\s*"(\d+)\.(\d+)\.(\d+)"', re.MULTILINE)


def bump(changes: Iterable[Change]) -> str:
    levels = {change.level for change in changes}
    return MAJOR if MAJOR in levels else MINOR if MINOR in levels else "patch"


def next_version(pyproject: str, level: str) -> str:
    found = VERSION.search(pyproject)
    if found is None:
        raise SystemExit('pyproject.toml has no version = "X.Y.Z" line')
    major, minor, patch = (int(part) for part in found.groups())
    if level == MAJOR:
        return f"{major + 1}.0.0"
    if level == MINOR:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def write_version(pyproject: Path, version: str) -> None:
    text = pyproject.read_text()
    pyproject.write_text(VERSION.sub(f'version = "{version}"', text, count=1))


def changelog_entry(version: str, changes: list[Change], source: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    lines = [f"## [{version}] - {today}", "", f"Synced with Krea's published API ({source})."]
    for section in (ADDED, CHANGED, REMOVED):
        group = sorted(
            (c for c in changes if c.section == section),
            key=lambda c: (c.level != MAJOR, c.subject, c.text),
        )
        if group:
            lines += ["", f"### {section}", *(f"- {c.line()}" for c in group)]
    return "\n".join(lines) + "\n"


def write_changelog(path: Path, entry: str) -> None:
    """The entry goes above the previous ones, under the header."""
    text = path.read_text() if path.is_file() else HEADER
    at = text.find("\n## [")
    if at == -1:
        text = text.rstrip("\n") + "\n\n" + entry
    else:
        text = text[: at + 1] + entry + "\n" + text[at + 1 :]
    path.write_text(text)
