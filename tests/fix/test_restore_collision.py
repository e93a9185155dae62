"""revdiff3 1: someone writes a workload between `drift rollback`'s read and its write. One
judgement (`drift.fix.restored.theirs`) for a service, a job and a worker pool, so the same
event leaves the journal in the same state and says the same thing whatever the kind:
- `stale_etag: aborted` (AIP-154's ABORTED): drift's write did not land, nothing was written,
  the entry stays as it was (as a refusal before the write leaves it), exit 4;
- `stale_etag: ignored` (run v2's etag "May be used to detect modification conflict"): drift's
  write landed over theirs, journaled as landed two generations on; said (their change is no
  longer in the workload), never exit 0 (SPEC invariant 10)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

import drift.fix.restore
import drift.fix.workload_restore
from drift.errors import ApiError, ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.fix.conftest import PROJECT, ScriptedUI, entries
from tests.fix.conftest import fix as fix_services
from tests.jobs.test_fix_jobs import _label as label_job_or_pool
from tests.jobs.test_fix_jobs import fix as fix_jobs
from tests.jobs.test_fix_jobs import lab  # noqa: F401  (a fixture, for request.getfixturevalue)

NAMES = {"service": "api", "job": "job job", "worker_pool": "worker pool pool"}
NOUNS = {"service": "service", "job": "job", "worker_pool": "worker pool"}


def fixed(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Sandbox, Any]:
    """A change of drift's to the workload of `kind`, journaled; the sandbox, and the module
    whose `update_workload` sends the rollback's write."""
    if kind == "service":
        sandbox: Sandbox = request.getfixturevalue("sandbox")
        env = request.getfixturevalue("env")
        done = fix_services(
            tmp_path, env, ScriptedUI([True]), FixOptions(promote=False), services=["api"]
        )
        assert "--no-promote" in done.summary(), done.summary()
        return sandbox, drift.fix.restore
    sandbox, profiles = request.getfixturevalue("lab")
    assert fix_jobs(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    return sandbox, drift.fix.workload_restore


def their_write(sandbox: Sandbox, kind: str) -> Callable[[], None]:
    if kind == "service":
        return lambda: None if sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING") else None
    if kind == "job":
        return lambda: None if sandbox.update_job("p", "job", env={"HOTFIX": "1"}) else None
    return lambda: None if sandbox.deploy_pool("p", "pool", env={"HOTFIX": "1"}) else None


def entry_of(tmp_path: Path, kind: str) -> Entry:
    (entry,) = [e for e in entries(tmp_path) if e.kind == kind]
    return entry


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_write_between_the_rollbacks_read_and_its_write(
    kind: str,
    stale_etag: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, module = fixed(kind, request, tmp_path)
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    was = entry_of(tmp_path, kind).state
    real = module.update_workload
    theirs = their_write(sandbox, kind)
    meddled: list[str] = []

    async def update_workload(session: Any, kind_: Any, request_: Any, **kw: Any) -> Any:
        if kind_.value == kind and not meddled:  # right after the rollback read it
            theirs()
            meddled.append(request_.name)
        return await real(session, kind_, request_, **kw)

    monkeypatch.setattr(module, "update_workload", update_workload)
    ui = ScriptedUI()
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done: RollbackResult = asyncio.run(run_rollback(settings, ui, None, yes=True))
    said, summary, name = "\n".join(ui.said), done.summary(), NAMES[kind]
    assert meddled, summary
    entry = entry_of(tmp_path, kind)
    write = entry.writes[-1]
    assert write["step"] == "rollback", entry.writes
    if stale_etag == "aborted":
        assert entry.state == was, summary  # nothing of drift's happened
        assert (write["landed"], write["generation_after"]) == (False, 0)
        assert done.exit_code == ExitCode.ABORTED, summary
        assert f"{name}: refused (changed since): " in summary, summary
        assert "drift's write did not land" in summary, summary
        assert f"nothing was written to {name}" in summary, summary
        assert "landed over" not in summary + said
        return
    assert entry.state == State.ROLLED_BACK, summary
    assert write["landed"] is True
    assert write["generation_after"] == write["generation_before"] + 2
    assert done.exit_code is not ExitCode.OK, summary
    assert "landed over someone else's write" in said, said
    assert f"their change is no longer in the {NOUNS[kind]}" in said, said
    assert f"{name}: restored, but drift's write" in summary, summary
    assert "replaced someone else's write" in summary, summary
    assert "may have landed before" not in summary + said
    assert "landed over someone else's write" in entry.history[-1]["note"]


METHODS = {"service": "UpdateService", "job": "UpdateJob", "worker_pool": "UpdateWorkerPool"}


Write = Callable[[], Awaitable[Any]]


def first_write(
    monkeypatch: pytest.MonkeyPatch, module: Any, kind: str, send: Callable[[Write], Awaitable[Any]]
) -> list[str]:
    """`module.update_workload` patched: the rollback's first write of `kind` goes through
    `send` (given the real call); returns the names of the writes it took (that one)."""
    real = module.update_workload
    meddled: list[str] = []

    async def update_workload(session: Any, kind_: Any, request_: Any, **kw: Any) -> Any:
        if kind_.value != kind or meddled:
            return await real(session, kind_, request_, **kw)
        meddled.append(request_.name)
        return await send(lambda: real(session, kind_, request_, **kw))

    monkeypatch.setattr(module, "update_workload", update_workload)
    return meddled


def their_label(sandbox: Sandbox, kind: str) -> None:
    """A teammate's label (`cost-center: 42`), their etag current: any server takes it; the
    configuration left as it is."""
    if kind != "service":
        return label_job_or_pool(sandbox, METHODS[kind])
    with grpc.insecure_channel(sandbox.address) as channel:
        services = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel))
        service = services.get_service(name=sandbox.service(PROJECT, "api").name)
        service.labels["cost-center"] = "42"
        services.update_service(service=service).result()


