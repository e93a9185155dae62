"""`drift history` of a job, end to end against the sandbox: the configurations its executions
ran (Execution.template), newest first, executions with one configuration one entry, what
each changed, masked as revision history masks; a job never run; a failed execution; every
format; `--limit` as executions read (one ListExecutions per job)."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path

import pytest

from drift.history.formats import HistoryFormat
from drift.history.model import HistoryResult
from drift.history.read import read_history
from drift.history.render import render_history
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.history.conftest import unescaped
from tests.jobs.world import PROFILE as JOBS_PROFILE
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

MOVED = "quartz-fjord-77-violet"  # a password, in plain
API_KEY = "ghp_jobhist0123456789abcdefghijklmnopqrs"  # a GitHub token's shape, in plain
PROFILE = JOBS_PROFILE.replace("\njobs:\n", "\njobs:\n  idle: {}\n")  # never run


@pytest.fixture
def updated(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Sandbox:
    return story(make_sandbox, monkeypatch, tmp_path)


def story(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, cwd: Path, **options: str
) -> Sandbox:
    """Job `job` run twice, updated (MODE and a plain credential), run (failed), updated again
    (a new image, the credential gone), run once; job `idle` never run."""
    jobs = {"job": copy.deepcopy(JOB_SPEC), "idle": copy.deepcopy(JOB_SPEC)}
    sandbox = make_sandbox(world(jobs=jobs, **options))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    write_profile(cwd / "profiles", PROFILE)
    monkeypatch.chdir(cwd)
    sandbox.run_job("p", "job")
    sandbox.run_job("p", "job")
    sandbox.update_job("p", "job", env={"MODE": "batch", "API_KEY": API_KEY})
    sandbox.run_job("p", "job", failure="The container exited with an error.")
    sandbox.update_job(
        "p", "job", image="us-docker.pkg.dev/example/migrate:2", env={"API_KEY": None}
    )
    sandbox.run_job("p", "job")
    return sandbox


def history(**options: object) -> HistoryResult:
    profile = load_profile(Path("profiles"), "prod")
    return asyncio.run(read_history(profile, load_settings(), **options))  # type: ignore[arg-type]


def test_a_jobs_configurations_as_its_executions_ran_them(updated: Sandbox) -> None:
    result = history()
    assert result.exit_code == 0 and not result.unread, result.unread
    job, idle = sorted(result.jobs, key=lambda j: j.job != "job")
    assert (job.job, job.read, job.created, job.older) == ("job", 4, 4, 0)
    newest, middle, first = job.entries
    assert [(e.count, e.outcomes) for e in job.entries] == [
        (1, (("succeeded", 1),)),
        (1, (("failed", 1),)),
        (2, (("succeeded", 2),)),  # two runs of one configuration: one entry
    ]
    assert first.name != first.last and first.create_time < middle.create_time  # type: ignore[operator]
    assert first.changes is None  # the first execution: nothing ran before it
    said = {(c.target, c.action.value, c.before, c.after) for c in middle.changes or ()}
    assert said == {("env.MODE", "changed", "live", "batch"), ("env.API_KEY", "added", None, "***")}
    said = {(c.target, c.action.value, c.before, c.after) for c in newest.changes or ()}
    assert said == {
        (
            "image",
            "changed",
            "us-docker.pkg.dev/example/migrate:1",
            "us-docker.pkg.dev/example/migrate:2",
        ),
        ("env.API_KEY", "removed", "***", None),
    }
    assert middle.creator and newest.creator  # who started each
    assert (idle.job, idle.read, idle.entries) == ("idle", 0, ())
    assert result.summary() == (
        "prod: 2 of 2 revisions shown in 1 worker pool; 3 configurations of 4 executions read "
        "in 2 jobs (exit 0)"
    )


def test_every_format_shows_it_and_never_the_plain_credential(updated: Sandbox) -> None:
    result = history()
    table = render_history(result, HistoryFormat.TABLE)
    assert "job job · 3 configurations in 4 executions, newest first" in table
    assert "executions job-" in table and "(2: 2 succeeded)" in table
    assert "(failed)" in table and "(succeeded)" in table
    assert "added env.API_KEY = ***" in table and "removed env.API_KEY (was ***)" in table
    assert "the job's first execution: nothing ran before it" in table
    assert "job idle · 0 configurations in 0 executions" in table and "no execution listed" in table
    doc = json.loads(render_history(result, HistoryFormat.JSON))
    (job,) = [j for j in doc["jobs"] if j["job"] == "job"]
    assert [c["executions"] for c in job["configurations"]] == [1, 1, 2]
    assert job["configurations"][1]["outcomes"] == {"failed": 1}
    markdown = unescaped(render_history(result, HistoryFormat.MARKDOWN))
    assert "### job job (3 configurations in 4 executions, newest first)" in markdown
    for text in (table, json.dumps(doc), markdown):
        assert API_KEY not in text and "jobhist" not in text


def test_limit_counts_executions_read_and_the_oldest_is_said_unknown(updated: Sandbox) -> None:
    result = history(limit=2, services=["job"])
    (job,) = result.jobs
    assert (job.read, job.created, job.older) == (2, 4, 2)
    assert [e.outcomes for e in job.entries] == [(("succeeded", 1),), (("failed", 1),)]
    assert job.entries[-1].changes is None
    table = render_history(result, HistoryFormat.TABLE)
    assert "(2 more created, not read: --limit, deleted or no longer kept)" in table
    assert "a drift it holds is as old as the oldest execution still listed" in table
    listed = [c for c in updated.calls if c.short == "ListExecutions"]
    assert [(c.request.parent, c.request.page_size) for c in listed] == [
        ("projects/p/locations/us-central1/jobs/job", 2)
    ]


def test_a_template_updated_since_the_latest_execution_comes_first(updated: Sandbox) -> None:
    updated.update_job("p", "job", env={"MODE": "dry-run"})
    (job, _) = sorted(history().jobs, key=lambda j: j.job != "job")
    pending, *ran = job.entries
    assert (pending.name, pending.count, len(ran)) == ("template", 0, 3)
    said = [(c.target, c.before, c.after) for c in pending.changes or ()]
    assert said == [("env.MODE", "batch", "dry-run")]
    table = render_history(history(), HistoryFormat.TABLE)
    assert "the job's template, updated since its latest execution: its next execution" in table


def test_the_command_lists_a_job_named_by_service(updated: Sandbox) -> None:
    from tests.cliutil import drift

    args = ("history", "prod", "--service", "job", "-f", "json")
    done = drift(*args, env=updated.environ(), cwd=Path.cwd())
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    doc = json.loads(done.stdout)
    assert [j["job"] for j in doc["jobs"]] == ["job"] and doc["services"] == []
    assert API_KEY not in done.stdout + done.stderr


def test_executions_that_cannot_be_listed_are_an_incomplete_history(updated: Sandbox) -> None:
    updated.inject(Fault(method="ListExecutions", code="PERMISSION_DENIED", match="jobs/job"))
    result = history()
    assert result.exit_code == 3 and [u.service for u in result.unread] == ["job job"]
    assert [j.job for j in result.jobs] == ["idle"]  # the other job is still shown
    assert "could not read job job" in result.summary() and "exit 3" in result.summary()


def test_pages_are_followed_as_far_as_the_limit(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = story(make_sandbox, monkeypatch, tmp_path, pages="ragged")  # AIP-158's short pages
    (job,) = history(limit=3, services=["job"]).jobs
    assert job.read == 3 and [e.count for e in job.entries] == [1, 1, 1]
    asked = len([c for c in sandbox.calls if c.short == "ListExecutions"])
    (job,) = history(limit=None, services=["job"]).jobs
    assert job.read == 4 and [e.count for e in job.entries] == [1, 1, 2]
    later = [c.request for c in sandbox.calls if c.short == "ListExecutions"][asked:]
    assert len(later) > 2 and later[0].page_token == "" and all(r.page_token for r in later[1:])


def test_a_password_moved_to_a_plain_name_stays_masked(updated: Sandbox) -> None:
    # masked as revision history masks it (`Masking.hidden`): the value a variable named for
    # a password held, under a name that says nothing
    updated.update_job("p", "job", env={"DB_PASSWORD": MOVED})
    updated.run_job("p", "job")
    updated.update_job("p", "job", env={"DB_PASSWORD": None, "CONN_OPT": MOVED})
    updated.run_job("p", "job")
    result = history()
    (job,) = [j for j in result.jobs if j.job == "job"]
    said = {(c.target, c.action.value, c.before, c.after) for c in job.entries[0].changes or ()}
    assert said == {
        ("env.CONN_OPT", "added", None, "***"),
        ("env.DB_PASSWORD", "removed", "***", None),
    }
    for fmt in HistoryFormat:
        assert MOVED not in render_history(result, fmt)


def test_why_a_failed_execution_failed_is_said_masked_in_every_format(updated: Sandbox) -> None:
    """The failed condition's message (a server's text), not only the outcome counts
    (helper-704's leftover), masked as `job.failed` masks it (`masked_text`): a value the job
    holds as a password or credential, and a URL's password in the text itself."""
    updated.update_job("p", "job", env={"DB_PASSWORD": MOVED})
    url_password = "s3cretpw99zq"
    updated.run_job(
        "p",
        "job",
        failure=f"login with {MOVED} refused at postgres://app:{url_password}@db:5432/x; "
        f"key {API_KEY} revoked",
    )
    result = history()
    (job,) = [j for j in result.jobs if j.job == "job"]
    failed = job.entries[0]  # the newest
    ((name, why),) = failed.failures
    assert "failed with message: login with *** refused at ***db:5432/x; key *** revoked" in why
    assert "revoked" in why and url_password not in why and API_KEY not in why, why
    (older,) = [e for e in job.entries if e.failures and e is not failed]
    assert "failed with message: The container exited with an error." in older.failures[0][1]
    table = render_history(result, HistoryFormat.TABLE)
    assert f"{name} failed: Task {name}-task0 failed with message: login with ***" in table, table
    assert f"{older.failures[0][0]} failed: {older.failures[0][1]}" in table
    doc = json.loads(render_history(result, HistoryFormat.JSON))
    (listed,) = [j for j in doc["jobs"] if j["job"] == "job"]
    assert listed["configurations"][0]["failures"] == [{"execution": name, "reason": why}]
    markdown = unescaped(render_history(result, HistoryFormat.MARKDOWN))
    assert "with message: The container exited with an error." in markdown, markdown
    assert "login with *** refused" in markdown, markdown
    for text in (table, json.dumps(doc), markdown):
        assert MOVED not in text and url_password not in text and API_KEY not in text
