"""What a row of the settings catalogue must carry itself (#16: adding a setting touches one
table plus its tests): a row that can be blocked gives its own commands, so no blocked row
falls into another's (before, drift/fix/manual.py `blocked_step` gave the min/max `--scaling`
commands to any blocked row it did not name)."""

from __future__ import annotations

from drift.fields import FIELDS
from drift.fix.commands import Commands
from drift.fix.manual import blocked_step
from drift.kinds import Kind


def _update(*flags: str) -> str:
    return "update " + " ".join(flags)


def test_every_blocked_row_gives_its_own_commands() -> None:
    blocked = {n for n, f in FIELDS.items() if f.blocked is not None}
    commanded = {n for n, f in FIELDS.items() if f.blocked_commands is not None}
    assert blocked == commanded
    for name in sorted(blocked):
        for kind in FIELDS[name].kinds:
            commands = FIELDS[name].unblocking(_update, kind, "v9", "why")
            assert commands, name
            # the profile's value is in what it gives (its own flag, not another row's)
            assert any("v9" in c for c in commands), (name, commands)


def test_a_row_without_commands_gets_none_of_another_rows() -> None:
    cmd = Commands("p", "europe-west1", "api")
    step = blocked_step(cmd, "ingress", "internal", "a reason")
    assert step.commands == ()
    assert step.reason == "ingress: a reason"


def test_blocked_scaling_commands_are_the_bound_s() -> None:
    cmd = Commands("p", "europe-west1", "api", "", Kind.SERVICE)
    step = blocked_step(cmd, "max_instances", 7, "manual")
    assert len(step.commands) == 2
    assert "--max=7" in step.commands[0] and "--min=<MIN>" in step.commands[0]
    assert "--scaling=<COUNT>" in step.commands[1]
