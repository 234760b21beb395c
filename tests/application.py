"""Application code as a user of the SDK writes it: it builds its own client, from the
environment, and waits for jobs as Krea advises. Nothing in it knows about tests."""

from __future__ import annotations

from pathlib import Path

from krea_nano_banana import AsyncKrea, Krea


def render_poster(title: str, folder: Path) -> list[Path]:
    with Krea() as krea:
        job = krea.generate_and_wait(
            f"a poster for {title}", model="nano-banana-pro", aspect_ratio="2:3", resolution="2K"
        )
        return krea.download(job, folder)


async def render_posters(titles: list[str], folder: Path) -> list[Path]:
    async with AsyncKrea() as krea:
        saved: list[Path] = []
        for title in titles:
            job = await krea.generate_and_wait(f"a poster for {title}", aspect_ratio="16:9")
            saved += await krea.download(job, folder)
        return saved
