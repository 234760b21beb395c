"""Credentials out of URLs before anyone sees them: a user name or password in the authority,
and query parameters named like a credential (a signed link's signature, an API key)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
SECRET_NAME = re.compile(r"authorization|token|secret|key|cookie|signature|password", re.I)


def redact_url(url: str) -> str:
    """`url` with its credentials replaced by REDACTED; anything unparsable is returned as is."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{REDACTED}@{host}" + (f":{port}" if port is not None else "")
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(SECRET_NAME.search(name) for name, _ in pairs):
            query = urlencode([(k, REDACTED if SECRET_NAME.search(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
