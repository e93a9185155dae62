"""`drift rollback C --from-live lab` of a change on aaa, bbb and ccc (`test_from_live_several`'s
world) once an earlier `--service aaa --from-live` journaled aaa's rebuilt entry: the journal
holds aaa, the rest is rebuilt from the live services (helper-771 R1–R3).

A refused service the journal holds is the journal's: its own `--force` restores it from the
journal's entry, undoing their change, and is said so (before: "drift cannot roll C back from
the live service of aaa now, `--force` or not", though that `--force` worked; or "restores
anyway, from aaa as it is now", though run it removed their tag). And a rollback from the
journal alone of such a change (`drift rollback C`, plain `drift rollback`) never says
"nothing left to roll back", exit 0, while bbb and ccc still carry its canary: it names them
and the command that rolls them back, and exits 4. Every command named is run as it reads:
only the services it names change (their generations, `rollback --list`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.rollback_refusal import FORCED_UNDOES
from drift.sandbox.faults import Fault
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI
from tests.fix.test_from_live_several import (
    FLAGS,
    Lab,
    named,
    refused,
    unconfirmed,
    writes_only,
)


def tags(world: Lab, name: str) -> set[str]:
    return {t.tag for t in world.sandbox.service(LAB, name).traffic}


@pytest.fixture
def world(make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Lab:
    return Lab(make_sandbox, tmp_path, monkeypatch)


def aaa_journaled(world: Lab, finished: bool) -> None:
    """`drift rollback C --service aaa --from-live lab --project fix-lab`, answered yes: aaa's
    rebuilt entry journaled, rolled back (`finished`) or not (the server refused its write:
    nothing written, the entry `canary-ready`, as a rerun finds it)."""
    if not finished:
        world.sandbox.inject(Fault("UpdateService", "PERMISSION_DENIED", match="services/aaa"))
    before = world.generations()
    done = world.rollback(ScriptedUI([True]), "--service", "aaa", *FLAGS.split())
    world.sandbox.clear_faults()
    if finished:
        assert done.exit_code is ExitCode.OK and done.restored == ["aaa"], done.summary()
        assert world.rolled_back() == ["aaa"]
    else:
        assert done.exit_code is ExitCode.ABORTED, done.summary()
        assert "aaa: not rolled back" in done.summary(), done.summary()
        assert world.generations() == before and world.rolled_back() == []
    assert f"drift-{world.change}" in tags(world, "bbb")  # bbb, ccc: still C's canary


@pytest.mark.parametrize("theirs", ["deploy", "tag"])
def test_a_journaled_service_refused_names_its_own_force_from_the_journal(
    world: Lab, clients_for: ClientsFor, theirs: str
) -> None:
    """aaa journaled unfinished, then a teammate deploys aaa (`deploy`) or adds tag qa to it
    (`tag`). The whole `--from-live` rerun is refused for aaa, nothing written: aaa is the
    journal's (its rerun rolls it back from the journal's entry), so what is said is the
    journal's — the `--force` of aaa alone undoes their change (their tag goes too, as the
    lines above list it) — and bbb and ccc are `the rest`. Each writes its own services."""
    aaa_journaled(world, finished=False)
    if theirs == "deploy":
        world.deploy("aaa")
    else:
        world.tag(clients_for(world.sandbox), "aaa")
    c, before = world.change, world.generations()
    code, text = world.cli(f"drift rollback {c} {FLAGS}", "--yes")
    assert code == 4 and world.generations() == before, text
    assert "`--force` or not" not in text and "as it is now" not in text, text
    assert f"aaa was changed since drift's last write of change {c}" in text, text
    force = f"drift rollback {c} --service aaa --force"
    rest = f"drift rollback {c} --service bbb --service ccc {FLAGS}"
    assert f"{FORCED_UNDOES}; nothing was changed (" in text, text
    assert f"`{force}` restores anyway; `{rest}` rolls back the rest)" in text, text
    assert named(text) == [force, rest], text
    if theirs == "tag":
        assert "0% (tag qa) → LATEST 100%" in text, text  # what of theirs the lines list
    else:  # what lets theirs serve, from the journal's check (drift's pin caught it)
        assert (
            f"`gcloud run services update-traffic aaa --to-latest --remove-tags drift-{c} " in text
        )
    unconfirmed(world, force)
    out = writes_only(world, force, {"aaa"})
    assert "aaa: restored" in out, out
    assert "qa" not in tags(world, "aaa"), out  # undone, as said
    assert world.rolled_back() == ["aaa"]
    writes_only(world, rest, {"bbb", "ccc"})
    assert world.rolled_back() == ["aaa", "bbb", "ccc"]


def test_journaled_and_rebuilt_refused_together_each_said_as_what_restores_it(
    world: Lab, clients_for: ClientsFor
) -> None:
    """aaa journaled unfinished and tagged qa; then, once the rerun has rebuilt bbb and ccc,
    bbb tagged qa too. bbb's `--force` restores from bbb as it is now (its qa kept), aaa's
    from the journal's entry (its qa undone, said of aaa alone), ccc is `the rest`."""
    aaa_journaled(world, finished=False)
    clients = clients_for(world.sandbox)
    world.tag(clients, "aaa")
    text = refused(world, lambda: world.tag(clients, "bbb"))
    c = world.change
    bbb = f"drift rollback {c} --service bbb {FLAGS} --force"
    aaa = f"drift rollback {c} --service aaa --force"
    assert named(text) == [bbb, aaa, f"drift rollback {c} --service ccc {FLAGS}"], text
    assert f"{bbb}` restores anyway, from bbb as it is now" in text, text
    assert f"of aaa, {FORCED_UNDOES}; nothing was changed" in text, text
    assert "`--force` or not" not in text, text
    writes_only(world, bbb, {"bbb"})
    assert "qa" in tags(world, "bbb")  # as it was now
    writes_only(world, aaa, {"aaa"})
    assert "qa" not in tags(world, "aaa")  # the journal's entry, before their tag
    assert world.rolled_back() == ["aaa", "bbb"]


