"""Drift on a revision reached only through a traffic tag (0 %, its own URL) is never among the
findings a plan's patch repairs (`fixes`): a revision is "an immutable snapshot of code and
configuration" (google/cloud/run/v2/revision.proto) and a tag names one revision
(traffic_target.proto), so a patch of the template makes a new revision and the tag still points
at the old one. The plan's step acts on the tag (`gcloud run services update-traffic SERVICE
--update-tags TAG=REVISION` / `--remove-tags TAG`), never on the template (revfirstday 1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.diff import diff
from drift.fix.plan import build_plan
from drift.live.model import LiveService, ServingRevision
from drift.live.secret_state import SecretVersionInfo, VersionState
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.refs import SecretRef
from drift.report import Report
from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import REPO, drift
from tests.livestate import config, plain, ref, state, with_env

PROJECT = "acme-chat-staging"
SHAPES = REPO / "tests" / "data" / "shapes" / "profiles"


def _tagged_world(sandbox: Sandbox) -> str:
    """api serves a revision with TESTING=true (the default scenario's drift) and the tag
    `e2e` points, at 0 %, at an older revision that has TESTING=true too."""
    sandbox.deploy(PROJECT, "api", env={"RELEASE": "a"}, tag="e2e")
    sandbox.set_env(PROJECT, "api", "RELEASE", "b")
    (tagged,) = [t for t in sandbox.service(PROJECT, "api").traffic if t.tag == "e2e"]
    return str(tagged.revision)


def _env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    return {
        **sandbox.environ(),
        **sandbox.test_tokens(),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }


def _commands(sp: dict[str, object], target: str) -> str:
    steps = [m for m in sp["manual"] if m["target"] == target]  # type: ignore[attr-defined]
    return "\n".join(c for m in steps for c in m["commands"])


def test_a_tagged_revision_is_not_claimed_fixed_and_its_step_acts_on_the_tag(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    tagged = _tagged_world(sandbox)
    env = _env(sandbox, tmp_path)
    check = drift("check", "staging", "-s", "api", "--format", "json", env=env, cwd=REPO)
    found = json.loads(check.stdout)["findings"]
    forbidden = [f for f in found if f["rule"] == "env.forbidden"]
    (on_tag,) = [f for f in forbidden if f.get("tag") == "e2e"]
    (serving,) = [f for f in forbidden if not f.get("tag")]
    assert on_tag["revision"] == tagged
    plan = drift("plan", "staging", "-s", "api", "--format", "json", env=env, cwd=REPO)
    (api,) = json.loads(plan.stdout)["services"]
    assert serving["id"] in api["fixes"]  # the serving revision's TESTING: the patch removes it
    assert on_tag["id"] not in api["fixes"]
    steps = _commands(api, "tag.e2e")
    assert "gcloud run services update-traffic api" in steps
    assert "--update-tags=e2e=<REVISION>" in steps and "--remove-tags=e2e" in steps
    assert "services update " not in steps
    (step,) = [m for m in api["manual"] if m["target"] == "tag.e2e"]
    assert tagged in step["reason"] and "env.TESTING" in step["reason"]
    script = drift("plan", "staging", "-s", "api", "--format", "gcloud", env=env, cwd=REPO)
    assert "#   gcloud run services update-traffic api" in script.stdout


def test_fix_repairs_what_its_plan_claims_and_leaves_the_tag_to_its_step(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    _tagged_world(sandbox)
    env = _env(sandbox, tmp_path)
    plan = drift("plan", "staging", "-s", "api", "--format", "json", env=env, cwd=REPO)
    (api,) = json.loads(plan.stdout)["services"]
    claimed = set(api["fixes"])
    done = drift("fix", "staging", "-s", "api", "--yes", "--format", "json", env=env, cwd=REPO)
    report = json.loads(done.stdout[done.stdout.index('{\n  "schema": "drift.report/v1"') :])
    left = {f["id"]: f for f in report["findings"]}
    assert not claimed & set(left), f"claimed fixed but still there: {claimed & set(left)}"
    assert any(f.get("tag") == "e2e" for f in left.values())
    assert done.returncode == 1  # drift left that no patch could fix (SPEC, exit codes)


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(default_scenario_path().with_name("real-shapes.yaml")) as world:
        yield world


@pytest.mark.parametrize("forbid", [True, False], ids=["forbidden", "unexpected"])
def test_real_shapes_tag_gets_a_step_on_the_tag_never_a_template_update(
    shapes: Sandbox, tmp_path: Path, forbid: bool
) -> None:
    """chat's tag e2e (0 %) points at chat-00002-def, which runs TESTING=1; the template has
    no TESTING. Forbidden (the shapes profile) it was said nowhere in the plan; unexpected (a
    `drift init` profile) its step was `services update --remove-env-vars=TESTING`, which
    changes nothing the finding is about and deploys a new revision."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (SHAPES / "prod.yaml").read_text()
    if not forbid:
        assert "TESTING: {forbidden: true}" in text
        text = text.replace("TESTING: {forbidden: true}", "")
    (profiles / "prod.yaml").write_text(text)
    args = ("-s", "chat", "--profiles", str(profiles), "--format", "json")
    check = drift("check", "prod", *args, env=shapes.environ(), cwd=REPO)
    report = json.loads(check.stdout)
    (on_tag,) = [
        f for f in report["findings"] if f["target"] == "env.TESTING" and f.get("tag") == "e2e"
    ]
    assert on_tag["rule"] == ("env.forbidden" if forbid else "env.unexpected")
    # the Repair block of the step summary (and `fix_commands`) is the plan's script
    repair = "\n".join(report["fix_commands"])
    assert "update-traffic chat" in repair and "--remove-tags=e2e" in repair
    assert "--remove-env-vars=TESTING" not in repair
    done = drift("plan", "prod", *args, env=shapes.environ(), cwd=REPO)
    (chat,) = json.loads(done.stdout)["services"]
    assert on_tag["id"] not in chat["fixes"]
    assert "update-traffic chat" in _commands(chat, "tag.e2e")
    every = "\n".join(c for m in chat["manual"] for c in m["commands"])
    assert "--remove-env-vars=TESTING" not in every


PROFILE = """\
project: acme-prod
region: us-central1
services:
  api:
    env:
      SEC: {secret: s1}
"""


def test_a_secret_finding_on_a_tag_is_not_claimed_by_a_patch_that_drops_it_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SEC references the DISABLED secret `gone` on the serving revision and on the tagged
    one. The patch repoints the serving revision's SEC to s1, so its `secret.disabled` is
    repaired; the tagged revision keeps referencing `gone` and its finding is not."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    profile = load_profile(Path("profiles"), "prod")
    st: LiveState = state(with_env(SEC=ref("SEC", "gone")))
    gone = SecretRef("gone")
    st.versions[gone] = SecretVersionInfo(gone, VersionState.DISABLED, "1")
    api: LiveService = st.services["api"]
    old = config([*with_env(SEC=ref("SEC", "gone")), plain("OLD", "1")])
    tag = ServingRevision("api-00000-old", 0, ("e2e",), ("https://e2e---api.run.app",), old)
    st.services["api"] = dataclasses.replace(api, tagged=(tag,), tags=("e2e",))
    findings = diff(profile, ["api"], st, dt.date(2026, 11, 30))
    report = Report("prod", "acme-prod", "us-central1", ("api",), tuple(findings))
    (plan,) = build_plan(profile, ["api"], st, report).services
    disabled = {f.tag: f.id for f in findings if f.rule == "secret.disabled"}
    assert set(disabled) == {None, "e2e"}
    assert disabled[None] in plan.fixes  # the patch no longer references `gone`
    assert disabled["e2e"] not in plan.fixes
    assert not {f.id for f in findings if f.tag} & set(plan.fixes)
    (step,) = [m for m in plan.manual if m.target == "tag.e2e"]
    assert "secret.gone (secret.disabled)" in step.reason
    assert all("update-traffic api" in c for c in step.commands)


@pytest.mark.parametrize(
    ("kind", "revision", "left"),
    [
        ("REVISION", "api-00004-abc", "e2e"),  # stays on the revision the canary replaces
        ("LATEST", "", None),  # follows the canary (the latest ready revision)
        ("REVISION", "api-00002-old", None),  # not on what the fix replaces
    ],
)
def test_only_a_revision_tag_on_the_base_is_left_behind(
    tmp_path: Path, kind: str, revision: str, left: str | None
) -> None:
    """revown12 F2: which probed tag a promotion leaves on the unpatched revision."""
    from google.cloud import run_v2

    from drift.fix.probetag import left_tag

    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n"
        "    probe: {websocket: /ws, tag: e2e}\n"
    )
    service = load_profile(tmp_path, "prod").services["api"]
    kinds = run_v2.TrafficTargetAllocationType
    traffic = [
        run_v2.TrafficTarget(
            type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            revision="api-00004-abc",
            percent=100,
        ),
        run_v2.TrafficTarget(
            type_=getattr(kinds, f"TRAFFIC_TARGET_ALLOCATION_TYPE_{kind}"),
            revision=revision,
            tag="e2e",
        ),
    ]
    source = run_v2.Service(traffic=traffic)
    assert left_tag(service, source, "api-00004-abc") == left
