"""Which drift a failed probe is tied to, and the id of its finding (in process: hand-built
findings and probe results against a loaded profile)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from drift.causes import NOT_CONFIGURATION, NOT_REACHED, attach_causes
from drift.findings import Finding, ProbeOutcome, ProbeResult, Severity, finding_id
from drift.kinds import Kind, workload_key
from drift.probe.client import probe
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from tests.probe.helpers import AppServer, run, target

API_ENV = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
"""A profile's head: project p, service api's env (its variables follow, indent 6)."""
WS_PROBE = "    probe:\n      websocket: /ws\n      hold: 0.2s\n"
"""api's probe: a WebSocket at /ws, held 0.2 s."""
PROFILE = (
    API_ENV
    + "      MODE: live\n"
    + WS_PROBE
    + """\
jobs:
  api:
    env:
      NEEDED: x
"""
)


def loaded(tmp_path: Path, text: str) -> Profile:
    """Profile prod, `text`, written in `tmp_path` and loaded."""
    (tmp_path / "prod.yaml").write_text(text)
    return load_profile(tmp_path, "prod")


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return loaded(tmp_path, PROFILE)


def missing(kind: Kind, revision: str | None) -> Finding:
    key = workload_key(kind, "api")
    return Finding(
        id=finding_id("prod", key, "env.missing", "env.NEEDED"),
        rule="env.missing",
        severity=Severity.ERROR,
        service="api",
        revision=revision,
        target="env.NEEDED",
        message="NEEDED is missing",
        expected="x",
        actual=None,
        location=None,
        kind=kind,
    )


def closed_1011(revision: str | None = "api-00001-abc", tag: str | None = None) -> ProbeResult:
    host = f"{tag}---api.run.app" if tag else "api.run.app"
    return ProbeResult(
        service="api",
        revision=revision,
        url=f"wss://{host}/ws",
        outcome=ProbeOutcome.CLOSE_1011,
        elapsed_ms=3,
        http_status=101,
        close_code=1011,
        detail="server closed with 1011",
        **({"tag": tag} if tag else {}),  # type: ignore[arg-type]
    )


def test_a_job_named_like_the_service_is_not_blamed(profile: Profile) -> None:
    job = missing(Kind.JOB, None)  # a job's findings are on no revision
    (probe,), (finding,) = attach_causes(profile, [closed_1011()], [job])
    assert probe.suspected_causes == ()
    assert probe.detail.endswith(NOT_CONFIGURATION)
    assert "job" not in finding.message
    # the same drift on the service itself is the suspect
    on_service = missing(Kind.SERVICE, "api-00001-abc")
    (probe,), _ = attach_causes(profile, [closed_1011()], [job, on_service])
    assert probe.suspected_causes == (on_service.id,)


def test_each_probed_url_has_its_own_stable_finding_id(profile: Profile) -> None:
    def ids() -> list[str]:
        probes = [
            closed_1011(None),  # the service URL, split across revisions
            closed_1011("api-00001-abc", "blue"),
            closed_1011("api-00002-def", "green"),
        ]
        _, findings = attach_causes(profile, probes, [])
        return [f.id for f in findings]

    first = ids()
    assert len(set(first)) == 3
    assert ids() == first  # the same drift, the same id, run after run
    # the service URL keeps the id it always had (baselines hold it)
    assert first[0] == finding_id("prod", "api", "probe.close_1011", "probe")
    # a tag's id follows its tag, not the revision it points to (a deploy changes that)
    _, (moved,) = attach_causes(profile, [closed_1011("api-00003-xyz", "blue")], [])
    assert moved.id == first[1]


def failed(outcome: ProbeOutcome, detail: str, **fields: object) -> ProbeResult:
    return ProbeResult(
        service="api",
        revision="api-00001-abc",
        url="wss://api-xyz-uc.a.run.app/ws",
        outcome=outcome,
        elapsed_ms=12,
        detail=detail,
        **fields,  # type: ignore[arg-type]
    )


NOT_REACHING = {
    "dns": "DNS lookup failed for api-xyz-uc.a.run.app: Name or service not known",
    "refused": "connection to api-xyz-uc.a.run.app refused",
    "tls": "TLS certificate of api-xyz-uc.a.run.app rejected: certificate has expired",
    "proxy": "proxy http://proxy:3128 failed to reach api-xyz-uc.a.run.app: HTTP 403",
    "connect timeout": "no connection to api-xyz-uc.a.run.app within 10 s (timeout)",
}


