"""A fix of a service whose name leaves little room for the canary's traffic tag: Cloud Run
refuses a tag and service name longer than 46 characters together (the sandbox answers as
Google does: INVALID_ARGUMENT "… Combined traffic tag and service name cannot exceed 46
characters."). A 23-character name gets the compact tag, a 40-character one no tag; either
fix goes through (canary, promotion, rollback), and a reader without the journal still knows
the canary from the service alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, assert_serves_as_before, serving, spec

MEDIUM = "notification-dispatcher"  # 23: `drift-CHANGE` (26) does not fit, the compact tag does
LONG = "notification-dispatcher-europe-west-prod"  # 40: no tag fits
MAX_TAGGED = 46


@pytest.mark.parametrize("service", [MEDIUM, LONG])
def test_a_long_service_name_is_fixed_promoted_and_rolled_back(
    service: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab.lab_world(service=service))
    before = sandbox.service(LAB, service)
    dry = lab.lab_cli(sandbox, tmp_path, "fix", "lab", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr

    # a canary left pinned (--no-promote): every reader knows it from the service alone
    pinned = lab.lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--no-promote")
    assert pinned.returncode == 1, pinned.stdout + pinned.stderr  # the drift is not fixed yet
    assert "with no traffic (--no-promote)" in pinned.stdout, pinned.stdout
    (entry,) = lab.entries(tmp_path)
    assert len(entry.tag) + len(service) <= MAX_TAGGED
    assert bool(entry.tag) == (service == MEDIUM)
    now = sandbox.service(LAB, service)
    assert now.latest_created_revision.rsplit("/", 1)[-1] == entry.canary_revision
    assert serving(now) == serving(before)  # no traffic on the canary
    if service == LONG:
        said = pinned.stdout + pinned.stderr
        assert f"the canary {entry.canary_revision} has no traffic tag" in said, said
        assert "NOT proven that the canary serves" in said, said
        # no empty tag in what it says, nor in the command that finishes the change
        assert "(no traffic, untagged)" in said and "(tag )" not in said, said
        assert "--remove-tags " not in said and "ready at  " not in said, said
    other = tmp_path / "elsewhere"  # a second reader: no journal
    other.mkdir()
    plan = lab.lab_cli(
        sandbox, other, "plan", "lab", env={"DRIFT_JOURNAL_DIR": str(other / "journal")}
    )
    text = plan.stdout + plan.stderr
    # its fix may still be running, by the canary's age: said as `drift fix` says it
    change = f"change {entry.change_id}, whose journal is not here: a fix may still be running"
    assert f"{change}: its canary {entry.canary_revision}" in text, text
    listed = lab.lab_cli(sandbox, tmp_path, "rollback", "--list")
    assert listed.returncode == 0 and entry.change_id in listed.stdout, listed.stdout
    back = lab.lab_cli(sandbox, tmp_path, "rollback", entry.change_id, "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert spec(sandbox.service(LAB, service)) == spec(before)

    # the fix through to its promotion, then its rollback
    done = lab.lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    # the other change, and the last: two begun in one second sort in the order they began
    (fixed,) = [e for e in lab.entries(tmp_path) if e.change_id != entry.change_id]
    assert lab.entries(tmp_path)[-1].change_id == fixed.change_id
    now = sandbox.service(LAB, service)
    assert serving(now) == {(fixed.canary_revision, 100)}
    assert not any(t.tag for t in now.traffic)  # the canary's tag is gone
    assert lab.lab_cli(sandbox, tmp_path, "check", "lab").returncode == 0
    back = lab.lab_cli(sandbox, tmp_path, "rollback", fixed.change_id, "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert_serves_as_before(sandbox, LAB, service, before, fixed.canary_revision)


@pytest.mark.parametrize("length", [1, 19, 20, 21, 23, 34, 35, 36, 40, 49])
@pytest.mark.parametrize("change", ["20261129-233249-566d7", "20261129-233249-566d"])
def test_the_canary_tag_and_name_fit_and_name_their_change(length: int, change: str) -> None:
    """A change id as drift makes it, and as an older drift made it (4 hex digits): both
    forms, full and compact, name it back."""
    from drift.fix.patch import canary_name, canary_tag
    from drift.live.changeids import canary_change, named_change, tagged_change

    service = "s" * length
    tag, name = canary_tag(service, change), canary_name(service, change)
    assert (not tag or len(tag) + length <= MAX_TAGGED) and len(name) <= 63
    assert bool(tag) == (length <= MAX_TAGGED - len("d-") - 10)
    assert tagged_change(tag) == (change if tag else None)
    assert named_change(service, name) == change == canary_change(name)


@pytest.mark.parametrize("length", [1, 28, 29, 35, 36, 49])
def test_the_plans_canary_name_has_the_form_the_fix_gives(length: int) -> None:
    """The plan names the canary before there is a change (`canary_name(service)`): in the
    form the fix's name will have, compact (`SERVICE-d-…`) where the full one does not fit
    (fixtag60's Left: the plan said `SERVICE-drift-CHANGE` for every service)."""
    from drift.fix.patch import canary_name
    from drift.live.changeids import new_change_id

    service = "s" * length
    planned, real = canary_name(service), canary_name(service, new_change_id())
    form = f"{service}-drift-" if len(real) == length + len("-drift-") + 21 else f"{service}-d-"
    assert real.startswith(form) and planned.startswith(form), (planned, real)


def test_an_untagged_canary_is_never_matched_by_an_untagged_row() -> None:
    """Every untagged traffic row has tag "": an untagged canary's own "" must not match one
    (a canary "found" that way would stop a clean-up, or free a pin that is not drift's)."""
    from google.cloud import run_v2

    from drift.fix.context import ServiceOutcome

    untagged = ServiceOutcome("svc", "svc-d-abc", "", "deploying")
    tagged = ServiceOutcome("svc", "svc-d-abc", "d-abc", "deploying")
    row = run_v2.TrafficTarget(revision="svc-00001-aaa", percent=100)
    mine = run_v2.TrafficTarget(revision="svc-d-abc", tag="d-abc")
    assert not untagged.tagged(row) and not tagged.tagged(row)
    assert tagged.tagged(mine) and not untagged.tagged(mine)
    assert (untagged.tag_words, untagged.remove_tag) == ("untagged", "")
    assert (tagged.tag_words, tagged.remove_tag) == ("tag d-abc", " --remove-tags d-abc")


@pytest.mark.parametrize("tag", ["d-a1b2c3d", "d-20240101", "d-v1cafe", "d-release1beef"])
def test_a_users_own_short_tag_is_no_canary_of_drifts(tag: str) -> None:
    """`d-<git sha>` and the like fit the compact form's letters but name no second since
    drift existed: no change is read from them, as a tag or as a revision's name."""
    from drift.live.changeids import canary_change, named_change, tagged_change

    assert tagged_change(tag) is None
    assert named_change("api", f"api-{tag}") is None and canary_change(f"api-{tag}") is None


def test_a_users_d_tag_pins_no_canary(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    api = {
        "template": {"image": "x/api:3", "env": {"A": "1"}},
        "history": [{"env": {"A": "1"}}],
        "traffic": [
            {"revision": 1, "percent": 100},
            {"revision": 2, "percent": 0, "tag": "d-a1b2c3d"},
        ],
    }
    world = {"projects": {"p": {"number": 5, "region": "us-central1", "services": {"api": api}}}}
    sandbox = make_sandbox(world)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: '1'\n"
    )
    done = drift("check", "prod", "--profiles", str(profiles), "--format", "json",
                 env=sandbox.environ())  # fmt: skip
    assert "revision.pinned" not in done.stdout and done.returncode == 0, done.stdout


def test_change_ids_begun_within_one_second_sort_in_the_order_they_began() -> None:
    """`drift rollback` with no id takes the last change: one begun in the same second as
    another sorts after it, whatever its random part."""
    import datetime as dt

    from drift.live.changeids import CHANGE_ID, new_change_id

    now = dt.datetime(2026, 11, 30, 1, 2, 3, tzinfo=dt.UTC)
    ids: list[str] = []
    for _ in range(16):  # `WINDOW`: at least 16 a second
        ids.append(new_change_id(now, after=ids))
    assert ids == sorted(ids) and len(set(ids)) == 16
    assert all(CHANGE_ID.fullmatch(i) and i.startswith("20261130-010203-") for i in ids)
    for _ in range(200):  # then the next seconds', still in order
        ids.append(new_change_id(now, after=ids))
    assert ids == sorted(ids) and len(set(ids)) == 216
    assert new_change_id(now, after=["20261130-010203-fffff"]).startswith("20261130-010204-")
    assert new_change_id(now, after=["20261130-010202-fffff", "junk"]).startswith(
        "20261130-010203-"
    )
    # after an older drift's id (4 hex digits) of the same second: it sorts after it too
    older = "20261130-010203-ffff"
    assert older < new_change_id(now, after=[older]) < "20261130-010204-"


def test_a_change_begun_after_the_clock_went_back_still_sorts_last() -> None:
    """A journal id from a later second (a clock set back, a journal shared between
    machines): the new change's id begins at that second, so `drift rollback` still takes it."""
    import datetime as dt

    from drift.live.changeids import new_change_id

    now = dt.datetime(2026, 11, 30, 1, 0, 0, tzinfo=dt.UTC)
    later = "20261130-010005-02f91"
    made = new_change_id(now, after=[later])
    assert made > later and made.startswith("20261130-010005-"), made
    assert new_change_id(now, after=["20261130-010005-fffff"]).startswith("20261130-010006-")


def test_two_changes_begun_in_one_second_on_one_journal_rarely_share_an_id() -> None:
    """Two `drift fix` runs sharing a journal, begun in the same second, each read it before
    the other wrote: both draw their id's last part after the same journal max. It was drawn
    from 1,024 values (one `drift rollback CHANGE` then undid both operators' changes once
    in 1,024 such pairs); it is drawn from 65,536 now (`WINDOW`), and an older drift's ids
    are still read (tests above)."""
    import datetime as dt

    from drift.live.changeids import CHANGE_ID, compact, expand, new_change_id

    now = dt.datetime(2026, 11, 30, 1, 2, 3, tzinfo=dt.UTC)
    drawn = [new_change_id(now, after=["20261130-010202-00001"]) for _ in range(4096)]
    assert all(CHANGE_ID.fullmatch(i) and expand(compact(i)) == i for i in drawn)
    # from 65,536 values, 4,096 draws repeat about 128 times; from 1,024, never fewer than 3,072
    assert len(set(drawn)) > 3800, len(set(drawn))
