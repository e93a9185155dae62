"""`drift rollback CHANGE --from-live ENV` and the jobs and worker pools a change updated in
place (revjobs2 J4). A fix updates them without a canary (`drift.fix.workload`), so nothing
live holds what they ran before: `--from-live` cannot rebuild them. It says so, naming the job
or pool drift wrote since the change began (`client` drift, `update_time`), and a rollback of
the change's services never exits 0 while such a job or pool keeps drift's write."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from drift import __version__
from drift.errors import ExitCode
from drift.fix import apply as fix_apply
from drift.fix.apply import FixOptions, run_fix
from drift.fix.rollback import RollbackResult, run_rollback
from drift.live.changeids import new_change_id
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI
from tests.fix.test_killed_fix import aged, killed_after_the_canary_landed
from tests.jobs.world import JOB_ENV, TODAY, jobs_world, pointed_at, write_profile

IN_PLACE = "updates jobs and worker pools in place, without a canary"


@pytest.mark.parametrize("ahead", [0, 10], ids=["same-clock", "ci-clock-10s-ahead"])
def test_from_live_of_a_job_fix_says_the_job_was_updated_in_place(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ahead: int
) -> None:
    """A fix of a job ran in CI (its journal elsewhere): `--from-live` found no service with a
    canary and said only that; it now names the job drift wrote and the ways on (exit 2).
    Also when the CI runner's clock, which stamps the change id, is ahead of Cloud Run's,
    which stamps the job's `update_time` (revown20 F2: the job was not named)."""
    monkeypatch.setattr(
        fix_apply,
        "new_change_id",
        lambda after=(): new_change_id(
            dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ahead), after=after
        ),
    )
    sandbox = pointed_at(make_sandbox(jobs_world(pools={})), monkeypatch, tmp_path)
    profiles = write_profile(tmp_path / "profiles", JOB_ENV + "      NEEDED: x\n")
    fixed = asyncio.run(
        run_fix(
            load_profile(profiles, "prod"),
            load_settings(journal_dir=tmp_path / "ci-journal"),
            ScriptedUI([True]),
            FixOptions(verify=False),
            today=TODAY,
        )
    )
    assert fixed.exit_code == ExitCode.OK and fixed.change_id
    change = fixed.change_id
    out = drift(
        "rollback", change, "--from-live", "prod", "--profiles", str(profiles),
        "--journal", str(tmp_path / "here"), "--yes",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    text = " ".join((out.stdout + out.stderr).split())
    assert out.returncode == ExitCode.USAGE, text
    assert f"job job: last written by drift (drift {__version__}" in text, text
    assert IN_PLACE in text and "--from-live cannot rebuild" in text, text
    assert f"`drift rollback {change} --journal DIR`" in text, text
    assert "NEEDED" in str(sandbox.job("p", "job").template.template.containers[0].env)


def test_a_mixed_change_is_not_rolled_back_with_exit_0_while_its_job_keeps_drifts_write(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A CI fix updated a job in place, then died after a service's canary landed. The
    service's canary is rolled back from the live service; the job keeps drift's change:
    said before the prompt and in the result, exit 4 (never "rolled back", exit 0)."""
    sandbox, change = _killed_with_a_job(make_sandbox, monkeypatch, tmp_path)
    sandbox.update_job(LAB, "job", env={"NEEDED": "x"}, client=("drift", __version__))
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    ui = ScriptedUI()
    done = _rollback_from_live(tmp_path, tmp_path / "here", change, ui, "      MODE: live\n")
    summary = " ".join(done.summary().split())
    assert done.restored == ["app"], summary  # the service's canary is gone
    assert done.exit_code == ExitCode.ABORTED, summary
    assert "job job: last written by drift" in summary and IN_PLACE in summary, summary
    assert any("job job: last written by drift" in s for s in ui.said), ui.said


@pytest.mark.parametrize("a_wrote_the_job", [False, True], ids=["b-only", "a-then-b"])
def test_a_job_a_later_journaled_change_wrote_is_not_blamed_on_the_earlier_one(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    a_wrote_the_job: bool,
) -> None:
    """Change A, a CI fix of service app, died with its canary live (its journal lost); a
    later change B fixed only the job, complete, journaled here. `rollback A --from-live`
    blamed A for B's write, stopped with exit 4 and offered a `drift fix` with the profile as
    before A, which would undo B (revown20 F3). The job's last write is B's (its etag is B's
    write read back): named as B's and left. When drift had written the job since A began
    before B did (B's entry holds it as B found it), it may hold A under B's: still named,
    with B, and no `drift fix` offered."""
    sandbox, change_a = _killed_with_a_job(make_sandbox, monkeypatch, tmp_path)
    if a_wrote_the_job:
        sandbox.update_job(LAB, "job", env={"FROM_A": "y"}, client=("drift", __version__))
    done, change_b, summary, said = _rolled_back_after_a_later_fix(sandbox, tmp_path, change_a)
    assert done.restored == ["app"], summary
    assert "job job: last written by drift" not in summary + said, summary
    assert f"job job: last written by change {change_b}" in said, said
    assert "`drift fix lab`" not in summary + said, summary
    if a_wrote_the_job:
        assert done.exit_code == ExitCode.ABORTED, summary
        assert f"may hold that change under {change_b}'s" in summary, summary
    else:
        assert done.exit_code == ExitCode.OK, summary
        assert "NEEDED" in str(sandbox.job(LAB, "job").template.template.containers[0].env)


def _rolled_back_after_a_later_fix(
    sandbox: Any, tmp_path: Path, change_a: str
) -> tuple[RollbackResult, str, str, str]:
    """A's journal lost, its canary aged past a fix's run, then change B fixed the job
    (`_job_fixed_later`), then `drift rollback A --from-live` with B's journal: its result,
    B's change id, and its summary and what it said, each on one line."""
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    here, change_b = _job_fixed_later(tmp_path, change_a)
    ui = ScriptedUI()
    done = _rollback_from_live(tmp_path, here, change_a, ui, "      MODE: live\n      NEEDED: x\n")
    summary = " ".join(done.summary().split())
    return done, change_b, summary, " ".join(" ".join(ui.said).split())


def _job_fixed_later(tmp_path: Path, change_a: str) -> tuple[Path, str]:
    """Change B: a fix of the job alone (NEEDED added), complete and journaled in
    `tmp_path/here`; that journal and B's change id."""
    only_job = tmp_path / "only-job"
    only_job.mkdir()
    (only_job / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\njobs:\n  job:\n    env:\n      MODE: live\n"
        "      NEEDED: x\n"
    )
    here = tmp_path / "here"
    fixed = asyncio.run(
        run_fix(
            load_profile(only_job, "lab"),
            load_settings(journal_dir=here),
            ScriptedUI([True]),
            FixOptions(verify=False),
        )
    )
    change_b = fixed.change_id
    assert fixed.exit_code == ExitCode.OK and change_b and change_b != change_a
    return here, change_b


def _killed_with_a_job(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[Any, str]:
    """The lab with a job `job`, and a CI fix of service app killed after its canary landed
    (`killed_after_the_canary_landed`): the sandbox and the change's id."""
    world: dict[str, Any] = lab.lab_world()
    world["projects"][LAB]["jobs"] = {
        "job": {
            "template": {"image": "us-docker.pkg.dev/example/migrate:1", "env": {"MODE": "live"}}
        }
    }
    sandbox = make_sandbox(world)
    _, change, _ = killed_after_the_canary_landed(
        make_sandbox, tmp_path, monkeypatch, sandbox=sandbox
    )
    return sandbox, change


def _rollback_from_live(
    tmp_path: Path, journal: Path, change: str, ui: ScriptedUI, job_env: str
) -> RollbackResult:
    """`drift rollback CHANGE --from-live lab --journal JOURNAL --yes`, the lab's profile
    with the job's `env:` lines `job_env`."""
    profiles = lab.lab_profiles(tmp_path)
    with (profiles / "lab.yaml").open("a") as f:
        f.write(f"jobs:\n  job:\n    env:\n{job_env}")
    return asyncio.run(
        run_rollback(
            load_settings(journal_dir=journal), ui, change, yes=True,
            live=load_profile(profiles, "lab"),
        )
    )  # fmt: skip
