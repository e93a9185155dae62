"""`drift check` end to end: the official clients against the sandbox, every rule id, exit
codes, incomplete reads, ignores, the JSON report's schema, and no secret value in any output."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drift.check import run_check
from drift.findings import Severity
from drift.format import OutputFormat
from drift.kinds import Kind
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.rules import RULES
from drift.sandbox import Fault, Sandbox, default_scenario_path
from drift.settings import load_settings
from tests.cliutil import REPO, drift, scenario_secret_values
from tests.reportschema import SCHEMA, schema_errors

DATA = REPO / "tests" / "data"
RULES_SCENARIO = DATA / "check" / "scenario.yaml"
RULES_PROFILES = DATA / "check" / "profiles"
TODAY = dt.date(2026, 11, 24)
PROJECT = "acme-chat-staging"


def check(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    env: str,
    profiles: Path = REPO / "profiles",
    today: dt.date = TODAY,
) -> Report:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(profiles, env)
    return asyncio.run(run_check(profile, load_settings(), today=today)).report


def rules(report: Report) -> set[tuple[str, str, str]]:
    return {(f.rule, f.service, f.target) for f in report.findings if not f.ignored}


@pytest.fixture(scope="module")
def rules_sandbox() -> object:
    with Sandbox(RULES_SCENARIO) as sb:
        yield sb


def test_every_rule_end_to_end(rules_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    report = check(rules_sandbox, monkeypatch, "rules", RULES_PROFILES)
    assert rules(report) == {
        ("env.missing", "api", "env.MISSING"),
        ("env.value", "api", "env.VALUE"),
        ("env.constraint", "api", "env.URL"),
        ("env.forbidden", "api", "env.TESTING"),
        ("env.unexpected", "api", "env.EXTRA"),
        ("env.plaintext_secret", "api", "env.PLAIN_SECRET"),
        ("env.secret_ref", "api", "env.REF"),
        ("env.inconsistent", "api", "env.SHARED"),
        ("env.constraint", "api", "env.SHORT"),
        ("secret.missing", "api", "secret.s-deleted"),
        ("secret.disabled", "api", "secret.s-disabled"),
        ("secret.destroyed", "api", "secret.s-destroyed"),
        ("secret.no_access", "api", "secret.s-noaccess"),
        ("setting.value", "api", "setting.timeout"),
        ("service.missing", "ghost", "service"),
        ("revision.rollout", "rollout", "revision.rollout-00001-qgx"),
        ("revision.rollout", "split", "revision.split-00001-sxr"),
        ("env.value", "split", "env.MODE"),
    }
    assert report.exit_code == 1 and report.status.value == "drift"
    by_target = {(f.service, f.target): f for f in report.findings}
    # locations point at the profile line that set the expectation
    assert by_target[("api", "env.MISSING")].location.line == 8  # type: ignore[union-attr]
    assert by_target[("api", "secret.s-noaccess")].location.line == 18  # type: ignore[union-attr]
    # findings come from the serving revision; the split one names the old revision
    assert by_target[("split", "env.MODE")].revision == "split-00001-sxr"
    assert "Secret projects/111111111111/secrets/s-missing" in (
        by_target[("rollout", "revision.rollout-00001-qgx")].message
    )
    assert by_target[("split", "revision.split-00001-sxr")].severity is Severity.WARNING


def test_each_item_is_read_once(rules_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    rules_sandbox.clear_calls()
    check(rules_sandbox, monkeypatch, "rules", RULES_PROFILES)
    counts = rules_sandbox.call_counts()
    # 9 distinct secret versions, 7 existing secrets; values only for min_length and same_as,
    # and of the secret PLAIN_SECRET may hold pasted in (`drift.live.reads.pasted`);
    # revisions only where the template does not describe what serves (the split service's
    # older revision: its newer one is the template); the project and its policy once, for the
    # one secret whose own policy does not grant the revision's account; the revision history
    # of each service whose configuration drifted (for `since`), none for the clean ones;
    # beside the missing `ghost`, the region's jobs and worker pools once (a job or a pool
    # of that name would be named as one); `ghost`, which ListServices did not bring, asked
    # for once with GetService (a List's silence proves nothing: AIP-158; NOT_FOUND does),
    # and so the one missing secret of the project, which ListSecrets did not bring (GetSecret);
    # once everything is read, api (whose secrets are missing, disabled, destroyed, not
    # granted) read again to confirm it held still meanwhile, the policy of the secret not
    # granted, and the state of the versions missing, disabled, destroyed, asked for before
    # api was read (the profile names them), to confirm they did (drift.live.held_still): one
    # GetService, one GetIamPolicy (the secret's: the project's its verdict consulted was
    # asked for once api and the secret's policy were read, so one moment had all three as
    # read whenever those two held still until read again), four GetSecretVersion (with
    # s-short's latest, whose value fails min_length: the value judged is of the version its
    # state read resolved latest to)
    assert counts == {
        "GetSecret": 1,
        "ListRevisions": 2,
        "ListServices": 1,
        "GetService": 2,
        "ListJobs": 1,
        "ListWorkerPools": 1,
        "ListSecrets": 1,
        "GetSecretVersion": 13,
        "GetIamPolicy": 9,
        "AccessSecretVersion": 4,
        "GetRevision": 1,
        "GetProject": 1,
    }
    for method in ("GetSecretVersion", "AccessSecretVersion"):
        requests = [c.request for c in rules_sandbox.calls if c.short == method]
        read = Counter(r.name for r in requests)
        again = ["s-deleted", "s-destroyed", "s-disabled", "s-short"]
        again = again if method == "GetSecretVersion" else []
        assert sorted(n.split("/")[3] for n, k in read.items() if k > 1) == again, method
        assert max(read.values()) <= 2, method


def test_e2e_needs_what_staging_does_not(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    staging = rules(check(sandbox, monkeypatch, "staging"))
    e2e = rules(check(sandbox, monkeypatch, "e2e"))
    assert staging == {
        ("env.forbidden", "api", "env.TESTING"),
        ("env.value", "web", "env.NEXT_PUBLIC_WS_URL"),
    }
    assert e2e - staging == {
        ("env.missing", "api", "env.E2E_OAUTH_SIMULATION_KEY"),
        ("env.missing", "api", "env.E2E_TEST_MODE"),
        ("env.missing", "api", "env.JWT_SECRET_STAGING"),
        ("env.missing", "auth", "env.E2E_OAUTH_SIMULATION_KEY"),
        ("env.missing", "auth", "env.E2E_TEST_MODE"),
    }


def repair_staging(sandbox: Sandbox) -> None:
    sandbox.set_env(PROJECT, "api", "TESTING", None)
    sandbox.set_env(PROJECT, "web", "NEXT_PUBLIC_WS_URL", "wss://api.staging.acme-chat.dev/ws")


def test_clean_environment_exits_0(sandbox: Sandbox) -> None:
    repair_staging(sandbox)
    done = drift("check", "staging", env=sandbox.environ())
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("staging: ") and last.endswith("no drift (exit 0)")
    assert "1 finding ignored by the profile" in done.stdout  # until SHIPPED_UNTIL


def test_denied_secret_is_incomplete_never_clean(sandbox: Sandbox) -> None:
    repair_staging(sandbox)
    sandbox.inject(Fault(method="GetIamPolicy", code="PERMISSION_DENIED", match="jwt-secret"))
    for fmt in OutputFormat:
        done = drift("check", "staging", "--format", fmt.value, env=sandbox.environ())
        assert done.returncode == 3, (fmt, done.stdout, done.stderr)
        assert "no drift" not in done.stdout and "Traceback" not in done.stderr
        assert "jwt-secret-staging" in done.stdout, fmt
    report = json.loads(drift("check", "staging", "-f", "json", env=sandbox.environ()).stdout)
    assert report["status"] == "incomplete" and report["exit_code"] == 3
    assert {(u["service"], u["target"]) for u in report["unverified"]} == {
        ("api", "secret.jwt-secret-staging"),
        ("auth", "secret.jwt-secret-staging"),
    }
    assert report["unverified"][0]["reason"].startswith(
        "GetIamPolicy projects/acme-chat-staging/secrets/jwt-secret-staging: PERMISSION_DENIED"
    )


def test_drift_takes_precedence_over_incomplete(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(method="GetIamPolicy", code="PERMISSION_DENIED", match="jwt-secret"))
    done = drift("check", "staging", "-f", "json", env=sandbox.environ())
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["status"] == "drift"
    assert report["summary"]["unverified"] == 2  # api and auth both reference it


SHIPPED_UNTIL = dt.date.fromisoformat(
    re.findall(r"until: (\S+)", (REPO / "profiles" / "staging.yaml").read_text())[0]
)
"""The shipped staging profile's ignore (NEXT_TELEMETRY_DISABLED) holds until this day."""


