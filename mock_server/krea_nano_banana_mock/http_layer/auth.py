"""Bearer tokens and tenants: each token is a tenant of its own, keyed by a digest, so that
tokens are never kept; configured tokens are compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from krea_nano_banana_mock.http_layer.errors import Unauthenticated

MAX_CACHED_TOKENS = 10_000


class Tenancy:
    def __init__(self, tokens: Sequence[str] | None = None) -> None:
        self.tokens = [t.encode() for t in tokens] if tokens else None
        self._tenants: dict[str, str] = {}  # token -> tenant id, so a digest is made once

    def authenticate(self, header: str | None) -> str:
        """The caller's tenant id, from its `Authorization` header."""
        if not header:
            raise Unauthenticated("Authorization: a bearer token is required")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Authorization: expected 'Bearer <token>'")
        tenant = self._tenants.get(token)
        if tenant is not None:
            return tenant
        if self.tokens is not None:
            supplied = token.encode()
            accepted = False
            for known in self.tokens:  # no early exit: the time taken must not tell which matched
                accepted |= hmac.compare_digest(supplied, known)
            if not accepted:
                raise Unauthenticated("Authorization: this token is not accepted")
        if len(self._tenants) >= MAX_CACHED_TOKENS:
            self._tenants.clear()
        tenant = self._tenants[token] = hashlib.sha256(token.encode()).hexdigest()
        return tenant
