"""helper-568 (each failed on b453033e): a baseline's id is never handed to another drift —
a file of a directory repaired and another broken, another project's secret named by number —
only to the same drift repinned (`drift.diff.older.moved_ids`); a fix that replaces a failed
write's template names the service's own settings it sends as they read now (ingress: the
failed write may have asked for it), under both readings of Service.ingress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

P1, REGION = "p1", "us-central1"


def _world(env: dict[str, str]) -> dict[str, Any]:
    service = {"template": {"image": "us-docker.pkg.dev/p1/app:2", "env": env}}
    return {"projects": {P1: {"number": 500000000009, "region": REGION,
                              "services": {"svc": service}}}}  # fmt: skip


def _run(sb: Sandbox, tmp: Path, profile: str, *args: str) -> Any:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "prod.yaml").write_text(profile)
    return drift(*args, "prod", "--profiles", str(tmp / "profiles"), env=sb.environ(), cwd=tmp)


# --- A: runs_as stops at a stated rule that states no value -------------------------------
# --- B: moved_ids hands a repaired drift's id to a new drift of another file/version -------
def _base_check(world: dict[str, Any], tmp: Path, profile: str, *args: str) -> dict[str, Any]:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "prod.yaml").write_text(profile)
    with Sandbox(world) as sb:
        done = drift(
            "check", "prod", "--no-history", "--format", "json", "--profiles",
            str(tmp / "profiles"), *args, env=sb.environ(), cwd=tmp,
        )  # fmt: skip
    assert done.stdout, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    out["exit"] = done.returncode
    return out


def _mounted(modes: dict[str, int]) -> dict[str, Any]:
    items = [{"path": p, "version": "1", "mode": m} for p, m in modes.items()]
    template = {
        "containers": [{
            "name": "app", "image": "us-docker.pkg.dev/p1/app:2",
            "ports": [{"containerPort": 8080}],
            "volumeMounts": [{"name": "keys", "mountPath": "/etc/keys"}],
        }],
        "volumes": [{"name": "keys", "secret": {"secret": "s", "items": items}}],
    }  # fmt: skip
    return {"projects": {P1: {
        "number": 500000000009, "region": REGION,
        "iam": {"roles/secretmanager.secretAccessor": [
            "serviceAccount:500000000009-compute@developer.gserviceaccount.com"]},
        "secrets": {"s": {"versions": ["fake-value-1"]}},
        "services": {"svc": {"template": template}},
    }}}  # fmt: skip


MOUNT_PROFILE = (
    f"project: {P1}\nregion: {REGION}\nservices:\n  svc:\n"
    '    mounts:\n      /etc/keys: {secret: s, mode: "0400"}\n'
)


def test_one_file_repaired_another_broken_is_new_not_unchanged(tmp_path: Path) -> None:
    """/etc/keys holds a.pem and b.pem; the profile wants mode 0400. Baseline: a.pem is 0444
    (mount.mode, id told apart by the file: `_mount` variant). Now a.pem is 0400 and b.pem
    0444: a drift of another file, nobody was told of it. README "Findings": 'repairing one
    never hands its id, and its place in a baseline, to another'. HEAD: `moved_ids` matches
    b.pem's finding to a.pem's (same rule/target/container, failed () both): reported under
    a.pem's id, `unchanged`, nothing resolved, --fail-on-new exits 0."""
    before = _base_check(_mounted({"a.pem": 0o444, "b.pem": 0o400}), tmp_path, MOUNT_PROFILE)
    (was,) = [f for f in before["findings"] if f["rule"] == "mount.mode"]
    assert "a.pem" in was["message"]
    (tmp_path / "base.json").write_text(json.dumps(before))
    now = _base_check(
        _mounted({"a.pem": 0o400, "b.pem": 0o444}), tmp_path, MOUNT_PROFILE,
        "--baseline", str(tmp_path / "base.json"), "--fail-on-new",
    )  # fmt: skip
    (found,) = [f for f in now["findings"] if f["rule"] == "mount.mode"]
    assert "b.pem" in found["message"]
    assert found["baseline"] == "new" and found["id"] != was["id"], (found["id"], found["baseline"])
    assert [f["id"] for f in now["resolved"]] == [was["id"]]
    assert now["exit"] == 1


