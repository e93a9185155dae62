"""drift's canary held by `drift fix --no-promote` (still tagged with its own `drift-CHANGE`
at 0 %: it never served), then a teammate's deploy that brings the drift back and takes the
traffic. Where the fix's journal is not at hand (CI runs `check` on another machine), `since`
named that later deploy as where the drift began and drift's canary as `last_good`, and
history compared the deploy with the canary (helper-619 F3). Both ways drift promotes a canary
remove its tag, so a canary that still carries its own and has no traffic never served
(`drift.diff.unserved.HELD`)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from drift.check import run_check
from drift.diff.unserved import HELD, unserved
from drift.findings import Since
from drift.fix.apply import FixOptions
from drift.live.changeids import compact, own_tag
from drift.live.model import RevisionConfig
from drift.live.state import RevisionRecord
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI
from tests.history.test_revsince import lab_history

ALICE, CAROL = "alice@acme.example", "carol@acme.example"
CHANGE = "20261120-101010-0a1b2"


def since_now(tmp_path: Path, check_tags: str, *, journal: bool) -> dict[str, Since | None]:
    """`lab_since` with the lab profile and `check_tags` (`none`: the canary's tag is not
    checked, so its revision is not read; its tag still tells)."""
    from drift.fix.served import canary_record

    folder = lab.lab_profiles(tmp_path)
    profile = folder / "lab.yaml"
    profile.write_text(profile.read_text() + f"    check_tags: {check_tags}\n")
    settings = load_settings()
    read = {"canaries": canary_record(settings.journal())} if journal else {}
    done = asyncio.run(run_check(load_profile(folder, "lab"), settings, today=lab.TODAY, **read))
    return {f.target: f.since for f in done.report.findings}


@pytest.mark.parametrize("check_tags", ["all", "none"])
def test_a_held_canary_is_neither_where_the_drift_began_nor_last_good(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, check_tags: str
) -> None:
    # alice's revision had no drift; the template (DEBUG set, MODE missing) brought it
    good = {"env": {"MODE": "live", "DEBUG": None}, "created": "5d", "creator": ALICE}
    sandbox = make_sandbox(lab.lab_world(history=[good]))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    lab.lab_profiles(tmp_path)
    before = since_now(tmp_path, check_tags, journal=False)
    assert set(before) == {"env.MODE", "env.DEBUG"}, before
    done = lab.lab_fix(
        tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True, promote=False), monkeypatch
    )
    assert done.change_id is not None, done.summary()
    # a teammate's Terraform apply a day later: the drift again, all the traffic on it; the
    # canary keeps its tag (every tag stays on its key: `update-traffic`)
    sandbox.advance(86400)
    sandbox.act_as(CAROL)
    sandbox.deploy(LAB, "app", env={"DEBUG": "true", "MODE": None}, client=("terraform", "1.9.0"))
    sandbox.update_traffic(LAB, "app", {"LATEST": 100})
    (tmp_path / ".drift").rename(tmp_path / "elsewhere")  # no journal here (a CI checkout)
    lab.lab_profiles(tmp_path)
    carol, canary, bobs, alices = lab_history(tmp_path)
    assert canary.name == f"app-drift-{done.change_id}" and canary.percent == 0, canary
    assert canary.tags == (f"drift-{done.change_id}",), canary
    assert carol.creator == CAROL and carol.percent == 100, carol
    after = since_now(tmp_path, check_tags, journal=False)
    for target, since in after.items():
        assert since is not None, target
        was = before[target]
        assert was is not None and (was.revision, was.last_good) == (bobs.name, alices.name)
        # main: since carol's revision, last good drift's canary
        assert (since.revision, since.creator, since.last_good) == (
            bobs.name,
            was.creator,
            alices.name,
        ), since
        assert replace(since, note="") == replace(was, note=""), (target, since)
        assert f"drift's canary {canary.name} taken as never served" in since.note, since.note
        assert "held by --no-promote" in since.note, since.note
        # helper-624 F5: the service alone cannot tell a canary routed by hand with its tag
        # kept, then replaced: the words say so rather than take the hold for a fact
        assert "with its tag kept, then replaced, looks the same" in since.note, since.note
    # history: the canary is said never served, and carol's deploy changed nothing that served
    assert canary.never_served == HELD
    assert carol.against == bobs.name and carol.changes == (), carol
    (tmp_path / "elsewhere").rename(tmp_path / ".drift")  # the journal here: the same answer
    with_journal = since_now(tmp_path, check_tags, journal=True)
    assert {t: (s.revision, s.last_good) for t, s in with_journal.items() if s} == {
        t: (s.revision, s.last_good) for t, s in after.items() if s
    }


def _record(name: str, client: str) -> RevisionRecord:
    def unread() -> RevisionConfig:
        raise AssertionError(f"{name} read: its tag alone tells")

    return RevisionRecord(name, None, "", client, unread)


def test_a_canary_promoted_by_hand_with_its_tag_kept_served() -> None:
    """A teammate promoted drift's canary by hand and kept its tag (`update-traffic
    --to-revisions CANARY=100`): it has a share of the traffic, so it serves, tag or not.
    Without its tag, a next revision whose client is someone else's says nothing either."""
    canary = f"app-drift-{CHANGE}"
    listed = [
        _record("app-00001-abc", "gcloud 467.0.0"),
        _record(canary, "drift 1.0.0"),
        _record("app-00003-def", "terraform 1.9.0"),
    ]
    tags = {canary: (f"drift-{CHANGE}",), "app-00001-abc": ("stable",)}
    assert unserved(listed, None, {canary}, tags) == {}
    assert unserved(listed, None, set(), tags) == {1: HELD}  # no share now: never served
    assert unserved(listed, None, set(), {canary: ("stable",)}) == {}
    assert unserved(listed, lambda name: True, set(), tags) == {}  # its journal decides first


def test_only_the_canarys_own_tag_holds_it() -> None:
    """`own_tag`: the tag of the change its name names, in full or compact form; another
    change's tag, a team's tag, or a revision that is no canary of drift's: none."""
    name = f"app-drift-{CHANGE}"
    assert own_tag(name, ("stable", f"drift-{CHANGE}")) == f"drift-{CHANGE}"
    assert own_tag(name, (compact(CHANGE),)) == compact(CHANGE)
    assert own_tag(f"app-{compact(CHANGE)}", (compact(CHANGE),)) == compact(CHANGE)
    assert own_tag(name, ("drift-20261120-101010-0a1b3", "stable")) == ""
    assert own_tag("app-00002-xyz", (f"drift-{CHANGE}",)) == ""