@pytest.mark.parametrize(
    ("latest", "finished"),
    [(False, True), (True, True), (False, False)],
    ids=["named", "plain", "aaa-unfinished"],
)
def test_a_change_journaled_in_part_is_not_said_rolled_back(
    world: Lab, latest: bool, finished: bool
) -> None:
    """aaa journaled by `--service aaa --from-live`, rolled back (`finished`) or not (the
    server refused its write). `drift rollback C` (or plain `drift rollback`, C the latest)
    rolls back what the journal holds of C (aaa, where unfinished; else nothing), yet bbb and
    ccc still carry its canary: it names them and the command that rolls them back, writes
    nothing to them, exit 4 (before: "nothing left to roll back", or "restored aaa", exit 0).
    That command, run as it reads, writes bbb and ccc alone; then C is rolled back, exit 0."""
    aaa_journaled(world, finished)
    c, before = world.change, world.generations()
    code, text = world.cli("drift rollback" + ("" if latest else f" {c}"), "--yes")
    after = {**before, "aaa": before["aaa"] + (not finished)}
    assert code == 4 and world.generations() == after, text
    assert "nothing left to roll back" not in text, text
    assert finished or f"rollback of {c}: restored aaa" in text, text
    command = f"drift rollback {c} --from-live lab --project {LAB} --region us-central1"
    assert (
        f"not rolled back: bbb, ccc still carry the canary of change {c}; "
        f"the journal holds only aaa of change {c} (rebuilt from the live services" in text
    ), text
    assert named(text)[-1] == command, text
    declined, out = world.cli(command)  # unconfirmed: a pipe answers nothing
    assert declined == 4 and "declined: nothing was changed" in out, out
    assert world.generations() == after
    writes_only(world, command, {"bbb", "ccc"})
    assert world.rolled_back() == ["aaa", "bbb", "ccc"]
    code, text = world.cli(f"drift rollback {c}", "--yes")
    assert code == 0 and "nothing left to roll back" in text, text


def test_services_unlisted_leave_it_untold_never_done(world: Lab) -> None:
    """The services cannot be listed (PERMISSION_DENIED on ListServices): whether C is left
    on others cannot be told; said, with the command, exit 4 — never "nothing left", 0."""
    aaa_journaled(world, finished=True)
    world.sandbox.inject(Fault("ListServices", "PERMISSION_DENIED"))
    code, text = world.cli(f"drift rollback {world.change}", "--yes")
    assert code == 4, text
    assert "whether another service of lab still carries its canary cannot be told" in text
    assert f"drift rollback {world.change} --from-live lab --project {LAB}" in text, text
