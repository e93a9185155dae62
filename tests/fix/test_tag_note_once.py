"""helper-683 L1: the note that an image named by a tag is resolved again (a canary, a
rollback's new revision) followed each service — before the write and in the result of
`drift fix`, in the prompt and in the result of `drift rollback`: 12 times in `make demo`.
Now each command says it once where it said it per service, naming the services and each
one's images; one service keeps its own sentence (tests/fix/test_canary_image_tag.py).
helper-848 F7: it was still said twice a command (before the write and in the result, ~300
characters each): now once, before the write, where the prompt asks."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import lab_profiles, lab_world

IMAGE = "us-docker.pkg.dev/lab/app:v1"  # lab_world's, a tag
RESOLVES = "Cloud Run resolves a tag to a digest"


def test_two_services_hear_it_once_per_place(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(lab_world(service="aaa", also=("bbb",)))
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(lab_profiles(tmp_path, "aaa", also=("bbb",))),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
    }
    named = f"aaa, bbb: their images are named by tags ({IMAGE} on aaa, {IMAGE} on bbb): each "
    fixed = drift("fix", "lab", "--yes", env=env, cwd=tmp_path, timeout=120)
    said = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, said
    (line,) = [line.strip() for line in said.splitlines() if RESOLVES in line]  # before it
    assert line.startswith(f"{named}canary runs the image its tag names"), said
    assert "which is the one the serving revision runs only if" in line, said
    assert said.index(line) < said.index("deploying canary"), said
    rolled = drift("rollback", "--yes", env=env, cwd=tmp_path, timeout=120)
    said = rolled.stdout + rolled.stderr
    assert rolled.returncode == 0, said
    (line,) = [line.strip() for line in said.splitlines() if RESOLVES in line]  # the prompt's
    assert line.startswith(f"note: {named}new revision runs"), said
    assert "which is the one the revision that served ran only if" in line, said
