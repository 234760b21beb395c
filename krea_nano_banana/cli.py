"""`nano-banana`: generate images with any model of the family and manage jobs.

Progress goes to stderr (live on a terminal, a line per status change otherwise); results to
stdout, as text or, with --json, as JSON. Any failure is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, cast

from krea_api_client.models import Job, JobStatus

try:
    from rich.console import Console
except ImportError as missing:  # the SDK alone was installed
    raise SystemExit(
        "nano-banana needs the cli extra: pip install 'krea-nano-banana[cli]'"
    ) from missing

import krea_nano_banana_spec as spec
from krea_nano_banana.bodies import generation
from krea_nano_banana.cli_options import (
    add_field_options,
    describe_field,
    field_dest,
    option_name,
)
from krea_nano_banana.client import DEFAULT_WAIT_TIMEOUT, GENERATE_KEYWORDS, MIN_POLL_INTERVAL, Krea
from krea_nano_banana.errors import KreaError, MissingTokenError, WaitTimeoutError
from krea_nano_banana.pricing import estimate_cost
from krea_nano_banana.signatures import ModelName

EXIT_FAILED = 1
# 2, bad usage, is argparse's own exit status.
EXIT_TIMEOUT = 3
EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by Ctrl-C
LIST_LIMIT = 20

EXAMPLES = """\
examples:
  nano-banana models
  nano-banana generate "a lighthouse at dusk" --aspect-ratio 16:9 --resolution 2K --wait -o out.png
  nano-banana generate "a lighthouse" --model nano-banana-pro --resolution 4K
  nano-banana jobs list --status completed --json | jq .job_id
  nano-banana cost --model nano-banana-2 --resolution 4K --images 10

