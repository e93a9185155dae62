"""Regressions from the review of baselines (revformats): what a second run compared with
the first got wrong. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.findings import finding_id
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.test_since import acme_world

pytestmark = pytest.mark.sandbox

SPLIT = """
projects:
  acme-p:
    number: 500000000001
    region: us-central1
    services:
      api:
        template:
          image: us-docker.pkg.dev/cloudrun/container/hello
          env: {AUTH_URL: "http://localhost:9999"}
        history:
          - env: {AUTH_URL: "http://localhost:8081"}
        traffic:
          - {latest: true, percent: 50}
          - {revision: 1, percent: 50}
"""
SPLIT_PROFILE = """project: acme-p
region: us-central1
services:
  api:
    env:
      AUTH_URL: https://auth.example.com
"""


def profiles(tmp: Path, text: str, env: str) -> Path:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / f"{env}.yaml").write_text(text)
    return tmp


def test_a_split_between_two_wrong_values_is_unchanged_on_an_unchanged_run(
    make_sandbox: Any, tmp_path: Path
) -> None:
    """Two findings of one target, one per revision's value: two ids (revspec2 4: a consumer
    keying by id kept one), each the same on the second run, which finds both unchanged; a
    baseline written when both had one id (an older drift) compares the same way."""
    (tmp_path / "scenario.yaml").write_text(SPLIT)
    sandbox: Sandbox = make_sandbox(str(tmp_path / "scenario.yaml"))
    cwd = profiles(tmp_path, SPLIT_PROFILE, "p")
    env = sandbox.environ()
    first = drift("check", "p", "--json", "base.json", "--quiet", env=env, cwd=cwd)
    assert first.returncode == 1, first.stderr
    found = json.loads((tmp_path / "base.json").read_text())["findings"]
    values = [f for f in found if f["rule"] == "env.value"]
    assert len(values) == 2 and values[0]["id"] != values[1]["id"]
    assert values[0]["actual"] != values[1]["actual"]
    # the oldest revision's keeps the id it had alone (what the profile asks of api's AUTH_URL)
    old = next(f for f in values if f["actual"] == "http://localhost:8081")
    assert old["id"] == finding_id("p", "api", "env.value", "env.AUTH_URL")

    again = ("check", "p", "--baseline", "base.json", "--fail-on-new")
    done = drift(*again, "--format", "json", env=env, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert {f["baseline"] for f in report["findings"]} == {"unchanged"}
    assert report["summary"]["new"] == 0 and not report["resolved"]
    table = drift(*again, env=env, cwd=cwd)
    assert table.returncode == 0 and "[updated]" not in table.stdout and "[new]" not in table.stdout

    # code scanning: one alert per result, not one for both (partialFingerprints)
    sarif = drift(*again, "--format", "sarif", env=env, cwd=cwd)
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    fingerprints = [r["partialFingerprints"]["driftFindingId/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints) == len(found)
    assert {f["id"] for f in values} <= set(fingerprints)  # the ids themselves
    rerun = drift(*again, "--format", "sarif", env=env, cwd=cwd)
    assert [r["partialFingerprints"] for r in json.loads(rerun.stdout)["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in results
    ]  # stable

    # a baseline of a drift that gave both one id: the same ids back, nothing new or resolved
    base = json.loads((tmp_path / "base.json").read_text())
    for finding in base["findings"]:
        if finding["rule"] == "env.value":
            finding["id"] = old["id"]
    for _ in range(2):  # whatever order it lists them in (Cloud Run's numbers tell the oldest)
        base["findings"].reverse()
        (tmp_path / "old.json").write_text(json.dumps(base))
        older = drift("check", "p", "--baseline", "old.json", "--format", "json", env=env, cwd=cwd)
        report = json.loads(older.stdout)
        assert {f["baseline"] for f in report["findings"]} == {"unchanged"}, report["findings"]
        assert not report["resolved"]


def test_a_changed_value_of_a_split_is_updated(make_sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "scenario.yaml").write_text(SPLIT)
    sandbox: Sandbox = make_sandbox(str(tmp_path / "scenario.yaml"))
    cwd = profiles(tmp_path, SPLIT_PROFILE, "p")
    env = sandbox.environ()
    assert drift("check", "p", "--json", "base.json", "--quiet", env=env, cwd=cwd).returncode == 1
    base = json.loads((tmp_path / "base.json").read_text())
    value = next(f for f in base["findings"] if f["actual"] == "http://localhost:9999")
    value["actual"] = "http://localhost:7777"  # the baseline saw another value there
    (tmp_path / "base.json").write_text(json.dumps(base))
    done = drift("check", "p", "--baseline", "base.json", "--format", "json", env=env, cwd=cwd)
    states = {f["actual"]: f["baseline"] for f in json.loads(done.stdout)["findings"]}
    assert states["http://localhost:9999"] == "updated"
    assert states["http://localhost:8081"] == "unchanged"


ONE = """project: acme-chat-staging
region: us-central1
services:
  api:
    env:
      TESTING: {forbidden: true}
