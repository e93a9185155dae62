"""`drift fix --only ID…` applies part of a plan, and what it writes is judged as what it is:
the part, not the whole plan. A plan whose other change takes out a reference to a secret that
Cloud Run's deploy-time check refuses (a DISABLED version) is startable as a whole; the part
that leaves the reference in place is not, and the fix stops before any write, as it does for
a plan that never took it out (`ServicePlan.doomed`, tests/fix/test_doomed.py)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode, UsageError
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, LAB_APP_LIVE, ScriptedUI, lab_world, updates
from tests.jobs.world import JOB_HEAD, TODAY, write_profile
from tests.sandbox.jobworld import JOB_SPEC, RUNNER, world

JOB_PROFILE = JOB_HEAD + "      MODE: dry\n      DB: {secret: token}\n"
"""The job's DB references rotated v2 (DISABLED): the plan moves it to `token`, and sets MODE."""


def _fix(sandbox: Sandbox, tmp_path: Path, profile: str, env: str, *only: str) -> FixResult:
    profiles = write_profile(tmp_path / "profiles", profile, env)
    return asyncio.run(
        run_fix(
            load_profile(profiles, env),
            load_settings(journal_dir=tmp_path / "j"),
            ScriptedUI([True, True]),
            FixOptions(verify=False, only=only),
            environ=sandbox.environ(),
            today=TODAY,
        )
    )


