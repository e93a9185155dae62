"""The `--force` command a rollback's refusal names — before its prompt, and at write time when
someone else's write put a workload back meanwhile — is the one that does what the sentence
promises: it names the change and the `--service` selection given. It was a bare
`drift rollback --force`, which rolls back the *latest* change, all its workloads: run as
named, it wrote to workloads of another change or outside the selection (helper-752 F1). And
a change drift made later on the same service, still live, is never taken for undone: the
service is not "as before already" while the later change's setting is there, and the forced
rollback writes it back before it records the later change rolled back (helper-752 F2)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.rollback import run_rollback
from drift.settings import load_settings
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.fix.test_rollback_the_rest import _lab, _service

WORLD = {
    "options": {"seed": 7},
    "projects": {"p1": {"number": 111000111000, "region": "us-central1",
                        "services": {n: _service(n) for n in "ab"}}},
}  # fmt: skip
HEAD = "project: p1\nregion: us-central1\nservices:\n"


def forbid(*names: str, extra: str = "") -> str:
    """A profile that forbids DEBUG on the services `names` (`extra`: under the last one)."""
    return (
        HEAD
        + "".join(f"  {n}:\n    env:\n      DEBUG: {{forbidden: true}}\n" for n in names)
        + extra
    )


class World:
    """The sandbox, and `drift` run against it from `tmp_path` (its profile `p`)."""

    def __init__(self, make_sandbox: MakeSandbox, tmp_path: Path) -> None:
        self.sandbox, self.env = _lab(make_sandbox, tmp_path, WORLD)
        self.tmp_path = tmp_path

    def run(self, *args: str) -> tuple[int, str]:
        done = drift(*args, env=self.env, cwd=self.tmp_path, timeout=180)
        return done.returncode, " ".join((done.stdout + done.stderr).split())

    def fix(self, profile: str) -> str:
        """`drift fix p --yes` with `profile`: its change id."""
        (self.tmp_path / "profiles" / "p.yaml").write_text(profile)
        code, said = self.run("fix", "p", "--yes")
        assert code == 0, said
        return re.findall(r"change (\S+) recorded in", said)[0]

    def generations(self) -> dict[str, int]:
        return {n: int(self.sandbox.service("p1", n).generation) for n in "ab"}

    def put_back(self, name: str) -> None:
        """A teammate deploys what served before drift's change again."""
        self.sandbox.deploy("p1", name, env={"DEBUG": "true"})

    def states(self) -> dict[tuple[str, str], str]:
        """`drift rollback --list`: each change's state on each service, by (change, service)."""
        listed = drift("rollback", "--list", env=self.env, cwd=self.tmp_path)
        assert listed.returncode == 0, listed.stdout + listed.stderr
        rows = [
            re.match(r"(\d{8}-\S+)\s.*\sp\s+([ab])\s+(\S+)\s", r)
            for r in listed.stdout.splitlines()
        ]
        return {(m[1], m[2]): m[3] for m in rows if m}

    def forced(self, said: str) -> tuple[int, str]:
        """Run the `--force` command `said` names, answered yes."""
        named = re.findall(r"`(drift rollback [^`]*--force)`", said)
        assert len(set(named)) == 1, said
        return self.run(*named[0].split()[1:], "--yes")