"""
WEB = """  web:
    env:
      NEXT_PUBLIC_WS_URL: wss://api.staging.acme-chat.dev/ws
"""


def test_findings_of_a_workload_removed_from_the_profile_are_resolved(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Not "not checked this run" forever (and their SARIF alerts open forever): the run of
    a profile without `web` looked at all the profile has. `--service api` still leaves web's
    findings unchecked."""
    cwd = profiles(tmp_path, ONE + WEB, "staging")
    env = sandbox.environ()
    first = drift("check", "staging", "--json", "r1.json", "--quiet", env=env, cwd=cwd)
    assert first.returncode == 1, first.stderr
    web = [
        f["target"]
        for f in json.loads((tmp_path / "r1.json").read_text())["findings"]
        if f["service"] == "web" and not f["ignored"]
    ]
    assert web == ["env.NEXT_PUBLIC_WS_URL"]

    scoped = drift(
        "check",
        "staging",
        "--service",
        "api",
        "--baseline",
        "r1.json",
        "--format",
        "json",
        env=env,
        cwd=cwd,
    )
    report = json.loads(scoped.stdout)
    assert [u["finding"]["target"] for u in report["unchecked"]] == web
    assert not report["resolved"]

    profiles(tmp_path, ONE, "staging")  # the team drops web from the profile
    for n in (2, 3):
        done = drift(
            "check",
            "staging",
            "--baseline",
            f"r{n - 1}.json",
            "--json",
            f"r{n}.json",
            "--sarif",
            f"r{n}.sarif",
            "--quiet",
            env=env,
            cwd=cwd,
        )
        assert done.returncode == 1, done.stdout + done.stderr
        report = json.loads((tmp_path / f"r{n}.json").read_text())
        sarif = json.loads((tmp_path / f"r{n}.sarif").read_text())["runs"][0]["results"]
        assert not report.get("unchecked")
        assert not [r for r in sarif if r["properties"]["service"] == "web"]
        resolved = [f["target"] for f in report["resolved"]]
        assert resolved == (web if n == 2 else [])  # once


DSN = "postgresql://acme_app:hunter2-Pa55word@10.0.0.1:5432/app"
TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PROJECT = "acme-chat-staging"


def old_finding(id_: str, target: str, **values: str) -> dict[str, Any]:
    """A finding as an older drift, which masked less, wrote it (revleak #6)."""
    return {
        "id": id_,
        "rule": "env.unexpected",
        "severity": "warning",
        "service": "web",
        "revision": "web-00001-abc",
        "target": target,
        "message": f"{target[4:]} is set on web-00001-abc but the profile does not name it",
        "expected": "(not set)",
        "actual": "x",
        "location": {"file": "profiles/staging.yaml", "line": 40},
        "ignored": False,
        **values,
    }


@pytest.mark.parametrize("fmt", ["table", "json", "github", "markdown", "sarif"])
def test_credentials_in_a_baseline_are_masked_like_live_values(
    sandbox: Sandbox, tmp_path: Path, fmt: str
) -> None:
    baseline = tmp_path / "old.json"
    findings = [
        old_finding("0123456789abcdef", "env.OLD_DSN", actual=DSN),
        old_finding("0123456789abcdee", "env.OLD_TOKEN", expected=TOKEN),
        old_finding("0123456789abcded", "env.OLD_NOTE", message=f"OLD_NOTE holds {TOKEN[:-1]}Z"),
    ]
    report = {"schema": "drift.report/v1", "environment": "staging", "project": PROJECT}
    report |= {"region": "us-central1", "findings": findings, "unverified": []}
    baseline.write_text(json.dumps(report))
    # the findings are resolved (gone), and unchecked on a run of api only: both listed
    for scope in ((), ("--service", "api")):
        done = drift(
            "check",
            "staging",
            *scope,
            "--baseline",
            str(baseline),
            "--format",
            fmt,
            "--json",
            str(tmp_path / "next.json"),
            env=sandbox.environ(),
        )
        assert done.returncode == 1, done.stderr
        written = (tmp_path / "next.json").read_text()
        assert "OLD_DSN" in done.stdout + written  # listed, masked
        for value in (DSN, TOKEN, f"{TOKEN[:-1]}Z", "hunter2-Pa55word"):
            assert value not in done.stdout + done.stderr + written


