"""A live CPU or memory limit drift cannot read is that setting unverified for that service
(exit 3, naming the service, the setting and the value), never the whole `drift check` ending
in "internal error" (main: ValueError out of catalogue._cpu_text's `int()`, now
fields.limits.cpu_text, exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult
from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile


def _world(limits: dict[str, str]) -> dict[str, Any]:
    container = {
        "image": "x/api:1",
        "ports": [{"containerPort": 8080}],
        "resources": {"limits": limits, "cpuIdle": True},
    }
    services = {
        "api": {"template": {"api": {"containers": [container]}}},
        "web": {"template": {"image": "x/web:1"}},
    }
    return {"projects": {"p": {"number": 5, "services": services}}}


LimitsCheck = Callable[[dict[str, str], str], CheckResult]


@pytest.fixture
def check_limits(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> LimitsCheck:
    """`check` of `_world(limits)` against the profile prod of text `profile`, as a function
    of (limits, profile)."""

    def checked(limits: dict[str, str], profile: str) -> CheckResult:
        return check_profile(make_sandbox, monkeypatch, tmp_path, _world(limits), profile)

    return checked


def _profile(api: str) -> str:
    return (
        "project: p\nregion: us-central1\nservices:\n"
        f"  api:\n    settings:\n{api}"
        "  web:\n    settings:\n      cpu: 1\n"
    )


@pytest.mark.parametrize(
    ("key", "live", "want"),
    # fixcpu2: `0.0001` and `100n` are now read exactly (a CPU finer than a millicore is what a
    # Cloud Run function's service holds: tests/test_function_cpu_exact.py)
    [("cpu", "-500m", "1"), ("cpu", "-1", "1"), ("memory", "1.5", "1Gi")],
)
def test_a_limit_drift_cannot_read_is_that_setting_unverified(
    check_limits: LimitsCheck, key: str, live: str, want: str
) -> None:
    result = check_limits({key: live}, _profile(f"      {key}: '{want}'\n"))
    report = result.report
    assert report.exit_code == 3, report.findings
    (item,) = [u for u in report.unverified if u.service == "api"]
    assert item.target == f"setting.{key}" and live in item.reason, item
    assert not report.findings  # web compared (its cpu agrees), api's other settings too


def test_an_unset_concurrency_under_a_cpu_drift_cannot_read_is_unread() -> None:
    """Unset, the concurrency's default depends on the CPU (80 at 1 CPU or more, else 1):
    main ran `parse_cpu` on the raw text and ended the check (the sandbox always returns a
    concurrency, as Cloud Run does, so this is read from the protos directly)."""
    from google.cloud import run_v2

    from drift.fields import Source, read_settings, unreadable_settings

    limits = {"cpu": "-1"}
    container = run_v2.Container(image="x", resources=run_v2.ResourceRequirements(limits=limits))
    template = run_v2.RevisionTemplate(containers=[container])
    service = run_v2.Service(name="projects/p/locations/r/services/api", template=template)
    pb = run_v2.Service.pb(service)
    source = Source(pb, pb.template, pb.template.containers[0])
    unread = unreadable_settings(source)
    assert set(unread) == {"cpu", "concurrency"}, unread
    assert "-1" in unread["concurrency"]
    assert "cpu" not in read_settings(source) and "concurrency" not in read_settings(source)
    pb.template.max_instance_request_concurrency = 4  # set: its own value, no default needed
    assert "concurrency" not in unreadable_settings(
        Source(pb, pb.template, pb.template.containers[0])
    )
