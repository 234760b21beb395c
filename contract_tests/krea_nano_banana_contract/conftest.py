from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from krea_nano_banana_contract import profiles
from krea_nano_banana_contract.report import Broken, broken_rules, summary_lines
from krea_nano_banana_contract.target import ContractClient, Target, from_environment

profiles.load()
_target: Target | None = None
_broken: list[Broken] = []


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if (
        report.failed
        and call.excinfo is not None
        and not call.excinfo.errisinstance(pytest.skip.Exception)
    ):
        name = getattr(item, "originalname", item.name)
        last = _target.last_curl if _target is not None else None
        _broken.extend(broken_rules(call.excinfo.value, name, last))
    return report


def pytest_sessionfinish() -> None:
    if _target is not None:
        _target.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _target is None:
        return
    spent = "" if _target.spend.free else f", an estimated ${_target.spend.spent_usd:.2f} spent"
    terminalreporter.write_line(
        f"contract suite: ran against {_target.description}; {_target.requests} request(s),"
        f" created {_target.created} job(s){spent}"
    )
    for line in summary_lines(_broken):
        terminalreporter.write_line(line)