def test_another_projects_secret_by_number_is_not_the_baselines_drift(
    make_sandbox: Any, tmp_path: Path
) -> None:
    """Baseline: K -> projects/222/secrets/k (acme-shared), latest = version 2 DISABLED,
    finding `secret.acme-shared/k`. A deploy points K at projects/333/secrets/k (acme-other),
    whose version 2 is DISABLED too; this run is refused GetProject only. The run read 333's
    secret; nothing ties 333 to acme-shared (the baseline never named 222 as it). HEAD:
    `moved_ids` takes `perhaps_same` (any number, same secret name) as the same drift: reported
    under acme-shared's id, `unchanged`, --fail-on-new exit 0 — a reference to another
    project's disabled secret, never told. README: `new` = 'the baseline did not have its id';
    the finding id is a fingerprint of its target."""
    from tests.baseline.test_other_project_by_number_unread import (
        DENY_PROJECT,
        _baseline,
        _check,
        _world,
    )

    before = _baseline(make_sandbox, tmp_path)
    (was,) = [f for f in before["findings"] if f["target"] == "secret.acme-shared/k"]
    world = _world([DENY_PROJECT])
    template = world["projects"]["p-acme"]["services"]["api"]["template"]
    template["env"]["K"] = {"secret": "projects/333/secrets/k"}
    world["projects"]["acme-other"] = {**world["projects"]["acme-shared"], "number": 333}
    now = _check(
        tmp_path, make_sandbox(world).environ(), "--baseline", "base.json", "--fail-on-new"
    )
    (found,) = [f for f in now["findings"] if f["rule"] == was["rule"]]
    assert found["target"] == "secret.333/k"
    assert found["baseline"] == "new", (found["id"] == was["id"], found["baseline"], now["exit"])


# --- C: a fix after someone's failed write applies (or erases) that write's ingress, unsaid --
@pytest.mark.parametrize("reading", ["requested", "observed"])
def test_a_fix_after_a_failed_write_names_the_ingress_that_write_asked_for(
    reading: str, make_sandbox: Any, clients_for: Any, tmp_path: Path
) -> None:
    """`app` is internal. A teammate's write asks for ingress ALL (and X=1); its revision fails.
    `drift fix` (profile: DEBUG forbidden, nothing on ingress) plans 'remove DEBUG' and says
    the failed template had X=1 - nothing on ingress. requested: the canary's write carries ALL
    and its deploy serves: the service is opened to all traffic by drift's fix. observed: the
    canary's write carries INTERNAL (the read), erasing their requested ALL. SPEC 8: 'The
    canary is the serving revision's configuration plus the plan, nothing else ... the plan
    says which failed revision's template it replaces and what that template had'; SPEC 2."""

    from tests.fix.test_canary_missing_image import LAB, world
    from tests.fix.test_canary_missing_image import run as run_lab
    from tests.fix.test_ingress_read import failed_write_asking_all

    scenario: dict[str, Any] = world(ingress_read=reading)
    scenario["projects"][LAB]["services"]["app"]["ingress"] = "internal"
    sandbox = make_sandbox(scenario)
    services = failed_write_asking_all(sandbox, clients_for)
    name = f"projects/{LAB}/locations/us-central1/services/app"
    done = run_lab(
        sandbox, tmp_path, "    env:\n      DEBUG: {forbidden: true}\n", "fix", "lab", "--yes"
    )
    plan = done.stdout.split("lab: 1 change", 1)[0]
    held = int(sandbox._core.world.find_service(LAB, "app", None).pb.ingress)
    read = int(services.get_service(name=name).ingress)
    shown = "ingress all" if reading == "requested" else "ingress internal"  # as read
    assert "note: the write sends the service's own settings as they read now: " in plan, plan
    assert shown in plan, (reading, "held", held, "read", read, plan)
