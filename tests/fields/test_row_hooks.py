"""What a row of the settings catalogue must carry itself (#16: adding a setting touches one
table plus its tests): a row that can be blocked gives its own commands, so no blocked row
falls into another's (before, drift/fix/manual.py `blocked_step` gave the min/max `--scaling`
commands to any blocked row it did not name)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from drift.blanks import Arg, plain
from drift.errors import ProfileError
from drift.fields import FIELDS, stated_conflicts
from drift.fields.base import Stated
from drift.fix.commands import Commands
from drift.fix.manual import blocked_step
from drift.kinds import Kind
from drift.manifest.unknowns import SETTINGS, _by_path, service_unknowns
from drift.profiles.loader import load_profile


def _update(*flags: Arg) -> str:
    return "update " + " ".join(plain(f) for f in flags)


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


def test_a_row_s_cross_setting_check_is_consulted_without_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A toy check on a row (here `timeout`'s) is asked by the profile builder: a new
    cross-setting check is the row's, registered nowhere else (before: drift/profiles/build.py
    called cpu_floor.below_one and manual_scaling.manual_conflicts by name)."""

    def toy(service: str, stated: Stated) -> list[tuple[str, str]]:
        if "timeout" not in stated or "concurrency" not in stated:
            return []
        return [("concurrency", f"{service}: toy conflict with timeout ({stated['timeout'][1]})")]

    monkeypatch.setitem(FIELDS, "timeout", replace(FIELDS["timeout"], conflicts=toy))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        "      timeout: 60s\n      concurrency: 10\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "profiles", "staging")
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("profiles/staging.yaml:7:"), problem
    assert "api: toy conflict with timeout (profiles/staging.yaml:6)" in problem


def test_the_catalogue_asks_every_row_s_check() -> None:
    stated: Stated = {
        "cpu": ("0.5", "a.yaml:3"),
        "concurrency": (10, "a.yaml:4"),
        "manual_instances": (3, "a.yaml:5"),
        "min_instances": (1, "a.yaml:6"),
    }
    found = stated_conflicts("api", Kind.SERVICE, stated)
    assert [name for name, _ in found] == ["min_instances", "concurrency"]
    job: Stated = {"parallelism": (5, "a.yaml:8"), "task_count": (2, "a.yaml:7")}
    assert [name for name, _ in stated_conflicts("job", Kind.JOB, job)] == ["parallelism"]
    # each row's check judges the kinds its rule is about (`Field.conflicts_for`)
    assert stated_conflicts("api", Kind.JOB, stated) == []
    assert stated_conflicts("job", Kind.SERVICE, job) == []


def test_every_row_says_where_a_terraform_plan_holds_it() -> None:
    """Each row names its own Terraform paths (`Field.terraform`); drift/manifest/unknowns.py
    derives its table from them (before: a second table keyed by setting name)."""
    for name, row in FIELDS.items():
        assert row.terraform, f"{name}: no Terraform path (Field.terraform)"
        for path in row.terraform:
            assert path and isinstance(path[0], str), (name, path)
            assert all(isinstance(p, str) or (isinstance(p, int) and p >= -1) for p in path)
    pairs = {(path, name) for path, names in SETTINGS for name in names}
    assert pairs == {(p, n) for n, f in FIELDS.items() for p in f.terraform}


def test_a_plan_s_unknown_value_reaches_a_row_by_its_own_path() -> None:
    """A row's own path is all the table needs (a toy row), and an unknown at a row's path
    withholds that row's setting."""
    toy = replace(FIELDS["timeout"], name="toy_setting", terraform=(("template", 0, "toy"),))
    assert _by_path([toy]) == ((("template", 0, "toy"), ("toy_setting",)),)
    after = {"template": [{"containers": [{"image": "x"}], "toy": None}]}
    timeout = {
        u.target
        for u in service_unknowns(after, {"template": [{"timeout": True}]}, "plan.json", "$").items
    }
    assert timeout == {"setting.timeout"}
