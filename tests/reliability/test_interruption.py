"""Ctrl-C (SIGINT to a real process): `drift check` stops promptly with one clear message and
exit 3, never a traceback or a clean result; `drift fix` stops with exit 4 and a journal that
says where it stopped, from which `drift rollback` restores the service."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO, drift, spawn_as_a_terminal_does, zygote_drift
from tests.reliability.conftest import PROFILES, calls_in, project, scope

PROMPTLY = 10.0  # seconds from SIGINT to exit, generously


def start(
    args: list[str], env: dict[str, str], cwd: Path, *, group: bool = False
) -> subprocess.Popen[str]:
    """`drift ARGS` as a terminal starts it, forked from the worker's zygote (the signals
    sent to it are passed on to the run); with `group`, a fresh interpreter in a process group
    of its own (so that a Ctrl-C reaches the whole group, as a terminal's does)."""
    program = [sys.executable, "-m", "drift"] if group else [str(zygote_drift())]
    proc: subprocess.Popen[str] = spawn_as_a_terminal_does(
        [*program, *args],
        env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        start_new_session=group,
    )
    return proc


def interrupt_when(
    proc: subprocess.Popen[str], ready: Callable[[], bool], sent: int = signal.SIGINT
) -> tuple[int, str, str]:
    """SIGINT (or `sent`) once `ready()`; the exit code and output, failing if it does not
    stop."""
    deadline = time.monotonic() + 60
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the process never got there"
        time.sleep(0.05)
    proc.send_signal(sent)
    try:
        out, err = proc.communicate(timeout=PROMPTLY)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # faulthandler: where every thread is stuck
        _, err = proc.communicate()
        pytest.fail(f"still running {PROMPTLY:g} s after Ctrl-C:\n{err[-6000:]}")
    return proc.returncode, out, err


def test_ctrl_c_during_check(rel: Sandbox, tmp_path: Path) -> None:
    index = 23
    rel.inject(Fault("*", None, latency_ms=60_000, match=scope(index)))  # every call hangs
    proc = start(
        ["check", "rel", "--profiles", str(PROFILES), "--project", project(index)],
        rel.environ(),
        tmp_path,
    )
    code, out, err = interrupt_when(proc, lambda: bool(calls_in(rel, index)))
    assert code == 3, err
    assert err.strip().splitlines() == ["drift: error: interrupted: the check is incomplete"]
    assert "no drift" not in out and "Traceback" not in out + err


def test_ctrl_c_while_the_profile_is_read(tmp_path: Path) -> None:
    """Between the fork of the child that reads the profile and its result (a 400-service
    profile: a few tenths of a second), a terminal's Ctrl-C reaches both processes: one line,
    exit 3, and no process is left behind."""
    from benchmarks.world import ENVIRONMENT, scenario, write_profile

    write_profile(scenario(400), tmp_path)
    for _ in range(5):  # a loaded machine may not look while the child lives: another run
        proc = start(["check", ENVIRONMENT, "--profiles", str(tmp_path)], {}, tmp_path, group=True)
        if _a_child_seen(proc):
            break
        os.killpg(proc.pid, signal.SIGKILL)  # past the profile, reaching for Google Cloud
        proc.communicate()
    else:
        pytest.fail("in 5 runs the profile was never seen read in a child")
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=PROMPTLY)
    assert proc.returncode == 3, err
    assert err.strip().splitlines() == [
        "drift: error: interrupted: before anything was read from Google Cloud or changed"
    ]
    assert out == ""
    left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
    assert left.stdout.split() == []


