"""The journal's disk fills right after drift sent a write (the real CLI, its files capped
with RLIMIT_FSIZE and SIGXFSZ ignored, so a journal write past the cap fails with EFBIG as
on a full disk): drift names what it wrote, where the change stands and what to do, exits 3
(incomplete: the journal is behind what the service holds; it exited 4, "aborted safely … with
nothing changed", over a canary left pinned, a promotion or an update that landed: helper-661
B1, B3), claims nothing it did not prove (never "nothing was changed"; the entry it names exists, in
the state written before the update), and once the
disk has room `drift rollback` finishes from what the service says (SPEC invariants 5, 10)."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import drift.fix.journalfiles
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import Journal, State
from tests.cliutil import REPO, drift_argv
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, assert_serves_as_before, entries
from tests.jobs.test_fix_jobs import fix as jobs_fix
from tests.jobs.world import PROFILE, write_profile
from tests.sandbox.jobworld import world

TOO_LARGE = os.strerror(errno.EFBIG)


def sizes_of_a_fix(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[int, int, str]]:
    """(UpdateService calls so far, bytes, file) of each journal write of `fix lab --yes`."""
    tmp_path.mkdir()
    sandbox = make_sandbox(lab.lab_world())
    seen: list[tuple[int, int, str]] = []
    real = drift.fix.journalfiles._staged

    def atomic(target: Path, data: bytes, tag: str) -> Path:
        seen.append((len(lab.updates(sandbox)), len(data), target.name))
        return real(target, data, tag)

    with monkeypatch.context() as patched:
        patched.setattr(drift.fix.journalfiles, "_staged", atomic)
        result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), patched)
    assert result.exit_code is ExitCode.OK, result.summary()
    return seen


def cap_between(seen: list[tuple[int, int, str]], at: int) -> int:
    """A file size cap that every journal write before `seen[at]` fits and `seen[at]` (the
    first after the update) does not: midway between, as an entry's size varies by a few
    bytes from run to run (it holds times and durations): a cap 8 bytes over the largest
    write before failed one of them under load, so the promotion was never sent."""
    before = max(size for _, size, _ in seen[:at])
    assert seen[at][1] > before + 64, seen  # the first write after the update is larger
    return (before + seen[at][1]) // 2


# The cap is set in the drift process itself, then it execs drift (`drift_argv`: the zygote's
# stand-in, which passes its RLIMIT_FSIZE on to the run, or a fresh interpreter): rlimits and an
# ignored signal survive exec (no preexec_fn: a fork of this threaded process runs no Python).
CAPPED = (
    "import os, resource, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not a killed process\n"
    "limit = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def drift_capped(
    sandbox: object, tmp_path: Path, limit: int, *args: str, profiles: Path | None = None
) -> subprocess.CompletedProcess[str]:
    profiles = profiles or lab.lab_profiles(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env.update(
        sandbox.environ(),  # type: ignore[attr-defined]
        NO_COLOR="1",
        PYTHONPATH=str(REPO),
        PYTHONDONTWRITEBYTECODE="1",
        DRIFT_PROFILES_DIR=str(profiles),
        DRIFT_JOURNAL_DIR=str(tmp_path / ".drift" / "journal"),
    )
    return subprocess.run(
        [sys.executable, "-c", CAPPED, str(limit), *drift_argv(), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("after", [1, 2], ids=["canary", "promotion"])
def test_a_journal_write_failing_after_the_update_was_sent(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    seen = sizes_of_a_fix(make_sandbox, tmp_path / "measure", monkeypatch)
    at = next(
        i for i, (sent, _, name) in enumerate(seen) if sent >= after and name.endswith(".json")
    )
    limit = cap_between(seen, at)
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    work = tmp_path / "run"
    work.mkdir()
    done = drift_capped(sandbox, work, limit, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.INCOMPLETE, said  # never 4: the service was changed
    assert "Traceback" not in said, said
    assert TOO_LARGE in said, said
    assert "nothing was changed" not in said, said
    assert len(lab.updates(sandbox)) == after
    (entry,) = entries(work)
    assert entry.state == (State.CANARY_DEPLOYING if after == 1 else State.PROMOTING), entry
    (told,) = [line for line in said.splitlines() if "cannot write the journal entry" in line]
    if after == 1:
        assert "is deployed with no traffic" in told and "stays pinned" in told, told
    else:  # the promotion landed: traffic is on the canary, never "stays pinned"
        assert "stays pinned" not in told and "no traffic" not in told, told
        assert f"The promotion to the canary {entry.canary_revision} was written (what " in said
        assert f"LATEST 100% → {entry.canary_revision})" in told, told
        assert "the journal still says promoting" in said, said
    assert f"drift rollback {entry.change_id}" in said, said
    again = lab.lab_cli(sandbox, work, "rollback", "--yes")
    assert again.returncode == ExitCode.OK, again.stdout + again.stderr
    assert entries(work)[0].state == State.ROLLED_BACK
    assert_serves_as_before(sandbox, LAB, "app", before, entry.canary_revision)


JOB_ONLY = PROFILE.split("worker_pools:")[0]


def test_a_journal_write_failing_after_a_job_update_was_sent(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """workload.py: the job's update landed, its record cannot be written."""
    measure = tmp_path / "measure"
    sandbox = make_sandbox(world())
    seen: list[tuple[int, int, str]] = []
    real = drift.fix.journalfiles._staged

    def atomic(target: Path, data: bytes, tag: str) -> Path:
        seen.append((sum(c.short == "UpdateJob" for c in sandbox.calls), len(data), target.name))
        return real(target, data, tag)

    with monkeypatch.context() as patched:
        for key, value in sandbox.environ().items():
            patched.setenv(key, value)
        measure.mkdir()
        patched.chdir(measure)
        patched.setattr(drift.fix.journalfiles, "_staged", atomic)
        profiles = write_profile(measure / "profiles", JOB_ONLY)
        assert jobs_fix(measure, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    at = next(i for i, (sent, _, name) in enumerate(seen) if sent and name.endswith(".json"))
    limit = cap_between(seen, at)
    sandbox = make_sandbox(world())
    work = tmp_path / "run"
    work.mkdir()
    profiles = write_profile(work / "profiles", JOB_ONLY)
    done = drift_capped(sandbox, work, limit, "fix", "prod", "--yes", profiles=profiles)
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.INCOMPLETE, said  # the update landed: never 4
    assert "Traceback" not in said and TOO_LARGE in said, said
    assert "nothing was changed" not in said, said
    assert sum(c.short == "UpdateJob" for c in sandbox.calls) == 1
    (entry,) = Journal(work / ".drift" / "journal").entries()
    assert entry.state == State.UPDATING, entry
    (told,) = [line for line in said.splitlines() if TOO_LARGE in line]
    assert "the update landed (job job read back carries it)" in told, told
    assert "the journal still says updating" in told, told
    assert f"drift rollback {entry.change_id}" in told, told
    again = drift_capped(
        sandbox, work, resource.RLIM_INFINITY, "rollback", "--yes", profiles=profiles
    )
    assert again.returncode == ExitCode.OK, again.stdout + again.stderr
    assert Journal(work / ".drift" / "journal").entries()[0].state == State.ROLLED_BACK
