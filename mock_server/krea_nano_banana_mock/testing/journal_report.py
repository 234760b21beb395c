"""The journal as text, for a person reading why a test failed: newest last, one line a
request, refused requests marked with the mock's error, the proxy's findings below theirs."""

from __future__ import annotations

from krea_nano_banana_mock.core.journal import Journal

SHOWN = 50


def journal_report(journal: Journal, shown: int = SHOWN) -> str:
    entries = journal.entries()
    if not entries:
        return "nothing reached the mock"
    lines = []
    earlier = len(entries) - shown + journal.dropped
    if earlier > 0:
        lines.append(f"({earlier} earlier request(s) not shown)")
    for entry in entries[-shown:]:
        request = entry.path + (f"?{entry.query}" if entry.query else "")
        line = f"{entry.at:%H:%M:%S.%f}"[:-3] + f" {entry.method} {request} -> {entry.status}"
        if entry.model:
            line += f" [{entry.model}]"
        if entry.status >= 400:
            line += f"  REFUSED: {entry.error or 'no message'}"
        lines.append(line)
        lines += [f"    violation: {violation}" for violation in entry.violations]
    return "\n".join(lines)