@pytest.mark.parametrize(
    "output",
    [
        ("--sarif", "last.json"),
        ("--output", "last.json"),
        ("--output", "link.json", "--format", "sarif"),
    ],
)
def test_an_output_that_would_replace_the_baseline_is_refused_before_the_run(
    sandbox: Sandbox, tmp_path: Path, output: tuple[str, ...]
) -> None:
    env = sandbox.environ()
    first = drift("check", "staging", "--json", str(tmp_path / "last.json"), "--quiet", env=env)
    assert first.returncode == 1, first.stderr
    (tmp_path / "link.json").symlink_to(tmp_path / "last.json")
    before = (tmp_path / "last.json").read_bytes()
    sandbox.clear_calls()
    args = [str(tmp_path / a) if a.endswith(".json") else a for a in output]
    done = drift("check", "staging", "--baseline", str(tmp_path / "last.json"), *args, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--baseline and" in done.stderr and "same file" in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2 and "Traceback" not in done.stderr
    assert (tmp_path / "last.json").read_bytes() == before
    assert not sandbox.calls  # nothing was read


def test_the_json_report_may_replace_the_baseline(sandbox: Sandbox, tmp_path: Path) -> None:
    env = sandbox.environ()
    last = str(tmp_path / "last.json")
    assert drift("check", "staging", "--json", last, "--quiet", env=env).returncode == 1
    for output in (("--json", last), ("--output", last, "--format", "json")):
        done = drift("check", "staging", "--baseline", last, *output, env=env)
        assert done.returncode == 1, done.stderr
        assert "resolved" in json.loads((tmp_path / "last.json").read_text())  # compared


@pytest.mark.parametrize("kind", ["a named pipe", "a socket", "a character device"])
def test_a_baseline_that_is_not_a_regular_file_is_refused_at_once(
    sandbox: Sandbox, tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    """A FIFO with no writer blocked forever without a word; a device may never end."""
    import os
    import socket

    path = tmp_path / "last.json"
    if kind == "a named pipe":
        os.mkfifo(path)
    elif kind == "a socket":
        server = socket.socket(socket.AF_UNIX)
        request.addfinalizer(server.close)
        server.bind(str(path))
    else:
        path.symlink_to("/dev/zero")
    sandbox.clear_calls()
    done = drift("check", "staging", "--baseline", str(path), env=sandbox.environ(), timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(
        f"drift: error: cannot read the baseline {path}: not a regular file ({kind})"
    )
    assert not sandbox.calls


MODE_PROFILE = """project: acme
region: us-central1
services:
  api:
    env:
      MODE: live
"""


def _baseline_then_check(
    make_sandbox: Any, tmp_path: Path, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, str | None]:
    """Each `env.MODE` finding's state (by revision) when `after` is checked against the
    baseline `before` wrote."""
    cwd = profiles(tmp_path, MODE_PROFILE, "prod")
    first = make_sandbox(acme_world({"api": before}))
    done = drift("check", "prod", "--json", "base.json", env=first.environ(), cwd=cwd)
    assert done.returncode == 1, done.stdout + done.stderr
    again = ("check", "prod", "--baseline", "base.json", "--format", "json")
    done = drift(*again, env=make_sandbox(acme_world({"api": after})).environ(), cwd=cwd)
    found = json.loads(done.stdout)["findings"]
    return {f["revision"]: f.get("baseline") for f in found if f["target"] == "env.MODE"}


def test_the_same_drift_on_the_next_canary_of_a_split_is_not_new(
    make_sandbox: Any, tmp_path: Path
) -> None:
    """revown16 3: a long-lived split, api-00001 (MODE=test) 90 %, api-00002 (MODE=debug) 10 %;
    the next canary, api-00003 (an image bump, MODE=debug still), takes the 10 %. Its drift is
    the one the baseline had, with its values: unchanged (its id named its revision: new at
    every deploy of the canary, failing --fail-on-new)."""
    test, debug = {"env": {"MODE": "test"}}, {"env": {"MODE": "debug"}}
    split = [{"revision": 1, "percent": 90}, {"revision": 2, "percent": 10}]
    before = {"template": {"image": "img:1", **debug}, "history": [test], "traffic": split}
    moved = [{"revision": 1, "percent": 90}, {"revision": 3, "percent": 10}]
    after = {"template": {"image": "img:2", **debug}, "history": [test, debug], "traffic": moved}
    states = _baseline_then_check(make_sandbox, tmp_path, before, after)
    assert {name[:9]: state for name, state in states.items()} == {
        "api-00001": "unchanged",
        "api-00003": "unchanged",
    }, states


def test_a_canary_named_by_its_writer_does_not_take_the_known_drifts_id(
    make_sandbox: Any, tmp_path: Path
) -> None:
    """revown16 4: the baseline has api-v9 alone with MODE=test. A canary api-v10
    (`--revision-suffix`) with MODE=debug takes 10 %: "api-v10" sorts before "api-v9", and the
    canary's drift took the known drift's id ("updated"), the known one becoming "new". The
    older revision (create_time) keeps it."""
    v9 = {"image": "img:1", "env": {"MODE": "test"}, "api": {"revision": "api-v9"}}
    v10 = {"image": "img:1", "env": {"MODE": "debug"}, "api": {"revision": "api-v10"}}
    split = [{"revision": 1, "percent": 90}, {"revision": 2, "percent": 10}]
    after = {
        "template": v10,
        "history": [{"name": "api-v9", "env": {"MODE": "test"}}],
        "traffic": split,
    }
    states = _baseline_then_check(make_sandbox, tmp_path, {"template": v9}, after)
    assert states == {"api-v9": "unchanged", "api-v10": "new"}, states
