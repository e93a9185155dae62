"""`drift rollback C --from-live lab` of a change on three services (aaa, bbb, ccc: a fix
`--no-promote` left each canary pinned, its journal then lost), refused over a teammate's
writes once the change was rebuilt: aaa deployed (a rerun rebuilt from the live services
refuses it, `--force` or not), bbb tagged (a rerun rebuilds it as it is now), ccc untouched.
Each command the refusal names is run as it reads: it writes only the services it names
(their generations, the journal's `--list`), and none writes without confirmation (a pipe is
no answer; Ctrl-C or "no" at its prompt writes nothing). Before, the check said of them all
that drift cannot roll C back "`--force` or not", naming nothing for bbb; a service unread at
that look hid aaa's verdict (a `--force` of all of them was named, which the rerun refuses);
a `--force` said "from aaa as it is now" and wrote bbb and ccc too; and once one service was
rolled back (`the rest`, or at write time), every `--from-live` command named was refused:
"change C is in the journal"."""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.cli.session import Invocation
from drift.diff.unserved import CLEANUP_WINDOW
from drift.errors import ExitCode, Interrupted
from drift.fix import rollback_restore
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox.faults import Fault
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, Answer, ScriptedUI
from tests.fix.test_killed_fix import CI_IMAGE, said

NAMES = ("aaa", "bbb", "ccc")
FLAGS = f"--from-live lab --project {LAB}"
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


class Lab:
    """The three services' sandbox, the change, the profiles, the teammate's writes."""

    def __init__(
        self, make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.sandbox = make_sandbox(lab.lab_world(service="aaa", also=NAMES[1:]))
        for key, value in self.sandbox.environ().items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)
        self.tmp, self.profiles = tmp_path, lab.lab_profiles(tmp_path, "aaa", also=NAMES[1:])
        env, options = self.sandbox.environ(), FixOptions(yes=True, promote=False)
        done = lab.fix(tmp_path, env, ScriptedUI(), options, None, "lab", self.profiles)
        pinned = [(e.service, e.state) for e in lab.entries(tmp_path)]
        assert pinned == [(name, State.PINNED) for name in NAMES], done.summary()
        self.change = done.change_id
        shutil.rmtree(tmp_path / ".drift")  # the fix ran elsewhere: its journal is not here
        for name in NAMES:  # killed longer ago than a fix runs
            self.sandbox.backdate(LAB, name, CLEANUP_WINDOW.total_seconds() + 60)

    def generations(self) -> dict[str, int]:
        return {name: self.sandbox.service(LAB, name).generation for name in NAMES}

    def deploy(self, name: str) -> None:  # `gcloud run deploy NAME --image …`
        self.sandbox.deploy(LAB, name, image=CI_IMAGE, client=("gcloud", "467.0.0"))

    def tag(self, clients: Any, name: str) -> None:
        """`gcloud run services update-traffic NAME --set-tags qa=SERVING`."""
        service = clients.services.get_service(name=lab.lab_name(name))
        serving = next(t.revision for t in service.traffic if t.percent == 100)
        service.traffic.append(run_v2.TrafficTarget(type_=REVISION, revision=serving, tag="qa"))
        clients.services.update_service(service=service).result()

    def aaa_deployed_bbb_tagged(self, clients: Any) -> None:
        self.deploy("aaa")
        self.tag(clients, "bbb")
        self.sandbox.clear_calls()  # what the rollback reads from here on

    def rollback(self, ui: ScriptedUI, *args: str) -> RollbackResult:
        """`drift rollback C [--service S]… --from-live lab --project fix-lab [--force]` in
        process (the profile built as the CLI builds it), answered by `ui`; `args`: those
        flags, as a command named them."""
        words = " ".join(args).replace("--force", "")
        assert re.sub(r"--service \w+", "", words).split() in ([], FLAGS.split()), args
        cli = Invocation(profiles=self.profiles, project=LAB)  # --project given
        settings = cli.settings(journal_dir=self.tmp / ".drift" / "journal")
        live = replace(cli, environment="lab").profile(settings)
        services = [args[i + 1] for i, a in enumerate(args) if a == "--service"] or None
        force = "--force" in args
        return asyncio.run(
            run_rollback(
                settings, ui, self.change, yes=False, force=force, services=services, live=live
            )
        )

    def cli(self, command: str, *more: str) -> tuple[int, str]:
        """`command` (`drift rollback …`) run as it reads, through the CLI: exit code, text."""
        done = drift(
            *command.split()[1:],
            *more,
            env={
                **self.sandbox.environ(),
                "DRIFT_PROFILES_DIR": str(self.profiles),
                "DRIFT_JOURNAL_DIR": str(self.tmp / ".drift" / "journal"),
            },
            cwd=self.tmp,
            timeout=120,
            stdin="y\n",
        )
        return done.returncode, " ".join(said(done).split())

    def rolled_back(self) -> list[str]:
        """The services `drift rollback --list` lists as rolled back under the change."""
        code, text = self.cli("drift rollback --list")
        assert code == 0, text
        return sorted(re.findall(rf"{self.change} \S+ \S+ \S+ lab (\w+) rolled-back", text))


