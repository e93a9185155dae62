"""One writer per service (SPEC invariant 11): while a fix holds a service, a second `fix` or
`rollback` on it stops at once (exit 4) naming the change that holds it; a lock left by a
killed process is recognised as stale and reported with the way out, never waited on; one
whose change wrote nothing (a fix killed at its first prompt) is taken over by the next
command, and `drift rollback` of that change removes it."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drift.errors import Aborted, ExitCode, JournalError
from drift.fix import lock as locking
from drift.fix import lockholder
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, Journal, State, Write, now_text
from drift.fix.lock import Locked, Locks
from drift.fix.lockname import legacy_name, lock_name
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift, python_code
from tests.fix.conftest import PROJECT, ScriptedUI, entries, fix, updates
from tests.fix.terminal import converse, on_a_terminal

LOCK = f"projects/{PROJECT}/locations/us-central1/services/web"


def killed_as_its_lock_names(
    locks: Path, service: str, on_the_terminal: subprocess.Popen[bytes]
) -> Callable[[], bytes]:
    """A `converse` step: kill -9 the drift process that `service`'s lock (in the journal's
    `locks`) names, which must be the process on the terminal of `on_the_terminal` (its
    standard input the same pty). Through the stand-in (`on_a_terminal`) drift is the run
    forked from the zygote, whose own pid is what the lock records and what a kill -9 must
    reach (the stand-in cannot pass SIGKILL on); the stand-in then ends as its run did, after
    the zygote has reaped the run. With a fresh interpreter (DRIFT_TESTS_FORK=0) it is that
    process itself."""

    def kill() -> bytes:
        (lock,) = locks.glob(f"*--services--{service}.lock")
        pid = int(json.loads(lock.read_text())["pid"])
        terminal = os.readlink(f"/proc/{on_the_terminal.pid}/fd/0")
        assert os.readlink(f"/proc/{pid}/fd/0") == terminal, (pid, terminal)
        os.kill(pid, signal.SIGKILL)
        return b""  # nothing typed: converse reads on until the terminal closes

    return kill


def second(sandbox: Sandbox, tmp_path: Path, *args: str) -> tuple[int, str, float]:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    started = time.monotonic()
    done = drift(*args, "--profiles", str(REPO / "profiles"), env=env, cwd=tmp_path)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def test_a_second_fix_or_rollback_stops_at_once(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    seen: dict[str, tuple[int, str, float]] = {}

    def meanwhile(question: str) -> None:
        if question.startswith("Move all traffic"):
            writes = len(updates(sandbox))
            seen["fix"] = second(sandbox, tmp_path, "fix", "e2e", "--yes", "--service", "web")
            seen["rollback"] = second(sandbox, tmp_path, "rollback", "--yes")
            assert len(updates(sandbox)) == writes  # neither wrote anything

    ui = ScriptedUI([True, True], on_confirm=meanwhile)
    result = fix(tmp_path, env, ui, FixOptions(), ["web"])
    assert result.exit_code is ExitCode.OK, result.summary()
    for command in ("fix", "rollback"):
        code, out, took = seen[command]
        assert code == 4, out
        assert f"web is being changed by change {result.change_id} (fix, pid" in out, out
        assert "nothing was changed" in out, out  # said by both (helper-700 F6)
        # both of its lock files, or deleting the one named stops the next command again
        named = re.search(r"delete (\S+\.lock) and (\S+\.lock)\)", " ".join(out.split()))
        assert named is not None and {Path(n).name for n in named.groups()} == {
            lock_name(LOCK),
            legacy_name(LOCK),
        }, out
        assert took < 30, took  # at once: never waits for the lock
    (entry,) = entries(tmp_path)  # the second fix journaled nothing
    assert entry.change_id == result.change_id


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def stale_web_lock(tmp_path: Path) -> Path:
    """The lock on `web`, in a journal under `tmp_path`, left by a process that is gone (this
    host's)."""
    journal = tmp_path / "journal"
    (journal / "locks").mkdir(parents=True)
    path = journal / "locks" / "acme-chat-staging--us-central1--services--web.lock"
    stale = {"change_id": "20261101-120000-dead", "pid": dead_pid(), "host": socket.gethostname()}
    path.write_text(json.dumps({**stale, "started": "2026-11-01T12:00:00+00:00"}))
    return path


def as_killed(locks: Path) -> None:
    """Each lock in the directory `locks` as kill -9 of an in-process command leaves it: its
    pid one no process has, and its flock let go (the file written anew: the flock this
    test's process still holds is on the one it replaces)."""
    for path in locks.glob("*.lock"):
        body = {**json.loads(path.read_text()), "pid": dead_pid()}
        killed = path.with_name(f".{path.name}.killed")
        killed.write_text(json.dumps(body))
        os.replace(killed, path)


def test_a_stale_lock_is_reported_with_the_way_out(sandbox: Sandbox, tmp_path: Path) -> None:
    locks = tmp_path / ".drift" / "journal" / "locks"
    locks.mkdir(parents=True)
    lock = locks / "acme-chat-staging--us-central1--services--web.lock"
    held = {
        "change_id": "20261101-120000-dead",
        "pid": dead_pid(),
        "host": socket.gethostname(),
        "started": "2026-11-01T12:00:00+00:00",
        "command": "fix",
    }
    lock.write_text(json.dumps(held))
    legacy = locks / "acme-chat-staging--us-central1--web.lock"  # held under both names
    legacy.write_text(json.dumps(held))
    # the change began a write whose outcome it never learned: it may have changed the service
    journal = Journal(tmp_path / ".drift" / "journal").open()
    entry = Entry(held["change_id"], "e2e", PROJECT, "us-central1", "web", LOCK, "", {}, "", "", [])
    journal.begin(entry, State.CANARY_DEPLOYING, "deploying", Write("canary", "", 1, "", "", []))
    code, out, took = second(sandbox, tmp_path, "fix", "e2e", "--yes", "--service", "web")
    assert code == 4, out
    assert (
        "change 20261101-120000-dead (fix, pid" in out
        and "stopped mid-change, or ended with its outcome not known" in out
    )
    assert "`drift rollback 20261101-120000-dead`" in out
    assert f"delete {lock} and {legacy} if" in out, out  # both, or the other stops it again
    assert took < 30 and updates(sandbox) == [] and lock.exists()
    # a lock from another host cannot be judged: held, and said how to clear it
    lock.write_text(json.dumps({**held, "host": "build-agent-7"}))
    code, out, _ = second(sandbox, tmp_path, "fix", "e2e", "--yes", "--service", "web")
    assert code == 4 and "on build-agent-7" in out and f"delete {lock}" in out, out


def test_a_fix_killed_at_its_first_prompt_leaves_no_lock_in_the_way(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed (kill -9) at "Deploy …? [y/N]": the lock is taken, nothing was
    written or journaled. `drift rollback` of that change removes the lock; the next fix takes
    such a lock over, saying so in one line; a lock whose process lives stays exclusive."""
    # drift in processes of their own: the live process whose lock they must respect is this
    # one (in this process, drift would read its pid as its own: `lockholder.Holder.stale`)
    monkeypatch.setenv("DRIFT_TESTS_FORK", "zygote")
    journal = tmp_path / ".drift" / "journal"
    lock = journal / "locks" / "acme-chat-staging--us-central1--services--web.lock"
    args = ["fix", "e2e", "--service", "web", "--profiles", str(REPO / "profiles")]
    args += ["--journal", str(journal)]

    def killed_at_the_prompt() -> str:
        terminal = on_a_terminal(args, env, tmp_path)
        kill = killed_as_its_lock_names(lock.parent, "web", terminal[0])
        converse(terminal, [(b"no traffic? [y/N]", kill)])
        assert entries(tmp_path) == [] and updates(sandbox) == []
        return str(json.loads(lock.read_text())["change_id"])

    change = killed_at_the_prompt()
    code, out, _ = second(sandbox, tmp_path, "rollback", change, "--yes")
    assert code == 0, out
    assert f"web: removed the lock left by change {change} (fix, pid" in out, out
    assert "it wrote nothing to web" in out and not lock.exists() and updates(sandbox) == []
    # a lock held by a live process (this one) and no journal entry: neither command takes it
    held = {"change_id": "20261101-120000-live", "pid": os.getpid(), "host": socket.gethostname()}
    lock.write_text(json.dumps({**held, "started": now_text()}))
    _, out, _ = second(sandbox, tmp_path, "rollback", held["change_id"], "--yes")
    assert "removed the lock" not in out and lock.exists(), out
    code, out, _ = second(sandbox, tmp_path, "fix", "e2e", "--yes", "--service", "web")
    assert code == 4 and "web is being changed by change 20261101-120000-live" in out, out
    assert lock.exists()
    lock.unlink()
    change = killed_at_the_prompt()
    code, out, _ = second(sandbox, tmp_path, "fix", "e2e", "--yes", "--service", "web")
    assert code == 0, out
    took_over = [line for line in out.splitlines() if "took over the lock" in line]
    assert len(took_over) == 1 and f"left by change {change} (fix, pid" in took_over[0], out
    assert "it wrote nothing to web" in took_over[0] and not lock.exists()
    assert updates(sandbox)  # the fix went ahead


def enospc(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_lock_that_cannot_be_written_is_one_error_and_leaves_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk: the lock file is created but its content cannot be written. One error
    naming the lock, nothing written to the cloud, and no empty lock left to block every
    later fix (it used to stay: 0 bytes, "cannot be read")."""
    lock = (
        tmp_path
        / ".drift"
        / "journal"
        / "locks"
        / "acme-chat-staging--us-central1--services--web.lock"
    )
    Journal(lock.parent.parent).open()  # its `.gitignore`, written whole (fsync'd) before
    with monkeypatch.context() as patched:
        patched.setattr(locking.os, "fsync", enospc)
        with pytest.raises(JournalError) as failed:
            fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"])
    assert failed.value.message.startswith(f"cannot create the lock {lock}: No space left")
    assert "nothing was changed" in failed.value.message
    assert not lock.exists() and updates(sandbox) == []
    assert fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"]).exit_code is (
        ExitCode.OK
    )


@pytest.mark.parametrize(
    ("put", "kind"),
    [
        (lambda locks: locks.write_text(""), "a file"),
        (lambda locks: locks.symlink_to("nowhere"), "a broken link (to 'nowhere')"),
        (lambda locks: os.mkfifo(locks), "a named pipe"),
    ],
    ids=["file", "broken-link", "fifo"],
)
def test_a_lock_directory_that_cannot_be_made_is_one_line(
    sandbox: Sandbox, tmp_path: Path, put: Any, kind: str
) -> None:
    """A journal whose `locks` cannot be created (here a file, a broken link or a named pipe
    where the directory should be; a read-only disk alike): fix and rollback say so in one
    line naming it and what it is, never "internal error: OSError", and write nothing."""
    code, out, _ = second(sandbox, tmp_path, "fix", "e2e", "--yes", "--no-promote", "-s", "web")
    assert code == 1 and "canary" in out, out  # pinned: the re-check reports revision.pinned
    locks = tmp_path / ".drift" / "journal" / "locks"
    locks.rmdir()
    put(locks)
    calls = len(updates(sandbox))
    for args in (("rollback", "--yes"), ("fix", "e2e", "--yes", "--no-verify", "-s", "api")):
        code, out, _ = second(sandbox, tmp_path, *args)
        lines = out.strip().splitlines()
        assert code == ExitCode.USAGE and "internal error" not in out, out
        assert lines[-1].startswith(f"drift: error: cannot create the lock {locks}/"), out
        assert "nothing was changed" in lines[-1]
        # named for what it is (helper-517's review: it was "File exists" and free space)
        assert f"{locks} is {kind}, not a directory" in lines[-1], out
        assert "room" not in lines[-1] and "File exists" not in lines[-1], out
    assert len(updates(sandbox)) == calls


def test_two_takers_of_one_stale_lock_one_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fix was killed at its prompt; two commands take over its stale lock at once. Each
    reads the lock, then checks it is still the stale one and deletes it: were those two
    steps apart, both could check before either deleted, and the second would delete the
    first one's new lock — both holding the service (SPEC invariant 11). The window is held
    open with a barrier at the check; only one command may hold the lock."""
    path = stale_web_lock(tmp_path)
    journal = path.parents[1]
    real = lockholder.read
    reads: dict[str, int] = {}
    both_at_the_check = threading.Barrier(2)

    def read(lock: Path) -> lockholder.Holder | None:
        holder = real(lock)
        me = threading.current_thread().name
        reads[me] = reads.get(me, 0) + 1
        if reads[me] == 2:  # the check before the deletion
            try:
                both_at_the_check.wait(timeout=1)
            except threading.BrokenBarrierError:
                pass  # the other one could not get there: the check is guarded
        return holder

    monkeypatch.setattr(lockholder, "read", read)
    held: list[str] = []
    refused: list[str] = []

    def take(change: str) -> None:
        locks = Locks(journal, change, "fix", say=lambda line: None)
        try:
            locks.acquire(LOCK, "web")
            held.append(change)
        except Locked as exc:
            refused.append(exc.message)

    takers = [
        threading.Thread(target=take, args=(f"20261129-000000-{name}",), name=name)
        for name in ("aaaa", "bbbb")
    ]
    for taker in takers:
        taker.start()
    for taker in takers:
        taker.join()
    assert len(held) == 1, (held, refused)
    assert json.loads(path.read_text())["change_id"] == held[0]
    (message,) = refused
    assert f"web is being changed by change {held[0]}" in message


def test_a_lock_being_written_is_never_read_half_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two commands starting at once: the lock one creates must not be seen before it is
    whole. It was created empty (O_EXCL) and then written, and the other command, reading
    it empty in between, was told the file "cannot be read" and to delete it."""
    writing, carry_on = threading.Event(), threading.Event()
    write = Locks._write

    def slow_write(self: Locks, fd: int, service: str) -> None:
        if self.change_id == "first":
            writing.set()
            carry_on.wait(10)
        write(self, fd, service)

    monkeypatch.setattr(Locks, "_write", slow_write)
    outcome: list[BaseException | None] = []

    def first() -> None:
        try:
            Locks(tmp_path, "first", "fix").acquire(LOCK, "web")
            outcome.append(None)
        except Locked as exc:
            outcome.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert writing.wait(10)
    second = Locks(tmp_path, "second", "fix")
    try:
        second.acquire(LOCK, "web")  # the first lock is not there yet: this one is taken
    finally:
        carry_on.set()
        thread.join(10)
    assert second.held
    (refused,) = outcome
    assert isinstance(refused, Locked) and "being changed by change second" in refused.message
    second.release()
    left = {p.name for p in (tmp_path / "locks").iterdir()}
    assert not {name for name in left if name.endswith((".lock", ".draft"))}, left


@pytest.mark.parametrize(
    ("state", "taken"),
    [
        (State.PROMOTED, True),
        (State.UPDATED, True),
        (State.PINNED, False),  # --no-promote: the change is not finished
        (State.PROMOTING, False),
        (State.ABORTED, False),  # its cleanup has not run
    ],
)
def test_a_lock_left_on_a_service_whose_fix_had_finished_is_taken_over(
    tmp_path: Path, state: str, taken: bool
) -> None:
    """A fix of web and auth killed during auth's canary: web was promoted and proven. The
    lock left on web blocked every later fix of web, and the only way out drift offered was
    rolling back web's good fix (rollback has no --service) or deleting the lock by hand."""
    journal_dir = tmp_path / "journal"
    (journal_dir / "locks").mkdir(parents=True)
    dead = {"change_id": "20261101-120000-dead", "pid": dead_pid(), "host": socket.gethostname()}
    lock = journal_dir / "locks" / "acme-chat-staging--us-central1--services--web.lock"
    lock.write_text(json.dumps({**dead, "started": "2026-11-01T12:00:00+00:00"}))
    journal = Journal(journal_dir).open()
    entry = Entry(dead["change_id"], "e2e", PROJECT, "us-central1", "web", LOCK, "", {}, "", "", [])
    journal.begin(entry, State.CANARY_DEPLOYING, "deploying", Write("canary", "", 1, "", "", []))
    journal.landed(entry, State.CANARY_READY, "ready", etag="e2", generation=2)
    journal.record(entry, state, "as it ended")
    said: list[str] = []
    locks = Locks(journal_dir, "20261102-090000-next", "fix", say=said.append)
    if taken:
        locks.acquire(LOCK, "web")
        assert locks.held[0] == lock
        assert said == [
            f"web: took over the lock left by change {dead['change_id']} (fix, pid "
            f"{dead['pid']} on {dead['host']}, since 2026-11-01T12:00:00+00:00) (that process "
            "is gone, and its change of web had finished)"
        ]
        locks.release()
    else:
        with pytest.raises(Locked, match="stopped mid-change, or ended with its outcome not known"):
            locks.acquire(LOCK, "web")
        assert lock.exists() and said == []


@pytest.mark.parametrize("code", [errno.EPERM, errno.EOPNOTSUPP])
def test_a_file_system_without_hard_links_still_takes_a_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """Some network and FUSE file systems refuse `link`: every fix failed there with "cannot
    create the lock". The lock is then created in place, whole, and still exclusive."""

    def no_links(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(locking.os, "link", no_links)
    first = Locks(tmp_path, "20261102-090000-aaaa", "fix")
    first.acquire(LOCK, "web")
    lock = first.held[0]
    assert json.loads(lock.read_text())["change_id"] == "20261102-090000-aaaa"
    with pytest.raises(Locked, match="web is being changed by change 20261102-090000-aaaa"):
        Locks(tmp_path, "20261102-090000-bbbb", "fix").acquire(LOCK, "web")
    first.release()
    assert not [p.name for p in (tmp_path / "locks").iterdir() if p.name.endswith(".draft")]


@pytest.mark.parametrize("project", [PROJECT, "401234567890"], ids=["id", "number"])
def test_a_fix_on_a_held_service_stops_before_reading_it(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, project: str
) -> None:
    """Invariant 11 while the first fix's canary deploys: the read would wait for that deploy
    (`--wait`), then find nothing to patch; the lock is checked before anything is read. The
    lock is named after the resource name the API gave, its project an id or a number."""
    locks = tmp_path / ".drift" / "journal" / "locks"
    locks.mkdir(parents=True)
    holder = {
        "change_id": "20261129-120000-beef",
        "pid": os.getppid(),  # running (this very process's pid would be an earlier one's)
        "host": socket.gethostname(),
        "started": now_text(),
        "command": "fix",
        "service": "web",
    }
    (locks / f"{project}--us-central1--services--web.lock").write_text(json.dumps(holder))
    sandbox.clear_calls()
    with pytest.raises(Aborted) as caught:
        fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"])
    assert caught.value.exit_code is ExitCode.ABORTED
    message = str(caught.value)
    assert message.startswith("web is being changed by change 20261129-120000-beef (fix, pid")
    assert message.endswith("nothing was changed")
    assert sandbox.calls == []  # nothing read, nothing waited for
    # another service of the profile is not held (a dry run: it writes nothing)
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(dry_run=True), ["api"])
    assert result.exit_code is not ExitCode.ABORTED


def test_a_lock_is_held_under_the_older_name_too(tmp_path: Path) -> None:
    """Invariant 11 across versions (revcompat F1): a drift before c693650 takes and checks
    only `PROJECT--REGION--NAME.lock`; drift holds that name too, taken and released with
    its own, so such a drift stops too. A lock an older drift holds under it stops this one
    and leaves nothing behind; locks a killed command left under both names are stale locks
    the next command clears as any other."""
    journal = tmp_path / "journal"
    directory = journal / "locks"
    legacy = directory / f"{PROJECT}--us-central1--web.lock"
    current = directory / f"{PROJECT}--us-central1--services--web.lock"
    with Locks(journal, "20261130-000000-beef", "fix") as locks:
        locks.acquire(LOCK, "web")
        assert current.exists() and legacy.exists()
        assert json.loads(legacy.read_text())["change_id"] == "20261130-000000-beef"
    assert not list(directory.glob("*.lock"))
    # an older drift holds the older name (a running process): refused, nothing left
    older = {"change_id": "20261129-000000-0ld0", "pid": os.getppid(), "command": "fix"}
    legacy.write_text(json.dumps({**older, "host": socket.gethostname(), "started": now_text()}))
    with Locks(journal, "20261130-000001-beef", "fix") as locks, pytest.raises(Locked) as held:
        locks.acquire(LOCK, "web")
    assert "change 20261129-000000-0ld0" in held.value.message
    assert not current.exists() and legacy.exists()
    legacy.unlink()
    # a command stopped mid-way keeps both (as a killed one leaves them): stale for the next
    with Locks(journal, "20261130-000002-dead", "fix") as locks:
        locks.acquire(LOCK, "web")
        assert locks.keep(LOCK) == current
    assert current.exists() and legacy.exists()
    with Locks(journal, "20261130-000003-beef", "fix", say=lambda _: None) as locks:
        locks.acquire(LOCK, "web")
        assert len(locks.notes) == 1 and set(locks.held) == {current, legacy}
    assert not list(directory.glob("*.lock"))


@pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_NOFILE")
def test_a_command_holds_the_locks_of_more_services_than_the_default_soft_limit(
    tmp_path: Path,
) -> None:
    """revperf 4: every lock is held open for its flock, two files a service (its older
    name too), and macOS's default soft limit of 256 open files stopped a fix of 128
    services with "Too many open files": the soft limit is raised to the hard one."""
    script = f"""
import resource
from pathlib import Path
from drift.fix.lock import Locks
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
with Locks(Path({str(tmp_path)!r}), "20261130-100000-abcde", "fix") as locks:
    for i in range(200):
        locks.acquire(f"projects/p/locations/r/services/s{{i}}", f"s{{i}}")
    print(len(locks.held))
"""
    # a process of its own (its own limit), forked from the zygote (`python_code`)
    done = python_code(script, env=dict(os.environ), cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["400"]


def test_a_bug_that_ends_a_fix_after_its_canary_keeps_the_service_s_lock(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown25 1: a bug of drift's (an exception that is no DriftError) ending a fix between
    its canary and its promotion released the service's lock while its canary stayed, and a
    second `drift fix` could then write on the unfinished change. The lock stays, as for
    Ctrl-C, and `drift rollback CHANGE` takes it over to finish it."""
    from drift.fix.canary import ServiceFix

    async def bug(self: ServiceFix) -> None:
        raise RuntimeError("a bug in drift")

    monkeypatch.setattr(ServiceFix, "_promote", bug)
    with pytest.raises(RuntimeError):
        fix(tmp_path, env, ScriptedUI([True]), FixOptions(yes=True), services=["web"])
    (entry,) = entries(tmp_path)
    assert entry.wrote and entry.state not in (State.PROMOTED, State.CLEANED_UP), entry.state
    lock = (
        tmp_path
        / ".drift"
        / "journal"
        / "locks"
        / ("acme-chat-staging--us-central1--services--web.lock")
    )
    assert lock.exists()
    as_killed(lock.parent)
    monkeypatch.undo()
    code, out, _ = second(sandbox, tmp_path, "rollback", entry.change_id, "--yes")
    assert code == 0, out
    assert not lock.exists(), out


def test_the_race_test_reaches_the_check_before_the_deletion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown27: since the split (a50b6ef) the check before the deletion lives in
    drift.fix.locktakeover; a patch of one module's own `read` no longer reached it and the
    race test above ran no race. Both call `lockholder.read`: the one place a test steers."""
    path = stale_web_lock(tmp_path)
    journal = path.parents[1]
    real = lockholder.read
    reads: list[Path] = []

    def read(lock: Path) -> lockholder.Holder | None:
        reads.append(lock)
        return real(lock)

    monkeypatch.setattr(lockholder, "read", read)
    Locks(journal, "20261129-000000-aaaa", "fix", say=lambda line: None).acquire(LOCK, "web")
    # the acquire's read, then remove()'s re-read under the takeover lock (as on c0bd7bb)
    assert len(reads) >= 2, reads


def test_a_lock_left_under_both_names_in_two_seconds_is_taken_over_in_one_line(
    tmp_path: Path,
) -> None:
    """A killed command's lock and its older name are written one after the other: when a
    second passes between the two, their `since` differ, and the takeover was said twice (it
    was told apart by its words, which carry the time: seen in the suite)."""
    journal = tmp_path / "journal"
    directory = journal / "locks"
    legacy = directory / f"{PROJECT}--us-central1--web.lock"
    with Locks(journal, "20261130-000002-dead", "fix") as locks:
        locks.acquire(LOCK, "web")
        locks.keep(LOCK)
    body = json.loads(legacy.read_text())
    legacy.write_text(json.dumps({**body, "started": "2099-01-01T00:00:01+00:00"}))
    said: list[str] = []
    with Locks(journal, "20261130-000003-beef", "fix", say=said.append) as locks:
        locks.acquire(LOCK, "web")
    assert len(said) == 1 and "20261130-000002-dead" in said[0], said
