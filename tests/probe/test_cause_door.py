"""Suspects of a failed probe and the door settings: `ingress`, `invoker_iam_disabled` and
`default_uri_disabled` act on a request before any container sees it ("All network ingress
paths are subject to the service's ingress setting … IAM authentication still applies to
requests reaching the service endpoints", cloud.google.com/run/docs/securing/ingress). A socket
that opened (the app's 101) went through them: their drift cannot explain what it did next. An
HTTP 403/404/429 may be Cloud Run's own answer at that door: their drift is then the first
suspect, before a variable's."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.causes import attach_causes
from drift.findings import Finding, ProbeOutcome, ProbeResult
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from tests.probe.test_causes import API_ENV, WS_PROBE, drifted, failed, loaded

SETTINGS = API_ENV + "      MODE: live\n      JWT_SECRET: {secret: jwt-secret}\n    settings:\n"
"""api's env (MODE, the secret JWT_SECRET) down to its settings' line (they follow, indent 6)."""
PROFILE = (
    SETTINGS
    + """\
      ingress: all
      invoker_iam_disabled: true
      default_uri_disabled: false
      max_instances: 20
      memory: 1Gi
"""
    + WS_PROBE
)


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return loaded(tmp_path, PROFILE)


def result(outcome: ProbeOutcome, status: int, code: int | None = None) -> ProbeResult:
    return failed(outcome, "x", http_status=status, close_code=code)


def after_a_1011(
    profile: Profile, findings: list[Finding]
) -> tuple[list[ProbeResult], list[Finding]]:
    """`attach_causes` for a socket that opened (101) and closed with 1011."""
    return attach_causes(profile, [result(ProbeOutcome.CLOSE_1011, 101, 1011)], findings)


def alone_is_no_suspect(profile: Profile, door: str) -> None:
    """The drift of `door` (a setting acting before any container) alone, for a socket that
    opened and closed with 1011: no suspect."""
    (probe,), _ = after_a_1011(profile, [drifted("setting.value", door)])
    assert probe.suspected_causes == ()


DOOR = ["setting.ingress", "setting.invoker_iam_disabled", "setting.default_uri_disabled"]
OPENED = {
    "close_1011": (ProbeOutcome.CLOSE_1011, 1011),
    "abnormal": (ProbeOutcome.ABNORMAL, 1006),
    "unexpected": (ProbeOutcome.UNEXPECTED, 4000),
}


@pytest.mark.parametrize("door", DOOR)
@pytest.mark.parametrize("opened", OPENED.values(), ids=OPENED.keys())
def test_a_socket_that_opened_is_not_blamed_on_a_door_setting(
    profile: Profile, door: str, opened: tuple[ProbeOutcome, int]
) -> None:
    """A 1011 on a service whose ingress also drifted named `setting.value setting.ingress`
    as its suspected cause: an operator reopening ingress for a crash after accept()."""
    outcome, code = opened
    gone = drifted("env.missing", "env.JWT_SECRET")
    memory = drifted("setting.value", "setting.memory")  # may explain a crash: kept
    findings = [drifted("setting.value", door), gone, memory]
    (probe,), (finding,) = attach_causes(profile, [result(outcome, 101, code)], findings)
    assert probe.suspected_causes == (gone.id, memory.id), probe.detail
    assert door not in finding.message


@pytest.mark.parametrize("door", DOOR)
def test_only_a_door_setting_left_for_an_opened_socket_is_no_suspect(
    profile: Profile, door: str
) -> None:
    alone_is_no_suspect(profile, door)


@pytest.mark.parametrize(
    ("status", "door"),
    [
        (403, "setting.invoker_iam_disabled"),
        (404, "setting.ingress"),
        (404, "setting.default_uri_disabled"),
        (429, "setting.max_instances"),
    ],
)
def test_cloud_runs_own_answer_names_the_door_setting_first(
    profile: Profile, status: int, door: str
) -> None:
    """Drift of a variable (rank 0-5 in the catalogue) was listed before the setting that
    makes Cloud Run itself answer a 403/404/429 (rank 7): both are suspects, the door first."""
    value = drifted("env.value", "env.MODE")
    gone = drifted("env.missing", "env.JWT_SECRET")
    setting = drifted("setting.value", door)
    (probe,), (finding,) = attach_causes(
        profile, [result(ProbeOutcome.REJECTED, status)], [value, gone, setting]
    )
    assert probe.suspected_causes == (setting.id, gone.id, value.id), probe.detail
    assert f"suspected causes: setting.value {door}, env.missing" in finding.message


def test_a_500_keeps_the_catalogue_order(profile: Profile) -> None:
    """A 5xx is the app's (or its start's) failure, not Cloud Run's door: no setting first."""
    gone = drifted("env.missing", "env.JWT_SECRET")
    setting = drifted("setting.value", "setting.ingress")
    (probe,), _ = attach_causes(profile, [result(ProbeOutcome.REJECTED, 500)], [setting, gone])
    assert probe.suspected_causes == (gone.id, setting.id)


@pytest.mark.parametrize(
    ("hold", "expected"),
    [
        ("0.2s", "handshake accepted, open for 0.2s"),
        ("0s", "handshake accepted, open for 1s (hold: 0s: watched that long after it)"),
        (
            "0s\n      expect: pong",
            "handshake accepted, open for 1s (hold: 0s: watched that long after a first message "
            "matching 'pong')",
        ),
    ],
    ids=["hold", "no-hold", "no-hold-expect"],
)
def test_a_probe_findings_expected_says_how_long_the_socket_was_to_stay_open(
    tmp_path: Path, hold: str, expected: str
) -> None:
    """helper-517: `hold: 0s` said "open for 0s" beside a detail of a 1 s watch."""
    (tmp_path / "prod.yaml").write_text(PROFILE.replace("hold: 0.2s", f"hold: {hold}"))
    profile = load_profile(tmp_path, "prod")
    _, findings = attach_causes(profile, [result(ProbeOutcome.UNEXPECTED, 101, 1000)], [])
    (finding,) = [f for f in findings if f.rule.startswith("probe.")]
    assert finding.expected == expected