@pytest.mark.parametrize("checked", [True, False], ids=["update-checked", "update-unchecked"])
def test_only_a_part_that_keeps_a_disabled_secret_does_not_write_the_job(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, checked: bool
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"]["DB"] = {"secret": "rotated", "version": "2"}  # DISABLED
    sandbox = make_sandbox(world(pools={}, jobs={"job": job}, job_update_secret_check=checked))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    before = sandbox.job("p", "job")
    with pytest.raises(UsageError) as refused:
        _fix(sandbox, tmp_path, JOB_PROFILE, "prod", "job/job/env.MODE")
    assert not [c for c in sandbox.calls if c.short == "UpdateJob"]
    assert sandbox.job("p", "job") == before
    message = refused.value.message
    assert (
        "deploy-time check" in message and "DB uses secret rotated:2, which is DISABLED" in message
    )
    assert "it needs job/job/env.DB too" in message, message
    assert message.endswith("nothing was changed")


def test_the_whole_plan_of_that_job_is_written(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same job and profile without `--only`: the plan takes the reference out, nothing
    stops it (what the test above cuts away is what made it startable)."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"]["DB"] = {"secret": "rotated", "version": "2"}
    sandbox = make_sandbox(world(pools={}, jobs={"job": job}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    result = _fix(sandbox, tmp_path, JOB_PROFILE, "prod")
    assert result.exit_code is ExitCode.OK, result.summary()


def _lab_with_a_disabled_secret() -> dict[str, Any]:
    data = lab_world(
        template={
            "image": "us-docker.pkg.dev/lab/app:v1",
            "port": 8080,
            "env": {"DEBUG": "true", "DB": {"secret": "old-db", "version": "1"}},
        }
    )
    project = data["projects"][LAB]
    project["iam"] = {  # the runtime account (the default one) reads every secret of the project
        "roles/secretmanager.secretAccessor": [
            "serviceAccount:555000111222-compute@developer.gserviceaccount.com"
        ]
    }
    project["secrets"] = {
        "old-db": {"versions": [{"value": "fake-old-db-v1", "state": "DISABLED"}]},
        "db": {"versions": ["fake-db-v1"]},
    }
    return data


SERVICE_PROFILE = LAB_APP_LIVE + "      DEBUG: {forbidden: true}\n      DB: {secret: db}\n"


def test_only_a_part_that_keeps_a_disabled_secret_makes_no_canary(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A service's canary of the part would fail, and so would the cleanup's revision of
    what serves (it references the same version): nothing is written."""
    sandbox = make_sandbox(_lab_with_a_disabled_secret())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    before = sandbox.service(LAB, "app")
    with pytest.raises(UsageError) as refused:
        _fix(sandbox, tmp_path, SERVICE_PROFILE, "lab", "app/env.MODE")
    assert updates(sandbox) == []
    assert sandbox.service(LAB, "app").latest_created_revision == before.latest_created_revision
    message = refused.value.message
    assert "DB uses secret old-db:1, which is DISABLED" in message, message
    assert "it needs app/env.DB too" in message, message  # not DEBUG: it takes nothing out


def test_only_the_part_that_takes_the_secret_out_is_written(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The dependency is one way: the change that takes the reference out goes alone."""
    sandbox = make_sandbox(_lab_with_a_disabled_secret())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    result = _fix(sandbox, tmp_path, SERVICE_PROFILE, "lab", "app/env.DB")
    assert result.exit_code is ExitCode.DRIFT, result.summary()  # MODE and DEBUG left
    env = {e.name: e for e in sandbox.service(LAB, "app").template.containers[0].env}
    assert env["DB"].value_source.secret_key_ref.secret.endswith("db")
    assert "MODE" not in env and env["DEBUG"].value == "true"


def test_a_saved_plan_cut_to_such_a_part_is_one_clear_refusal(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`drift plan --out`, then `drift fix --plan FILE --only ID`, as a user runs them: exit 2,
    one message on stderr, nothing written."""
    sandbox = make_sandbox(_lab_with_a_disabled_secret())
    profiles = write_profile(tmp_path / "profiles", SERVICE_PROFILE, "lab")
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(profiles),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    path = tmp_path / "plan.json"
    made = drift("plan", "lab", "--out", str(path), env=env, cwd=tmp_path)
    assert made.returncode == 1 and path.is_file(), made.stdout + made.stderr
    sandbox.clear_calls()
    done = drift(
        *("fix", "lab", "--plan", str(path), "--only", "app/env.MODE", "--yes", "--no-verify"),
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "it needs app/env.DB too" in done.stderr and "Traceback" not in done.stderr
    assert updates(sandbox) == []


def test_only_a_cpu_below_one_without_what_cloud_run_requires_with_it_is_refused(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The plan lowers cpu below 1 with concurrency 1, CPU throttling and gen1 beside it (what
    Cloud Run requires there, tests/fix/test_cpu_below_one.py): the cpu alone is a patch the
    server refuses (INVALID_ARGUMENT), never sent; the settings it needs are named."""
    from tests.fix.test_cpu_below_one import ALWAYS_ON_GEN2, _profile, _run

    sandbox = make_sandbox(lab_world(template=ALWAYS_ON_GEN2))
    _profile(
        tmp_path,
        "      cpu: 0.5\n      concurrency: 1\n      cpu_throttling: true\n"
        "      execution_environment: gen1\n",
    )
    sandbox.clear_calls()
    done = _run(
        sandbox, tmp_path, "fix", "lab", "--only", "app/setting.cpu", "--yes", "--no-verify"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert updates(sandbox) == []
    said = done.stderr
    assert "is a patch Cloud Run refuses (concurrency 1 (it is 80) below 1 CPU" in said, said
    assert (
        "it needs app/setting.concurrency, app/setting.cpu_throttling, "
        "app/setting.execution_environment too"
    ) in said, said
    whole = _run(
        sandbox,
        tmp_path,
        *("fix", "lab", "--yes", "--no-verify"),
        *("--only", "app/setting.cpu", "--only", "app/setting.concurrency"),
        *("--only", "app/setting.cpu_throttling", "--only", "app/setting.execution_environment"),
    )
    assert whole.returncode == 0, whole.stdout + whole.stderr


ACCOUNT_PROFILE = f"""\
project: p
region: us-central1
jobs:
  job:
    settings:
      service_account: {RUNNER}
    env:
      DB: {{secret: token}}
"""
"""The job runs as an account that reads no secret: the plan sets the one that reads every
secret of `p` (a project-level grant), and a reference to one of them."""


def test_only_a_reference_without_the_account_that_reads_it_is_refused(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["service_account"] = "nobody@p.iam.gserviceaccount.com"
    del job["template"]["env"]["TOKEN"]
    sandbox = make_sandbox(world(pools={}, jobs={"job": job}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as refused:
        _fix(sandbox, tmp_path, ACCOUNT_PROFILE, "prod", "job/job/env.DB")
    assert not [c for c in sandbox.calls if c.short == "UpdateJob"]
    message = refused.value.message
    assert "nobody@p.iam.gserviceaccount.com cannot access" in message, message
    assert "it needs job/job/setting.service_account too" in message, message
    both = _fix(sandbox, tmp_path, ACCOUNT_PROFILE, "prod", "job/job/env.DB",
                "job/job/setting.service_account")  # fmt: skip
    assert both.exit_code is ExitCode.OK, both.summary()