@pytest.mark.parametrize("detail", NOT_REACHING.values(), ids=NOT_REACHING.keys())
@pytest.mark.parametrize("checked", [True, False])
def test_a_probe_that_never_reached_the_service_blames_no_drift(
    profile: Profile, detail: str, checked: bool
) -> None:
    """revprobe F3: no variable of the container makes its URL fail to resolve, its port
    refuse or its certificate expire: such a failure carries no suspects, and says why instead
    (with or without a check: `drift probe` does not send the user to check configuration)."""
    drifted = missing(Kind.SERVICE, "api-00001-abc")
    (probe,), (finding,) = attach_causes(
        profile, [failed(ProbeOutcome.UNREACHABLE, detail)], [drifted], checked=checked
    )
    assert probe.suspected_causes == ()
    assert probe.detail == f"{detail}; {NOT_REACHED}"
    assert "suspected cause" not in finding.message and "env.NEEDED" not in finding.message
    assert finding.message.endswith(NOT_REACHED)


HUNG = failed(
    ProbeOutcome.UNREACHABLE,
    "api-xyz-uc.a.run.app took the connection but answered no WebSocket handshake "
    "within 10 s (timeout)",
    handshake_hung=True,
)
COLD = "a handshake left unanswered may also be a cold start longer than the probe's timeout"


def test_a_handshake_left_unanswered_is_tied_to_drift(profile: Profile) -> None:
    """The connection was made and the app never answered: a hung or starting container
    (a wrong REDIS_HOST it waits on) can cause that; so can a cold start, which it says."""
    drifted = missing(Kind.SERVICE, "api-00001-abc")
    (probe,), (finding,) = attach_causes(profile, [HUNG], [drifted])
    assert probe.suspected_causes == (drifted.id,)
    assert "; suspected cause: env.missing env.NEEDED; " + COLD in finding.message
    assert COLD in probe.detail


def test_a_handshake_left_unanswered_without_drift_may_be_a_cold_start(profile: Profile) -> None:
    """helper-770: without drift on the service, a hang is not "not configuration (look at
    the code)": a revision with no instance running takes its start to answer (sandbox option
    `cold_start_ms`; `drift fix` probes it again)."""
    (probe,), (finding,) = attach_causes(profile, [HUNG], [])
    assert probe.suspected_causes == ()
    assert "the cause is not configuration" not in probe.detail + finding.message
    assert COLD in probe.detail and COLD in finding.message
    assert "no configuration drift found on this service that explains it" in probe.detail


def test_a_failure_on_the_way_says_nothing_of_a_cold_start(profile: Profile) -> None:
    """A connection never made (no handshake sent) is no cold start of the service's."""
    timeout = failed(ProbeOutcome.UNREACHABLE, "no connection to api within 10 s (timeout)")
    (probe,), _ = attach_causes(profile, [timeout], [])
    assert "cold start" not in probe.detail


@pytest.mark.parametrize("status", [500, 503, 403, 404, 429, 301])
def test_any_rejection_is_tied_to_drift(profile: Profile, status: int) -> None:
    """SPEC: `probe.rejected` is any HTTP status instead of 101 ("e.g. 403, 500, 503"), and a
    failed probe on a service with drift carries suspects: a 5xx is the app failing (or Cloud
    Run answering for a container that cannot start), a 4xx the app refusing a socket it
    cannot serve, or Cloud Run's own answer for a setting drift compares (revown12 F1)."""
    drifted = missing(Kind.SERVICE, "api-00001-abc")
    rejected = failed(ProbeOutcome.REJECTED, f"HTTP {status}", http_status=status)
    (probe,), (finding,) = attach_causes(profile, [rejected], [drifted])
    assert probe.suspected_causes == (drifted.id,)
    assert "env.missing env.NEEDED" in finding.message
    assert "no drift is suspected" not in probe.detail + finding.message
    # a 3xx or 4xx says Cloud Run may have answered itself; a 5xx does not
    in_front = f"an HTTP {status} may also be Cloud Run's own answer"
    assert (in_front in probe.detail) is (status < 500)
    assert (in_front in finding.message) is (status < 500)


def test_a_4xx_without_drift_says_cloud_run_may_have_answered(profile: Profile) -> None:
    """Without drift on the service a 4xx is not "not configuration": an IAM binding drift
    does not read may refuse the caller."""
    rejected = failed(ProbeOutcome.REJECTED, "HTTP 403 Forbidden", http_status=403)
    (probe,), (finding,) = attach_causes(profile, [rejected], [])
    assert probe.suspected_causes == ()
    assert "roles/run.invoker" in probe.detail and "roles/run.invoker" in finding.message
    assert "the cause is not configuration" not in probe.detail
    assert "no drift is suspected" not in probe.detail


