"""A profile rule on a variable Cloud Run sets itself (the container runtime contract's:
PORT, K_SERVICE, K_REVISION, K_CONFIGURATION in a service; the CLOUD_RUN_* task variables in a
job) is refused at its file:line: no template can hold it, so the check could never pass and
a fix would write what Cloud Run refuses. drift plans no write for one."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world

PROFILE = """project: fix-lab
region: us-central1
services:
  app:
    env:
      PORT: '8080'
      MODE: live
    containers:
      side:
        env:
          PORT: '9000'
          K_SERVICE: {forbidden: true}
jobs:
  nightly:
    env:
      PORT: '1'
      CLOUD_RUN_TASK_INDEX: '0'
"""


def write(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(PROFILE)
    return folder


def test_a_reserved_variable_in_a_profile_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = write(tmp_path)
    done = drift("profiles", "validate", str(folder), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    text = done.stdout + done.stderr
    lines = [line for line in text.splitlines() if "Cloud Run sets it" in line]
    assert [line.split(": ", 1)[0] for line in lines] == [
        "profiles/lab.yaml:6",  # the service's PORT
        "profiles/lab.yaml:12",  # K_SERVICE in a sidecar (its PORT is its own)
        "profiles/lab.yaml:17",  # a job's task variable (PORT is no job's)
    ], text
    assert "Traceback" not in text


def test_no_check_and_no_write_for_a_reserved_variable(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
        "      PORT: '8080'\n      K_SERVICE: app\n"
    )
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    before = sandbox.service(LAB, "app")
    for args in (("check", "lab"), ("plan", "lab"), ("fix", "lab", "--yes")):
        done = drift(*args, env=env, cwd=tmp_path, timeout=120)
        text = done.stdout + done.stderr
        assert done.returncode == 2, text
        assert "profiles/lab.yaml:6: PORT: Cloud Run sets it" in text, text
        assert "set_value" not in text and "Traceback" not in text
    assert not [c for c in sandbox.calls if c.short == "UpdateService"]
    assert sandbox.service(LAB, "app") == before
