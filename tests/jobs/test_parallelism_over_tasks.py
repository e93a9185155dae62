"""Review revjobs89 F2: a plan that leaves a job's parallelism above its task count.

ExecutionTemplate.parallelism: "Specifies the maximum desired number of tasks the execution
should run at given time. Must be <= task_count." (run/v2/execution_template.proto); the
parallelism page: "Specify an integer between 0 and the maximum number of tasks running in
parallel allowed by quota that don't exceed the number of tasks" (run/docs/configuring/
parallelism). A profile stating `task_count: 1` for a job at parallelism 2 (or `parallelism: 5`
for a job of 4 tasks) was planned as one setting change and written by `drift fix` as it was:
an UpdateJob whose ExecutionTemplate breaks the API's stated rule, which the plan presented as
an ordinary change (a server that enforces it refuses the update; one that does not keeps a
job whose settings contradict each other). The plan now makes such a change a manual step
naming the rule and what to state beside it, as it does for what Cloud Run refuses under a
GPU or below one CPU; a profile stating both settings consistently is planned as before."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import pytest

from drift.errors import ProfileError
from drift.fix.plan import plan_environment
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import drift as drift_cli
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix, writes
from tests.jobs.world import TODAY, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

PROFILE = "project: p\nregion: us-central1\njobs:\n  job:\n    settings:\n"


def _job(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: str
) -> tuple[Sandbox, Path]:
    """The job at 4 tasks, 2 at once; a profile stating `settings`."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"].update(task_count=4, parallelism=2)
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, write_profile(tmp_path / "profiles", PROFILE + settings)


def _plan(profiles: Path) -> tuple[list[str], list[tuple[str, str, tuple[str, ...]]]]:
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    (sp,) = planned.plan.services
    return [c.name for c in sp.settings], [(m.target, m.reason, m.commands) for m in sp.manual]


