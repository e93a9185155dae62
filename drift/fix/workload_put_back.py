"""A job's or worker pool's update in place that landed and did not complete, put back
(`drift.fix.workload`): what it ran before written again, as `drift rollback` does
(`drift.fix.workload_restore.restore_workload`), so a job is not left to fail its next execution
(SPEC exit 4); the Stop that says where it stands: put back, not settled or not read back,
refused after someone else's write, or failed too."""

from __future__ import annotations

from drift.errors import ApiError, AuthError, JournalError
from drift.fix.context import Fixer, Stop
from drift.fix.journal import State, Write
from drift.fix.restored import holds
from drift.fix.rollback_refusal import put_back_left
from drift.fix.workload_restore import as_found, restore_workload


async def put_back(fixer: Fixer, failed: str, write: Write, step: str = "") -> Stop:
    """Put back what the job or pool ran before drift's failed update, as `drift rollback`
    does (`restore_workload`: refused after someone else's write, read back settled,
    journaled as rolled back): a job left so fails its next execution (SPEC exit 4).
    Once it is back, `step` (Cloud Run's reason with what to do next) ends the story."""
    back = f"`drift rollback {fixer.change_id}`"
    fixer.where = f"{failed}; drift was putting back what it ran before; {back} finishes it"
    fixer.ctx.ui.say(f"{fixer.name}: the update did not complete: drift puts back what was")
    try:
        done = await restore_workload(
            fixer.ctx.session,
            fixer.ctx.journal,
            fixer.entry,
            write_wait=fixer.ctx.settings.write_wait,
        )
    except (JournalError, ApiError, AuthError) as exc:  # not read, or not journaled: unsent
        return Stop(
            f"{failed}. drift could not put back what it ran before ({exc.message}): it runs "
            f"drift's failed update; {back} puts back what it was",
            State.UPDATE_FAILED,
        )
    lost = f"; the journal could not record it: {done.unjournaled}" if done.unjournaled else ""
    if done.ok:
        return Stop(
            f"{failed}. drift put back what it ran before: {done.text}{lost}; for "
            f"{fixer.name}, nothing is left to roll back" + (f". {step}" if step else ""),
            fixer.entry.state,
        )
    if done.unsettled or done.unread:  # not settled, or not read back: never "failed too"
        fixer.outcome.unknown, how = True, "was" if done.unread else "landed, and"
        said = f"{failed}. drift's put-back {how} {done.text}; {back} finishes it"
        return Stop(said, fixer.entry.state)
    if done.refused:  # their write put it back (`Restored.back`): `--force` writes nothing
        left = "drift leaves it as it is and did not put back what it ran before; `drift "
        left += f"rollback {fixer.change_id} --force` would, undoing theirs too"
        if done.back:
            left = put_back_left(fixer.entry, fixer.change_id, "drift's put-back wrote nothing")
        said = f"{failed}. Then someone else wrote it ({done.text}): {left}"
        return Stop(said, fixer.entry.state)
    now, runs = done.now, "what could not be read back"
    if now is not None:
        runs = "a configuration that is neither drift's update nor what it ran before"
        runs = "what it ran before, not ready" if as_found(now, fixer.entry) else runs
        runs = "drift's failed update" if holds(now, write, fixer.sp.kind) else runs
    return Stop(
        f"{failed}. Putting back what it ran before failed too ({done.text}){lost}: it runs "
        f"{runs}; {back} tries again",
        fixer.entry.state,
    )
