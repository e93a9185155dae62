"""How a job's history is shown (`drift.history.render` calls these): per configuration its
executions ran, the first execution of it, how many ran it and how they ended, who started
the first, and what it changed. Values arrive masked; live text shows its hidden characters."""

from __future__ import annotations

from typing import Any

from drift.format.markdown import md_table
from drift.history.model import JobEntry, JobHistory
from drift.textsafe import md_text, plural, visible

RETAINED = (
    "Cloud Run keeps a job's newest 1,000 executions and those of the last seven days: "
    "cloud.google.com/run/docs/execute/jobs"
)


def job_heading(history: JobHistory) -> str:
    """`3 configurations in 7 executions, newest first`; how many more the job had."""
    said = (
        f"{plural(len(history.entries), 'configuration')} in "
        f"{plural(history.read, 'execution')}, newest first"
    )
    if history.older:
        # Job.execution_count counts every execution created: those past --limit, those
        # Cloud Run no longer keeps, and any deleted (`gcloud run jobs executions delete`)
        said += f" ({history.older} more created, not read: --limit, deleted or no longer kept)"
    return said


def runs(entry: JobEntry) -> str:
    """`executions job-a1b2c … job-x9y8z (3: 2 succeeded, 1 failed)`; `execution job-a1b2c
    (succeeded)`; the job's template no execution ran yet."""
    ended = ", ".join(f"{n} {outcome}" for outcome, n in entry.outcomes)
    if entry.count == 0:
        return "the job's template, updated since its latest execution: its next execution runs it"
    if entry.count == 1:
        return f"execution {entry.name} ({entry.outcomes[0][0]})"
    return f"executions {entry.name} … {entry.last} ({entry.count}: {ended})"


def oldest(history: JobHistory) -> str:
    """What the oldest configuration read is compared with: nothing; the drift it holds is as
    old as the oldest execution still listed."""
    if not history.older:
        return "the job's first execution: nothing ran before it"
    return (
        "the oldest execution read: what ran before it is not known, so a drift it holds is "
        f"as old as the oldest execution still listed ({RETAINED})"
    )


def job_lines(history: JobHistory, who: Any, when: Any, change_text: Any) -> list[str]:
    """The table's lines of one job (`who`, `when`, `change_text`: `drift.history.render`'s)."""
    lines = ["", visible(f"{history.label} · {job_heading(history)}")]
    if not history.entries:
        lines.append("  no execution listed: nothing ran yet, or none is kept any more")
    for entry in history.entries:
        lines.append(visible(f"  {runs(entry)}  {when(entry.create_time)}"))
        lines.append("      " + visible(who(entry)))
        lines += [f"      {line}" for line in _changed(history, entry, change_text)]
    return lines


def _changed(history: JobHistory, entry: JobEntry, change_text: Any) -> list[str]:
    said = failed(entry)
    if entry.changes is None:
        return [*said, visible(oldest(history))]
    return [*said, *(visible(change_text(c)) for c in entry.changes)]


def failed(entry: JobEntry) -> list[str]:
    """Why its executions failed, one line a reason: `job-x9y8z failed: …`, `job-a1b2c and 2
    more failed: …` (the reason arrives masked)."""
    named: dict[str, list[str]] = {}
    for name, why in entry.failures:
        named.setdefault(why, []).append(name)
    return [
        visible(
            f"{names[0]}{f' and {len(names) - 1} more' if len(names) > 1 else ''} failed: {why}"
        )
        for why, names in named.items()
    ]


def job_document(history: JobHistory, change: Any, time: Any) -> dict[str, Any]:
    """The JSON of one job (`change`, `time`: `drift.history.render`'s)."""
    return {
        "job": history.job,
        "executions_read": history.read,
        "executions_created": history.created,
        "configurations": [
            {
                "first_execution": e.name if e.count else None,
                "last_execution": e.last if e.count else None,
                "not_run_yet": not e.count,
                "executions": e.count,
                "create_time": time(e.create_time),
                "last_create_time": time(e.last_time),
                "creator": e.creator or None,
                "client": e.client,
                "outcomes": dict(e.outcomes),
                "failures": [{"execution": n, "reason": why} for n, why in e.failures],
                "changes": None if e.changes is None else [change(c) for c in e.changes],
            }
            for e in history.entries
        ],
        "notes": [oldest(history)] if history.entries else [],
    }


def job_markdown(
    history: JobHistory, who: Any, when: Any, change_text: Any
) -> tuple[list[str], list[str]]:
    """A job's part of the Markdown history: the lines above its rows (its heading, the
    table's header), and its rows, one per configuration, newest first."""
    out = ["", f"### {md_text(visible(history.label))} ({md_text(job_heading(history))})", ""]
    if not history.entries:
        return [*out, "No execution listed: nothing ran yet, or none is kept any more."], []
    rows = [
        [
            md_text(visible(runs(e))),
            md_text(when(e.create_time)),
            md_text(visible(who(e))),
            "<br>".join(md_text(line) for line in _changed(history, e, change_text)),
        ]
        for e in history.entries
    ]
    table = md_table(["executions", "first created", "by", "changes"], rows)
    return out + table[:2], table[2:]
