"""A service pinned to its serving revision through a tagged target (`cur`, 100 %): the
promotion moves that traffic to the canary, untagged, and leaves `cur` on the old revision at
0 % — a tag names one revision (google/cloud/run/v2/traffic_target.proto), so routing by tag
keeps working (revcrash2's minor point). Every plan format says so beforehand, and the fix does
what the plan said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

RUNNER = "runner@p.iam.gserviceaccount.com"
CUR = "tag cur stays on {base} at 0% (its 100% moves to the canary, untagged)"


def world() -> dict[str, Any]:
    service = {
        "template": {
            "image": "us-docker.pkg.dev/example/app:2",
            "service_account": RUNNER,
            "env": {"MODE": "a"},
        },
        "history": [{"image": "us-docker.pkg.dev/example/app:1"}],
        "traffic": [
            {"revision": 2, "percent": 100, "tag": "cur"},
            {"revision": 1, "percent": 0, "tag": "old"},
        ],
    }
    project = {
        "number": 3,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{RUNNER}"]},
        "services": {"web": service},
    }
    return {"projects": {"p": project}}


@pytest.fixture
def pinned(make_sandbox: MakeSandbox, tmp_path: Path) -> tuple[Sandbox, dict[str, str]]:
    sandbox = make_sandbox(world())
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(
        'project: p\nregion: us-central1\nservices:\n  web:\n    env:\n      MODE: "b"\n'
    )
    env = {**sandbox.environ(), "NO_COLOR": "1", "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    return sandbox, env


def plan(env: dict[str, str], cwd: Path, fmt: str) -> str:
    done = drift("plan", "prod", "--profiles", "profiles", "--format", fmt, env=env, cwd=cwd)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done.stdout


def test_every_plan_format_says_which_tags_stay_where(
    pinned: tuple[Sandbox, dict[str, str]], tmp_path: Path
) -> None:
    sandbox, env = pinned
    base = next(t.revision for t in sandbox.service("p", "web").traffic if t.tag == "cur")
    said = CUR.format(base=base.rsplit("/", 1)[-1])
    table = plan(env, tmp_path, "table")
    assert f"note: the promotion moves traffic, not tags: {said}" in table, table
    assert "tag old stays" not in table, table  # at 0 %: the promotion moves nothing of it
    (web,) = json.loads(plan(env, tmp_path, "json"))["services"]
    assert web["promotion_tags"] == f"the promotion moves traffic, not tags: {said}", web
    for fmt in ("gcloud", "yaml"):
        out = plan(env, tmp_path, fmt)
        flat = " ".join(line.lstrip("# ").strip() for line in out.splitlines())
        assert "drift fix (a canary, then its promotion): the promotion moves" in flat, out
        assert said in flat, out
    # and the fix does what the plan said
    done = drift("fix", "prod", "--profiles", "profiles", "--yes", env=env, cwd=tmp_path)
    # 1: the re-check still finds the drift on the revisions the tags keep (their own URLs)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "web: traffic moved to" in done.stdout, done.stdout
    traffic = {t.tag: (t.revision, t.percent) for t in sandbox.service("p", "web").traffic}
    assert traffic["cur"] == (base, 0), traffic
    untagged = [t for t in sandbox.service("p", "web").traffic if not t.tag]
    assert [t.percent for t in untagged] == [100], traffic


def test_no_note_when_the_moved_traffic_carries_no_tag(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    spec = world()
    spec["projects"]["p"]["services"]["web"]["traffic"] = [
        {"latest": True, "percent": 100},
        {"revision": 1, "percent": 0, "tag": "old"},
    ]
    sandbox = make_sandbox(spec)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        'project: p\nregion: us-central1\nservices:\n  web:\n    env:\n      MODE: "b"\n'
    )
    env = {**sandbox.environ(), "NO_COLOR": "1"}
    assert "promotion moves traffic" not in plan(env, tmp_path, "table")
    (web,) = json.loads(plan(env, tmp_path, "json"))["services"]
    assert "promotion_tags" not in web


def test_a_tag_the_promotion_leaves_behind_gets_its_manual_step(
    pinned: tuple[Sandbox, dict[str, str]], tmp_path: Path
) -> None:
    """fixleft's follow-up: after the promotion `cur` stays on the old revision at 0 %, which
    still has the drift (the next check finds it through the tag): the plan gives the step that
    moves or removes it, as it does for the tag the profile probes, before the "yes"."""
    sandbox, env = pinned
    base = next(t.revision for t in sandbox.service("p", "web").traffic if t.tag == "cur")
    short = base.rsplit("/", 1)[-1]
    table = plan(env, tmp_path, "table")
    assert f"tag cur points at {short} with 100% of the traffic" in " ".join(table.split())
    assert "--update-tags=cur=<CANARY>" in table and "--remove-tags=cur" in table, table
    (web,) = json.loads(plan(env, tmp_path, "json"))["services"]
    assert "tag.cur" in [step["target"] for step in web["manual"]], web["manual"]


def test_a_plan_saved_before_promotion_tags_is_said_to_be_an_older_drifts(
    pinned: tuple[Sandbox, dict[str, str]], tmp_path: Path
) -> None:
    """8f1845f (2026-11-30 12:57) added `promotion_tags` to a `drift.plan/v2` service whose
    promoted traffic is tagged, without a new schema. A plan saved by a v2 drift before it
    (which says `drift_version 0.2.0.dev0` as this one does) is refused, as what was reviewed
    is not what would be applied, but as an older drift's plan to make again, never as "the
    plan now differs … in web (promotion_tags)": the service did not change (revupgrade F5)."""
    from drift.fix.saved import OPTIONS, body_digest

    sandbox, env = pinned
    path = tmp_path / "plan.json"
    made = drift(
        "plan", "prod", "--profiles", "profiles", "--out", str(path), env=env, cwd=tmp_path
    )
    assert made.returncode in (0, 1), made.stdout + made.stderr
    data = json.loads(path.read_text())
    for service in data["services"]:  # as a drift before 8f1845f saved it
        assert service.pop("promotion_tags", None) is not None
    data["saved"]["digest"] = body_digest(data, {k: data["saved"][k] for k in OPTIONS})
    path.write_text(json.dumps(data, indent=2) + "\n")
    done = drift(
        "fix", "prod", "--profiles", "profiles", "--plan", str(path), "--yes", env=env, cwd=tmp_path
    )
    said = done.stdout + done.stderr
    assert done.returncode == 4, said
    assert f"{path} was saved by an older drift" in said, said
    assert "now differs" not in said and "make a new plan (drift plan prod --out FILE)" in said
    assert "updated" not in said and "nothing was changed" in said
