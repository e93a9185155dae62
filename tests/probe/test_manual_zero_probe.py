"""A service manually scaled to 0 instances answers every request to a revision with traffic
with "the same error as if the revisions were disabled" (run/docs/configuring/services/
manual-scaling; the sandbox's `no_instance_status`), whatever its configuration. `drift check
--probe` and `drift probe` say so, and what to do, instead of blaming the configuration drift
on the service for the failed handshake; where the drift is the manual count itself, that is
the suspect. A revision reached only through a tag may get an instance (the page's tag-only
rule) or not (not documented at 0: the sandbox's `manual_zero_tags`): said as a possibility.
Run as users run it, against the sandbox, in table and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.blanks import blank, word
from drift.fix.commands import Commands
from drift.sandbox import Sandbox
from tests.cliutil import drift

LAB = "lab-manual-zero-probe"
SCALED = "the service is manually scaled to 0 instances"
SCALE = Commands(LAB, "us-central1", "app")
TO_DO = (
    "to serve, give it instances, at least one per revision with traffic "
    f"(`{SCALE.update(word('--scaling=', blank('COUNT')))}`), or automatic scaling "
    f"(`{SCALE.update('--scaling=auto')}`)"
)
"""The commands drift's builder gives for the count (`Commands.update`): the beta track, as
gcloud 528's GA has no `--scaling`, with the project and region (helper-792 F1: the GA track's,
and neither, acting on gcloud's default project)."""
NO_INSTANCE = "answers every request to it with the error of a disabled revision"
BLAMED = "suspected cause"


def world(count: int, tags: str = "served", **options: Any) -> dict[str, Any]:
    """`app` manually at `count` instances; its latest revision serves, an older one is reached
    only through the tag `old`. Neither has FOO (the profile wants it). `options`: the
    sandbox's others."""
    app = {
        "template": {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080},
        "api": {"scaling": {"scalingMode": "MANUAL", "manualInstanceCount": count}},
        "history": [{}],
        "traffic": [{"latest": True, "percent": 100}, {"revision": 1, "tag": "old"}],
    }
    return {
        "options": {"seed": 3, "manual_zero_tags": tags, **options},
        "projects": {
            LAB: {"number": 555000111999, "region": "us-central1", "services": {"app": app}}
        },
    }


def run(
    sandbox: Sandbox, tmp_path: Path, *fmt: str, command: str = "check", extra: str = ""
) -> str:
    """`drift check lab --probe` (or `drift probe lab`), which fails (exit 1): the probe."""
    (tmp_path / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        f"    env:\n      FOO: bar\n{extra}"
        "    probe:\n      websocket: /ws\n      hold: 0.2s\n"
    )
    how = ("--probe", "--no-history") if command == "check" else ()
    args = (command, "lab", *how, "--profiles", str(tmp_path), *fmt)
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    return done.stdout


