from __future__ import annotations

import os
import signal
import threading
from collections.abc import Generator, Iterator
from types import FrameType

import pytest

from krea_nano_banana_contract import profiles
from krea_nano_banana_contract.report import RUN, failure_text, outcome, summary_lines
from krea_nano_banana_contract.target import ContractClient, Target, from_environment

profiles.load()
_target: Target | None = None
_short_texts: dict[tuple[str, str], str] = {}  # (node id, phase) -> what a failure shows


def target_in_use() -> Target:
    global _target
    if _target is None:
        _target = from_environment()
    return _target


@pytest.fixture(scope="session")
def target() -> Target:
    return target_in_use()


@pytest.fixture(scope="session")
def spending(target: Target) -> Target:
    """The target, for tests that create jobs: those cost money on the real API."""
    if not target.may_spend:
        pytest.skip(target.spend.why_not())
    return target


@pytest.fixture
def client(spending: Target) -> Iterator[ContractClient]:
    with spending.client(spending.fresh_token()) as opened:
        yield opened


@pytest.fixture(scope="session")
def steerable(spending: Target) -> Target:
    """The target, for properties that set the server's clock: the mock, in-process or over
    HTTP."""
    if spending.steering is None:
        pytest.skip("needs the mock's control surface to set the clock; the live variant runs")
    return spending


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def pytest_configure(config: pytest.Config) -> None:
    # CI stops a job that runs too long with SIGTERM: handled as Ctrl-C, so that pytest still
    # writes the JUnit file and the summary, and the run cancels the jobs it started.
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)


def pytest_collection_finish(session: pytest.Session) -> None:
    # Said before any test runs: an exported KREA_BASE_URL must never retarget a run silently
    # (`krea-contract`, quiet, says it itself).
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and session.config.get_verbosity() >= 0:
        url = os.environ.get("KREA_BASE_URL")
        where = f"{url} (from $KREA_BASE_URL)" if url else "the in-process mock"
        reporter.write_line(f"contract suite: checking {where}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Schemathesis names each operation's test `test_every_operation_conforms[GET /jobs]`, but
    # pytest 9 builds the node id from the bare function name: six tests with one id, which the
    # JUnit file could not tell apart and the progress line counted as one.
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and not item.nodeid.endswith("]"):
            item._id = item._id.with_params(label)


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    RUN.interrupted = str(excinfo.value) or "SIGINT"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.passed and report.when == "call":
        RUN.passed += 1
    if (
        report.failed
        and call.excinfo is not None
        and not call.excinfo.errisinstance(pytest.skip.Exception)
    ):
        name = getattr(item, "originalname", item.name)
        last = _target.last_curl if _target is not None else None
        broken, errors = outcome(call.excinfo.value, name, last)
        RUN.broken += broken
        RUN.errors += errors
        # What CI shows of the failure (the terminal and the JUnit file): the rule and its
        # reproduction, not a traceback through Hypothesis and Schemathesis. A crash of the
        # suite's own keeps the line it happened at.
        short = failure_text(broken, errors)
        if errors and call.excinfo.traceback:
            entry = call.excinfo.traceback[-1]
            short += f"\n  at {entry.path}:{entry.lineno + 1}"
        report.longrepr = short
        _short_texts[report.nodeid, report.when] = short
    return report


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(report: pytest.TestReport) -> None:
    # Schemathesis writes its own long text over a failure's after the JUnit file has the
    # short one: the terminal shows the short one too.
    short = _short_texts.get((report.nodeid, report.when))
    if short is not None:
        report.longrepr = short


def pytest_sessionfinish() -> None:
    if _target is not None:
        _target.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Generator[None]:
    # Before pytest's own sections: the verdict first, the details after.
    if _target is not None:
        spent = "" if _target.spend.free else f", an estimated ${_target.spend.spent_usd:.2f} spent"
        terminalreporter.write_line(
            f"contract suite: ran against {_target.description}; {_target.requests}"
            f" request(s), created {_target.created} job(s){spent}"
        )
        if _target.cleanup is not None:
            terminalreporter.write_line(f"contract suite: {_target.cleanup}")
        if RUN.interrupted:
            terminalreporter.write_line(
                f"contract suite: interrupted ({RUN.interrupted}); the verdict covers the"
                f" {RUN.passed} test(s) that passed and the failures below"
            )
        for line in summary_lines(RUN):
            terminalreporter.write_line(line)
    return (yield)
