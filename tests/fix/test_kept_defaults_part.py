"""Kept defaults (drift.fix.kept_defaults) and the parts of a plan (helper-555 F1-F3):
`--only` refuses only a part that moves the instance's CPU without the value it keeps; a CPU
lowered below one gets no kept default above what Cloud Run requires there; the plan note
names a sidecar's change that moves the default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor
from tests.fix.conftest import LAB, lab_world
from tests.fix.sidecar_lab import profile, run, served, world
from tests.fix.test_kept_defaults import HEAD, LOW, _unset_concurrency, as_sent


def _sidecar_world(app_cpu: str, otel_cpu: str) -> dict[str, Any]:
    out = world("service")
    listed = served()
    for c, cpu in zip(listed, (app_cpu, otel_cpu), strict=True):
        c["resources"] = {"limits": {"cpu": cpu, "memory": "256Mi"}, "cpuIdle": True}
    out["projects"][LAB]["services"]["app"]["template"]["containers"] = listed
    return out


# A: --only refuses a part that moves no default -------------------------------------------
def test_a_only_a_setting_that_moves_no_default_is_not_refused(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    """only._startable refuses any part with a setting once the whole plan has a kept default
    (before == after), whether or not the part's settings move it: timeout alone leaves
    the instance at 0.5 CPU, concurrency still 1."""
    reseedable.reset(as_sent(lab_world(template=LOW)))
    _unset_concurrency(reseedable, clients_for)
    text = HEAD + "      concurrency: 1\n      timeout: 120s\n"
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert sorted(s["name"] for s in sp["settings"]) == ["concurrency", "cpu", "timeout"]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--only", "app/setting.timeout", "--yes")
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: cpu still drifts
    assert "moves a setting the profile states" not in done.stderr, done.stderr


# B: the plan note names no change when a sidecar's cpu moves the default --------------------
def test_b_the_kept_default_note_names_the_change_that_moves_it(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    """model.notes builds "with X changed" from the workload's own changes minus the kept one;
    when only a sidecar's cpu moves it, X is empty: "with  changed, Cloud Run would run"."""
    reseedable.reset(as_sent(_sidecar_world("0.5", "0.25")))
    _unset_concurrency(reseedable, clients_for)
    text = profile(
        "        settings:\n          cpu: 1\n", app="    settings:\n      concurrency: 1\n"
    )
    table = run(reseedable, tmp_path, text, "plan", "lab").stdout
    assert "concurrency is written as 1" in table, table
    assert (
        "with  changed" not in table and "otel" in table.split("concurrency is written")[1][:120]
    ), table


# C: a sidecar's cpu lowered below one CPU in all: the kept default makes a refused patch ----
def test_c_a_kept_default_never_makes_a_patch_cloud_run_refuses(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    """app 0.5 + otel 1 (1.5 CPU, concurrency unset: 80, met by `concurrency: 80`); the profile
    lowers otel to 0.25 (0.75 in all). refused_limits judges otel's cpu without the kept
    default (unset concurrency is fine below 1 CPU), then kept_defaults (moved after it in
    bec2ef6e) adds concurrency 80 — below one CPU, a patch Cloud Run refuses."""
    reseedable.reset(as_sent(_sidecar_world("0.5", "1")))
    _unset_concurrency(reseedable, clients_for)
    text = profile(
        "        settings:\n          cpu: 0.25\n", app="    settings:\n      concurrency: 80\n"
    )
    check = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    assert [f["target"] for f in json.loads(check.stdout)["findings"]] == ["setting.cpu"], (
        check.stdout
    )
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    written = sorted((s["name"], s.get("container"), s["after"]) for s in sp["settings"])
    # never both: 0.75 CPU in all with concurrency 80 is refused ("Total cpu < 1 is not
    # supported with concurrency > 1")
    assert not (
        ("cpu", "otel", "250m") in written and any(n == "concurrency" for n, *_ in written)
    ), written
