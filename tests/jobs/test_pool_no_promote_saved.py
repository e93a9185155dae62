"""A plan saved by `drift plan --no-promote --out FILE` keeps the flag (its `saved` block's
`no_promote`, which its digest covers): `drift fix --plan FILE` holds the worker pool as the
plan reviewed says, the flag given again or not. A plan saved to promote, applied with
`--no-promote`, is refused (exit 2, nothing written), naming the file and the flag. A plan an
older drift saved (no `no_promote`) is applied as the command line says, as it was. Before,
the saved plan dropped the flag and a note asked to give it again: `fix --plan FILE` without
it moved the instances the plan reviewed said stay (`drift.fix.saved.promote_as_saved`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from drift.fix.journal import Journal, State
from drift.fix.saved_digest import body_digest
from drift.sandbox import Sandbox
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox
HELD = "with no instances (--no-promote); its instances run"


def _runs(sandbox: Sandbox) -> list[tuple[str, int]]:
    """Where the pool's instances run (`instance_split_statuses`)."""
    pool = sandbox.worker_pool("p", "pool")
    return sorted((s.revision, int(s.percent)) for s in pool.instance_split_statuses)


class Project:
    """`drift plan --out p.json` and `drift fix --plan p.json` on `held_world`."""

    def __init__(self, world: tuple[Sandbox, Path], tmp_path: Path) -> None:
        self.sandbox, self.profiles = world
        self.cwd = tmp_path
        self.env = {
            **self.sandbox.environ(),
            "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return drift(*args, "--profiles", str(self.profiles), env=self.env, cwd=self.cwd)

    def save(self, *flags: str) -> dict[str, object]:
        done = self.run("plan", "prod", "--fail-on", "never", "--out", "p.json", *flags)
        assert done.returncode == 0, done.stdout + done.stderr
        saved: dict[str, object] = json.loads((self.cwd / "p.json").read_text())["saved"]
        return saved

    def fix(self, *flags: str) -> subprocess.CompletedProcess[str]:
        return self.run("fix", "prod", "--plan", "p.json", "--yes", "--no-verify", *flags)

    def rewrite(self, **saved: object) -> None:
        """p.json with its `saved` block changed (None: the key left out), digested again
        when `digest` (an older drift's file) or not (an edit by hand)."""
        digest = saved.pop("digest", True)
        data = json.loads((self.cwd / "p.json").read_text())
        for key, value in saved.items():
            if value is None:
                data["saved"].pop(key, None)
            else:
                data["saved"][key] = value
        if digest:
            data["saved"]["digest"] = body_digest(data, data["saved"])
        (self.cwd / "p.json").write_text(json.dumps(data, indent=2))

    def entries(self) -> list[tuple[str, str]]:
        return [(e.kind, e.state) for e in Journal(self.cwd / ".drift" / "journal").entries()]

    def writes(self) -> list[str]:
        return [c.short for c in self.sandbox.calls if c.short.startswith("Update")]


@pytest.fixture
def project(held_world: tuple[Sandbox, Path], tmp_path: Path) -> Project:
    return Project(held_world, tmp_path)


@pytest.mark.parametrize("again", [False, True], ids=["flag-not-given", "flag-given-again"])
def test_a_plan_saved_with_no_promote_is_applied_held(project: Project, again: bool) -> None:
    saved = project.save("--no-promote")
    assert saved["no_promote"] is True, saved
    before = _runs(project.sandbox)
    done = project.fix(*(["--no-promote"] if again else []))
    said = done.stdout + done.stderr
    assert done.returncode == 1, said  # the re-check: what runs still drifts until finished
    # main: without the flag given again, the instances moved to the patched revision
    assert _runs(project.sandbox) == before, said
    assert project.entries() == [("worker_pool", State.PINNED)], said
    assert HELD in said, said
    note = "p.json was planned with --no-promote: this fix holds what it writes, as reviewed"
    assert (note in said) is not again, said  # said when the command line did not say it


def test_a_plan_saved_to_promote_is_refused_with_no_promote(project: Project) -> None:
    assert project.save()["no_promote"] is False
    done = project.fix("--no-promote")
    # main: exit 0, the pool held, though the plan reviewed moves its instances
    assert done.returncode == 2, done.stdout + done.stderr
    assert "p.json was planned without --no-promote" in done.stderr, done.stderr
    assert "apply it without --no-promote, or make a new plan" in done.stderr, done.stderr
    assert "drift plan prod --no-promote --out FILE" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert project.writes() == [] and project.entries() == []


def test_a_plan_an_older_drift_saved_is_applied_as_the_command_line_says(
    project: Project,
) -> None:
    project.save("--no-promote")
    project.rewrite(no_promote=None)  # as a drift that did not keep it saved it
    before = _runs(project.sandbox)
    done = project.fix("--no-promote")  # as that drift's note said: held, as before
    assert done.returncode == 1, done.stdout + done.stderr  # held: what runs still drifts
    assert _runs(project.sandbox) == before
    assert project.entries() == [("worker_pool", State.PINNED)]


def test_a_saved_no_promote_edited_by_hand_is_refused(project: Project) -> None:
    project.save("--no-promote")
    project.rewrite(no_promote=False, digest=False)
    done = project.fix()
    # main: the digest left no_promote out: the edit applied, the instances moved
    assert done.returncode == 4, done.stdout + done.stderr
    assert "p.json was edited since `drift plan --out` saved it" in done.stderr, done.stderr
    assert project.writes() == [] and project.entries() == []
