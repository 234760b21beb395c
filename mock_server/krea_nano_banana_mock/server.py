"""`krea-mock-server` / `./scripts/server`: the mock over real HTTP, on uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from krea_nano_banana_mock.core.dependencies import MISSING_EXTRA

if MISSING_EXTRA is not None:  # the SDK alone was installed: one line, no traceback
    raise SystemExit(f"krea-mock-server: {MISSING_EXTRA}")

import uvicorn

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.clock import SystemClock, parse_instant
from krea_nano_banana_mock.core.journal import DEFAULT_SIZE as DEFAULT_JOURNAL_SIZE
from krea_nano_banana_mock.core.journal import Journal
from krea_nano_banana_mock.core.lifecycle import Progression
from krea_nano_banana_mock.core.option_rules import flag
from krea_nano_banana_mock.core.webhooks import DeliveryPolicy
from krea_nano_banana_mock.dashboard import UI_PATH, DashboardApp, Source
from krea_nano_banana_mock.http_layer.admin_token import AdminTokenGuard, exposure_warning
from krea_nano_banana_mock.http_layer.app import AsgiApp
from krea_nano_banana_mock.http_layer.assembly import MockOptions, build
from krea_nano_banana_mock.proxy.cassettes import Cassettes
from krea_nano_banana_mock.proxy.forwarding import Proxy
from krea_nano_banana_mock.proxy.forwarding_app import ForwardingApp
from krea_nano_banana_mock.proxy.replay import Replay

try:
    from krea_nano_banana_mock.http_layer.write_batching import BatchedHttpToolsProtocol

    HTTP_PROTOCOL: type[asyncio.Protocol] | str = BatchedHttpToolsProtocol
except ImportError:  # no httptools (Windows): uvicorn's own protocol, one write per send
    HTTP_PROTOCOL = "auto"


def _instant(text: str) -> object:
    try:
        return parse_instant(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date or instant") from None


def _compute_units(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of compute units") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError("the credit budget must be a non-negative number")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="krea-mock-server", description="A stateful mock of Krea's Nano Banana API family."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=flag("port"), default=8080, help="port to bind; 0 picks a free one"
    )
    parser.add_argument("--now", type=_instant, help="start the mock's clock at this instant")
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        metavar="TOKEN",
        help="accept only this bearer token (repeatable); by default any token is accepted",
    )
    parser.add_argument(
        "--progression",
        choices=[p.value for p in Progression],
        default=Progression.TIME.value,
        help="when jobs move on (default: time)",
    )
    parser.add_argument(
        "--step-seconds", type=flag("step_seconds"), default=0.6, help="time per status step"
    )
    parser.add_argument(
        "--concurrency-limit",
        type=flag("concurrency_limit"),
        default=8,
        help="running jobs per token",
    )
    parser.add_argument(
        "--backlog-limit",
        type=flag("backlog_limit"),
        default=1000,
        help="backlogged jobs per token",
    )
    parser.add_argument(
        "--credits",
        type=_compute_units,
        metavar="COMPUTE_UNITS",
        help="credit budget per token, in compute units, as Krea prices jobs (default: none)",
    )
    parser.add_argument(
        "--webhook-allow",
        action="append",
        dest="webhook_hosts",
        metavar="HOST",
        help="deliver webhooks only to hosts matching this glob (repeatable); default: any host",
    )
    parser.add_argument(
        "--webhook-timeout",
        type=flag("webhook_timeout"),
        default=5.0,
        help="seconds a receiver gets to answer",
    )
    parser.add_argument(
        "--webhook-first-delay",
        type=flag("webhook_first_delay"),
        default=DeliveryPolicy().first_delay,
        help="seconds before the first webhook retry; each next one waits twice as long",
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="require this token for /__mock__/ (control surface, dashboard); default: no auth",
    )
    parser.add_argument("--public-url", help="base URL for result links (default: the bound URL)")
    parser.add_argument(
        "--journal-size",
        type=flag("journal_size"),
        default=DEFAULT_JOURNAL_SIZE,
        metavar="N",
        help="requests kept in the journal, GET /__mock__/journal (default: 10000; 0: none)",
    )
    modes = parser.add_argument_group("proxy and replay (instead of the mock)")
    modes.add_argument(
        "--proxy",
        metavar="URL",
        help="forward every request to this upstream (Krea's API: https://api.krea.ai),"
        " validating requests and responses against openapi.yaml; findings are journaled",
    )
    modes.add_argument(
        "--record", metavar="DIR", type=Path, help="with --proxy: write the traffic to DIR"
    )
    modes.add_argument(
        "--replay", metavar="DIR", type=Path, help="serve the traffic recorded in DIR, offline"
    )
    args = parser.parse_args(argv)
    if args.record and not args.proxy:
        parser.error("--record needs --proxy URL: it records what the upstream answers")
    if args.proxy and args.replay:
        parser.error("--proxy and --replay are two modes: choose one")
    if args.proxy and not args.proxy.startswith(("http://", "https://")):
        parser.error(f"--proxy {args.proxy!r} must start with http:// or https://")
    if args.replay and not args.replay.is_dir():
        parser.error(f"--replay {args.replay}: no such folder")
    if args.admin_token is not None and not args.admin_token.strip():
        parser.error("--admin-token must not be empty")
    return args


def forwarding_app(args: argparse.Namespace, url: str) -> ForwardingApp:
    """The door for --proxy or --replay."""
    journal = Journal(args.journal_size)
    clock = SystemClock()
    limit = spec.max_body_bytes()
    if args.proxy:
        cassettes = Cassettes(args.record) if args.record else None
        proxy = Proxy(args.proxy, journal, clock, cassettes)

        def proxy_state() -> dict[str, Any]:
            return {"mode": "proxy", "upstream": proxy.upstream, "journal": len(journal)}

        return ForwardingApp(proxy.handle, journal, proxy_state, lambda: None, limit, proxy.close)
    replay = Replay(args.replay, args.public_url or url, journal, clock)

    def replay_state() -> dict[str, Any]:
        return {
            "mode": "replay",
            "recorded": replay.count,
            "unreadable": replay.problems,
            "journal": len(journal),
        }

    return ForwardingApp(replay.handle, journal, replay_state, replay.reset, limit)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # Bound before uvicorn starts, so that --port 0 can print the port it got.
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sys.exit(f"cannot listen on {args.host}:{args.port}: {exc.strerror}")
    sock.listen(2048)  # clients that connect before uvicorn runs wait in the backlog
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{port}"
    if args.proxy or args.replay:
        forwarding = forwarding_app(args, url)
        mode = "proxy" if args.proxy else "replay"
        what = f"proxy to {args.proxy}" if args.proxy else f"replay of {args.replay}"
        print(f"Krea mock server listening on {url} ({what})", flush=True)
        source = Source(mode, forwarding.journal, forwarding.state)
        _serve(_fronted(forwarding, source, args, url), sock)
        return
    api = build(
        SystemClock(args.now),
        args.public_url or url,
        MockOptions(
            progression=Progression(args.progression),
            tokens=args.tokens,
            concurrency_limit=args.concurrency_limit,
            backlog_limit=args.backlog_limit,
            credits=args.credits,
            step_seconds=args.step_seconds,
            webhook_hosts=args.webhook_hosts,
            webhook_retry=DeliveryPolicy(first_delay=args.webhook_first_delay),
            journal_size=args.journal_size,
        ),
    )
    logging.getLogger("krea_nano_banana_mock").setLevel(logging.INFO)
    print(f"Krea mock server listening on {url}", flush=True)
    source = Source("mock", api.journal, api.control.state, api)
    _serve(_fronted(AsgiApp(api, webhook_timeout=args.webhook_timeout), source, args, url), sock)


def _fronted(app: Any, source: Source, args: argparse.Namespace, url: str) -> Any:
    """`app` behind the dashboard and, if asked for, the admin token; says where both are."""
    print(f"Dashboard: {url}{UI_PATH}", flush=True)
    warning = exposure_warning(args.host, guarded=bool(args.admin_token))
    if warning:
        print(warning, file=sys.stderr, flush=True)
    app = DashboardApp(app, source)
    return AdminTokenGuard(app, args.admin_token) if args.admin_token else app


def _serve(app: Any, sock: socket.socket) -> None:
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        http=HTTP_PROTOCOL,
        server_header=False,
        proxy_headers=False,  # nothing reads the client's address; the middleware costs ~1%
    )
    logging.getLogger("krea_nano_banana_mock").setLevel(logging.INFO)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
