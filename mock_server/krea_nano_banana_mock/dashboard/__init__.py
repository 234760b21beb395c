"""The mock's dashboard at `/__mock__/ui`: jobs, webhook deliveries, the journal, the clock.

A static page (HTML, CSS and JavaScript shipped in this package: no CDN, no build step) that
polls two JSON views of the server it is served by, and drives the control surface.
"""

from __future__ import annotations

from krea_nano_banana_mock.dashboard.app import UI_PATH, DashboardApp
from krea_nano_banana_mock.dashboard.views import Source

__all__ = ["UI_PATH", "DashboardApp", "Source"]