class Teammate(ScriptedUI):
    """Answers `answers`; `write` runs once the change is rebuilt (before the check reads the
    services) or, `at_prompt`, while the prompt waits."""

    def __init__(self, write: Any, at_prompt: bool, answers: list[Answer]) -> None:
        super().__init__(answers, on_confirm=(lambda _: write()) if at_prompt else None)
        self.write, self.waiting = write, not at_prompt

    def say(self, text: str) -> None:
        super().say(text)
        if self.waiting and "rebuilt from the live service" in text:
            self.waiting = False
            self.write()


def named(text: str) -> list[str]:
    return re.findall(r"`(drift rollback [^`]*)`", text)


def refused(world: Lab, write: Any, at_prompt: bool = False) -> str:
    """The first `drift rollback C --from-live lab --project fix-lab`, the teammate's `write`
    made as `Teammate` makes it, answered yes: refused (exit 4), its summary on one line."""
    done = world.rollback(Teammate(write, at_prompt, [True]))
    text = " ".join(done.summary().split())
    assert done.exit_code is ExitCode.ABORTED, text
    return text


def writes_only(world: Lab, command: str, names: set[str]) -> str:
    """`command` run through the CLI: exit 0, a new generation of each of `names` alone."""
    before = world.generations()
    code, text = world.cli(command, "--yes")
    after = world.generations()
    assert code == 0, text
    assert {n for n in NAMES if after[n] != before[n]} == names, (before, after, text)
    return text


def unconfirmed(world: Lab, command: str) -> None:
    """`command` unconfirmed writes nothing: through the CLI without --yes (a pipe answers
    nothing), and in process answered Ctrl-C, then no."""
    before, journaled = world.generations(), world.rolled_back()
    code, text = world.cli(command)
    assert code == 4 and "declined: nothing was changed" in text, text
    assert "(no terminal to ask; pass --yes)" in text, text
    args = command.split()[3:]
    with pytest.raises(Interrupted):
        world.rollback(ScriptedUI([KeyboardInterrupt()]), *args)
    declined = world.rollback(ScriptedUI([False]), *args)
    assert "declined: nothing was changed" in declined.summary(), declined.summary()
    assert world.generations() == before and world.rolled_back() == journaled