def test_a_task_count_below_the_jobs_parallelism_is_a_manual_step(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, profiles = _job(make_sandbox, monkeypatch, tmp_path, "      task_count: 1\n")
    settings, manual = _plan(profiles)
    assert settings == []
    ((target, reason, commands),) = manual
    assert target == "setting.task_count"
    assert "task_count 1" in reason and "parallelism 2" in reason, reason
    assert "Must be <= task_count" in reason and "state parallelism in the profile" in reason
    (command,) = commands
    assert "--tasks=1" in command and "--parallelism=<PARALLELISM>" in command, command
    result = fix(tmp_path, profiles, ScriptedUI())
    assert writes(sandbox) == []  # nothing written
    assert result.exit_code != 0
    job = sandbox.job("p", "job")
    assert (job.template.task_count, job.template.parallelism) == (4, 2)


def test_a_parallelism_above_the_jobs_task_count_is_a_manual_step(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, profiles = _job(make_sandbox, monkeypatch, tmp_path, "      parallelism: 5\n")
    settings, manual = _plan(profiles)
    assert settings == []
    ((target, reason, commands),) = manual
    assert target == "setting.parallelism"
    assert "parallelism 5" in reason and "task_count 4" in reason, reason
    assert "--parallelism=5" in commands[0] and "--tasks=<TASK_COUNT>" in commands[0]


@pytest.mark.parametrize(
    "stated",
    [
        "      task_count: 1\n      parallelism: 1\n",
        "      task_count: 1\n      parallelism: 0\n",
        "      task_count: 8\n      parallelism: 5\n",
        "      task_count: 2\n",
        "      parallelism: 4\n",
    ],
)
def test_settings_that_keep_parallelism_within_the_task_count_are_planned_and_written(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stated: str
) -> None:
    sandbox, profiles = _job(make_sandbox, monkeypatch, tmp_path, stated)
    settings, manual = _plan(profiles)
    assert manual == [] and settings, (settings, manual)
    result = fix(tmp_path, profiles, ScriptedUI(), yes=True)
    assert result.exit_code == 0, result.summary()
    template = sandbox.job("p", "job").template
    assert not template.parallelism or template.parallelism <= template.task_count


@pytest.mark.parametrize("where", ["job", "defaults"])
def test_a_profile_stating_both_beyond_it_is_refused_at_load(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    """parallelism 3 beside task_count 2 in the profile itself (the job's own lines, or its
    task count from `defaults`): what the profile states is what Cloud Run says it must not
    be, so the profile is refused, at the parallelism's file:line naming the task count's,
    before anything is read or written (before: a plan of two manual steps)."""
    if where == "job":
        sandbox, profiles = _job(
            make_sandbox, monkeypatch, tmp_path, "      task_count: 2\n      parallelism: 3\n"
        )
        parallelism, tasks = 7, 6
    else:
        sandbox, profiles = _job(make_sandbox, monkeypatch, tmp_path, "      parallelism: 3\n")
        text = (profiles / "prod.yaml").read_text()
        (profiles / "prod.yaml").write_text(
            text.replace("jobs:\n", "defaults:\n  settings:\n    task_count: 2\njobs:\n")
        )
        parallelism, tasks = 9, 5
    file = "profiles/prod.yaml"
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles, "prod")
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"{file}:{parallelism}: job: parallelism 3 with task_count 2 "), (
        problem
    )
    assert f"({file}:{tasks})" in problem and '"<= task_count"' in problem, problem
    done = drift_cli("profiles", "validate", str(profiles), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert f"{file}:{parallelism}: job: parallelism 3" in done.stdout + done.stderr
    done = drift_cli("fix", "prod", "--yes", cwd=tmp_path, env=sandbox.environ())
    assert done.returncode == 2, done.stdout + done.stderr
    assert writes(sandbox) == []


@pytest.mark.parametrize("stated", ["parallelism: 0", "parallelism: 2", "parallelism: 1"])
def test_a_profile_stating_a_parallelism_within_its_task_count_loads(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stated: str
) -> None:
    _, profiles = _job(
        make_sandbox, monkeypatch, tmp_path, f"      task_count: 2\n      {stated}\n"
    )
    assert load_profile(profiles, "prod").services["job/job"].settings["parallelism"]


def test_init_leaves_out_a_parallelism_a_lenient_server_kept_over_the_task_count(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A job that holds parallelism 5 over 2 tasks (a server that did not enforce the rule):
    `drift init` writes task_count and, commented out, the parallelism with why, so the profile
    it writes loads and a check right after is clean (before: init refused its own profile)."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"].update(task_count=2, parallelism=5)
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="p", region="us-central1")
    asyncio.run(init_from_live("prod", settings, today=TODAY))
    text = (tmp_path / "prod.yaml").read_text()
    assert "\n      task_count: 2\n" in text
    assert (
        "\n      # parallelism: 5 (a profile cannot state it: job: parallelism 5 with task_count 2 "
        in text
    )
    assert "\n      parallelism:" not in text
    assert load_profile(tmp_path, "prod").services["job/job"].settings["task_count"]


KEPT = "the job keeps parallelism 5 above its task_count 2"
MODE = "    env:\n      MODE: dry-run\n      TOKEN: {secret: token}\n"


@pytest.mark.parametrize("server", ["accepted", "refused"])
def test_a_job_already_over_its_task_count_is_said_before_the_update_either_server(
    make_sandbox: MakeSandbox, tmp_path: Path, server: str
) -> None:
    """A job that holds parallelism 5 over 2 tasks (stored by a server that did not enforce
    "Must be <= task_count") and a profile changing only a variable. Whether UpdateJob
    refuses it is not documented (`parallelism_over_tasks`): the plan says so before the fix,
    in text and JSON; a server that takes it updates the job, one that refuses it fails the
    update with its status named and nothing changed (exit 4)."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"].update(task_count=2, parallelism=5)
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}, parallelism_over_tasks=server))
    write_profile(tmp_path / "profiles", "project: p\nregion: us-central1\njobs:\n  job:\n" + MODE)
    planned = drift_cli("plan", "prod", cwd=tmp_path, env=sandbox.environ())
    assert planned.returncode == 1 and f"note: {KEPT}" in planned.stdout, planned.stdout
    assert "state parallelism (at most 2) or task_count (at least 5)" in planned.stdout
    as_json = drift_cli("plan", "prod", "--format", "json", cwd=tmp_path, env=sandbox.environ())
    assert KEPT in as_json.stdout, as_json.stdout
    sandbox.clear_calls()
    done = drift_cli("fix", "prod", "--yes", cwd=tmp_path, env=sandbox.environ())
    template = sandbox.job("p", "job").template
    assert writes(sandbox) == ["UpdateJob"]
    if server == "accepted":
        assert done.returncode == 0, done.stdout + done.stderr
        assert template.template.containers[0].env[0].value == "dry-run"
    else:
        assert done.returncode == 4, done.stdout + done.stderr
        assert "UpdateJob projects/p/locations/us-central1/jobs/job: INVALID_ARGUMENT" in (
            done.stdout + done.stderr
        )
        assert "nothing was changed" in done.stdout + done.stderr
        assert template.template.containers[0].env[0].value == "live"
    assert (template.parallelism, template.task_count) == (5, 2)


def test_a_profile_correcting_it_is_planned_without_the_note_and_taken_by_a_strict_server(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["template"].update(task_count=2, parallelism=5)
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}, parallelism_over_tasks="refused"))
    text = "project: p\nregion: us-central1\njobs:\n  job:\n    settings:\n      task_count: 5\n"
    write_profile(tmp_path / "profiles", text + MODE)
    done = drift_cli("fix", "prod", "--yes", cwd=tmp_path, env=sandbox.environ())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "parallelism 5 above" not in done.stdout
    template = sandbox.job("p", "job").template
    assert (template.parallelism, template.task_count) == (5, 5)
