"""The bare-ASGI floor for scripts/bench: the same job JSON from a dict with orjson, under
uvicorn, with no framework, no validation and no state. Nothing real can be faster."""

from typing import Any

import orjson

JOB = orjson.dumps(
    {
        "job_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "status": "queued",
        "created_at": "2026-02-13T02:20:58.265Z",
        "completed_at": None,
        "result": None,
    }
)
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(JOB)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the request body, as a real server must
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": JOB})
