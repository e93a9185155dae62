"""What `drift rollback` says will serve: it deploys the recorded configuration again, so Cloud
Run makes a new revision of it (the old one is not routed to by name unless the traffic named
it). An image named by a tag is resolved again then ("If you deploy from a container image
tag, it will be resolved to a digest and the revision will always serve the same image",
cloud.google.com/artifact-registry/docs/integrate-cloud-run): the prompt and the result say
the tag is redeployed and may name another image now, and never call that image restored as
before. An image by digest, or a new revision that gets no traffic, needs no such word."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.rollback import RollbackResult
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, config, lab_fix, lab_world, rollback

TAGGED = "us-docker.pkg.dev/lab/app:v1"
DIGEST = "us-docker.pkg.dev/lab/app@sha256:" + "ab" * 32
CAVEAT = f"{TAGGED} is a tag: the new revision runs the image it names now"


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _fix_then_roll_back(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RollbackResult, str]:
    """`drift fix --yes` of the lab, then `drift rollback` answered yes: its result and what
    it said (the prompt included)."""
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    ui = ScriptedUI([True])
    rolled = rollback(tmp_path, ui)
    return rolled, "\n".join(ui.said)


def test_the_prompt_says_a_new_revision_is_made_and_the_tag_is_resolved_again(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab_world())
    served = _short(sandbox.service(LAB, "app").latest_ready_revision)
    rolled, said = _fix_then_roll_back(sandbox, tmp_path, monkeypatch)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()  # what drift can compare
    assert (
        "afterwards: a new revision is created from the configuration that served before the "
        f"change ({served} ran it); traffic: LATEST 100% → the new revision" in said
    ), said
    assert f"→ {served}" not in said and "as before the change" not in said, said
    # after the workloads' lines, once for all of them (helper-683 L1)
    assert f"note: app: {CAVEAT}" in said and f"which is the one {served} ran only if" in said
    assert said.count(CAVEAT) == 1 and CAVEAT not in rolled.summary(), said  # helper-848 F7
    now = _short(sandbox.service(LAB, "app").latest_ready_revision)
    assert now != served  # a new revision, as the prompt said
    assert config(sandbox.revision(LAB, "app", now)) == config(sandbox.revision(LAB, "app", served))


def test_an_image_by_digest_is_not_resolved_again(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = {"image": DIGEST, "port": 8080, "env": {"DEBUG": "true"}}
    sandbox = make_sandbox(lab_world(template=template))
    rolled, said = _fix_then_roll_back(sandbox, tmp_path, monkeypatch)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert "afterwards: a new revision is created" in said, said
    assert "is a tag" not in said + rolled.summary()


def test_traffic_pinned_by_name_goes_back_to_that_revision(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pinned to a revision by name: that very revision serves again (immutable, its image
    as it was); the new revision only describes the template and gets no traffic."""
    world = lab_world(
        history=[{"image": "us-docker.pkg.dev/lab/app:v0"}],
        traffic=[{"revision": 2, "percent": 100}],
    )
    sandbox = make_sandbox(world)
    pinned = sandbox.service(LAB, "app").traffic[0].revision
    rolled, said = _fix_then_roll_back(sandbox, tmp_path, monkeypatch)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert (
        f"traffic: {pinned} 100%, the revision it was before; the new revision "
        "gets no traffic" in said
    ), said
    assert "is a tag" not in said + rolled.summary()
    assert [(t.revision, t.percent) for t in sandbox.service(LAB, "app").traffic] == [(pinned, 100)]


@pytest.mark.parametrize("pinned_to", [1, 2], ids=["unreleased-template", "template-serves"])
def test_a_from_template_fix_says_what_its_rollback_runs(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pinned_to: int
) -> None:
    """A `--from-template` fix records the template as it was: its rollback deploys that, which
    is not what served when the template was an unreleased change (revfix60 F5): said so, with
    the image it runs; a template that served is the configuration that served."""
    world = lab_world(
        history=[{"image": "us-docker.pkg.dev/lab/app:v0"}],
        traffic=[{"revision": pinned_to, "percent": 100}],
    )
    sandbox = make_sandbox(world)
    pinned = _short(sandbox.service(LAB, "app").traffic[0].revision)
    options = FixOptions(yes=True, from_template=True)
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), options, monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    ui = ScriptedUI([True])
    assert rollback(tmp_path, ui).exit_code is ExitCode.OK
    said = "\n".join(ui.said)
    unreleased = (
        "afterwards: a new revision is created from the template as it was before the change, "
        f"which did not serve (unreleased: {TAGGED}; what served was {pinned}); traffic: "
    )
    served = "afterwards: a new revision is created from the configuration that served before"
    assert (unreleased in said, served in said) == (pinned_to == 1, pinned_to == 2), said


@pytest.mark.parametrize("latest", [False, True], ids=["pinned-split", "latest-split"])
def test_the_revisions_it_routes_back_to_are_said_once(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, latest: bool
) -> None:
    """Traffic split across named revisions and a tag: the preview lists every target and says
    once that those named are the ones they were before, not after each (helper-700 F9)."""
    first: dict[str, object] = {"latest": True} if latest else {"revision": 2}
    traffic = [{**first, "percent": 70}, {"revision": 1, "percent": 30}]
    traffic.append({"revision": 1, "percent": 0, "tag": "e2e"})
    old = "us-docker.pkg.dev/lab/app:v0"
    sandbox = make_sandbox(lab_world(history=[{"image": old}], traffic=traffic))
    names = [_short(t.revision) for t in sandbox.service(LAB, "app").traffic]
    # the revision keeping its 30 % still drifts: the fix's re-check says so (exit 1)
    fixed = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.DRIFT, fixed.summary()
    ui = ScriptedUI([True])
    assert rollback(tmp_path, ui).exit_code is ExitCode.OK
    said = "\n".join(ui.said)
    if latest:
        listed = f"LATEST 70% → the new revision, {names[1]} 30%, {names[2]} 0% (tag e2e); each"
        listed += " revision named is the one it was before"
    else:
        listed = f"{names[0]} 70%, {names[1]} 30%, {names[2]} 0% (tag e2e), each the revision it"
        listed += " was before; the new revision gets no traffic"
    assert f"traffic: {listed}" in said, said
    assert said.count("it was before") == 1, said
