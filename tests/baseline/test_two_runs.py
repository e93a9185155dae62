"""`drift check --baseline` end to end: two sandbox runs with changes in between, the second
compared with the first's JSON report, in every format; `--fail-on-new` exit codes, an
incomplete run included; `--manifest` compared with a live baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from drift.sandbox import Fault, Sandbox, generate
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox
from tests.profilecopy import fleet_profiles

PROJECT = "acme-chat-staging"
DATA = REPO / "tests" / "data"
REPORT_SCHEMA = json.loads((DATA / "report.schema.json").read_text())
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())

pytestmark = pytest.mark.sandbox


def first_run(sandbox: Sandbox, path: Path) -> dict[str, Any]:
    """Three drifts: api has TESTING (forbidden) and a wrong REDIS_PORT, web a wrong URL."""
    sandbox.set_env(PROJECT, "api", "REDIS_PORT", "6380")
    done = drift(
        "check", "staging", "--format", "json", "--output", str(path), env=sandbox.environ()
    )
    assert done.returncode == 1, done.stderr
    report: dict[str, Any] = json.loads(path.read_text())
    assert "resolved" not in report and "new" not in report["summary"]  # only with --baseline
    assert all("baseline" not in f for f in report["findings"])
    return report


def change(sandbox: Sandbox) -> None:
    """TESTING removed (resolved), the web URL changed again (updated), a new drift on auth;
    REDIS_PORT stays as it was (unchanged)."""
    sandbox.set_env(PROJECT, "api", "TESTING", None)
    sandbox.set_env(PROJECT, "web", "NEXT_PUBLIC_WS_URL", "ws://localhost:9999/ws")
    sandbox.set_env(PROJECT, "auth", "PUBLIC_URL", "http://auth.internal")


def check(sandbox: Sandbox, *args: str) -> Any:
    return drift("check", "staging", *args, env=sandbox.environ())


def states(report: dict[str, Any]) -> dict[str, str]:
    return {f["target"]: f["baseline"] for f in report["findings"] if not f["ignored"]}


def test_new_unchanged_updated_and_resolved_in_every_format(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    baseline = tmp_path / "first.json"
    first_run(sandbox, baseline)
    change(sandbox)
    compare = ("--baseline", str(baseline))

    done = check(sandbox, *compare, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert report["schema"] == "drift.report/v1"
    assert states(report) == {
        "env.REDIS_PORT": "unchanged",
        "env.NEXT_PUBLIC_WS_URL": "updated",
        "env.PUBLIC_URL": "new",
    }
    assert [(f["target"], f["baseline"]) for f in report["resolved"]] == [("env.TESTING", "absent")]
    assert report["resolved"][0]["actual"] == "true"  # as the baseline had it
    assert report["summary"]["new"] == 2 and report["summary"]["resolved"] == 1

    done = check(sandbox, *compare, "--format", "sarif")
    sarif = json.loads(done.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    results = sarif["runs"][0]["results"]
    by_state = {
        r["properties"]["target"]: r["baselineState"] for r in results if "suppressions" not in r
    }
    # resolved: no result (code scanning closes an alert whose result is gone, and would keep
    # one open for an `absent` result, whose `kind` it ignores)
    assert by_state == states(report)

    table = check(sandbox, *compare, "--format", "table").stdout
    assert "env.PUBLIC_URL  profiles/staging.yaml:35  [new]" in table
    assert "env.NEXT_PUBLIC_WS_URL  profiles/staging.yaml:47  [updated]" in table
    assert "env.REDIS_PORT  profiles/base.yaml:26\n" in table  # unchanged: no mark
    assert (
        "Resolved since the baseline: 1 finding\n  error env.forbidden env.TESTING (api)" in table
    )
    assert "(2 new or updated, 1 resolved since the baseline) — drift (exit 1)" in table

    markdown = check(sandbox, *compare, "--format", "markdown").stdout
    assert "| error **new** | `env.value` | `env.PUBLIC_URL` |" in markdown
    assert "| error **updated** | `env.value` | `env.NEXT_PUBLIC_WS_URL` |" in markdown
    assert "### Resolved since the baseline: 1 finding" in markdown
    assert "| error | api | `env.forbidden` | `env.TESTING` |" in markdown

    github = check(sandbox, *compare, "--format", "github").stdout.splitlines()
    assert any("title=env.value (auth%2C new)::" in line for line in github)
    assert any("title=env.value (web%2C updated)::" in line for line in github)
    assert any(line.endswith("title=env.value (api)::" + line.split("::", 2)[2]) for line in github)
    notices = [line for line in github if line.startswith("::notice title=drift resolved::")]
    assert notices == [
        "::notice title=drift resolved::Resolved since the baseline: 1 finding: "
        "env.forbidden env.TESTING (api)"
    ]


def test_fail_on_new_gates_only_on_what_is_new(sandbox: Sandbox, tmp_path: Path) -> None:
    baseline = tmp_path / "first.json"
    first_run(sandbox, baseline)
    gate = ("--baseline", str(baseline), "--fail-on-new", "--quiet")

    same = check(sandbox, *gate)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "drift, none of it new (exit 0)" in same.stdout

    # an incomplete run with nothing new is still 3, never 0
    sandbox.inject(Fault("GetSecretVersion", "PERMISSION_DENIED", match="jwt-secret-staging"))
    gap = check(sandbox, *gate, "--format", "json")
    assert gap.returncode == 3, gap.stdout + gap.stderr
    report = json.loads(gap.stdout)
    assert report["status"] == "incomplete" and report["exit_code"] == 3
    assert report["unverified"] and {u["baseline"] for u in report["unverified"]} == {"new"}
    assert report["summary"]["new"] == 0 and report["resolved"] == []
    assert "not clean" in check(sandbox, *gate).stdout

    # new drift wins over incomplete, as without --fail-on-new
    sandbox.set_env(PROJECT, "auth", "PUBLIC_URL", "http://auth.internal")
    assert check(sandbox, *gate).returncode == 1
    sandbox.clear_faults()
    assert check(sandbox, *gate).returncode == 1

    # an updated finding counts; below --fail-on it does not
    sandbox.set_env(PROJECT, "auth", "PUBLIC_URL", "https://auth.staging.acme-chat.dev")
    sandbox.set_env(PROJECT, "api", "REDIS_PORT", "6381")
    assert check(sandbox, *gate).returncode == 1
    assert check(sandbox, *gate, "--fail-on", "never").returncode == 0


def test_fail_on_new_without_a_baseline_is_a_usage_error(tmp_path: Path) -> None:
    done = drift("check", "staging", "--fail-on-new")
    assert done.returncode == 2
    assert done.stderr.startswith("drift: error: --fail-on-new needs --baseline")
    assert "Traceback" not in done.stderr


def test_a_baseline_of_part_of_the_services_resolves_nothing_it_did_not_check(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    baseline = tmp_path / "first.json"
    first_run(sandbox, baseline)
    done = check(sandbox, "--baseline", str(baseline), "--service", "web", "--format", "json")
    report = json.loads(done.stdout)
    assert report["resolved"] == []  # api was not checked: its drift is not "resolved"
    assert any("could not be checked again" in n for n in _notes(sandbox, baseline))


def _notes(sandbox: Sandbox, baseline: Path) -> list[str]:
    table = check(sandbox, "--baseline", str(baseline), "--service", "web").stdout
    return [line for line in table.splitlines() if line.startswith("note: ")]


def test_a_manifest_is_compared_with_a_live_baseline(sandbox: Sandbox, tmp_path: Path) -> None:
    baseline = tmp_path / "live.json"
    first_run(sandbox, baseline)
    manifest = DATA / "manifest" / "web.service.yaml"
    done = check(
        sandbox, "--manifest", str(manifest), "--baseline", str(baseline), "--format", "json"
    )
    assert done.returncode in (1, 3), done.stderr
    report = json.loads(done.stdout)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert {f["service"] for f in report["findings"]} == {"web"}
    assert all(f["baseline"] in ("new", "unchanged", "updated") for f in report["findings"])
    # only web was checked: api's drift is neither resolved nor new
    assert all(f["service"] == "web" for f in report["resolved"])


def test_what_a_run_could_not_check_again_stays_known_to_the_next(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Each run compared with the last one's report, as the scheduled workflow does: a run
    that checks only web keeps api's findings in its report (`unchecked`, with why), so the
    next full run finds them unchanged, not new (revown2 1)."""
    first, second, third = (tmp_path / f"{n}.json" for n in ("first", "second", "third"))
    before = first_run(sandbox, first)
    known = {f["id"] for f in before["findings"] if f["service"] == "api"}
    assert known
    gate = ("--format", "json", "--fail-on-new")
    done = check(sandbox, *gate, "--output", str(second), "--baseline", str(first), "-s", "web")
    assert done.returncode == 0, done.stderr
    report = json.loads(second.read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert {u["finding"]["id"] for u in report["unchecked"]} == known
    assert all("api was not checked this run" in u["reason"] for u in report["unchecked"])
    done = check(sandbox, *gate, "--output", str(third), "--baseline", str(second))
    assert done.returncode == 0, done.stderr  # nothing new: api's drift is the same
    again = json.loads(third.read_text())
    states = {f["id"]: f["baseline"] for f in again["findings"] if f["id"] in known}
    assert states == dict.fromkeys(known, "unchanged")
    assert again["unchecked"] == [] and again["summary"]["new"] == 0


def test_a_carried_finding_is_shown_where_the_profile_says_it_now(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A baseline run, then lines added at the top of the profile, then svc-0003 cannot be
    read: its findings carried from the baseline point at the lines that say them today, in
    the SARIF and in the next baseline, never at their old lines, which are now svc-0002's
    (revci F2)."""
    sandbox = make_sandbox(
        generate(services=6, vars=2, secret_refs=0, secrets=0, project="fleet-proj")
    )
    profiles = fleet_profiles(tmp_path / "profiles", 6)
    args = ("check", "prod", "--profiles", str(profiles))
    first = drift(*args, "--json", str(tmp_path / "base.json"), env=sandbox.environ())
    assert first.returncode == 1, first.stderr
    fleet_profiles(profiles, 6, head="# owners: platform\n# reviewed 2026-11\n# see RUNBOOK.md\n")
    sandbox.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED", match="svc-0003"))
    done = drift(
        *args, "--baseline", str(tmp_path / "base.json"), "--format", "sarif",
        "--json", str(tmp_path / "next.json"), env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = (profiles / "prod.yaml").read_text().splitlines()
    entry = lines.index("  svc-0003:") + 1
    results = json.loads(done.stdout)["runs"][0]["results"]
    carried = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in results
        if r["properties"]["service"] == "svc-0003"
    }
    # the wrong value at its variable's line, the unexpected variables at the service's entry
    assert carried == {"env.value": entry + 2, "env.unexpected": entry}, (carried, entry)
    report = json.loads((tmp_path / "next.json").read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    kept = {u["finding"]["rule"]: u["finding"]["location"]["line"] for u in report["unchecked"]}
    assert kept == carried


def test_a_finding_a_baseline_lists_twice_is_one_never_resolved_beside_itself(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Two reports merged by hand list one finding twice (same id, same revision): its copy
    got an id of its own that no finding of this run holds, so the drift still there was both
    `unchanged` and "resolved since the baseline" (helper-529 F2)."""
    baseline = tmp_path / "first.json"
    report = first_run(sandbox, baseline)
    report["findings"].append(report["findings"][0])
    baseline.write_text(json.dumps(report))
    done = check(sandbox, "--baseline", str(baseline), "--format", "json", "--fail-on-new")
    now = json.loads(done.stdout)
    assert now.get("resolved", []) == [], now.get("resolved")
    assert set(states(now).values()) == {"unchanged"}, states(now)
    assert now["summary"]["resolved"] == 0
    assert done.returncode == 0, done.stdout  # nothing new: the copy is no drift