def test_the_shipped_ignore_does_not_expire_soon_after_the_release() -> None:
    """It held until 2026-12-31: a month after this release, the demo, the quickstart and
    every README example of staging gained an `ignore expired` warning (and the clean check
    above failed). It is read from the profile by the tests, so moving it is one line."""
    assert SHIPPED_UNTIL >= dt.date(2027, 12, 31)
    scenario = default_scenario_path().read_text()
    assert f"(ignored by the profile until {SHIPPED_UNTIL})" in scenario


def test_an_expired_ignore_says_so(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    before = check(sandbox, monkeypatch, "staging", today=SHIPPED_UNTIL)
    after = check(sandbox, monkeypatch, "staging", today=SHIPPED_UNTIL + dt.timedelta(days=1))
    (ignored,) = [f for f in before.findings if f.target == "env.NEXT_TELEMETRY_DISABLED"]
    assert ignored.ignored and ignored.ignore_reason.startswith("set by the build image")  # type: ignore[union-attr]
    (expired,) = [f for f in after.findings if f.target == "env.NEXT_TELEMETRY_DISABLED"]
    assert not expired.ignored and expired.severity is ignored.severity  # its own: unexpected_env
    assert f"ignore expired after {SHIPPED_UNTIL} UTC" in expired.message


def test_an_ignore_expires_on_the_same_day_in_every_time_zone(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revtime 1: `until` is judged on the UTC date, not the runner's local one: at one instant
    a runner at UTC-10 and one at UTC+14 (a date apart) give the same answer."""
    # each run a process of its own (forked from the zygote, which sets the run's TZ)
    monkeypatch.setenv("DRIFT_TESTS_FORK", "zygote")
    until = dt.datetime.now(ZoneInfo("America/Adak")).date()
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for f in (REPO / "profiles").glob("*.yaml"):
        text = f.read_text().replace(f"until: {SHIPPED_UNTIL}", f"until: {until.isoformat()}")
        (profiles / f.name).write_text(text)
    results = {}
    for tz in ("America/Adak", "Pacific/Kiritimati"):
        env = {**sandbox.environ(), "TZ": tz}
        done = drift("check", "staging", "--profiles", str(profiles), "-f", "json", env=env)
        assert "Traceback" not in done.stderr, done.stderr
        results[tz] = ("ignore expired after" in done.stdout, done.returncode)
    expired = dt.datetime.now(dt.UTC).date() > until
    assert set(results.values()) == {(expired, 1)}, results


def test_fail_on_and_service_filter(sandbox: Sandbox) -> None:
    repair_staging(sandbox)
    sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "DEBUG")  # a warning-level rule
    env = sandbox.environ()
    assert drift("check", "staging", env=env).returncode == 0
    assert drift("check", "staging", "--fail-on", "warning", env=env).returncode == 1
    assert (
        drift("check", "staging", "--service", "web", "--fail-on", "warning", env=env).returncode
        == 0
    )
    assert drift("check", "staging", env={**env, "DRIFT_FAIL_ON": "warning"}).returncode == 1
    unknown = drift("check", "staging", "--service", "nope", env=env)
    assert unknown.returncode == 2
    assert "unknown service 'nope' in profile staging (services: api, auth, web)" in unknown.stderr
    empty = drift("check", "staging", "--service", "", env=env)  # `-s "$SERVICE"`, unset
    assert empty.returncode == 2
    assert "invalid value for '--service' / '-s': '' names no service" in empty.stderr


def test_json_report_validates_against_the_schema(sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = drift("check", "e2e", "--format", "json", "--output", str(out), env=sandbox.environ())
    assert done.returncode == 1 and done.stdout == ""
    report = json.loads(out.read_text())
    assert schema_errors(report) == []
    assert report["schema"] == "drift.report/v1"
    assert (report["environment"], report["project"]) == ("e2e", PROJECT)
    missing = [f for f in report["findings"] if f["target"] == "env.E2E_OAUTH_SIMULATION_KEY"]
    assert {f["location"]["file"] for f in missing} == {"profiles/e2e.yaml"}


def test_the_schema_admits_every_rule_of_the_catalogue_and_every_target_form() -> None:
    """The schema's rule enum is drift/rules.py's RULES (a rule added to the catalogue and
    not to the schema fails here), and its target pattern admits every form a finding's
    target takes (revspec2 1: `mount.PATH`, `execution` were rejected)."""
    finding = SCHEMA["$defs"]["finding"]["properties"]
    assert finding["rule"]["enum"] == list(RULES)
    pattern = re.compile(finding["target"]["pattern"])
    targets = [
        *(
            f"{family}.X"
            for family in {r.family for r in RULES.values()} - {"probe", "job", "service"}
        ),
        "mount./etc/tls",
        "container.otel-collector",
        "probe",
        "execution",
        *(kind.value for kind in Kind),  # service.missing names the workload's kind
    ]
    assert [t for t in targets if not pattern.search(t)] == []


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_no_secret_value_in_any_format(rules_sandbox: Sandbox, fmt: OutputFormat) -> None:
    secrets = scenario_secret_values(RULES_SCENARIO) + scenario_secret_values(
        default_scenario_path()
    )
    done = drift(
        "check",
        "rules",
        "--profiles",
        str(RULES_PROFILES),
        "--format",
        fmt.value,
        "--verbose",
        env=rules_sandbox.environ(),
    )
    assert done.returncode == 1, done.stderr
    for value in secrets:
        assert value not in done.stdout and value not in done.stderr, (fmt, value)
    assert "fake-plain-secret-iiiiiiii" not in done.stdout  # a plain credential, masked


def test_no_credentials_is_one_clear_error(tmp_path: Path) -> None:
    done = drift(
        "check",
        "staging",
        env={
            "HOME": str(tmp_path),
            "GOOGLE_APPLICATION_CREDENTIALS": "",
            "NO_GCE_CHECK": "True",
            "CLOUDSDK_CONFIG": str(tmp_path),
        },
    )
    assert done.returncode == 2
    assert done.stderr.startswith("drift: error: no Application Default Credentials")
    assert "Traceback" not in done.stderr


def test_quiet_prints_only_the_summary_line(sandbox: Sandbox) -> None:
    done = drift("check", "staging", "--quiet", env=sandbox.environ())
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "staging: 2 errors, 0 warnings in 3 services — drift (exit 1)"
    ]
