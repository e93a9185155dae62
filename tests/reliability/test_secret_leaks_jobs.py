"""No secret value from a job or a worker pool in any output, file, log or journal (a file of
its own, so that the suite spreads the slow leak tests over its workers)."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.cliutil import drift
from tests.jobs.world import JOB_HEAD, POOL_AGENT
from tests.reliability.test_secret_leaks import PLAIN_MARK, SECRET_MARK, Leaks

# --- jobs and worker pools -------------------------------------------------------------------

JOB_TOKEN = f"{SECRET_MARK}-job-token-vone-quartzfjordvexing"
"""Letters and `-` only: a single word, which the final scrub leaves alone, so that every
path is checked on its own masking of the data (revmatrix F1)."""
JOB_PLAIN = f"sk_live_{PLAIN_MARK}fedcba9876543210"
JOB_PROFILE = (
    JOB_HEAD
    + "      NEEDED: x\n      TOKEN: {secret: token, min_length: 8}\n"
    + "worker_pools:\n  pool:\n    container: consumer\n"
    + POOL_AGENT
)


def test_no_secret_leaks_from_jobs_and_pools(make_sandbox: Any, tmp_path: Path) -> None:
    """A job whose failed execution's message quotes its secret's value and a plain
    credential it holds, and a pool with a sidecar's secret: no value in any format of
    check and plan, in fix (dry run and real), rollback, the journal or the logs."""
    from tests.sandbox.jobworld import JOB_SPEC, world

    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"]["API_KEY"] = JOB_PLAIN
    job["template"]["env"]["TOKEN_COPY"] = JOB_TOKEN  # the secret's value pasted as plain
    job["executions"] = [
        {"outcome": "failed", "message": f"task 0 exited: TOKEN={JOB_TOKEN} API_KEY={JOB_PLAIN}"}
    ]
    data = world(jobs={"job": job})
    data["projects"]["p"]["secrets"]["token"] = {"versions": [JOB_TOKEN]}
    sandbox = make_sandbox(data)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(JOB_PROFILE)
    work = tmp_path / "work"
    work.mkdir()
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(work / ".drift" / "journal")}
    leaks = Leaks(
        [JOB_TOKEN], plain_copy=("TOKEN_COPY", JOB_TOKEN)
    )  # the journal records plain values

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = drift(*args, "--profiles", str(profiles), "--verbose", env=env, cwd=work)
        leaks.add(" ".join(args), done)
        return done

    runs = [("check", "prod", "--format", fmt) for fmt in ("table", "json", "markdown")]
    runs += [("check", "prod", "--format", fmt) for fmt in ("github", "sarif")]
    runs += [("plan", "prod", "--format", fmt) for fmt in ("table", "json", "gcloud", "yaml")]
    runs.append(("fix", "prod", "--dry-run"))
    done = [run(*a) for a in runs]  # in this process, one after another (test_secret_leaks)
    report = json.loads(done[1].stdout)
    failed = [f for f in report["findings"] if f["rule"] == "job.failed"]
    assert failed and "TOKEN=***" in failed[0]["message"], report["findings"]
    assert run("fix", "prod", "--yes").returncode == 0
    assert run("rollback", "--yes").returncode == 0
    leaks.add_files("journal", work / ".drift" / "journal")
    assert leaks.found() == []
