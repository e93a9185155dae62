"""`drift check --probe` and `drift probe` against the sandbox's real WebSocket backends:
1011 with a variable removed, ok with it present, suspected causes, tag URLs probed apart."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.probe.live as live_probe
from drift.causes import NOT_CHECKED, NOT_CONFIGURATION
from drift.check import run_check
from drift.findings import ProbeOutcome
from drift.live.calls import CallRunner
from drift.probe.live import run_probe
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.sandbox import Fault, Sandbox, mint_test_jwt
from drift.settings import load_settings
from tests.cliutil import REPO, drift

PROJECT = "acme-chat-staging"


@pytest.fixture
def env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        **sandbox.environ(),
        "ACME_TEST_JWT": mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging")),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def check(environment: str, env: dict[str, str], profiles: Path = REPO / "profiles") -> Report:
    profile = load_profile(profiles, environment)
    return asyncio.run(
        run_check(profile, load_settings(), probe=True, environ=env, today=dt.date(2026, 11, 24))
    ).report


def test_the_incident_closes_1011_and_names_its_cause(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    report = check("e2e", env)
    (probe,) = report.probes
    assert (probe.service, probe.outcome) == ("api", ProbeOutcome.CLOSE_1011)
    assert (probe.http_status, probe.close_code, probe.close_reason) == (
        101,
        1011,
        "internal error",
    )
    by_id = {f.id: f for f in report.findings}
    causes = [(by_id[c].rule, by_id[c].target) for c in probe.suspected_causes]
    assert causes[:3] == [
        ("env.missing", "env.E2E_OAUTH_SIMULATION_KEY"),
        ("env.missing", "env.E2E_TEST_MODE"),
        ("env.missing", "env.JWT_SECRET_STAGING"),
    ]
    (finding,) = [f for f in report.findings if f.rule.startswith("probe.")]
    assert finding.rule == "probe.close_1011" and finding.target == "probe"
    assert (finding.location.file, finding.location.line) == ("profiles/e2e.yaml", 14)  # type: ignore[union-attr]
    # staging's probe sends no E2E header: the same revision answers it fine
    (staging_probe,) = check("staging", env).probes
    assert staging_probe.outcome is ProbeOutcome.OK


def test_ok_once_the_variables_are_present(sandbox: Sandbox, env: dict[str, str]) -> None:
    sandbox.set_env(
        PROJECT, "api", "E2E_OAUTH_SIMULATION_KEY", None, secret="e2e-oauth-simulation-key-staging"
    )
    sandbox.set_env(PROJECT, "api", "E2E_TEST_MODE", "true")
    sandbox.set_env(PROJECT, "api", "JWT_SECRET_STAGING", None, secret="jwt-secret-staging")
    (probe,) = check("e2e", env).probes
    assert probe.outcome is ProbeOutcome.OK and probe.ok
    assert probe.elapsed_ms >= 1000  # held open for `hold: 1s`


def test_failure_without_drift_is_not_configuration(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real incident's second root cause (middleware order in code) looked like this:
    the probe fails and every variable is as the profile says."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    # staging's expectations, probed the way the E2E suite connects
    (tmp_path / "profiles" / "e2e-handshake.yaml").write_text(
        "extends: staging\nservices:\n  api:\n    probe:\n      headers: {X-Test-Type: e2e}\n"
    )
    sandbox.set_env(PROJECT, "api", "TESTING", None)
    report = check("e2e-handshake", env, Path("profiles"))
    assert not [f for f in report.findings if f.service == "api" and not f.rule.startswith("probe")]
    (probe,) = report.probes
    assert probe.outcome is ProbeOutcome.CLOSE_1011 and probe.suspected_causes == ()
    assert probe.detail.endswith(NOT_CONFIGURATION)
    (finding,) = [f for f in report.findings if f.rule.startswith("probe")]
    assert finding.message.count(NOT_CONFIGURATION) == 1


def test_each_tagged_serving_revision_is_probed_on_its_own_url(
    sandbox: Sandbox, env: dict[str, str], clients: object
) -> None:
    old, new = split_blue_green(sandbox, clients, {"E2E_TEST_MODE": "true"})
    report = check("e2e", env)
    probed = sorted((p.revision or "service", p.url) for p in report.probes)
    assert [r for r, _ in probed] == sorted([old, new, "service"])
    assert len({u for _, u in probed}) == 3
    assert all(p.outcome is ProbeOutcome.CLOSE_1011 for p in report.probes)
    # one finding per probed URL, each with its own id (SARIF fingerprints, baselines)
    ids = [f.id for f in report.findings if f.rule == "probe.close_1011"]
    assert len(ids) == len(set(ids)) == 3


def split_blue_green(
    sandbox: Sandbox, clients: object, fix: dict[str, str | None]
) -> tuple[str, str]:
    """api serves 50/50, both tagged: blue (the revision it had) and green (with `fix`: a
    value, or None for a reference to the secret of the variable's staging name)."""
    old = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    for name, value in fix.items():
        secret = None if value else SECRETS[name]
        fixed = sandbox.set_env(PROJECT, "api", name, value, secret=secret)
    new = fixed.latest_ready_revision.rsplit("/", 1)[-1]
    service = sandbox.service(PROJECT, "api")
    kind = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
    service.traffic = [
        run_v2.TrafficTarget(type_=kind, revision=old, percent=50, tag="blue"),
        run_v2.TrafficTarget(type_=kind, revision=new, percent=50, tag="green"),
    ]
    clients.services.update_service(service=service).result(timeout=30)  # type: ignore[attr-defined]
    return old, new


SECRETS = {
    "E2E_OAUTH_SIMULATION_KEY": "e2e-oauth-simulation-key-staging",
    "JWT_SECRET_STAGING": "jwt-secret-staging",
}
E2E_FIXED: dict[str, str | None] = {
    "E2E_OAUTH_SIMULATION_KEY": None,
    "E2E_TEST_MODE": "true",
    "JWT_SECRET_STAGING": None,
}
"""What the E2E probe needs of api."""


def probe_only(
    environment: str, env: dict[str, str], where: Path = REPO / "profiles", **settings: float
) -> Report:
    return asyncio.run(
        run_probe(load_profile(where, environment), load_settings(**settings), environ=env)
    )


def test_a_serving_revision_that_cannot_be_read_is_probed_all_the_same(
    sandbox: Sandbox, env: dict[str, str], clients: object
) -> None:
    old, new = split_blue_green(sandbox, clients, E2E_FIXED)
    sandbox.inject(Fault(method="GetRevision", code="PERMISSION_DENIED", match=old))
    report = probe_only("e2e", env)
    by_tag = {p.tag: p for p in report.probes}
    assert set(by_tag) == {None, "blue", "green"}
    # blue serves half the traffic at its own URL: it is probed, as the revision it is
    assert (by_tag["blue"].revision, by_tag["blue"].outcome) == (old, ProbeOutcome.CLOSE_1011)
    assert (by_tag["green"].revision, by_tag["green"].outcome) == (new, ProbeOutcome.OK)
    # which of the two answered the service URL is not known: no revision is named
    assert by_tag[None].revision is None
    # and the revision that could not be read is said: never clean
    assert [u.target for u in report.unverified] == [f"revision.{old}"]
    assert report.exit_code != 0


def test_a_service_without_a_url_is_unverified_never_clean(
    sandbox: Sandbox, env: dict[str, str], clients: object
) -> None:
    sandbox.set_env(PROJECT, "api", "TESTING", None)  # api as staging wants it: no drift
    service = sandbox.service(PROJECT, "api")
    service.default_uri_disabled = True  # what `--no-default-url` sets
    clients.services.update_service(service=service).result(timeout=30)  # type: ignore[attr-defined]
    assert sandbox.service(PROJECT, "api").uri == ""
    for report in (check("staging", env), probe_only("staging", env)):
        api = [u for u in report.unverified if u.service == "api"]
        assert [u.target for u in api] == ["probe"], report.unverified
        assert "no URL" in api[0].reason
        assert not [p for p in report.probes if p.service == "api"]
        assert report.exit_code != 0
    assert probe_only("staging", env).exit_code == 3  # only api is probed: incomplete


def ghost_probed(env: dict[str, str], tmp_path: Path) -> Report:
    """`drift probe x` (written in `tmp_path`), of one service, ghost, that does not exist."""
    (tmp_path / "x.yaml").write_text(
        f"project: {PROJECT}\nregion: us-central1\nservices:\n"
        "  ghost:\n    probe:\n      websocket: /ws\n      hold: 0.2s\n"
    )
    return probe_only("x", env, tmp_path)


def test_a_probed_service_that_does_not_exist_is_said(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    report = ghost_probed(env, tmp_path)
    (finding,) = report.findings
    assert (finding.rule, finding.service) == ("service.missing", "ghost")
    assert report.exit_code == 1


def test_drift_probe_waits_for_a_deploy_in_progress(sandbox: Sandbox, env: dict[str, str]) -> None:
    sandbox.hold_deploys()
    sandbox.deploy(PROJECT, "api", env={"E2E_TEST_MODE": "true"})  # reconciling from now on
    seen = len(sandbox.calls)

    def once_read() -> None:
        """The deploy settles once drift has read it in progress (not at a fixed second)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            c.short == "GetService" and "/services/api" in str(c.request)
            for c in sandbox.calls[seen:]
        ):
            time.sleep(0.02)
        sandbox.finish_deploy(PROJECT, "api")

    settle = threading.Thread(target=once_read)
    settle.start()
    try:
        report = probe_only("staging", env, wait=30)
    finally:
        settle.join()
    assert not report.unverified, report.unverified
    assert [p.service for p in report.probes] == ["api"]


def test_probe_command_without_the_token_is_one_clear_error(sandbox: Sandbox) -> None:
    done = drift("probe", "e2e", env=sandbox.environ())
    assert done.returncode == 2
    assert "ACME_TEST_JWT" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("drift: error:") == 1


def test_probe_command_reports_without_claiming_a_cause(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    done = drift("probe", "e2e", "--format", "json", env=env)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    (probe,) = report["probes"]
    assert probe["outcome"] == "close_1011" and probe["suspected_causes"] == []
    assert "run `drift check --probe`" in probe["detail"]
    assert env["ACME_TEST_JWT"] not in done.stdout + done.stderr
    (finding,) = report["findings"]  # says it once, as the probe does
    assert finding["message"].count(NOT_CHECKED) == 1
    assert probe["detail"].count(NOT_CHECKED) == 1


def _ignoring_1011(tmp_path: Path) -> Path:
    root = tmp_path / "profiles"
    shutil.copytree(REPO / "profiles", root)
    with (root / "e2e.yaml").open("a") as handle:
        handle.write(
            "ignore:\n"
            "  - {service: api, rule: probe.close_1011, reason: known 1011 OPS-9, "
            "until: 2099-12-31}\n"
        )
    return root


def test_an_ignore_of_a_probe_rule_silences_the_probe_finding(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """revbaseline 5: the profile accepted `rule: probe.close_1011`, but ignores were applied
    inside the diff, before the probes' findings were made: the entry silenced nothing."""
    report = check("e2e", env, _ignoring_1011(tmp_path))
    (probe,) = [f for f in report.findings if f.rule == "probe.close_1011"]
    assert probe.ignored and probe.ignore_reason == "known 1011 OPS-9"
    (result,) = report.probes  # the probe itself still says what it saw, and its causes
    assert result.outcome is ProbeOutcome.CLOSE_1011 and result.suspected_causes


def test_drift_probe_applies_the_ignore_too(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    root = _ignoring_1011(tmp_path)
    done = drift("probe", "e2e", "--profiles", str(root), "--format", "json", env=env)
    report = json.loads(done.stdout)
    (finding,) = report["findings"]
    assert finding["ignored"] and finding["ignore_reason"] == "known 1011 OPS-9"
    assert done.returncode == 0, done.stdout


def test_probe_takes_fail_on_over_the_variable_as_check_does(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    """SPEC: `--fail-on` is a common option, and an option wins over `DRIFT_FAIL_ON`: a CI
    step overrides the job's DRIFT_FAIL_ON=never for its probe (revspec1)."""
    never = {**env, "DRIFT_FAIL_ON": "never"}
    assert drift("probe", "e2e", env=never).returncode == 0
    done = drift("probe", "e2e", "--fail-on", "error", env=never)
    assert done.returncode == 1, done.stderr
    assert drift("probe", "e2e", "--fail-on", "never", env=env).returncode == 0


def _fixed(sandbox: Sandbox) -> None:
    """The E2E variables the incident's revision lacks, deployed (one revision each)."""
    sandbox.set_env(
        PROJECT, "api", "E2E_OAUTH_SIMULATION_KEY", None, secret="e2e-oauth-simulation-key-staging"
    )
    sandbox.set_env(PROJECT, "api", "E2E_TEST_MODE", "true")
    sandbox.set_env(PROJECT, "api", "JWT_SECRET_STAGING", None, secret="jwt-secret-staging")


def _serving(sandbox: Sandbox) -> str:
    return sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]


def _deploy_while_probing(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, deploy: Callable[[Sandbox], None]
) -> list[str]:
    """A deploy (CI's) lands after drift read the service and before it probes it: the
    revisions that serve, before and after."""
    real = live_probe.probe_all
    seen: list[str] = []

    async def deploy_then_probe(*args: Any, **kw: Any) -> Any:
        seen.append(_serving(sandbox))
        deploy(sandbox)
        seen.append(_serving(sandbox))
        return await real(*args, **kw)

    monkeypatch.setattr(live_probe, "probe_all", deploy_then_probe)
    return seen


def _changed(report: Report, seen: list[str]) -> None:
    """The probe is unverified, naming both revisions, and credited to none of them."""
    assert not report.probes and not [f for f in report.findings if f.rule.startswith("probe")]
    (item,) = [u for u in report.unverified if u.target == "probe"]
    assert item.service == "api"
    assert f"the service changed while it was probed: {seen[0]} → {seen[1]}" in item.reason
    assert item.reason.count("run again") == 1


def test_a_deploy_of_the_fix_while_probing_is_not_credited_to_the_drifted_revision(
    sandbox: Sandbox, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """revrace F1: the fixed revision answered `ok`; the report said `ok` for the drifted
    revision it had read (whose variables close the socket with 1011)."""
    seen = _deploy_while_probing(sandbox, monkeypatch, _fixed)
    report = check("e2e", env)
    _changed(report, seen)
    assert {"env.missing"} <= {f.rule for f in report.findings}  # the read revision's drift
    # `drift probe` as well: unverified, exit 3
    seen[:] = []
    sandbox.set_env(PROJECT, "api", "E2E_TEST_MODE", None)  # drifted again
    done = probe_only("e2e", env)
    _changed(done, seen)
    assert done.exit_code == 3


def test_a_broken_deploy_while_probing_is_not_said_to_be_no_configuration_problem(
    sandbox: Sandbox, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """revrace F1, the other way: a clean revision read, a broken one deployed before the
    handshake (1011): never "not a configuration problem" beside the clean revision."""
    _fixed(sandbox)
    seen = _deploy_while_probing(
        sandbox, monkeypatch, lambda s: s.set_env(PROJECT, "api", "E2E_TEST_MODE", None)
    )
    report = check("e2e", env)
    _changed(report, seen)
    assert "env.missing" not in {f.rule for f in report.findings if f.service == "api"}


def test_a_probe_reads_each_probed_service_once_more_and_lists_nothing_again(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    """The read after the probes is one GetService per probed service: nothing else listed
    or read again."""
    profile = load_profile(REPO / "profiles", "e2e")
    settings = load_settings()
    runner = CallRunner(settings.access().limits)
    asyncio.run(run_check(profile, settings, environ=env, runner=runner))
    without = dict(runner.counts)
    runner = CallRunner(settings.access().limits)
    asyncio.run(run_check(profile, settings, probe=True, environ=env, runner=runner))
    more = {k: v - without.get(k, 0) for k, v in runner.counts.items() if v != without.get(k, 0)}
    # and, the probe's close carrying the service's text (api closes with 1011), the value of
    # the version its revision references that `check` did not read, once, to mask its echo
    # (helper-837 F1): database-url-staging's; those `check` read are not read again
    assert more == {"GetService": 1, "AccessSecretVersion": 1}, more