def test_force_is_named_for_the_services_a_rerun_rebuilds_and_for_those_alone(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """At the check: aaa deployed, bbb tagged. Nothing is written; for aaa, what a rerun finds
    (the gcloud command that lets theirs serve), no `--force`; for bbb, its own `--force`;
    ccc, `the rest`. Each run as it reads writes its service alone; aaa is never written."""
    world = Lab(make_sandbox, tmp_path, monkeypatch)
    clients = clients_for(world.sandbox)
    start = world.generations()
    text = refused(world, lambda: world.aaa_deployed_bbb_tagged(clients))
    assert world.generations() == {**start, "aaa": start["aaa"] + 1, "bbb": start["bbb"] + 1}
    # what a rerun would find is judged from the check's read of aaa and bbb: none read twice
    reads = [call.short for call in world.sandbox.calls]
    assert (reads.count("GetService"), reads.count("GetRevision")) == (3, 0), reads
    c = world.change
    assert f"drift cannot roll {c} back from the live service of aaa now" in text, text
    assert "aaa was deployed since drift's canary" in text, text
    assert re.findall(r"`(gcloud [^`]*)`", text) == [
        f"gcloud run services update-traffic aaa --to-latest --remove-tags drift-{c} "
        f"--project {LAB} --region us-central1"
    ], text
    force, rest = (f"drift rollback {c} --service bbb {FLAGS} --force", f"--service ccc {FLAGS}")
    assert named(text) == [force, f"drift rollback {c} {rest}"], text
    assert f"{force}` restores anyway, from bbb as it is now" in text, text
    unconfirmed(world, force)
    writes_only(world, force, {"bbb"})
    assert world.rolled_back() == ["bbb"]
    writes_only(world, f"drift rollback {c} {rest}", {"ccc"})  # after bbb's: C is journaled
    assert world.rolled_back() == ["bbb", "ccc"]
    code, again = world.cli(f"drift rollback {c} {FLAGS} --force", "--yes")  # aaa is left
    assert code == 4 and "aaa was deployed since drift's canary" in again, again
    assert world.rolled_back() == ["bbb", "ccc"]


def test_while_the_prompt_waits_each_refused_service_names_its_own_command(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """While the prompt waits: aaa deployed, bbb tagged. ccc is rolled back (journaled); bbb's
    line names `--force` of bbb alone, which run writes bbb (a `--from-live` rerun beside the
    journaled ccc: before, "change C is in the journal", exit 2); aaa's, none."""
    world = Lab(make_sandbox, tmp_path, monkeypatch)
    clients = clients_for(world.sandbox)
    text = refused(world, lambda: world.aaa_deployed_bbb_tagged(clients), True)
    c = world.change
    assert world.rolled_back() == ["ccc"], text
    force = f"drift rollback {c} --service bbb {FLAGS} --force"
    assert named(text) == [force], text
    assert "nothing was written to aaa (drift cannot roll" in text, text
    unconfirmed(world, force)
    text = writes_only(world, force, {"bbb"})
    assert f"bbb: change {c} is not in the journal for it (only for ccc)" in text, text
    assert world.rolled_back() == ["bbb", "ccc"]


@pytest.mark.parametrize("rest_first", [True, False], ids=["the-rest-first", "force-first"])
def test_the_force_and_the_rest_named_beside_it_each_write_their_own(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
    rest_first: bool,
) -> None:
    """At the check: aaa tagged (a rerun rebuilds it). The `--force` named is of aaa alone
    (before: of the whole change, "from aaa as it is now", yet it wrote bbb and ccc too), and
    `the rest` of bbb and ccc; run in either order, each writes its own services, the second
    rebuilding what the journal does not hold (before, after `the rest`: "change C is in the
    journal", exit 2, and aaa could no longer be rolled back from the live services)."""
    world = Lab(make_sandbox, tmp_path, monkeypatch)
    clients = clients_for(world.sandbox)
    text = refused(world, lambda: world.tag(clients, "aaa"))
    c = world.change
    force = f"drift rollback {c} --service aaa {FLAGS} --force"
    rest = f"drift rollback {c} --service bbb --service ccc {FLAGS}"
    assert named(text) == [force, rest], text
    assert f"{force}` restores anyway, from aaa as it is now" in text, text
    runs = [(rest, {"bbb", "ccc"}), (force, {"aaa"})]
    for command, names in runs if rest_first else runs[::-1]:
        unconfirmed(world, command)
        writes_only(world, command, names)
    assert world.rolled_back() == ["aaa", "bbb", "ccc"]
    code, out = world.cli(f"drift rollback {c} {FLAGS} --force", "--yes")  # all journaled
    assert code == 0 and "nothing left to roll back" in out, out


def test_a_service_unread_by_the_second_look_hides_no_other_verdict(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """At the check: aaa deployed, bbb tagged, and bbb cannot be read once the check has read
    it (PERMISSION_DENIED on the look at what a rerun would find). aaa's verdict still stands:
    no `--force` of it; bbb's `--force` is named (it may work), and, the read allowed again,
    writes bbb alone. Before, one `--force` of all was named, "from aaa, bbb as they are
    now", which the rerun refuses for aaa."""
    world = Lab(make_sandbox, tmp_path, monkeypatch)
    clients = clients_for(world.sandbox)
    real = rollback_restore.refused_again

    async def denied(*args: Any, **kw: Any) -> Any:
        world.sandbox.inject(Fault("*", "PERMISSION_DENIED", match="services/bbb"))
        return await real(*args, **kw)

    monkeypatch.setattr(rollback_restore, "refused_again", denied)
    text = refused(world, lambda: world.aaa_deployed_bbb_tagged(clients))
    world.sandbox.clear_faults()
    c = world.change
    assert f"drift cannot roll {c} back from the live service of aaa now" in text, text
    force = f"drift rollback {c} --service bbb {FLAGS} --force"
    assert named(text) == [force, f"drift rollback {c} --service ccc {FLAGS}"], text
    writes_only(world, force, {"bbb"})
    assert world.rolled_back() == ["bbb"]
