"""Completed jobs link to real PNGs, served by the mock, sized by aspect ratio and resolution."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from krea_nano_banana import spec
from mock_server import images
from tests.helpers import Api


def finished_image(api: Api, body: dict[str, object]) -> Image.Image:
    job_id = api.create_job(body)["job_id"]
    api.poll_until_terminal(job_id)
    url = api.get_job(job_id)["result"]["urls"][0]
    response = api.http.get(url, headers={"Authorization": ""})  # result URLs need no token
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


@pytest.mark.parametrize(
    ("aspect_ratio", "resolution", "size"),
    [
        ("1:1", "1K", (1024, 1024)),
        ("16:9", "2K", (2736, 1536)),
        ("9:16", "1K", (768, 1360)),
        ("4:1", "4K", (8192, 2048)),
    ],
)
def test_pixel_size_follows_aspect_ratio_and_resolution(
    api: Api, aspect_ratio: str, resolution: str, size: tuple[int, int]
) -> None:
    image = finished_image(
        api, {"prompt": "a cat", "aspect_ratio": aspect_ratio, "resolution": resolution}
    )
    assert image.format == "PNG"
    assert image.size == size


def test_default_is_square_1k(api: Api) -> None:
    assert finished_image(api, {"prompt": "a cat"}).size == (1024, 1024)


def test_width_and_height_win(api: Api) -> None:
    assert finished_image(
        api, {"prompt": "a cat", "width": 640, "height": 480, "aspect_ratio": "16:9"}
    ).size == (640, 480)


def test_one_side_follows_the_aspect_ratio(api: Api) -> None:
    assert finished_image(api, {"prompt": "a cat", "width": 1600, "aspect_ratio": "16:9"}).size == (
        1600,
        900,
    )


def test_size_table_covers_every_ratio_and_tier_and_keeps_the_area() -> None:
    for ratio in spec.enum_values("AspectRatio"):
        for tier in spec.enum_values("Resolution"):
            w, h = images.table_size(ratio, tier)
            assert w % 16 == 0
            assert h % 16 == 0
            edge = images.tier_edge(tier)
            assert abs(w * h / edge**2 - 1) < 0.03
            across, down = map(int, ratio.split(":"))
            assert abs((w / h) / (across / down) - 1) < 0.03


def test_images_are_cached_by_size_not_per_job() -> None:
    images.render_png.cache_clear()
    first = images.render_png(64, 64)
    assert images.render_png(64, 64) is first
    assert images.render_png.cache_info().hits == 1


@pytest.mark.parametrize(
    "path",
    [
        "/results/3c90c3cc-0d44-4b50-8888-8dd25736052a/99999x99999.png",
        "/results/3c90c3cc-0d44-4b50-8888-8dd25736052a/0x10.png",
        "/results/../../etc/passwd",
        "/results/3c90c3cc-0d44-4b50-8888-8dd25736052a/1024x1024.jpg",
    ],
)
def test_unservable_result_paths_are_404(api: Api, path: str) -> None:
    response = api.http.get(path)
    assert response.status_code == 404
    assert "error" in response.json()


def test_readme_size_table_matches_the_mock() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = re.findall(
        r"^\s*\| (\d+:\d+)[^|]*\| (\d+x\d+) \| (\d+x\d+) \| (\d+x\d+) \|$", readme, re.M
    )
    assert len(rows) == 8
    for ratio, *sizes in rows:
        expected = ["{}x{}".format(*images.table_size(ratio, tier)) for tier in ("1K", "2K", "4K")]
        assert sizes == expected, ratio
