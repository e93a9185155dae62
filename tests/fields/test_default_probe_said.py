"""helper-739 F4: where a service's ingress container has no startup probe and the API returns
none (`template_defaults: unset`), drift judges it as Cloud Run's documented default TCP probe
(`drift.fields.health._reader`), but nothing was read: the finding's `actual` read "tcp port
8080 delay 0s timeout 240s period 240s failure 1" as if it had been. Every format now says it
is the default (`(Cloud Run's default: none set)`, in the `actual` text a JSON consumer reads),
so does a history's change to it, and a plan's note, while the plan's `before` stays the
probe's text: what a fix or a rollback may write, never the words. Where the API returns the
probe (`filled`), it was read, and nothing is added."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import check_every_format, drift_on
from tests.conftest import TEMPLATE_READINGS, ClientsFor, MakeSandbox
from tests.fields.test_default_probe_either_reading import DEFAULT, _apply_without_probe, _world

PROFILE = (
    "project: acme-prod\nregion: us-central1\nservices:\n  billing:\n    settings:\n"
    "      startup_probe: http /healthz port 8080\n"
)
SAID = " (Cloud Run's default: none set)"
NOTE = "none is set: the startup probe it replaces is Cloud Run's default"


@pytest.mark.parametrize("reading", TEMPLATE_READINGS)
def test_a_default_probe_nothing_read_is_said_to_be_the_default(
    make_sandbox: MakeSandbox, tmp_path: Path, reading: str
) -> None:
    sandbox = make_sandbox(_world(reading, None))
    inferred = reading == "unset"
    checked = check_every_format(sandbox, tmp_path, ("prod", PROFILE))
    for fmt, done in checked.items():
        assert done.returncode == 1, done.stdout + done.stderr
        assert ("failure 1" + SAID in done.stdout) is inferred, (fmt, done.stdout)
        assert (SAID in done.stdout) is inferred, (fmt, done.stdout)
    ((actual, message),) = [
        (f["actual"], f["message"]) for f in json.loads(checked["json"].stdout)["findings"]
    ]
    assert actual == DEFAULT + SAID * inferred, actual  # text: the schema's types stay
    assert f"is {actual}, the profile says" in message, message
    plan = drift_on(sandbox, tmp_path, ("prod", PROFILE), "plan", "prod", "--format", "json")
    assert plan.returncode == 1, plan.stdout + plan.stderr
    assert "none set" not in plan.stdout, plan.stdout  # no value holds the words
    assert (DEFAULT in plan.stdout, NOTE in plan.stdout) == (True, inferred), plan.stdout


@pytest.mark.parametrize("reading", TEMPLATE_READINGS)
def test_a_history_says_a_probe_taken_out_left_cloud_runs_default(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, reading: str
) -> None:
    sandbox = make_sandbox(_world(reading, {"httpGet": {"path": "/healthz", "port": 8080}}))
    _apply_without_probe(sandbox, clients_for)
    done = drift_on(sandbox, tmp_path, ("prod", PROFILE), "history", "prod", "-f", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    (service,) = json.loads(done.stdout)["services"]
    changes = [c for r in service["revisions"] for c in r["changes"] or ()]
    (after,) = [c["after"] for c in changes if c["target"] == "setting.startup_probe"]
    assert after == DEFAULT + SAID * (reading == "unset"), after


def test_neither_init_nor_fix_writes_the_words(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """What the words are added to is what is shown: `init` writes no default probe (`is_default`
    still knows it), a fix writes the profile's probe, and its journal records the probe's text
    (a guard: a reader that returned the words with the value would fail here)."""
    sandbox = make_sandbox(_world("unset", None))
    args = ("init", "lab", "--from-live", "--project", "acme-prod", "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("prod", PROFILE), *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "startup_probe" not in (tmp_path / "profiles" / "lab.yaml").read_text()
    done = drift_on(sandbox, tmp_path, ("prod", PROFILE), "fix", "prod", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    probe = sandbox.service("acme-prod", "billing").template.containers[0].startup_probe
    assert probe.http_get.path == "/healthz", probe
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert written and not [t for t in written if "none set" in t]


ENV_PROFILE = (
    "project: acme-prod\nregion: us-central1\nservices:\n  billing:\n    env:\n      MODE: prod\n"
)


def _with_env(value: str) -> dict[str, Any]:
    world = _world("unset", {"tcpSocket": {"port": 8080}})
    (app,) = world["projects"]["acme-prod"]["services"]["billing"]["template"]["containers"]
    app["env"] = [{"name": "MODE", "value": value}]
    return world


@pytest.mark.parametrize(
    ("world", "profile", "state", "code"),
    [
        (_world("unset", None), PROFILE, "unchanged", 0),
        # the same words at the end of a value read are the value's (helper-778 F1)
        (_with_env("debug" + SAID), ENV_PROFILE, "updated", 1),
    ],
    ids=["default-probe", "env-value"],
)
def test_a_baseline_written_before_the_words_holds_the_same_drift(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    world: dict[str, Any],
    profile: str,
    state: str,
    code: int,
) -> None:
    """A report written before the words were added (its `actual` the probe's text alone) is
    the same drift as this run's, not an update that `--fail-on-new` fails on. Only the default
    probe's: a variable whose value changed from `debug` to `debug` and the same words is
    updated, and `--fail-on-new` fails."""
    sandbox = make_sandbox(world)
    base = tmp_path / "base.json"
    args = ("check", "prod", "-f", "json", "--output", str(base))
    assert drift_on(sandbox, tmp_path, ("prod", profile), *args).returncode == 1
    report = json.loads(base.read_text())
    (actual,) = [f["actual"] for f in report["findings"]]
    assert actual.endswith(SAID), actual
    for finding in report["findings"]:
        finding["actual"] = finding["actual"].replace(SAID, "")
        finding["message"] = finding["message"].replace(SAID, "")
    base.write_text(json.dumps(report))
    args = ("check", "prod", "-f", "json", "--baseline", str(base), "--fail-on-new")
    done = drift_on(sandbox, tmp_path, ("prod", profile), *args)
    assert done.returncode == code, done.stdout + done.stderr
    (found,) = json.loads(done.stdout)["findings"]
    assert (found["baseline"], found["actual"]) == (state, actual), found
