"""`gcloud run jobs update` can set a CMEK key (`--key`) but has no `--clear-key`: gcloud 528's
surface/run/jobs/update.py (and jobs/deploy.py) call `flags.AddCmekKeyFlag(parser,
with_clear=False)`, and the reference of `gcloud run jobs update` lists `--key=KEY` only;
gcloud 528 refuses it in every track ("unrecognized arguments: --clear-key"). The script
`plan --format gcloud` prints ("safe to run as is", `set -euo pipefail`) stopped at that line:
a job's key taken away is left to a comment (drift fix makes it), as `execution_environment`
is for jobs (revrows F3). Services and worker pools keep `--clear-key` (gcloud 528 parses it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.fields import FIELDS
from drift.kinds import Kind
from tests.cliutil import drift
from tests.conftest import MakeSandbox

RUNNER = "runner@p.iam.gserviceaccount.com"
KEY = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"


def _job_world(template: dict[str, Any]) -> dict[str, Any]:
    job = {"template": {"api": {"serviceAccount": RUNNER, **template}}}
    project = {"number": 3, "region": "us-central1", "jobs": {"app": job}, "services": {}}
    return {"options": {"seed": 3}, "projects": {"p": project}}


def _plan(sandbox: Any, tmp: Path, key: str) -> Any:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "lab.yaml").write_text(
        "project: p\nregion: us-central1\njobs:\n  app:\n    settings:\n"
        f"      encryption_key: {key}\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp / "profiles")}
    return drift("plan", "lab", "-f", "gcloud", env=env, cwd=tmp, timeout=120)


def _commands(stdout: str) -> list[str]:
    lines = stdout.replace("\\\n", " ").splitlines()
    return [c for c in lines if c.startswith("gcloud ") and " jobs update " in c]


@pytest.mark.sandbox
def test_the_script_never_clears_a_jobs_key_with_a_flag_gcloud_has_not(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(
        _job_world(
            {
                "encryptionKey": KEY,
                "containers": [{"name": "app", "image": "us-docker.pkg.dev/x/a:1"}],
            }
        )
    )
    done = _plan(sandbox, tmp_path, "none")
    assert done.returncode == 1, done.stdout + done.stderr
    assert not any("--clear-key" in c for c in _commands(done.stdout)), done.stdout
    assert "no --clear-key" in done.stdout, done.stdout  # said, not silently dropped


@pytest.mark.sandbox
def test_the_script_still_sets_a_jobs_key(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(
        _job_world({"containers": [{"name": "app", "image": "us-docker.pkg.dev/x/a:1"}]})
    )
    done = _plan(sandbox, tmp_path, KEY)
    assert done.returncode == 1, done.stdout + done.stderr
    assert any(f"--key={KEY}" in c for c in _commands(done.stdout)), done.stdout


def test_services_and_pools_keep_clear_key() -> None:
    field = FIELDS["encryption_key"]
    assert field.no_flag is not None
    assert field.no_flag(Kind.JOB, "none")
    assert not field.no_flag(Kind.JOB, KEY)
    assert not field.no_flag(Kind.SERVICE, "none")
    assert not field.no_flag(Kind.WORKER_POOL, "none")
    assert field.gcloud("none") == "--clear-key"
