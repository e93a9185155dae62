"""helper-611 F1–F3: a value shown masked that a deploy changed from one wrong value to another
compared `unchanged` (and `--fail-on-new` exited 0, silently) wherever this run could not read
the value the baseline found: a job (no revision; its template written since), the revision
the baseline found it on not read (`--no-history`, ListRevisions refused, deleted), a value
masked in part (`6379 --password=***`). Now a masked value on the very revisions (a job: the
very generation) the baseline found it on is unchanged, one that can be compared is compared,
and one that cannot is `updated`, on the safe side, with a note saying why."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.history.cli import run
from tests.history.test_revsince import acme

PROFILE = """
project: acme
region: us-central1
services:
  api: {env: {DB_PASSWORD: "right-horse-battery", REDIS_PORT: "6379"}}
"""
WRONG = "Xk9fQ2mZ7pL4wR8tA1"  # a wrong password, masked (`*** (changed)`)
REDIS = "6379 --password=Bv3nH6yT1cJ5sD0gKq"  # masked in part: `6379 --password=***`
ARGS = ("check", "prod", "--format", "json", "--fail-on-new")


def _profiles(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(textwrap.dedent(text))
    return folder


def _first(sandbox: Any, folder: Path, tmp_path: Path, *args: str) -> Path:
    last = tmp_path / "last.json"
    first = run(sandbox, folder, *ARGS[:4], "--output", str(last), *args)
    assert first.returncode == 1, first.stdout + first.stderr
    return last


def _states(done: Any) -> tuple[dict[str, str], list[str]]:
    doc = json.loads(done.stdout)
    assert WRONG not in done.stdout and "Bv3nH6yT1cJ5sD0gKq" not in done.stdout
    return {f["target"]: f["baseline"] for f in doc["findings"]}, doc["notes"]


def _api(make_sandbox: MakeSandbox) -> Any:
    env = {"DB_PASSWORD": WRONG, "REDIS_PORT": REDIS}
    return make_sandbox(acme({"api": {"template": {"env": env}}}))


def test_a_value_masked_in_part_changed_is_updated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    last = _first(sandbox, folder, tmp_path)
    sandbox.set_env("acme", "api", "REDIS_PORT", "6379 --password=Zz9xC8vB7nM6lK5jH4")
    done = run(sandbox, folder, *ARGS, "--baseline", str(last))
    states, _ = _states(done)
    assert states == {"env.REDIS_PORT": "updated", "env.DB_PASSWORD": "unchanged"}, states
    assert done.returncode == 1, done.stdout


@pytest.mark.parametrize("how", ["no-history", "list-refused"])
def test_a_masked_value_whose_baseline_revision_is_not_read_is_updated_and_said(
    make_sandbox: MakeSandbox, tmp_path: Path, how: str
) -> None:
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    extra = ("--no-history",) if how == "no-history" else ()
    last = _first(sandbox, folder, tmp_path, *extra)
    old = sandbox.service("acme", "api").latest_ready_revision.rpartition("/")[2]
    unchanged = run(sandbox, folder, *ARGS, "--baseline", str(last), *extra)
    assert _states(unchanged)[0]["env.DB_PASSWORD"] == "unchanged"  # the very revision
    assert unchanged.returncode == 0, unchanged.stdout
    sandbox.set_env("acme", "api", "DB_PASSWORD", "Zz9xC8vB7nM6lK5jH4")
    if how == "list-refused":
        sandbox.inject(Fault("ListRevisions", "PERMISSION_DENIED"))
    done = run(sandbox, folder, *ARGS, "--baseline", str(last), *extra)
    states, notes = _states(done)
    # REDIS_PORT's value is the same, but on a new revision it cannot be compared either
    assert states == {"env.DB_PASSWORD": "updated", "env.REDIS_PORT": "updated"}, states
    assert done.returncode == 1, done.stdout
    said = " ".join(" ".join(notes).split())
    assert (
        "2 findings shown masked could not be compared with the value the baseline found: " in said
    )
    assert f"api env.DB_PASSWORD ({old} not read this run)" in said, said
    assert "counted as updated, on the safe side" in said, said


JOB_PROFILE = """
project: acme
region: us-central1
jobs:
  migrate: {env: {DB_PASSWORD: {min_length: 40}}}
"""


def test_a_jobs_masked_value_is_compared_by_the_jobs_generation(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    job = {"template": {"image": "us-docker.pkg.dev/acme/r/m:1", "env": {"DB_PASSWORD": WRONG}}}
    world = acme({})
    world["projects"]["acme"]["jobs"] = {"migrate": job}
    sandbox, folder = make_sandbox(world), _profiles(tmp_path, JOB_PROFILE)
    last = _first(sandbox, folder, tmp_path)
    (before,) = [
        f for f in json.loads(last.read_text())["findings"] if f["rule"] == "env.constraint"
    ]
    assert isinstance(before["generation"], int), before
    same = run(sandbox, folder, *ARGS, "--baseline", str(last))
    assert set(_states(same)[0].values()) == {"unchanged"}, same.stdout
    assert same.returncode == 0, same.stdout
    sandbox.update_job("acme", "migrate", env={"DB_PASSWORD": "Zz9xC8vB7nM6lK5jH4"})
    done = run(sandbox, folder, *ARGS, "--baseline", str(last))
    states, notes = _states(done)
    assert states["env.DB_PASSWORD"] == "updated", states
    assert done.returncode == 1, done.stdout
    said = " ".join(" ".join(notes).split())
    generation = before["generation"]
    assert (
        f"job migrate env.DB_PASSWORD (the job was written since: generation {generation}, "
        f"now {generation + 1})"
    ) in said, said


KNATIVE = """apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
  labels: {cloud.googleapis.com/location: us-central1}
spec:
  template:
    spec:
      containers:
      - image: us-docker.pkg.dev/acme/app/api:1
        env:
        - {name: DB_PASSWORD, value: %s}
        - {name: REDIS_PORT, value: "%s"}
"""


def test_a_manifests_masked_value_is_updated_and_said(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A gate (`--manifest … --baseline … --fail-on-new`) reads the manifest's value and no
    deployed revision's: a changed wrong password passed it (exit 0)."""
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    last = _first(sandbox, folder, tmp_path)
    manifest = tmp_path / "api.yaml"
    manifest.write_text(KNATIVE % ("Zz9xC8vB7nM6lK5jH4", REDIS))
    done = run(sandbox, folder, *ARGS, "--baseline", str(last), "--manifest", str(manifest))
    states, notes = _states(done)
    assert states["env.DB_PASSWORD"] == "updated", states
    assert done.returncode == 1, done.stdout
    said = " ".join(" ".join(notes).split())
    assert "api env.DB_PASSWORD (manifest:" in said, said
    assert "is compared, not the deployed revision)" in said, said
