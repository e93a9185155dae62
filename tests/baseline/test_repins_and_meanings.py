"""helper-569 (each failed on 92e39dc3): a repin on a revision reached through a tag keeps the
baseline's id (the version variant stops at `~TAG`); a finding repaired is resolved beside
another project's secret of the same name that this run knows is another (`same_project`);
the plan's note of the service's own settings names
none the plan changes and none at no value of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNT = "api@p-acme.iam.gserviceaccount.com"
PROFILE = "project: p-acme\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: live\n"


def _check(tmp: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    done = drift(
        "check", "prod", "--no-history", "--format", "json", "--profiles", "profiles", *args,
        env=env, cwd=tmp,
    )  # fmt: skip
    assert done.stdout, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    out["exit"] = done.returncode
    return out


def _secret(disabled: int = 2) -> dict[str, Any]:
    versions: list[dict[str, Any]] = [{"value": f"fake-k-v{i}-0123456789abcdef"} for i in (1, 2)]
    versions[disabled - 1]["state"] = "DISABLED"
    return {
        "versions": versions,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
    }


# --- F1: a repin on a tagged revision is still `new` + `resolved` -----------------------------
def _tagged_world(k: dict[str, str]) -> dict[str, Any]:
    """api serves MODE=live (no K); api-00001-old (0 %, tag blue) has K -> `k`."""
    template = {"image": "us-docker.pkg.dev/p-acme/r/api:1", "service_account": ACCOUNT,
                "env": {"MODE": "live"}}  # fmt: skip
    service = {
        "template": template,
        "history": [{"name": "api-00001-old", "env": {"K": k}}],
        "traffic": [
            {"latest": True, "percent": 100},
            {"revision": "api-00001-old", "percent": 0, "tag": "blue"},
        ],
    }
    acme = {"number": 5, "region": "us-central1", "services": {"api": service}}
    return {"projects": {"p-acme": {**acme, "secrets": {"k": _secret()}}}}


def test_repinned_on_a_tagged_revision_keeps_its_id(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Tag blue reached a revision with K -> k:latest (= version 2, DISABLED): bare id
    `secret.k~blue`. Tag blue now reaches a revision with K -> k:2: the very version, the same
    state, id `secret.k#version 2~blue`. `_PINNED` (`#version \\S+`) swallows `~blue` too, so
    the tails differ by more than the version: `new` beside `resolved` (helper-567 F3 again,
    on every tagged revision)."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    before = _check(tmp_path, make_sandbox(_tagged_world({"secret": "k"})).environ())
    (was,) = [f for f in before["findings"] if f["rule"] == "secret.disabled"]
    assert was["tag"] == "blue" and was["failed"] == ["version 2"], was
    (tmp_path / "base.json").write_text(json.dumps(before))
    world = _tagged_world({"secret": "k", "version": "2"})
    now = _check(tmp_path, make_sandbox(world).environ(), "--baseline", "base.json")
    (found,) = [f for f in now["findings"] if f["rule"] == "secret.disabled"]
    assert found["failed"] == ["version 2"] and found["tag"] == "blue", found
    assert (found["id"], found["baseline"], now["resolved"]) == (was["id"], "unchanged", [])


# --- F2: another project's secret (number KNOWN not to be ours) keeps ours unresolved ------
def _two_world(own_disabled: bool) -> dict[str, Any]:
    """api: K1 -> own `k` (its version 2 DISABLED or not), K2 -> projects/222/secrets/k
    (acme-shared, version 2 DISABLED)."""
    both = [{"value": "fake-k-v1-0123456789abcdef"}, {"value": "fake-k-v2-0123456789abcdef"}]
    own = _secret() if own_disabled else {**_secret(), "versions": both}
    template = {
        "image": "us-docker.pkg.dev/p-acme/r/api:1",
        "service_account": ACCOUNT,
        "env": {"MODE": "live", "K1": {"secret": "k"},
                "K2": {"secret": "projects/222/secrets/k"}},
    }  # fmt: skip
    return {
        "projects": {
            "p-acme": {"number": 5, "region": "us-central1",
                       "services": {"api": {"template": template}}, "secrets": {"k": own}},
            "acme-shared": {"number": 222, "secrets": {"k": _secret()}},
        },
        "faults": [{"method": "GetProject", "code": "PERMISSION_DENIED"}],
    }  # fmt: skip


def test_own_secret_repaired_resolves_beside_another_projects_by_number(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Baseline: own `k` version 2 DISABLED (`secret.k`) and 222's (`secret.222/k`, GetProject
    refused throughout). Own `k` version 2 is enabled again; 222's stays disabled. The run read
    own `k` (Secret Manager named it projects/5/…: 5 is p-acme) so 222 is not p-acme
    (`ProjectNames.same_project` says False). HEAD: `not_checked_again` takes any finding of
    the same rule on `secret.NUMBER/k` as 'maybe it' (`perhaps_same` ignores what the run
    knows): `secret.k` is carried, never resolved, for as long as 222's drift stands."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    before = _check(tmp_path, make_sandbox(_two_world(True)).environ())
    targets = sorted(f["target"] for f in before["findings"] if f["rule"] == "secret.disabled")
    assert targets == ["secret.222/k", "secret.k"], targets
    (was,) = [f for f in before["findings"] if f["target"] == "secret.k"]
    (tmp_path / "base.json").write_text(json.dumps(before))
    now = _check(tmp_path, make_sandbox(_two_world(False)).environ(), "--baseline", "base.json")
    carried = [u["reason"] for u in now["unchecked"] if u["finding"]["id"] == was["id"]]
    assert [f["id"] for f in now["resolved"]] == [was["id"]], carried


# --- F4: the failed-template line claims to send what the plan itself changes ---------------
def test_held_by_service_line_names_no_setting_the_plan_changes(
    make_sandbox: MakeSandbox, clients_for: Any, tmp_path: Path
) -> None:
    """A failed write asked ingress ALL (read as requested). The profile says ingress internal:
    the plan sets `ingress all -> internal`, yet the line above says 'which this write sends as
    they read now: … ingress all …', and lists every default (manual_instances auto,
    invoker_iam_disabled false, default_uri_disabled false, iap_enabled false) on any
    service."""

    from tests.fix.test_canary_missing_image import run as run_lab
    from tests.fix.test_canary_missing_image import world
    from tests.fix.test_ingress_read import failed_write_asking_all

    sandbox = make_sandbox(world(ingress_read="requested"))
    failed_write_asking_all(sandbox, clients_for)
    rules = "    settings:\n      ingress: internal\n    env:\n      DEBUG: {forbidden: true}\n"
    plan = run_lab(sandbox, tmp_path, rules, "plan", "lab").stdout
    said = [s for s in plan.splitlines() if "settings as they read now" in s]
    assert "setting ingress  all   ->  internal" in plan, plan
    assert not any("ingress" in s or "false" in s or "auto" in s for s in said), said
