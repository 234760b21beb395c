"""`--admin-token`: the control surface and the dashboard (`/__mock__/`) for a team sharing one
mock. Without it they have no auth, like WireMock's admin API: they are for local use.

A caller proves it knows the token with `Authorization: Bearer TOKEN`, or, from a browser,
with HTTP Basic auth whose password is the token (the browser asks once, then sends it with
every request of the page). The API's own paths are not touched: they keep their bearer
tokens.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from typing import Any

from krea_nano_banana_mock.http_layer.app import send_response
from krea_nano_banana_mock.http_layer.control import PREFIX
from krea_nano_banana_mock.http_layer.messages import error_response_of

REALM = "krea-mock-server"


def presented_token(authorization: str) -> str | None:
    scheme, _, credentials = authorization.partition(" ")
    scheme, credentials = scheme.lower(), credentials.strip()
    if scheme == "bearer":
        return credentials
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


class AdminTokenGuard:
    """ASGI: answers 401 to any request under `/__mock__/` that does not carry the token."""

    def __init__(self, inner: Any, token: str) -> None:
        self.inner = inner
        self.token = token.encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].startswith(PREFIX)
            and not self._allowed(scope)
        ):
            response = error_response_of(
                401,
                "the control surface needs the admin token (Authorization: Bearer)",
                [("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')],
            )
            await send_response(send, response, head=scope["method"] == "HEAD")
            return
        await self.inner(scope, receive, send)

    def _allowed(self, scope: Any) -> bool:
        header = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        token = presented_token(header.decode("latin-1"))
        return token is not None and hmac.compare_digest(token.encode(), self.token)


def exposure_warning(host: str, guarded: bool) -> str | None:
    """What to tell someone who binds beyond this machine, or None on a loopback address."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        loopback = False
    if loopback:
        return None
    if guarded:
        return (
            f"warning: listening on {host}, reachable from other machines; /__mock__/ needs the"
            " admin token, the API accepts any request the mock's options allow"
        )
    return (
        f"warning: listening on {host}, reachable from other machines, and /__mock__/ (the"
        " control surface and the dashboard) has no auth: anyone who reaches it can reset the"
        " mock and read its journal. Bind 127.0.0.1, or pass --admin-token TOKEN"
    )
