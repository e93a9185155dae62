"""`job.failed` quotes its execution's failed condition, which may quote a value the execution
ran: its own configuration (`Execution.template`, "The template used to create tasks for this
execution", run v2 execution.proto), whatever the job holds now. A plain password the job held
when it ran, replaced by a Secret Manager reference since (the fix), or passed to that one
execution only (`gcloud run jobs execute --update-env-vars`: its template holds the override),
is masked in that text in every format, as `drift history` masks it (helper-712 F1)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.jobs.world import PROFILE, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

PASSWORD = "quartz-fjord-77-violet"  # no credential's shape: only its variable says so
SAID = f"could not connect: password {PASSWORD} refused"
TOKEN = "      TOKEN: {secret: token}\n"  # the job's, in the jobs world's profile
NAMED = PROFILE.replace(TOKEN, TOKEN + "      DB_PASSWORD: {secret: token}\n", 1)


def _replaced(var: str) -> Callable[[Sandbox], None]:
    """The job ran with `var` plain, failed, and `var` is a secret reference since."""

    def story(sandbox: Sandbox) -> None:
        sandbox.update_job("p", "job", env={var: PASSWORD})
        sandbox.run_job("p", "job", failure=SAID)
        sandbox.update_job("p", "job", env={var: None}, secrets={var: "token:latest"})

    return story


def _override(sandbox: Sandbox) -> None:
    """One execution started with the password as an override; the job never held it."""
    sandbox.run_job("p", "job", env={"DB_PASSWORD": PASSWORD}, failure=SAID)


CASES = {
    "a variable the profile wants a secret, replaced by one": (_replaced("DB_PASSWORD"), True),
    "a variable the profile does not name, a reference since": (_replaced("XCONF"), False),
    "an override of that one execution": (_override, True),
}


def test_the_profile_names_the_password_only_where_the_case_says() -> None:
    assert NAMED.count("DB_PASSWORD") == 1 and "DB_PASSWORD" not in PROFILE


@pytest.mark.parametrize("case", list(CASES))
def test_the_reason_hides_what_the_failed_execution_ran(
    make_sandbox: MakeSandbox, tmp_path: Path, case: str
) -> None:
    story, named = CASES[case]
    sandbox = make_sandbox(world(jobs={"job": copy.deepcopy(JOB_SPEC)}))
    story(sandbox)
    folder = write_profile(tmp_path / "profiles", NAMED if named else PROFILE)
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    for fmt in ("table", "json", "sarif", "github", "markdown"):
        done = drift("check", "prod", "--format", fmt, env=env, cwd=tmp_path)
        assert done.returncode in (0, 1), done.stderr
        text = done.stdout + done.stderr
        assert PASSWORD not in text and PASSWORD[:8] not in text, (fmt, text)
        assert "password" in text and "refused" in text, (fmt, text)  # the reason is shown
        if fmt == "json":
            (failed,) = [
                f for f in json.loads(done.stdout)["findings"] if f["rule"] == "job.failed"
            ]
            assert "could not connect: password *** refused" in failed["message"]