@pytest.mark.parametrize(
    ("theirs_", "stale_etag"), [("before", "ignored"), ("after", "aborted"), ("after", "ignored")]
)
@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_restoring_write_whose_answer_was_lost(
    kind: str,
    theirs_: str,
    stale_etag: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fixown80d (revown80 F1's shape on the restoration writes): the rollback's write lands,
    its answer is lost. `before`: someone deployed between drift's read and its write, and
    the server let the stale etag through: the read back holds all drift sent, drift's
    write landed over theirs, said so. `after`: a teammate labels the workload after drift's
    write landed: the read back, two generations on, runs drift's configuration as well, but
    not their label as drift sent it; which write came first is not known, so drift never
    says its write replaced theirs: it may have landed before, their label stays, exit 4."""
    sandbox, module = fixed(kind, request, tmp_path)
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)

    async def send(write: Write) -> Any:
        if theirs_ == "before":
            their_write(sandbox, kind)()
        sandbox.inject(Fault(METHODS[kind], "UNAVAILABLE", after=True, first_n=1))
        try:
            return await write()
        except ApiError:  # drift's write landed, its answer lost
            if theirs_ == "after":
                their_label(sandbox, kind)
            raise

    meddled = first_write(monkeypatch, module, kind, send)
    ui = ScriptedUI()
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done: RollbackResult = asyncio.run(run_rollback(settings, ui, None, yes=True))
    said, summary, name = "\n".join(ui.said), done.summary(), NAMES[kind]
    entry = entry_of(tmp_path, kind)
    assert meddled, summary
    assert done.exit_code is not ExitCode.OK, summary
    if theirs_ == "before":
        assert "landed over someone else's write" in said, said
        assert f"{name}: restored, but drift's write" in summary, summary
        assert entry.state == State.ROLLED_BACK, summary
        return
    labels = {
        "service": lambda: sandbox.service(PROJECT, "api"),
        "job": lambda: sandbox.job("p", "job"),
        "worker_pool": lambda: sandbox.worker_pool("p", "pool"),
    }[kind]().labels
    assert labels["cost-center"] == "42"
    assert "landed over" not in said + summary + entry.history[-1]["note"], summary
    assert "replaced someone else's write" not in summary, summary
    assert "was changed since by someone else (" in summary, summary
    assert "drift's write may have landed before that" in summary, summary
    # what serves is not known to differ (it may run drift's restoration): never said so
    assert f"{name}: not proven restored: " in summary, summary
    assert "is not what serves" not in summary, summary
    assert done.exit_code == ExitCode.ABORTED, summary
    assert entry.state == State.ROLLBACK_FAILED, summary
    assert entry.writes[-1]["landed"] is None, entry.writes


@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_restoring_write_lost_with_their_write_alone_is_not_known(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Task 845 (841 item 3 on the restoring writes): someone writes between the rollback's
    read and its write, and drift's write is answered UNAVAILABLE on each attempt before the
    server takes it (not the server's refusal): the workload reads back one generation on
    with their write alone. It was "drift's write did not land", exit 4; but their write
    moving the etag proves no refusal of drift's request (run v2's etag "May be used to
    detect modification conflict"): it may still land over theirs. Not known: exit 3, the
    entry left `rolling-back` as begun, its lock kept, `drift rollback CHANGE` named."""
    sandbox, module = fixed(kind, request, tmp_path)

    async def send(write: Write) -> Any:
        their_write(sandbox, kind)()
        sandbox.inject(Fault(METHODS[kind], "UNAVAILABLE"))  # each attempt, before it is taken
        try:
            return await write()
        finally:
            sandbox.clear_faults()

    meddled = first_write(monkeypatch, module, kind, send)
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done: RollbackResult = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    summary = " ".join(done.summary().split())
    entry = entry_of(tmp_path, kind)
    assert meddled, summary
    assert done.exit_code == ExitCode.INCOMPLETE, summary
    assert "did not land" not in summary and "nothing was written" not in summary, summary
    assert "someone else's write alone" in summary, summary
    assert f"drift rollback {entry.change_id}" in summary, summary
    assert entry.state == State.ROLLING_BACK, entry.history
    assert entry.writes[-1]["step"] == "rollback" and entry.writes[-1]["landed"] is None
    assert list((tmp_path / ".drift" / "journal" / "locks").glob("*.lock")), "lock freed"
    again = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    assert again.exit_code == ExitCode.ABORTED and "--force" in again.summary(), again.summary()
