"""Secrets out of everything the mock keeps or shows: cassettes, the journal, the webhook log,
log lines and the dashboard all pass URLs, headers and free text through these functions.

A credential is whatever is named like one (token, key, secret, signature, cookie, password,
authorization: a signed link's `X-Amz-Signature`, a webhook's `?token=`), and the user-info
part of a URL (`https://user:password@host/`). Krea does not sign webhooks, so a secret in the
webhook URL is what users do: `X-Webhook-URL` is redacted like any other URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
# Header and query names whose values are credentials, whatever the upstream calls them.
SECRET_NAME = re.compile(r"authorization|token|secret|key|cookie|signature|password", re.I)
# A URL of any scheme inside free text (an error message, a log line): up to a space or a quote.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def redact_query(query: str) -> str:
    """A query string with the value of every credential-like parameter redacted."""
    if not query or not SECRET_NAME.search(query):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if SECRET_NAME.search(k) else v) for k, v in pairs])


def redact_url(url: str) -> str:
    """`url` with its credentials redacted: credential-like query parameters and the user
    info (`https://user:password@host/x?token=1` -> `https://REDACTED@host/x?token=REDACTED`).
    A string that is not a URL comes back unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL (an unbalanced "[" in the host, say)
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    query = redact_query(parts.query)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with every URL in it redacted."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda found: redact_url(found.group()), text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Credential-named headers redacted whole; URLs in the others (`X-Webhook-URL`) redacted."""
    return {
        name: REDACTED if SECRET_NAME.search(name) else redact_text(value)
        for name, value in headers.items()
    }


def redact_json(value: Any) -> Any:
    """A JSON value with every string in it that holds a URL redacted."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value