Configuration: --token or $KREA_API_TOKEN; --base-url or $KREA_BASE_URL (default Krea's API).
"""


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


def version() -> str:
    try:
        installed = metadata.version("krea-nano-banana")
    except metadata.PackageNotFoundError:
        installed = "unknown"
    return f"nano-banana {installed} (openapi.yaml {spec.document()['info']['version']})"


def chosen_model(argv: Sequence[str]) -> spec.Generation:
    """The model named by `--model` in `argv`, so that its options can be offered; an unknown
    name falls back to the default here and is refused, with the choices, by the parser."""
    for index, arg in enumerate(argv):
        name = None
        if arg == "--model" and index + 1 < len(argv):
            name = argv[index + 1]
        elif arg.startswith("--model="):
            name = arg.partition("=")[2]
        if name in spec.available_models():
            return spec.generation(name)
    return spec.generation()


def _model_option(parser: argparse.ArgumentParser, model: spec.Generation) -> None:
    parser.add_argument(
        "--model",
        choices=spec.available_models(),
        help=f"which model (default: {spec.default_model()}); its options follow",
    )


Number = TypeVar("Number", int, float)


def at_least(convert: Callable[[str], Number], low: Number, noun: str) -> Callable[[str], Number]:
    """An argparse type: a number of at least `low`, refused by the parser (before any job is
    made), naming the value and the bound."""

    def parse(text: str) -> Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not value >= low:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun} >= {low:g}")
        return value

    return parse


seconds = at_least(float, 0.0, "a number of seconds")
count = at_least(int, 1, "a whole number")


def _wait_options(parser: argparse.ArgumentParser, output_help: str) -> None:
    parser.add_argument("-o", "--output", type=Path, metavar="PATH", help=output_help)
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up waiting after this long (default: {DEFAULT_WAIT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--poll-interval",
        type=seconds,
        metavar="SECONDS",
        help=f"seconds between polls, at least {MIN_POLL_INTERVAL:g} (default: 2 s, backing off "
        "to 5 s, as Krea advises)",
    )


def parser(model: spec.Generation | None = None) -> argparse.ArgumentParser:
    model = model or spec.generation()
    root = argparse.ArgumentParser(
        prog="nano-banana",
        description=__doc__.split("\n\n")[0],
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--version", action="version", version=version())
    root.add_argument("--token", help="API token (default: $KREA_API_TOKEN)")
    root.add_argument(
        "--base-url", metavar="URL", help="API base URL (default: $KREA_BASE_URL or Krea's)"
    )
    root.add_argument("--json", action="store_true", help="results as JSON, for scripts")
    # --json also after the command (`jobs list --json`), where scripts tend to put it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="results as JSON"
    )
    common.add_argument("--token", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--base-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(parent: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        made: argparse.ArgumentParser = parent.add_parser(
            name, parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
        )
        return made

    command(commands, "models", help="list the models with their options and prices")

    generate = command(
        commands,
        "generate",
        help="start a generation job (and wait for it with --wait)",
        description="Start a generation job. The options after --model are that model's "
        "request fields: see `nano-banana generate --model NAME --help`.",
        epilog='example: nano-banana generate "a lighthouse" --wait -o a.png',
    )
    generate.add_argument(
        "prompt_text", metavar="PROMPT", help="what to draw; - reads it from stdin"
    )
    _model_option(generate, model)
    add_field_options(generate, model)
    hook = model.header(spec.Role.WEBHOOK_URL)
    if hook is not None:
        generate.add_argument(
            "--webhook-url", metavar="URL", help=f"POST the finished job here ({hook} header)"
        )
    generate.add_argument("--wait", action="store_true", help="wait for the job to finish")
    _wait_options(generate, "save the image to this file or directory (waits for the job)")

    jobs = command(commands, "jobs", help="inspect and manage jobs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    for name, text in (("get", "show a job"), ("cancel", "cancel a queued or processing job")):
        command(jobs, name, help=text).add_argument("job_id", metavar="JOB_ID")
    waiting = command(jobs, "wait", help="wait for a job to finish")
    waiting.add_argument("job_id", metavar="JOB_ID")
    _wait_options(waiting, "save the image to this file or directory")
    listing = command(jobs, "list", help="list your jobs, newest first")
    listing.add_argument(
        "--status", choices=spec.enum_values("JobStatus"), help="only jobs in this status"
    )
    listing.add_argument(
        "--types",
        metavar="TYPE[,TYPE...]",
        help="only jobs of these types, comma-separated, e.g. externalImage",
    )
    listing.add_argument(
        "--limit",
        type=count,
        default=LIST_LIMIT,
        metavar="N",
        help=f"at most this many (default: {LIST_LIMIT})",
    )

    cost = command(
        commands,
        "cost",
        help="what completed jobs cost, from Krea's published prices",
        epilog="example: nano-banana cost --model nano-banana-pro --resolution 4K --images 10",
    )
    _model_option(cost, model)
    priced = model.pricing.by_field if model.pricing else None
    if priced is not None and model.pricing is not None:
        cost.add_argument(
            option_name(priced),
            dest=priced,
            choices=list(model.pricing.by_value),
            help=f"the job's {priced} (default: {model.default(priced)})",
        )
    cost.add_argument(
        "--images", type=count, metavar="N", help="how many completed jobs (default: 1)"
    )
    return root


class Output:
    """Results on stdout, as text or JSON."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def data(self, value: Any, text: str) -> None:
        print(json.dumps(value, default=str) if self.as_json else text, flush=True)

    def job(self, job: Job) -> None:
        payload = job.to_dict()
        print(json.dumps(payload, default=str, indent=None if self.as_json else 2), flush=True)


def save(krea: Krea, job: Job, output: Path, out: Output) -> None:
    """Downloads the job's images; `output` is a file (one image) or a directory."""
    from PIL import Image, UnidentifiedImageError

    saved = krea.download(job, output)
    files: list[dict[str, Any]] = []
    for path in saved:
        try:
            with Image.open(path) as image:
                files.append({"path": str(path), "width": image.width, "height": image.height})
        except UnidentifiedImageError:  # a video model's result: saved, no picture to measure
            files.append({"path": str(path)})
    if out.as_json:
        out.data({"job": job.to_dict(), "files": files}, "")
        return
    for file in files:
        size = f" ({file['width']}x{file['height']})" if "width" in file else ""
        print(f"{file['path']}{size}", flush=True)


class Interrupted(Exception):
    """Ctrl-C while waiting: the job goes on (and is billed if it completes), so its id and
    how to cancel it or wait again are what the user needs."""

    def __init__(self, job_id: object) -> None:
        super().__init__(
            f"interrupted; job {job_id} goes on running: cancel it with `nano-banana jobs "
            f"cancel {job_id}` or wait again with `nano-banana jobs wait {job_id}`"
        )


def wait_with_progress(krea: Krea, job: Job, args: argparse.Namespace, console: Console) -> Job:
    with Progress(console) as progress:
        progress.update(job)
        try:
            return krea.wait(
                job,
                timeout=args.timeout,
                poll_interval=args.poll_interval,
                on_update=progress.update,
            )
        except KeyboardInterrupt:
            raise Interrupted(job.job_id) from None


def finish(krea: Krea, job: Job, output: Path | None, out: Output) -> None:
    if output is None:
        out.job(job)
    else:
        save(krea, job, output, out)


def generate_command(krea: Krea, args: argparse.Namespace, console: Console, out: Output) -> None:
    model = generation(args.model)
    given = {name: getattr(args, field_dest(name), None) for name in model.fields}
    fields = {name: value for name, value in given.items() if value is not None}
    prompt = sys.stdin.read().strip() if args.prompt_text == "-" else args.prompt_text
    # The model is chosen at run time here, so its fields go through the untyped door.
    # A request field named like one of generate's own keywords (Hailuo's `model`) goes into
    # the body as given.
    extra_body = {name: fields.pop(name) for name in list(fields) if name in GENERATE_KEYWORDS}
    options: dict[str, Any] = {
        "model": model.model,
        "webhook_url": getattr(args, "webhook_url", None),
        **({"extra_body": extra_body} if extra_body else {}),
        **fields,
    }
    job = krea.generate(prompt, **options)
    if not (args.wait or args.output):  # -o: the image is wanted, so the job is waited for
        out.job(job)
        return
    finish(krea, wait_with_progress(krea, job, args, console), args.output, out)


def list_command(krea: Krea, args: argparse.Namespace, out: Output) -> None:
    status = JobStatus(args.status) if args.status else None
    jobs = krea.list(status=status, types=args.types, page_size=min(args.limit, 100))
    for listed, job in enumerate(jobs):
        if listed >= args.limit:
            break
        text = f"{job.job_id}  {job.status!s:<22} {job.created_at.isoformat()}"
        out.data(job.to_dict(), text)


def cost_command(args: argparse.Namespace, console: Console, out: Output) -> None:
    model = generation(args.model)
    priced = model.pricing.by_field if model.pricing else None
    given = getattr(args, priced, None) if priced else None
    images = 1 if args.images is None else args.images
    assumed = []
    if args.model is None:
        assumed.append(f"model {model.model} (the default)")
    if priced and given is None:
        assumed.append(f"{priced} {model.default(priced)} (its default)")
    if args.images is None:
        assumed.append("1 image")
    if assumed:
        console.print(f"assuming {', '.join(assumed)}", highlight=False)
    cost = estimate_cost(
        cast(ModelName, model.model),  # chosen at run time, from the spec's own models
        images=images,
        **({priced: given} if priced and given else {}),
    )
    summary = {
        "model": model.model,
        "images": images,
        **({priced: given or model.default(priced)} if priced else {}),
        "compute_units": None if cost is None else str(cost.compute_units),
        "usd": None if cost is None or cost.usd is None else str(cost.usd),
    }
    out.data(summary, "no published price" if cost is None else str(cost))


def models_command(out: Output) -> None:
    listing = []
    lines = []
    for model in spec.generations():
        options = dict(model.fields)
        price = _prices(model)
        default = " (default)" if model.model == spec.default_model() else ""
        lines.append(f"{model.model}{default}  {model.operation.method} {model.path}")
        lines.append(f"  price: {price}")
        lines += [
            f"  {describe_field(name, schema)}"
            for name, schema in options.items()
            if name != model.field(spec.Role.PROMPT)
        ]
        listing.append(
            {
                "model": model.model,
                "default": bool(default),
                "method": model.operation.method,
                "path": model.path,
                "operation_id": model.operation_id,
                "fields": options,
                "required": list(model.required),
                "price": price,
            }
        )
    out.data(listing, "\n".join(lines))


def _prices(model: spec.Generation) -> str:
    pricing = model.pricing
    if pricing is None:
        return "no published price"
    if pricing.per_job is not None:
        return f"{pricing.per_job}, {pricing.billed}"
    each = ", ".join(f"{value} {price}" for value, price in pricing.by_value.items())
    return f"by {pricing.by_field}: {each}; {pricing.billed}"


def run(args: argparse.Namespace, krea: Krea, console: Console, out: Output) -> None:
    if args.command == "generate":
        generate_command(krea, args, console, out)
        return
    actions: dict[str, Callable[[], None]] = {
        "get": lambda: out.job(krea.get(args.job_id)),
        "cancel": lambda: out.job(krea.cancel(args.job_id)),
        "wait": lambda: finish(
            krea, wait_with_progress(krea, krea.get(args.job_id), args, console), args.output, out
        ),
        "list": lambda: list_command(krea, args, out),
    }
    actions[args.action]()


def _fail(console: Console, out: Output, message: str, code: int) -> int:
    if out.as_json:
        print(json.dumps({"error": message, "exit_code": code}), file=sys.stderr, flush=True)
    else:
        console.print(f"error: {message}", style="red", highlight=False)
    return code


def _unknown_options(model: spec.Generation, extra: list[str]) -> str:
    """Says which model has an option that the chosen one lacks."""
    wanted = [arg.partition("=")[0] for arg in extra if arg.startswith("--")]
    for option in wanted:
        owners = [
            other.model
            for other in spec.generations()
            if option in {option_name(name) for name in other.fields}
        ]
        if owners:
            verb = "has" if len(owners) == 1 else "have"
            return f"{model.model} has no {option} ({', '.join(owners)} {verb} it)"
    return f"unrecognized arguments: {' '.join(extra)}"


def _main(argv: list[str]) -> int:
    model = chosen_model(argv)
    command_line = parser(model)
    args, extra = command_line.parse_known_args(argv)
    if extra:
        command_line.error(_unknown_options(model, extra))
    # soft_wrap: an error line stays one line in a log, whatever the terminal's width.
    console = Console(stderr=True, soft_wrap=True)
    out = Output(args.json)
    try:
        if args.command == "models":
            models_command(out)
            return 0
        if args.command == "cost":
            cost_command(args, console, out)
            return 0
        with Krea(args.token, args.base_url) as krea:
            run(args, krea, console, out)
    except MissingTokenError:
        return _fail(console, out, "no API token: pass --token TOKEN or set KREA_API_TOKEN", 1)
    except WaitTimeoutError as exc:
        return _fail(console, out, str(exc), EXIT_TIMEOUT)
    except Interrupted as exc:
        return _fail(console, out, str(exc), EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        return _fail(console, out, "interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        raise  # not a failure: see main
    except (KreaError, OSError) as exc:
        return _fail(console, out, str(exc), EXIT_FAILED)
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        return _fail(console, out, f"unexpected {type(exc).__name__}: {exc}", EXIT_FAILED)
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`nano-banana jobs list | head -1`): what it wanted, it got.
        # Point stdout at nothing so that the interpreter's own final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    if code:
        sys.exit(code)


if __name__ == "__main__":
    main()
