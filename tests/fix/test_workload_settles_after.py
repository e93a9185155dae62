"""A job or worker pool update whose operation is done before the update settles (sandbox
option `workload_update_done: accepted`: the response is the resource as written, still
`reconciling`; job.proto / worker_pool.proto: `reconciling`, `terminal_condition`,
`observed_generation` say how it ends). drift's `_proven` (drift/fix/workload.py) then judges
the update from the resource read back once it settles: through the real `drift fix` CLI,
the update settles failed (UPDATE_FAILED, the reason, `drift rollback CHANGE`), a teammate's
update lands before it settles (not the configuration sent: UPDATE_FAILED), or the read-back
is refused (the update landed, never "nothing was changed"). Deploys are held so each event
happens while drift waits for the update to settle (SPEC invariants 4, 5 and 10)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.jobs.world import jobs_world, write_profile

FAILURE = "Container called exit(1)."


@pytest.fixture(scope="module")
def lab() -> Iterator[Sandbox]:
    with Sandbox(jobs_world(workload_update_done="accepted")) as sandbox:
        yield sandbox


@pytest.fixture
def held(lab: Sandbox) -> Sandbox:
    lab.reset()
    lab.hold_deploys()
    return lab


def cli(sandbox: Sandbox, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift(*args, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def fix_while_settling(
    sandbox: Sandbox, tmp_path: Path, name: str, act: Callable[[], None]
) -> tuple[int, str]:
    """`drift fix prod --yes -s NAME`; `act()` once drift's update was answered done and drift
    is reading the resource back, waiting for it to settle."""
    profiles = write_profile(tmp_path / "profiles")
    result: list[tuple[int, str]] = []
    run = threading.Thread(
        target=lambda: result.append(
            cli(sandbox, tmp_path, "fix", "prod", "--yes", "-s", name, "--profiles", str(profiles))
        )
    )
    run.start()
    update, get = (
        ("UpdateJob", "GetJob") if name == "job" else ("UpdateWorkerPool", "GetWorkerPool")
    )
    deadline = time.monotonic() + 30
    while run.is_alive() and time.monotonic() < deadline:
        calls = [c.short for c in sandbox.calls]
        if update in calls and get in calls[calls.index(update) :]:
            break
        time.sleep(0.02)
    act()
    run.join(60)
    assert result, "drift fix did not finish"
    return result[0]


def entries(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((tmp_path / "journal").glob("*.json"))]


def test_a_pool_update_that_settles_failed_is_update_failed(held: Sandbox, tmp_path: Path) -> None:
    code, out = fix_while_settling(
        held,
        tmp_path,
        "pool",
        # the update settles failed; drift's restore (revfailed95) then settles as written
        lambda: (
            held.finish_update("p", "pool", "worker_pool", failure=FAILURE),
            held.hold_deploys(False),
        ),
    )
    assert code == 4, out
    assert "the update landed but did not complete (" in out, out
    assert FAILURE in out, out
    assert "nothing was changed" not in out, out
    assert "drift put back what it ran before: as it was before the change" in out, out
    code, out = cli(held, tmp_path, "rollback", "--yes")
    assert code == 0, out


@pytest.mark.parametrize("rmw", [False, True], ids=["gcloud", "read-modify-write"])
def test_a_teammates_update_before_it_settles_is_theirs_not_drifts(
    held: Sandbox, tmp_path: Path, rmw: bool
) -> None:
    """drift's update landed (its operation answered generation 2), a teammate's lands over it
    before it settles: the journal holds drift's write (generation 2), never theirs, so
    `drift rollback` refuses to undo their change unless forced. On main the journal took
    the teammate's generation for drift's and the rollback silently undid their change.
    Theirs by gcloud is said "with gcloud 467.0.0"; a read-modify-write (the python client's)
    sends back the client fields drift's write left, never named "with drift VERSION" (task
    855, as helper-853 did for the rollback's refusal)."""

    def teammate() -> None:
        now = held.job("p", "job")
        client = (now.client, now.client_version) if rmw else ("gcloud", "467.0.0")
        held.update_job("p", "job", env={"MODE": "teammate"}, client=client)
        held.finish_update("p", "job", "job")

    code, out = fix_while_settling(held, tmp_path, "job", teammate)
    assert code == 4, out
    assert "the update landed, then the job was changed by someone else before it settled" in out
    assert "generation 1 → 3, last modified by" in out, out
    unknown = "its client not known: the client fields are still as drift's write left them"
    by = f", {unknown}" if rmw else " with gcloud 467.0.0"
    assert f"generation 1 → 3, last modified by deployer@example.com{by})" in out, out
    assert " with drift " not in out, out
    assert "--force` would put back what it was before drift's change, undoing theirs" in out
    (entry,) = entries(tmp_path)
    assert entry["state"] == "update-failed", entry["history"]
    assert entry["writes"][-1]["generation_after"] == 2, entry["writes"]
    held.hold_deploys(False)
    code, out = cli(held, tmp_path, "rollback", "--yes")
    assert code == 4, out
    assert "job was changed since drift's last write of change" in out, out
    assert "(generation 2 → 3, last modified by" in out, out
    assert held.job("p", "job").template.template.containers[0].env[0].value == "teammate"


def test_a_job_whose_read_back_is_refused_is_never_clean(held: Sandbox, tmp_path: Path) -> None:
    """The update's operation answered done (it landed), then GetJob is refused while drift
    waits for it to settle: the journal keeps `updating` (on main: `aborted`, the state of a
    write that was not applied), the message says it landed and names the rollback; exit 3,
    incomplete (it was 4, which says nothing was changed: helper-678, `drift.fix.unsettled`)."""
    code, out = fix_while_settling(
        held, tmp_path, "job", lambda: held.inject(Fault("GetJob", "PERMISSION_DENIED"))
    )
    assert code == 3, out
    assert "the update landed (its operation answered done, generation 2)" in out, out
    assert "could not be read back as it settled (GetJob" in out, out
    assert "nothing was changed" not in out, out
    (entry,) = entries(tmp_path)
    assert entry["state"] == "updating", entry["history"]
    # it landed, at the generation its operation answered (before fixown45, revown45 point 2:
    # `landed` stayed null, an unknown write, though the operation had said it landed)
    assert entry["writes"][-1]["landed"] is True, entry["writes"]
    assert entry["writes"][-1]["generation_after"] == 2, entry["writes"]
    held.clear_faults()
    held.finish_update("p", "job", "job")
    held.hold_deploys(False)
    code, out = cli(held, tmp_path, "rollback", "--yes")
    assert code == 0, out
    assert "restored job job" in out, out
