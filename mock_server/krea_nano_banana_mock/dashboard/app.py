"""Serves the dashboard in front of any of the server's apps (mock, proxy, replay): requests
under `/__mock__/ui` are answered here, every other request goes on to the app unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import krea_nano_banana_mock.dashboard.views as views
from krea_nano_banana_mock.http_layer.app import send_response
from krea_nano_banana_mock.http_layer.errors import error_response
from krea_nano_banana_mock.http_layer.messages import MockResponse, error_response_of, json_response
from krea_nano_banana_spec.validation import InvalidRequest

UI_PATH = views.UI_PATH
STATIC_PREFIX = f"{UI_PATH}/static/"
SUMMARY = f"{UI_PATH}/api/summary"
JOURNAL = f"{UI_PATH}/api/journal"
STATIC = Path(__file__).with_name("static")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# The page may load nothing but what this server serves: no CDN, no web font, no inline code.
PAGE_HEADERS = [
    ("Content-Security-Policy", "default-src 'self'; img-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
]
NO_STORE = [("Cache-Control", "no-store")]


def _static_files() -> dict[str, MockResponse]:
    files = {}
    for file in STATIC.iterdir():
        content_type = CONTENT_TYPES.get(file.suffix)
        if content_type is not None:
            files[file.name] = MockResponse(
                200, file.read_bytes(), [*PAGE_HEADERS, *NO_STORE], content_type=content_type
            )
    return files


class DashboardApp:
    """ASGI: the dashboard in front of `inner`."""

    def __init__(self, inner: Any, source: views.Source) -> None:
        self.inner = inner
        self.source = source
        self._files: dict[str, MockResponse] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == UI_PATH or path.startswith(UI_PATH + "/")):
            await self.inner(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            response = error_response_of(405, f"{method} {path}: the dashboard is read-only")
        else:
            try:
                response = self.answer(path, scope["query_string"].decode())
            except InvalidRequest as exc:
                response = error_response(exc)
        await send_response(send, response, head=method == "HEAD")

    def answer(self, path: str, query_string: str) -> MockResponse:
        query = dict(parse_qsl(query_string))
        if path in (UI_PATH, UI_PATH + "/"):
            return self._file("index.html")
        if path.startswith(STATIC_PREFIX):
            return self._file(path[len(STATIC_PREFIX) :])
        if path == SUMMARY:
            page, per_page = views.jobs_paging(query)
            return json_response(200, views.summary(self.source, page, per_page), NO_STORE)
        if path == JOURNAL:
            return json_response(200, views.journal_page(self.source.journal, query), NO_STORE)
        if path.startswith(views.THUMBNAIL_PREFIX):
            image = views.thumbnail(self.source.api, path[len(views.THUMBNAIL_PREFIX) :])
            if image is None:
                return error_response_of(404, "no completed job with this id")
            return MockResponse(200, image, NO_STORE, content_type="image/png")
        return error_response_of(404, f"nothing at {path}")

    def _file(self, name: str) -> MockResponse:
        if self._files is None:  # read at the first visit: most runs never open the page
            self._files = _static_files()
        found = self._files.get(name)
        if found is None:
            return error_response_of(404, f"no dashboard file {name!r}")
        return found