def test_a_refusal_with_service_names_that_selection(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """a put back by a teammate, `--service a`: the command named writes nothing, to a nor b,
    and records a alone rolled back."""
    world = World(make_sandbox, tmp_path)
    change = world.fix(forbid("a", "b"))
    world.put_back("a")
    code, said = world.run("rollback", "--service", "a", "--yes")
    assert code == 4 and f"`drift rollback {change} --service a --force` records" in said, said
    gens = world.generations()
    code, said = world.forced(said)
    assert code == 0 and world.generations() == gens, said  # nothing written, b left as it is
    assert world.states() == {(change, "a"): "rolled-back", (change, "b"): "promoted"}


def test_a_refusal_of_an_older_change_names_it(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """C1 on a, then C2 on b; a put back by a teammate: the command `drift rollback C1` names
    records C1 rolled back, writing nothing, and leaves C2 (the latest) live."""
    world = World(make_sandbox, tmp_path)
    first = world.fix(forbid("a"))
    second = world.fix(forbid("b"))
    world.put_back("a")
    code, said = world.run("rollback", first, "--yes")
    assert code == 4 and f"`drift rollback {first} --force` records the change" in said, said
    gens = world.generations()
    code, said = world.forced(said)
    assert code == 0 and world.generations() == gens, said  # the later change is left live
    assert world.states() == {(first, "a"): "rolled-back", (second, "b"): "promoted"}


def test_a_workload_put_back_while_the_prompt_waits_names_change_and_selection(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C1 on a and b, then C2 on b; `drift rollback C1 --service a`, a put back while its
    prompt waits: the command its write-time line names writes nothing, to a nor b."""
    world = World(make_sandbox, tmp_path)
    first = world.fix(forbid("a", "b"))
    second = world.fix(forbid("b", extra="      LEVEL: info\n"))
    for key, value in world.env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    ui = ScriptedUI([True], on_confirm=lambda question: world.put_back("a"))
    done = asyncio.run(run_rollback(settings, ui, first, yes=False, services=["a"]))
    said = " ".join(done.summary().split())
    assert done.exit_code is ExitCode.ABORTED, said
    assert f"`drift rollback {first} --service a --force` records a as rolled back" in said, said
    gens = world.generations()
    code, said = world.forced(said)
    assert code == 0 and world.generations() == gens, said
    assert world.states() == {
        (first, "a"): "rolled-back",
        (first, "b"): "promoted",
        (second, "b"): "promoted",
    }


def test_a_later_change_still_live_is_written_back_before_it_is_recorded_undone(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """C1 removes a's DEBUG (a canary), C2 sets a's ingress internal in place; a teammate
    deploys DEBUG again. a is not "as before already" while C2's ingress is live: the forced
    rollback of C1 writes the ingress back, and only then records C2 rolled back by it (it
    wrote nothing and recorded C2 undone, C2's ingress left live)."""
    world = World(make_sandbox, tmp_path)
    ingress = world.sandbox.service("p1", "a").ingress
    first = world.fix(forbid("a"))
    second = world.fix(forbid("a", extra="    settings:\n      ingress: internal\n"))
    assert world.sandbox.service("p1", "a").ingress != ingress
    world.put_back("a")
    code, said = world.run("rollback", first, "--yes")
    assert code == 4 and "before the change already" not in said, said
    assert f"`drift rollback {first} --force` restores anyway" in said, said
    code, said = world.run("rollback", first, "--force", "--yes")
    assert code == 0 and "already serves what served before" not in said, said
    assert world.sandbox.service("p1", "a").ingress == ingress, said
    assert world.states() == {(first, "a"): "rolled-back", (second, "a"): "rolled-back"}
    code, said = world.run("rollback", "--yes")
    assert code == 0 and "nothing left to roll back" in said, said


def test_a_later_change_in_place_has_its_own_setting_written_back_too(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """C1 sets a's ingress in place, C2 (in place too) its default_uri_disabled as well: the
    forced rollback of C1 writes back C2's setting with its own, so the write is proven (it was
    judged not drift's, "did not land; nothing was written to a" — ingress written, C2's
    setting left live) and C2 is recorded rolled back by it, as it is."""
    world = World(make_sandbox, tmp_path)
    first = world.fix(HEAD + "  a:\n    settings:\n      ingress: internal\n")
    second = world.fix(
        HEAD + "  a:\n    settings:\n      ingress: internal\n      default_uri_disabled: true\n"
    )
    code, said = world.run("rollback", first, "--yes")
    assert code == 4 and "setting default_uri_disabled: true → false" in said, said
    code, said = world.run("rollback", first, "--force", "--yes")
    assert code == 0 and "nothing was written to a" not in said, said
    a = world.sandbox.service("p1", "a")
    assert (a.ingress, a.default_uri_disabled) == (1, False), said  # INGRESS_TRAFFIC_ALL
    assert world.states() == {(first, "a"): "rolled-back", (second, "a"): "rolled-back"}
