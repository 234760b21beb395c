"""Completed jobs link to real PNGs, served by the mock, sized by aspect ratio and resolution."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from krea_nano_banana_mock.core import images
from PIL import Image

import krea_nano_banana_spec as spec
from tests.helpers import CheckedClient


def finished_image(client: CheckedClient, body: dict[str, object]) -> Image.Image:
    job_id = client.create_job(body)["job_id"]
    client.poll_until_terminal(job_id)
    url = client.get_job(job_id)["result"]["urls"][0]
    response = client.http.get(url, headers={"Authorization": ""})  # result URLs need no token
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
    client: CheckedClient, aspect_ratio: str, resolution: str, size: tuple[int, int]
) -> None:
    image = finished_image(
        client, {"prompt": "a cat", "aspect_ratio": aspect_ratio, "resolution": resolution}
    )
    assert image.format == "PNG"
    assert image.size == size


def test_default_is_square_1k(client: CheckedClient) -> None:
    assert finished_image(client, {"prompt": "a cat"}).size == (1024, 1024)


def test_width_and_height_win(client: CheckedClient) -> None:
    assert finished_image(
        client, {"prompt": "a cat", "width": 640, "height": 480, "aspect_ratio": "16:9"}
    ).size == (640, 480)


def test_one_side_follows_the_aspect_ratio(client: CheckedClient) -> None:
    assert finished_image(
        client, {"prompt": "a cat", "width": 1600, "aspect_ratio": "16:9"}
    ).size == (
        1600,
        900,
    )


def test_size_table_covers_every_ratio_and_tier_and_keeps_the_area() -> None:
    for model in spec.generations():
        assert model.result_images is not None
        for ratio in model.fields[model.field("aspect_ratio") or ""]["enum"]:
            for edge in model.result_images.tier_edges.values():
                w, h = images.table_size(ratio, edge)
                assert w % 16 == 0
                assert h % 16 == 0
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
        "/results/3c90c3cc-0d44-4b50-8888-8dd25736052a/1024x1024.png",  # no such job
        "/results/3c90c3cc-0d44-4b50-8888-8dd25736052a/99999x99999.png",
        "/results/3c90c3cc-0d44-4b50-8888-8dd25736052a/0x10.png",
        "/results/../../etc/passwd",
        "/results/3c90c3cc-0d44-4b50-8888-8dd25736052a/1024x1024.jpg",
    ],
)
def test_unservable_result_paths_are_404(client: CheckedClient, path: str) -> None:
    response = client.http.get(path)
    assert response.status_code == 404
    assert "error" in response.json()


def test_only_the_jobs_own_size_is_served_and_only_once_completed(client: CheckedClient) -> None:
    job_id = client.create_job({"prompt": "a cat"})["job_id"]
    early = client.http.get(f"/results/{job_id}/1024x1024.png")
    assert early.status_code == 404  # a job that has not completed has no result yet
    client.poll_until_terminal(job_id)
    url = client.get_job(job_id)["result"]["urls"][0]
    assert client.http.get(url).status_code == 200
    for other in ("2048x2048", "1023x1024", "1024x1024x"):
        assert client.http.get(url.replace("1024x1024", other)).status_code == 404, other


@pytest.mark.parametrize(
    ("body", "size"),
    [
        ({"width": 0.4, "height": 0.4}, (1, 1)),  # under a pixel: a pixel
        ({"width": 5, "height": 3}, (5, 3)),  # small positive sizes are honoured
        ({"width": 5456, "height": 3072}, (5456, 3072)),  # as large as its own 4K results
        ({"width": 1e9}, (4106, 4106)),  # huge: scaled to the largest result's area
        ({"width": 1e9, "height": 1}, (16384, 1)),  # and to the longest side
        ({"height": 1e308, "aspect_ratio": "4:1"}, (8213, 2053)),
    ],
)
def test_requested_sizes_are_honoured_within_the_largest_result(
    client: CheckedClient, body: dict[str, object], size: tuple[int, int]
) -> None:
    largest = images.largest_area(spec.generation())
    image = finished_image(client, {"prompt": "a cat", **body})
    assert image.size == size
    assert image.width * image.height <= largest


def test_readme_size_table_matches_the_mock() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = re.findall(
        r"^\s*\| (\d+:\d+)[^|]*\| (\d+x\d+) \| (\d+x\d+) \| (\d+x\d+) \|$", readme, re.M
    )
    assert len(rows) == 8
    rules = spec.generation().result_images
    assert rules is not None
    for ratio, *sizes in rows:
        edges = rules.tier_edges.values()
        assert sizes == ["{}x{}".format(*images.table_size(ratio, edge)) for edge in edges], ratio
