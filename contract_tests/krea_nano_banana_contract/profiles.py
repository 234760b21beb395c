"""Hypothesis profiles: `ci` (derandomized, bounded), `dev` (random, the default off CI) and
`fast`, chosen by HYPOTHESIS_PROFILE. A live run uses the same profile without shrinking."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# The default off CI: quick enough to run on every change (the suite in-process in ~15 s).
settings.register_profile(
    "dev",
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# A quick look while editing: few examples, no shrinking.
settings.register_profile(
    "fast", parent=settings.get_profile("dev"), max_examples=10, phases=[Phase.generate]
)


def chosen() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")


def load() -> str:
    """Loads the chosen profile: before any test module is imported, since Hypothesis gives
    each test the profile loaded when the test was defined."""
    name = chosen()
    settings.load_profile(name)
    if os.environ.get("KREA_BASE_URL"):
        live()
    return name


def thorough() -> bool:
    """CI can afford the checks that cost most for what they add beyond the others (such as
    Schemathesis's coverage phase, whose boundary cases the suite's own invalid bodies also
    draw); a developer's run skips them to stay quick."""
    return chosen() == "ci"


def live() -> None:
    """Live, a failure is reported as found: a server moving with time seldom fails the same
    way twice, so shrinking it costs minutes of waiting and ends in a flaky-test error."""
    settings.register_profile(
        "live",
        parent=settings.default,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        report_multiple_bugs=False,
        database=None,
    )
    settings.load_profile("live")
