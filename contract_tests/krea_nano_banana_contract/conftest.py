from __future__ import annotations

from collections.abc import Iterator

import pytest

from krea_nano_banana_contract import profiles
from krea_nano_banana_contract.target import ContractClient, Target, from_environment

profiles.load()
_target: Target | None = None


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
        pytest.skip("creating jobs on a non-loopback server costs money: set KREA_ALLOW_SPEND=1")
    return target


@pytest.fixture
def client(spending: Target) -> Iterator[ContractClient]:
    with spending.client(spending.fresh_token()) as opened:
        yield opened


@pytest.fixture(scope="session")
def in_process(target: Target) -> Target:
    """The target, for properties that steer the mock's clock or progression."""
    if target.live:
        pytest.skip("needs the in-process mock's clock; the live variant of this test runs instead")
    return target


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _target is not None:
        terminalreporter.write_line(
            f"contract suite: ran against {_target.description}; created {_target.created} job(s)"
        )
