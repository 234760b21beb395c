"""`nano-banana`: generate images and manage jobs from the command line.

    nano-banana generate "a lighthouse" --aspect-ratio 16:9 --resolution 2K --wait -o out.png
    nano-banana jobs get|cancel|wait JOB_ID        nano-banana jobs list [--status S]

Progress goes to stderr (live on a terminal, a line per status change otherwise); results to
stdout. Any failure is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from krea_api_client.models import AspectRatio, Job, JobStatus, Resolution, StyleImage
from rich.console import Console

from krea_nano_banana import spec
from krea_nano_banana.client import Krea
from krea_nano_banana.errors import KreaError, WaitTimeoutError
from krea_nano_banana.pricing import estimate_cost

EXIT_FAILED = 1
EXIT_TIMEOUT = 3


class Progress:
    """A job's status while waiting: live on a terminal, else a line per change."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.last: str | None = None
        self.status = console.status("starting...") if console.is_terminal else None

    def __enter__(self) -> Progress:
        if self.status is not None:
            self.status.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.status is not None:
            self.status.stop()

    def update(self, job: Job) -> None:
        status = str(job.status)
        elapsed = time.monotonic() - self.started
        if self.status is not None:
            self.status.update(f"job {job.job_id}: [bold]{status}[/bold] ({elapsed:.1f} s)")
        if status != self.last:
            self.console.print(f"{elapsed:6.1f} s  {status}", highlight=False)
            self.last = status


def style_image(text: str) -> StyleImage:
    url, separator, strength = text.rpartition("=")
    if not separator or not url:
        raise argparse.ArgumentTypeError(f"{text!r}: expected URL=STRENGTH")
    try:
        return StyleImage(url=url, strength=float(strength))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: strength must be a number") from None


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="nano-banana", description=__doc__.split("\n\n")[0])
    root.add_argument("--token", help="API token (default: $KREA_API_TOKEN)")
    root.add_argument("--base-url", help="API base URL (default: $KREA_BASE_URL or Krea's)")
    commands = root.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="start a generation job")
    generate.add_argument("prompt")
    generate.add_argument("--aspect-ratio", choices=spec.enum_values("AspectRatio"))
    generate.add_argument("--resolution", choices=spec.enum_values("Resolution"))
    generate.add_argument("--width", type=float)
    generate.add_argument("--height", type=float)
    generate.add_argument("--image-url", action="append", dest="image_urls", metavar="URL")
    generate.add_argument(
        "--style-image",
        action="append",
        dest="style_images",
        type=style_image,
        metavar="URL=STRENGTH",
    )
    generate.add_argument("--webhook-url")
    generate.add_argument("--wait", action="store_true", help="wait for the job to finish")
    generate.add_argument("-o", "--output", type=Path, help="with --wait: save the image here")
    generate.add_argument("--timeout", type=float, default=600.0, help="seconds to wait at most")
    generate.add_argument(
        "--poll-interval",
        type=float,
        help="seconds between polls (default: 2 s, backing off to 5 s)",
    )

    jobs = commands.add_parser("jobs", help="inspect and manage jobs").add_subparsers(
        dest="action", required=True
    )
    for name, text in (("get", "show a job"), ("cancel", "cancel a queued or processing job")):
        jobs.add_parser(name, help=text).add_argument("job_id")
    waiting = jobs.add_parser("wait", help="wait for a job to finish")
    waiting.add_argument("job_id")
    waiting.add_argument("-o", "--output", type=Path, help="save the image here")
    waiting.add_argument("--timeout", type=float, default=600.0)
    waiting.add_argument("--poll-interval", type=float, help="seconds between polls")
    listing = jobs.add_parser("list", help="list your jobs, newest first")
    listing.add_argument("--status", choices=spec.enum_values("JobStatus"))
    listing.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")

    cost = commands.add_parser("cost", help="price of completed jobs, from Krea's pricing")
    cost.add_argument("--resolution", choices=spec.enum_values("Resolution"), default="1K")
    cost.add_argument("--images", type=int, default=1)
    return root


def emit(job: Job) -> None:
    print(json.dumps(job.to_dict(), indent=2, default=str))


def save(krea: Krea, job: Job, output: Path) -> None:
    """Downloads the job's images; `output` is a file (one image) or a directory."""
    from PIL import Image

    if output.suffix:
        saved = krea.download(job, output.parent)
        shutil.move(saved[0], output)
        saved[0] = output
    else:
        saved = krea.download(job, output)
    for path in saved:
        with Image.open(path) as image:
            print(f"{path} ({image.width}x{image.height})")


def wait_with_progress(krea: Krea, job: Job, args: argparse.Namespace, console: Console) -> Job:
    with Progress(console) as progress:
        progress.update(job)
        return krea.wait(
            job, timeout=args.timeout, poll_interval=args.poll_interval, on_update=progress.update
        )


def run(args: argparse.Namespace, krea: Krea, console: Console) -> None:
    if args.command == "generate":
        job = krea.generate(
            args.prompt,
            aspect_ratio=AspectRatio(args.aspect_ratio) if args.aspect_ratio else None,
            resolution=Resolution(args.resolution) if args.resolution else None,
            width=args.width,
            height=args.height,
            image_urls=args.image_urls,
            style_images=args.style_images,
            webhook_url=args.webhook_url,
        )
        if not args.wait:
            emit(job)
            return
        finish(krea, wait_with_progress(krea, job, args, console), args.output)
        return
    actions: dict[str, Callable[[], None]] = {
        "get": lambda: emit(krea.get(args.job_id)),
        "cancel": lambda: emit(krea.cancel(args.job_id)),
        "wait": lambda: _wait_command(krea, args, console),
        "list": lambda: _list_command(krea, args),
    }
    actions[args.action]()


def _wait_command(krea: Krea, args: argparse.Namespace, console: Console) -> None:
    finish(krea, wait_with_progress(krea, krea.get(args.job_id), args, console), args.output)


def finish(krea: Krea, job: Job, output: Path | None) -> None:
    if output is None:
        emit(job)
    else:
        save(krea, job, output)


def _list_command(krea: Krea, args: argparse.Namespace) -> None:
    status = JobStatus(args.status) if args.status else None
    for count, job in enumerate(krea.list(status=status, page_size=min(args.limit, 100))):
        if count >= args.limit:
            break
        print(f"{job.job_id}  {job.status!s:<22} {job.created_at.isoformat()}")


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    console = Console(stderr=True)
    if args.command == "cost":
        print(estimate_cost(args.resolution, args.images))
        return
    try:
        with Krea(args.token, args.base_url) as krea:
            run(args, krea, console)
    except WaitTimeoutError as exc:
        console.print(f"error: {exc}", style="red", highlight=False)
        sys.exit(EXIT_TIMEOUT)
    except (KreaError, OSError) as exc:
        console.print(f"error: {exc}", style="red", highlight=False)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        sys.exit(130)
