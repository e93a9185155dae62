"""Whether an update in place (a job's, a worker pool's, a service's own settings: `drift.fix.
workload`) whose outcome drift never had provably never applied, from the workload as read
afterwards: read once when Ctrl-C cut it (`drift.fix.context.Fixer._stop`, as an interrupted
promotion is read: `drift.fix.interrupt.promotion_cut`), and by the next `fix` that finds the
lock of a change killed there (`drift.fix.landed_before`). Any write that applies changes the
desired state, and with it the generation ("A number that monotonically increases every time
the user modifies the desired state", run v2 `Service.generation`, `Job.generation`,
`WorkerPool.generation`) and the etag ("A system-generated fingerprint for this version of
the resource"); one being carried out leaves the workload `reconciling` ("true if the Service
is currently being acted upon by the system to bring it into the desired state",
`Service.reconciling`; the Job's and WorkerPool's alike). So a workload at the
generation drift's write was built on, with nothing in progress, does not hold it. Before, the
operator was sent through a `drift rollback` that wrote nothing before any other `fix` of it
would run (helper-661 B2)."""

from __future__ import annotations

from typing import Any

from drift.fix.journal import Write
from drift.live.api import in_progress


def never_applied(now: Any, write: Write, *, etag: bool = False) -> bool:
    """Whether `now` shows drift's update in place `write` never applied: at the generation
    it was built on, nothing in progress; with `etag`, the very etag it was sent with too
    (nothing written since, by anyone: what the lock of a process gone is judged by)."""
    if int(now.generation) != write.generation_before or in_progress(now):
        return False
    return not etag or now.etag == write.etag_before