def _a_child_seen(proc: subprocess.Popen[str]) -> bool:
    """Whether `proc` was seen with a child (it has one only while the profile is read), before
    it ended (or a minute went by without one)."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 60
    while not children.read_text().split():
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


FIX_WEB = ["fix", "e2e", "--yes", "--service", "web", "--profiles", str(REPO / "profiles")]


def fix_web(sandbox: Sandbox, tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    return start(FIX_WEB, env, tmp_path), env


def operations(sandbox: Sandbox) -> int:
    return sum(c.short == "GetOperation" for c in sandbox.calls)


@pytest.mark.parametrize(
    "sent", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"]
)
def test_a_signal_while_the_canary_deploys_cleans_up(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals
) -> None:
    """Ctrl-C — and SIGTERM (docker stop, a cancelled CI job) or SIGHUP (the terminal
    closed), which a fix takes as Ctrl-C, naming it — while the canary deploys: an abort like
    a "no" at the promotion prompt (SPEC invariant 9): the canary's tag goes, the routing
    that served is back, the lock is released; exit 4 with one line saying so."""
    before = sandbox.service("acme-chat-staging", "web")
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000, first_n=1))  # the canary's
    proc, env = fix_web(sandbox, tmp_path)
    code, _, err = interrupt_when(proc, lambda: operations(sandbox) > 0, sent)
    assert code == 4, err
    journal = Journal(tmp_path / ".drift" / "journal")
    (entry,) = journal.entries()
    named = "Ctrl-C" if sent == signal.SIGINT else sent.name
    line = err.strip().splitlines()[-1]
    assert line.startswith(
        f"drift: error: interrupted: web: {named} while the canary {entry.canary_revision} was "
        "being deployed; cleaned up: the canary's tag is removed and the routing that served "
        "is restored (what serves: "
    ), err
    # web's image is named by a tag: the revision the cleanup made runs what it names now
    # (revfix84 F3), said before the end
    assert line.endswith("drift cannot compare digests; for web, nothing is left to roll back"), err
    assert "is a tag: the new revision runs the image it names now" in line, err
    assert entry.state == State.CLEANED_UP
    # the journal records what stopped it as the last line says it, never "Ctrl-C" for a TERM
    (stopped,) = [h["note"] for h in entry.history if "while the canary" in h.get("note", "")]
    assert stopped.startswith(f"web: {named} while the canary"), entry.history
    assert not list((journal.directory / "locks").glob("*.lock"))
    after = sandbox.service("acme-chat-staging", "web")
    assert [(t.type_, t.percent, t.tag) for t in after.traffic] == [
        (t.type_, t.percent, t.tag) for t in before.traffic
    ]
    assert after.template.containers == before.template.containers
    done = drift("rollback", "--yes", env=env, cwd=tmp_path)
    assert done.returncode == 0 and "nothing left to roll back" in done.stdout + done.stderr


def stop_the_cleanup(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals, *, held: bool
) -> tuple[int, str, dict[str, str]]:
    """`drift fix` of web as a child process, signalled while its canary deploys (no deploy
    ever ends: GetOperation waits), then again while its cleanup's deploy waits (`held`: the
    cleanup's UpdateService itself is held, never applied — a cancelled request is dropped):
    its exit code, stderr and environment."""
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000))  # no deploy ever ends
    proc, env = fix_web(sandbox, tmp_path)
    deadline = time.monotonic() + 60
    while operations(sandbox) == 0:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    if held:  # the canary's write is in: the next one, the cleanup's, is held unapplied
        sandbox.inject(Fault("UpdateService", None, latency_ms=60_000, first_n=1))
    proc.send_signal(sent)
    while sum(c.short == "UpdateService" for c in sandbox.calls) < 2:  # the cleanup's write
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    if held:
        time.sleep(0.5)  # the held write waits: the signal reaches it in flight
        code, _, err = interrupt_when(proc, lambda: True, sent)
    else:
        code, _, err = interrupt_when(proc, lambda: operations(sandbox) > 1, sent)
    return code, err, env


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_second_signal_stops_the_cleanup_and_keeps_the_lock(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals
) -> None:
    """A second signal while that cleanup's own deploy waits stops it: one line saying where
    it stands, exit 3 (the cleanup's write was sent, its outcome unknown: the canary may be
    left pinned, so never 4, "nothing changed"); the change is unfinished, so its lock stays.
    `drift check` says so in a note (before: nothing), and the next `fix`, reading that the
    cleanup landed (what served before serves, exactly as drift wrote it), records it
    `cleaned-up` and takes the lock over in one line (helper-661 B4: it refused, naming a
    rollback that then wrote nothing)."""
    before = sandbox.service("acme-chat-staging", "web")
    code, err, env = stop_the_cleanup(sandbox, tmp_path, sent, held=False)
    assert code == 3, err
    journal = Journal(tmp_path / ".drift" / "journal")
    (entry,) = journal.entries()
    (lock,) = (journal.directory / "locks").glob("*--services--*.lock")
    line = err.strip().splitlines()[-1]
    assert line.startswith("drift: error: interrupted: web: "), err
    assert f"the canary {entry.canary_revision} was being removed" in line
    assert f"drift keeps its lock {lock}: `drift rollback {entry.change_id}` takes it" in line
    assert entry.state == State.CLEANING_UP
    sandbox.clear_faults()
    restored = sandbox.service("acme-chat-staging", "web")
    assert restored.template.containers == before.template.containers  # the cleanup landed
    checked = drift("check", *FIX_WEB[1:2], *FIX_WEB[3:], env=env, cwd=tmp_path)
    said = checked.stdout + checked.stderr
    assert (
        f"note: web: change {entry.change_id} did not finish: the outcome of its clean-up (the "
        "canary's tag removed, the routing that served restored) is not known (stopped "
        "mid-change, or ended with its write not read back or still settling), and its lock "
        "is left: the next `drift fix` settles it if it reads the clean-up landed; else `drift "
        f"rollback {entry.change_id}` finishes it"
    ) in said, said
    fixed = drift(*FIX_WEB, env=env, cwd=tmp_path)
    said = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, said  # was 4: "stopped mid-change … `drift rollback`"
    assert (
        f"web: took over the lock left by change {entry.change_id} (fix, pid " in said
        and "(that process is gone, and its clean-up had landed (generation "
        f"{restored.generation}, exactly as drift wrote it"
        in said
    ), said
    assert "stopped mid-change" not in said, said
    first = next(e for e in journal.entries() if e.change_id == entry.change_id)
    assert first.state == State.CLEANED_UP, first.history
    assert not list((journal.directory / "locks").glob("*.lock"))


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_cleanup_stopped_before_its_write_applied_still_refuses(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals
) -> None:
    """The same second signal while the cleanup's UpdateService is held, never applied: the
    canary is left pinned, so the next `fix` refuses (its lock is no write that landed),
    naming `drift rollback CHANGE`, and writes nothing; `drift check` says so first; exit 3
    (never 4: a canary is left)."""
    before = sandbox.service("acme-chat-staging", "web")
    code, err, env = stop_the_cleanup(sandbox, tmp_path, sent, held=True)
    assert code == 3, err
    journal = Journal(tmp_path / ".drift" / "journal")
    (entry,) = journal.entries()
    assert entry.state == State.CLEANING_UP
    sandbox.clear_faults()
    left = sandbox.service("acme-chat-staging", "web")
    assert any(t.tag == entry.tag for t in left.traffic)  # the canary's write as it left it
    checked = drift("check", *FIX_WEB[1:2], *FIX_WEB[3:], env=env, cwd=tmp_path)
    assert f"note: web: change {entry.change_id} did not finish: the outcome of its clean-up" in (
        checked.stdout + checked.stderr
    )
    refused = drift(*FIX_WEB, env=env, cwd=tmp_path)
    said = refused.stdout + refused.stderr
    assert refused.returncode == 4 and "stopped mid-change" in said, said
    assert f"drift rollback {entry.change_id}" in said, said
    assert journal.entries()[0].state == State.CLEANING_UP
    assert len(list((journal.directory / "locks").glob("*.lock"))) == 2
    after = sandbox.service("acme-chat-staging", "web")
    assert after.generation == left.generation  # the refused fix wrote nothing
    assert after.template.containers != before.template.containers  # the canary's, left


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_during_the_rollback_s_own_write_leaves_a_rollback_to_finish(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals
) -> None:
    """A fix, then its rollback stopped while its write is in flight (Ctrl-C, or SIGTERM from
    a cancelled CI job): exit 4, one line, the journal still rolling back and the lock kept,
    as a fix interrupted mid-change keeps it (SPEC invariant 11): a fix on the service is
    refused meanwhile, naming the change; `drift rollback` again takes the lock over and
    finishes it."""
    before = sandbox.service("acme-chat-staging", "web")
    journal = tmp_path / ".drift" / "journal"
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(journal)}
    fixed = drift(
        "fix", "e2e", "--yes", "--no-verify", "--service", "web", "--profiles",
        str(REPO / "profiles"), env=env, cwd=tmp_path,
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000))  # its deploy never ends
    seen = len(sandbox.calls)
    proc = start(["rollback", "--yes"], env, tmp_path)
    code, out, err = interrupt_when(
        proc, lambda: any(c.short == "GetOperation" for c in sandbox.calls[seen:]), sent
    )
    assert code == 4, out + err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("drift: error: interrupted: "), err
    if sent != signal.SIGINT:
        assert f"{sent.name} received" in err
    (entry,) = Journal(journal).entries()
    assert entry.state == State.ROLLING_BACK
    (lock,) = (journal / "locks").glob("*--services--*.lock")
    assert f"drift keeps its lock {lock}" in err, err
    assert f"run `drift rollback {entry.change_id}` again to finish it" in err, err
    sandbox.clear_faults()
    refused = drift(*FIX_WEB, env=env, cwd=tmp_path)
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert f"drift rollback {entry.change_id}" in refused.stdout + refused.stderr
    again = drift("rollback", "--yes", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    after = sandbox.service("acme-chat-staging", "web")
    assert after.template.containers == before.template.containers
    assert Journal(journal).entries()[0].state == State.ROLLED_BACK
    assert not list((journal / "locks").glob("*.lock"))
