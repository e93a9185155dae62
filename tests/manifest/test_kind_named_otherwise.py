"""A manifest's workload whose name the profile has under another kind is said to be so:
in the note a second manifest's run leaves it with ("not in the profile", though the profile
names it: helper-526 F3), and in words, not keys, where the file names none of the profile's
("names no worker_pool of profile …")."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import REPO, drift
from tests.manifest.conftest import JOB, MINIMAL
from tests.manifest.test_check_manifest import POOL_YAML

AS_POOL = """\
project: acme-chat-staging
region: us-central1
services:
  api: {env: {}}
worker_pools:
  db-migrate: {env: {}}
"""
SHOWN = JOB.relative_to(REPO)  # as given, from the repository (tests' working directory)


def _check(tmp_path: Path, *manifests: Path) -> tuple[int, str, str]:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(AS_POOL)
    args = [a for m in manifests for a in ("-m", str(m))]
    done = drift(
        "check", "staging", "--profiles", str(tmp_path / "profiles"), *args, "--offline"
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def test_a_job_the_profile_has_as_a_worker_pool_is_said_so(tmp_path: Path) -> None:
    service = tmp_path / "api.yaml"
    service.write_text(MINIMAL)
    _, out, _ = _check(tmp_path, service, JOB)
    said = " ".join(out.split())
    assert (
        f"note: job db-migrate ({SHOWN}:11) not checked: the profile has db-migrate as a worker "
        "pool (under `worker_pools:`), not as a job"
    ) in said, out


def test_a_file_of_none_of_the_profiles_workloads_names_kinds_in_words(tmp_path: Path) -> None:
    pool = tmp_path / "pool.yaml"
    pool.write_text(POOL_YAML.format(count=2, split="{type: LATEST, percent: 100}"))
    code, _, err = _check(tmp_path, pool)
    assert code == 2
    said = " ".join(err.split())
    assert (
        f"{pool} names no worker pool of profile staging: it has worker pool consumer; the "
        "profile has api, worker pool db-migrate"
    ) in said, err
    assert "worker_pool " not in said, err
