"""A password moved onto a container's command line (`Context.hidden`, `ServicePlan.hidden`:
an older revision held it as `AUTH_TOKEN`, masked for its name; the args hold it now, a word
of its own and a flag's value): the `args` row never shows it, wherever it is shown — check,
plan in every format, fix's confirmation and output, rollback's preview and output, and init
(helper-690 left it to check's findings alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.diff import context
from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

TOKEN = "Qm7vKp2Zr9"  # neither its shape nor a secret read says it is one: its history does
REGION = "us-central1"
LIVE = ["--pg", TOKEN, f"--pw={TOKEN}"]
HEAD = f'project: acme\nregion: {REGION}\nservices:\n  api:\n    env:\n      MODE: "x"\n'


def _world() -> dict[str, Any]:
    first = {"created": "20d", "env": {"AUTH_TOKEN": TOKEN}, "containers": [{"args": []}]}
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": {"MODE": "x"}}
    template["containers"] = [{"args": LIVE}]
    service = {"template": template, "history": [first]}
    return {"projects": {"acme": {"number": 5, "region": REGION, "services": {"api": service}}}}


def _run(sandbox: Sandbox, tmp_path: Path, args: str, *cmd: str) -> Any:
    body = f"    settings:\n      args: {args}\n"
    return drift_on(sandbox, tmp_path, ("lab", HEAD + body), *cmd)


def _args(sandbox: Sandbox) -> list[str]:
    return list(sandbox.service("acme", "api").template.containers[0].args)


PLANS = [  # each with whether it shows the value read (masked)
    (("check", "lab"), True),
    (("check", "lab", "--format", "json"), True),
    (("plan", "lab"), True),
    (("plan", "lab", "--format", "json"), True),
    (("plan", "lab", "--format", "yaml"), False),  # `set args = --mode,staging`, the copy `***`
    (("plan", "lab", "--format", "gcloud"), False),  # the flag of the profile's value
    (("fix", "lab", "--dry-run"), True),
]


@pytest.mark.parametrize(
    ("cmd", "before"),
    PLANS,
    ids=lambda c: "-".join(c[:1] + c[3:]) if isinstance(c, tuple) else "as-read" * c,
)
def test_a_moved_password_in_args_is_never_shown(
    make_sandbox: MakeSandbox, tmp_path: Path, cmd: tuple[str, ...], before: bool
) -> None:
    sandbox = make_sandbox(_world())
    done = _run(sandbox, tmp_path, "[--mode, staging]", *cmd)
    shown = done.stdout + done.stderr
    assert done.returncode in (0, 1) and "--mode,staging" in shown, shown
    assert TOKEN not in shown, shown
    assert ("--pg,***,***" in shown) is before, shown


def test_fix_and_rollback_never_show_it(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_world())
    said = []
    declined = _run(sandbox, tmp_path, "[--mode, staging]", "fix", "lab", "--no-verify")
    said.append(declined.stdout + declined.stderr)  # the confirmation, answered no
    assert _args(sandbox) == LIVE, said
    fixed = _run(sandbox, tmp_path, "[--mode, staging]", "fix", "lab", "--yes", "--no-verify")
    said.append(fixed.stdout + fixed.stderr)
    assert fixed.returncode == 0 and _args(sandbox) == ["--mode", "staging"], said
    preview = _run(sandbox, tmp_path, "[--mode, staging]", "rollback")  # declined
    said.append(preview.stdout + preview.stderr)
    assert "args" in preview.stdout + preview.stderr, said
    back = _run(sandbox, tmp_path, "[--mode, staging]", "rollback", "--yes")
    said.append(back.stdout + back.stderr)
    assert back.returncode == 0 and _args(sandbox) == LIVE, said
    for text in said:
        assert TOKEN not in text, text
    # the entry names where the password stands (its configurations are copies, to put back)
    journal = "".join(p.read_text() for p in (tmp_path / ".drift").rglob("*.json"))
    assert '"api-1/args[1]",\n    "api-1/args[2]="' in journal, journal


def test_a_profiles_moved_password_is_masked_and_left_to_drift_fix(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The profile keeps the password where it stands and drops a word: check's finding says
    what the profile wants masked, and the script's flag would print it, so the change is left
    to `drift fix`, as for a secret drift read."""
    sandbox = make_sandbox(_world())
    check = _run(sandbox, tmp_path, f"[--pg, {TOKEN}]", "check", "lab", "--format", "json")
    assert check.returncode == 1 and TOKEN not in check.stdout + check.stderr, check.stdout
    assert '"expected": "--pg,***"' in check.stdout, check.stdout
    script = _run(sandbox, tmp_path, f"[--pg, {TOKEN}]", "plan", "lab", "--format", "gcloud")
    shown = script.stdout + script.stderr
    assert TOKEN not in shown and "--args" not in shown, shown
    assert "setting args:" in shown and "drift fix makes it" in shown, shown


def test_init_withholds_a_moved_password_in_args(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_world())
    where = ("--project", "acme", "--region", REGION)
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "lab", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert TOKEN not in written + done.stdout + done.stderr, written
    assert "# args: --pg,***,*** (not written" in written, written


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_history_masks_a_password_on_the_command_line(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    """`drift history` masks a value some revision held whole as a variable's, wherever it is
    (`Masking.hidden`): in the args' change too."""
    sandbox = make_sandbox(_world())
    done = _run(sandbox, tmp_path, "[--mode, staging]", "history", "lab", "--format", fmt)
    shown = done.stdout + done.stderr
    assert done.returncode == 0 and "setting.args" in shown, shown
    assert TOKEN not in shown and "--pg,***,***" in shown, shown


def test_the_passwords_renamed_are_worked_out_only_for_what_is_shown(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A setting as the profile states it shows nothing: its workload's passwords renamed
    (`Context.hidden`, which every variable and command line of its history feeds) are not
    worked out for it — most of a clean check's diff (helper-754); a setting that drifted
    shows its value, masked with them."""
    worked: list[str] = []
    moved_in = context.moved_in

    def counted(older: Any, live: Any) -> frozenset[str]:
        worked.append(live.name)
        return moved_in(older, live)

    monkeypatch.setattr(context, "moved_in", counted)
    sandbox = make_sandbox(_world())
    clean = _run(sandbox, tmp_path, f"[--pg, {TOKEN}, --pw={TOKEN}]", "check", "lab")
    assert clean.returncode == 0 and worked == [], clean.stdout + clean.stderr
    drifted = _run(sandbox, tmp_path, "[--mode, staging]", "check", "lab")
    shown = drifted.stdout + drifted.stderr
    assert drifted.returncode == 1 and "api" in worked, shown
    assert TOKEN not in shown and "--pg,***,***" in shown, shown