SETTINGS_PROFILE = (
    API_ENV
    + """\
      JWT_SECRET: {secret: jwt-secret}
    settings:
      ingress: all
      invoker_iam_disabled: true
      max_instances: 20
"""
    + WS_PROBE
)


@pytest.fixture
def settings_profile(tmp_path: Path) -> Profile:
    return loaded(tmp_path, SETTINGS_PROFILE)


def drifted(rule: str, target: str) -> Finding:
    return Finding(
        id=finding_id("prod", "api", rule, target),
        rule=rule,
        severity=Severity.ERROR,
        service="api",
        revision="api-00001-abc",
        target=target,
        message=f"{target} drifted",
        expected="x",
        actual="y",
        location=None,
    )


def test_an_app_refusing_before_accept_is_tied_to_the_missing_secret(
    app_server: AppServer, settings_profile: Profile
) -> None:
    """Starlette's `await ws.close()` before `accept()` (an app that cannot verify tokens
    without its JWT secret) is HTTP 403 from uvicorn: the env.missing is suspected."""
    result = run(probe(target(app_server.base_url, "/reject", service="api"), environ={}))
    assert (result.outcome, result.http_status) == (ProbeOutcome.REJECTED, 403)
    result = replace(result, revision="api-00001-abc")
    gone = drifted("env.missing", "env.JWT_SECRET")
    (probed,), _ = attach_causes(settings_profile, [result], [gone])
    assert probed.suspected_causes == (gone.id,), probed.detail
    assert "no drift is suspected" not in probed.detail


@pytest.mark.parametrize(
    ("status", "setting"),
    [
        (403, "setting.invoker_iam_disabled"),  # the invoker IAM check turned back on
        (404, "setting.ingress"),  # ingress narrowed
        # "If no instances become available during the 60 second window, the request fails
        # with a 429 error code on Cloud Run" (cloud.google.com/run/docs/about-instance-
        # autoscaling)
        (429, "setting.max_instances"),
    ],
)
def test_a_cloud_run_4xx_is_tied_to_the_setting_that_causes_it(
    settings_profile: Profile, status: int, setting: str
) -> None:
    setting_drift = drifted("setting.value", setting)
    rejected = failed(ProbeOutcome.REJECTED, f"HTTP {status}", http_status=status)
    (probe,), (finding,) = attach_causes(settings_profile, [rejected], [setting_drift])
    assert probe.suspected_causes == (setting_drift.id,), probe.detail
    assert f"setting.value {setting}" in finding.message
    assert "no drift is suspected" not in probe.detail + finding.message


@pytest.mark.parametrize(
    "outcome", [ProbeOutcome.CLOSE_1011, ProbeOutcome.ABNORMAL, ProbeOutcome.UNEXPECTED]
)
def test_what_an_opened_socket_did_is_tied_to_drift(
    profile: Profile, outcome: ProbeOutcome
) -> None:
    drifted = missing(Kind.SERVICE, "api-00001-abc")
    (probe,), _ = attach_causes(profile, [failed(outcome, "x", http_status=101)], [drifted])
    assert probe.suspected_causes == (drifted.id,)


def test_a_server_error_on_an_encrypted_revision_names_its_key_not_configuration(
    profile: Profile,
) -> None:
    """A 503 from a revision encrypted with a customer-managed key: the key, whose state drift
    does not read, may be what starts no instance; a socket that opened and closed 1011 had
    an instance, and a revision without a key has nothing to name."""
    key = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"
    keys = {"api-00001-abc": key}
    unavailable = replace(
        closed_1011(),
        outcome=ProbeOutcome.REJECTED,
        http_status=503,
        close_code=None,
        detail="HTTP 503 Service Unavailable",
    )
    (probe,), _ = attach_causes(profile, [unavailable], [], keys=keys)
    assert f"encrypted with the key {key}" in probe.detail
    assert NOT_CONFIGURATION not in probe.detail
    for result, known in ((closed_1011(), keys), (unavailable, {"api-00002-xyz": key})):
        (probe,), _ = attach_causes(profile, [result], [], keys=known)
        assert probe.detail.endswith(NOT_CONFIGURATION), probe.detail
