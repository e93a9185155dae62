"""A job or worker pool with several containers, none with a port, whose profile names none
with `container:` (helper-619 F4): which one the profile's `env` describes cannot be told, and
their order means nothing to Cloud Run (run v2 `WorkerPoolRevisionTemplate.containers`,
`TaskTemplate.containers`). drift does not take the first: the main rules are not judged nor
planned, the check is incomplete (exit 3, never clean), and one item says which workload, its
containers and the fix (`container: NAME`). Named, they are judged as ever, and a reorder is no
drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB

SECRET = "PLAINPOOLPW1"


def _consumer(password: str = SECRET) -> dict[str, Any]:
    env = [{"name": "QUEUE", "value": "prod"}, {"name": "PEER_VALUE", "value": password}]
    return {"name": "consumer", "image": "img/consumer:1", "env": env}


AGENT = {"name": "agent", "image": "img/agent:1", "env": [{"name": "LEVEL", "value": "info"}]}


def _world(kind: str = "worker_pools", now: Any = None, was: Any = None) -> dict[str, Any]:
    """`pool` (or `job`) now running [agent, consumer]; a pool's older revision ran the same
    two in the other order (`was`)."""
    body: dict[str, Any] = {"template": {"containers": now or [AGENT, _consumer()]}}
    if kind == "worker_pools":
        body["instances"] = 1
        older = was or [_consumer(), AGENT]
        body["history"] = [{"created": "10d", "creator": "alice@x.io", "containers": older}]
    name = "pool" if kind == "worker_pools" else "job"
    project = {"number": 111, "region": "us-central1", "secrets": {"pw": {"versions": ["x"]}}}
    return {"options": {"seed": 3}, "projects": {"acme": {**project, kind: {name: body}}}}


def _profile(kind: str = "worker_pools", container: str = "", extra: str = "") -> str:
    name = "pool" if kind == "worker_pools" else "job"
    named = f"    container: {container}\n" if container else ""
    return (
        f"project: acme\nregion: us-central1\n{kind}:\n  {name}:\n{named}"
        "    env:\n      QUEUE: prod\n      PEER_VALUE: {secret: pw}\n" + extra
    )


def _check(sandbox: Any, tmp_path: Path, profile: str) -> tuple[int, dict[str, Any]]:
    done = drift_on(sandbox, tmp_path, ("prod", profile), "check", "prod", "--format", "json")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_a_reordered_pool_is_not_judged_against_the_first_container(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    code, report = _check(sandbox, tmp_path, _profile())
    # before: env.missing QUEUE and PEER_VALUE "on container agent", since the reorder
    assert code == 3, report
    assert [f for f in report["findings"] if f["target"].startswith("env.")] == [], report
    (item,) = [u for u in report["unverified"] if u["target"] == "container"]
    assert item["service"] == "pool" and item["kind"] == "worker_pool", item
    reason = item["reason"]
    assert "worker pool pool runs 2 containers (agent, consumer), none with a port" in reason
    assert "`container: NAME`" in reason, reason
    assert SECRET not in json.dumps(report)


def test_named_the_reorder_is_no_drift_and_the_plain_secret_is_said(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    code, report = _check(sandbox, tmp_path, _profile(container="consumer"))
    assert code == 1, report
    assert report["unverified"] == [], report
    (found,) = [f for f in report["findings"] if f["target"] == "env.PEER_VALUE"]
    assert found["rule"] == "env.plaintext_secret" and found["container"] == "consumer", found
    assert "pool-00001" in json.dumps(found.get("since")), found  # not the reorder
    history = drift_on(
        sandbox, tmp_path, ("prod", _profile(container="consumer")), "history", "prod"
    )
    assert "no change drift compares" in history.stdout, history.stdout


def test_a_job_with_two_containers_and_no_port_is_not_guessed(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world("jobs"))
    code, report = _check(sandbox, tmp_path, _profile("jobs"))
    assert code == 3, report
    assert [f for f in report["findings"] if f["target"].startswith("env.")] == [], report
    (item,) = [u for u in report["unverified"] if u["target"] == "container"]
    assert item["kind"] == "job" and "job job runs 2 containers (agent, consumer)" in item["reason"]
    code, report = _check(sandbox, tmp_path, _profile("jobs", container="consumer"))
    assert report["unverified"] == [], report
    assert {(f["rule"], f["container"]) for f in report["findings"]} == {
        ("env.plaintext_secret", "consumer")
    }, report


def test_a_setting_of_the_main_container_is_not_read_off_the_first(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    extra = "    settings:\n      cpu: '2'\n"
    code, report = _check(sandbox, tmp_path, _profile(extra=extra))
    assert code == 3, report
    assert [f for f in report["findings"] if f["target"] == "setting.cpu"] == [], report
    (item,) = [u for u in report["unverified"] if u["target"] == "setting.cpu"]
    assert "`container: NAME`" in item["reason"], item


def test_a_profile_of_every_container_by_name_needs_no_main_one(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """As `drift init` writes such a workload: each container under `containers:`."""
    sandbox = make_sandbox(_world())
    profile = (
        "project: acme\nregion: us-central1\nworker_pools:\n  pool:\n    unexpected_env: error\n"
        "    containers:\n      agent:\n        env:\n          LEVEL: info\n"
        "      consumer:\n        env:\n          QUEUE: prod\n          PEER_VALUE: {secret: pw}\n"
    )
    code, report = _check(sandbox, tmp_path, profile)
    assert report["unverified"] == [], report
    assert {(f["rule"], f["container"]) for f in report["findings"]} == {
        ("env.plaintext_secret", "consumer")
    }, report


def test_history_masks_the_main_rules_secret_in_whichever_container(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world(now=[AGENT, _consumer("NEWPOOLPW2")]))
    for form in ("table", "json", "markdown"):
        done = drift_on(
            sandbox, tmp_path, ("prod", _profile()), "history", "prod", "--format", form
        )
        assert done.returncode == 0, done.stderr
        assert "PEER" in done.stdout, done.stdout
        assert "POOLPW" not in done.stdout + done.stderr, done.stdout


def test_a_plan_changes_no_variable_of_a_guessed_container(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    from tests.fix.sidecar_lab import profile, run, world

    sandbox = make_sandbox(world("worker_pool"))
    otel = "        settings:\n          memory: 256Mi\n"
    text = profile(otel, "worker_pool", app="    env:\n      MODE: debug\n", container="")
    plan = run(sandbox, tmp_path, text, "plan", "lab")
    out = plan.stdout
    assert "Traceback" not in plan.stderr and "MODE" not in out.split("incomplete:")[0], out
    assert "worker pool app runs 2 containers (app, otel), none with a port" in out, out
    fixed = run(sandbox, tmp_path, text, "fix", "lab", "--yes")
    assert "Traceback" not in fixed.stderr, fixed.stderr
    app = next(c for c in sandbox.worker_pool(LAB, "app").template.containers if c.name == "app")
    assert [(v.name, v.value) for v in app.env] == [("MODE", "live")]
    # named, the same rule is planned on that container
    named = profile(otel, "worker_pool", app="    env:\n      MODE: debug\n")
    assert "MODE" in run(sandbox, tmp_path, named, "plan", "lab").stdout
