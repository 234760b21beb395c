"""The mock's control surface, as the suite uses it: to set the clock and to ask for a pace.

Found on any server that answers `GET /__mock__/state` like the mock does (in-process through
its transport, or `krea-mock-server` over HTTP); any other server is driven as Krea's API is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

STATE = "/__mock__/state"


class Steering:
    def __init__(self, http: httpx.Client, state: dict[str, Any]) -> None:
        self.http = http
        self.initial = state

    @classmethod
    def find(cls, http: httpx.Client) -> Steering | None:
        try:
            response = http.get(STATE)
            state = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        if not isinstance(state, dict) or "progression" not in state or "now" not in state:
            return None
        return cls(http, state)

    def _post(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/__mock__/{action}", json=body)
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    def state(self) -> dict[str, Any]:
        response = self.http.get(STATE)
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    def now(self) -> datetime:
        return datetime.fromisoformat(self.state()["now"])

    def set_now(self, instant: datetime) -> None:
        self._post("clock", {"now": instant.isoformat()})

    def set_pace(self, policy: str, step_seconds: float | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"policy": policy}
        if step_seconds is not None:
            body["step_seconds"] = step_seconds
        return self._post("progression", body)

    @contextlib.contextmanager
    def paced(self, policy: str) -> Iterator[None]:
        """Jobs move by `policy` inside the block, and as before it after."""
        before = self.state()
        self.set_pace(policy)
        try:
            yield
        finally:
            self.set_pace(str(before["progression"]), float(before["step_seconds"]))

    def restore(self) -> None:
        """Puts back the policy and pace the server had before the suite touched them."""
        step = self.initial.get("step_seconds")
        self.set_pace(
            str(self.initial["progression"]), step if isinstance(step, int | float) else None
        )