def probe_of(report: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    (probe,) = report["probes"]
    (finding,) = [f for f in report["findings"] if f["rule"].startswith("probe.")]
    return probe, finding


def test_check_says_the_count_not_the_drift(reseedable: Sandbox, tmp_path: Path) -> None:
    """Before: "suspected cause: env.missing env.FOO" — a canary with FOO gets no instance
    either."""
    reseedable.reset(world(0))
    table = run(reseedable, tmp_path)
    assert SCALED in table and TO_DO in table and NO_INSTANCE in table, table
    assert BLAMED not in table and "env.missing" in table  # the drift stays a finding
    report = json.loads(run(reseedable, tmp_path, "--format", "json"))
    assert report["status"] == "drift" and report["exit_code"] == 1
    probe, finding = probe_of(report)
    assert probe["outcome"] == "rejected" and probe["http_status"] == 503
    assert probe["suspected_causes"] == [] and probe["confirmed"] is None
    assert SCALED in probe["detail"] and TO_DO in probe["detail"]
    assert SCALED in finding["message"] and BLAMED not in finding["message"]
    assert finding["message"].count(SCALED) == 1


def test_drift_probe_says_it_too(reseedable: Sandbox, tmp_path: Path) -> None:
    """Before: "configuration not checked: run `drift check --probe` to tie it to drift"."""
    reseedable.reset(world(0))
    report = json.loads(run(reseedable, tmp_path, "--format", "json", command="probe"))
    probe, finding = probe_of(report)
    assert SCALED in probe["detail"] and NO_INSTANCE in probe["detail"]
    assert "configuration not checked" not in finding["message"]
    assert SCALED in run(reseedable, tmp_path, command="probe")


@pytest.mark.parametrize("stated", ["manual_instances: 2", "min_instances: 1", "max_instances: 3"])
def test_a_drifted_scaling_is_the_suspect(reseedable: Sandbox, tmp_path: Path, stated: str) -> None:
    """The profile wants 2 instances, or automatic scaling (a bound, which reads "manual
    scaling with 0 instances" here): that drift explains the error, FOO's does not. Before
    (helper-792 F2), a bound was no suspect at all: "no configuration drift found"."""
    reseedable.reset(world(0))
    target = "setting." + stated.split(":")[0]
    report = json.loads(
        run(reseedable, tmp_path, "--format", "json", extra=f"    settings:\n      {stated}\n")
    )
    probe, finding = probe_of(report)
    (cause,) = probe["suspected_causes"]
    assert [f["target"] for f in report["findings"] if f["id"] == cause] == [target]
    assert f"suspected cause: setting.value {target}" in finding["message"]
    assert SCALED in finding["message"]


@pytest.mark.parametrize("tags", ["served", "refused"])
def test_a_tag_only_revision_is_said_a_possibility(
    reseedable: Sandbox, tmp_path: Path, tags: str
) -> None:
    """Probed through the tag `old` (reached only through it): served, the app answers (its
    missing FOO does nothing to the sandbox's unchecked app: the probe passes); refused, the
    note says Cloud Run may refuse it, and claims nothing."""
    reseedable.reset(world(0, tags))
    (tmp_path / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        "    probe:\n      websocket: /ws\n      tag: old\n      hold: 0.2s\n"
    )
    done = drift("probe", "lab", "--profiles", str(tmp_path), "--format", "json",
                 env=reseedable.environ(), cwd=tmp_path)  # fmt: skip
    report = json.loads(done.stdout)
    if tags == "served":
        assert done.returncode == 0 and report["probes"][0]["outcome"] == "ok", done.stdout
        return
    assert done.returncode == 1, done.stdout + done.stderr
    probe, _ = probe_of(report)
    assert SCALED in probe["detail"] and "may refuse it" in probe["detail"]
    assert NO_INSTANCE not in probe["detail"]


def test_a_count_above_0_is_not_said(reseedable: Sandbox, tmp_path: Path) -> None:
    """Manually at 1: the app answers; the sandbox's app checks nothing, so the probe passes
    and check exits 1 for FOO alone, saying nothing of the count."""
    reseedable.reset(world(1))
    (tmp_path / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        "    env:\n      FOO: bar\n    probe:\n      websocket: /ws\n      hold: 0.2s\n"
    )
    done = drift("check", "lab", "--probe", "--no-history", "--profiles", str(tmp_path),
                 env=reseedable.environ(), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1 and SCALED not in done.stdout, done.stdout


def test_a_429_is_the_count_too(reseedable: Sandbox, tmp_path: Path) -> None:
    """Cloud Run's no-instance answer may be a 429 (`no_instance_status`; the page names no
    status): as definite as a 503, with no suspect but the scaling, and not said beside the
    429 of max_instances leaving no instance free, which the count leaves nothing to."""
    reseedable.reset(world(0, no_instance_status=429))
    probe, finding = probe_of(json.loads(run(reseedable, tmp_path, "--format", "json")))
    assert probe["http_status"] == 429 and probe["suspected_causes"] == []
    assert NO_INSTANCE in probe["detail"] and TO_DO in probe["detail"]
    assert BLAMED not in finding["message"] and "max_instances" not in finding["message"]


def test_a_4xx_at_the_door_keeps_the_suspects(reseedable: Sandbox, tmp_path: Path) -> None:
    """A 404 may be the door's (ingress `internal`, drift outside the network: the sandbox's
    `runner_outside_network`), not the count's: the note is said beside, and the drift on the
    service stays suspected, the door's first."""
    w = world(0, runner_outside_network=True)
    w["projects"][LAB]["services"]["app"]["ingress"] = "internal"
    reseedable.reset(w)
    extra = "    settings:\n      ingress: all\n"
    report = json.loads(run(reseedable, tmp_path, "--format", "json", extra=extra))
    probe, finding = probe_of(report)
    targets = {f["id"]: f["target"] for f in report["findings"]}
    assert probe["http_status"] == 404, probe
    assert [targets[c] for c in probe["suspected_causes"]] == ["setting.ingress", "env.FOO"]
    assert SCALED in probe["detail"] and "may also be Cloud Run's own answer" in probe["detail"]
    assert finding["message"].count(SCALED) == 1
