"""How a history is shown: a table per service, the `drift.history/v1` JSON document, or
Markdown. Values arrive masked; every live text a person reads shows its hidden characters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from drift.format.markdown import md_table
from drift.history.formats import HistoryFormat
from drift.history.job_render import job_document, job_lines, job_markdown
from drift.history.model import (
    HISTORY_SCHEMA,
    Action,
    Change,
    HistoryResult,
    JobEntry,
    RevisionEntry,
    ServiceHistory,
)
from drift.history.model import Kind as HistoryKind
from drift.kinds import Kind
from drift.rendering import document_head, json_text, render_as
from drift.textsafe import LOOK_ALIKE_NOTE, md_code, md_text, shown_change, visible

OLDEST = "no revision that served is listed before it: nothing to compare with"
NO_CHANGE = "no change drift compares (same variables, secrets, settings and images)"


def render_history(result: HistoryResult, fmt: HistoryFormat) -> str:
    renderers = {
        HistoryFormat.TABLE: history_table,
        HistoryFormat.JSON: history_json,
        HistoryFormat.MARKDOWN: history_markdown,
    }
    return render_as(fmt, result, renderers)


# -- words shared by the human formats ------------------------------------------------------


def when(time: dt.datetime | None) -> str:
    return "unknown time" if time is None else f"{time.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def who(entry: RevisionEntry | JobEntry) -> str:
    creator = f"by {entry.creator}" if entry.creator else "creator not recorded"
    client = f"via {entry.client}" if entry.client else "client not recorded"
    return f"{creator} {client}"


def serves(entry: RevisionEntry, kind: Kind = Kind.SERVICE) -> str:
    """`serving 90%, tag e2e`; `tag e2e` (0 %, reached through the tag's URL); `failed`;
    `deploying` (not ready yet); `deleted 2026-12-01 09:30 UTC` (by whom is not recorded); a
    worker pool's `75% of instances` (its split is of instances: it serves no traffic,
    InstanceSplit, run v2 worker_pool.proto; helper-700 F7)."""
    parts = [f"deleted {when(entry.deleted)}"] if entry.deleted is not None else []
    share = (
        f"{entry.percent}% of instances"
        if kind is Kind.WORKER_POOL
        else f"serving {entry.percent}%"
    )
    parts += [share] if entry.serving else []
    if entry.tags:
        parts.append(("tags " if len(entry.tags) > 1 else "tag ") + ", ".join(entry.tags))
    if entry.never_served:
        parts.append(entry.never_served)
    elif not entry.ready:
        parts.append("deploying" if entry.deploying else "failed")
    return ", ".join(parts)


def change_text(change: Change) -> str:
    """`added env.TESTING = true`, `removed env.X (was …)`, `repointed env.K: a -> b`; the
    values as a plan shows them (`shown_change`: a look-alike pair escaped and noted, never
    `x -> x`; an empty value `""`; a setting's empty text is its unset, `(none)`)."""
    target = change.target
    if change.container is not None and not target.startswith("container."):
        target += f" (container {change.container})"
    unset = change.kind is HistoryKind.SETTING  # "" is how a setting shows none
    before, after, alike = shown_change(
        change.before or None if unset else change.before,
        change.after or None if unset else change.after,
    )
    note = f" ({LOOK_ALIKE_NOTE})" if alike else ""
    if change.action is Action.ADDED:
        return f"added {target} = {after}"
    if change.action is Action.REMOVED:
        return f"removed {target} (was {before})"
    if change.action is Action.UNDECIDED:
        return (
            f"changed or only respelt? {target}: {_or_none(before)} -> "
            f"{_or_none(after)}{note}: {change.why}"
        )
    return f"{change.action.value} {target}: {_or_none(before)} -> {_or_none(after)}{note}"


def _or_none(value: str | None) -> str:
    return "(none)" if value is None else value


def service_heading(history: ServiceHistory) -> str:
    shown, listed = len(history.revisions), history.listed
    if history.hidden:
        return f"{shown} of {listed} revisions, newest first (--limit to see more)"
    return f"{listed} revision{'' if listed == 1 else 's'}, newest first"


def entry_lines(entry: RevisionEntry) -> list[str]:
    """What a revision changed, one line each (already visible-escaped)."""
    gap = [visible(entry.unlisted)] if entry.unlisted else []
    if entry.changes is None:
        return [*gap, OLDEST]
    head = [visible(f"against {entry.against}, the last that served before it")]
    head = gap + (head if entry.against else [])
    if not entry.changes:
        return [*head, NO_CHANGE]
    return [*head, *(visible(change_text(c)) for c in entry.changes)]


# -- table ----------------------------------------------------------------------------------


def history_table(result: HistoryResult) -> str:
    lines = [
        visible(
            f"history · {result.environment} · project {result.project} · region {result.region}"
        )
    ]
    for history in result.services:
        lines += ["", visible(f"{history.label} · {service_heading(history)}")]
        for entry in history.revisions:
            marks = serves(entry, history.kind)
            lines.append(
                visible(
                    f"  {entry.name}  {when(entry.create_time)}" + (f"  {marks}" if marks else "")
                )
            )
            lines.append("      " + visible(who(entry)))
            lines += [f"      {line}" for line in entry_lines(entry)]
    for job in result.jobs:
        lines += job_lines(job, who, when, change_text)
    if result.unread:
        lines += ["", "Could not read (this history is incomplete)"]
        lines += [visible(f"  {u.service}: {u.reason}") for u in result.unread]
    lines += ["", *(visible(f"note: {n}") for n in result.notes)] if result.notes else []
    lines += ["", visible(result.summary())]
    return "\n".join(lines) + "\n"


# -- JSON -----------------------------------------------------------------------------------


def history_json(result: HistoryResult) -> str:
    return json_text(history_document(result))


def history_document(result: HistoryResult) -> dict[str, Any]:
    status = "complete" if result.complete else "incomplete"
    return {
        **document_head(HISTORY_SCHEMA, result, status, int(result.exit_code)),
        "limit": result.limit,
        "services": [
            {
                "service": h.service,
                **({"kind": h.kind.value} if h.kind is not Kind.SERVICE else {}),
                "listed": h.listed,
                "shown": len(h.revisions),
                "revisions": [_entry(e) for e in h.revisions],
            }
            for h in result.services
        ],
        "jobs": [job_document(j, _change, _time) for j in result.jobs],
        "unread": [{"service": u.service, "reason": u.reason} for u in result.unread],
        "notes": list(result.notes),
    }


def _entry(entry: RevisionEntry) -> dict[str, Any]:
    return {
        "revision": entry.name,
        "create_time": _time(entry.create_time),
        "creator": entry.creator or None,
        "client": entry.client,
        "ready": entry.ready,
        "deploying": entry.deploying,
        "never_served": entry.never_served or None,
        "changes_against": entry.against or None,
        "unlisted_before": entry.unlisted or None,
        "percent": entry.percent,
        "tags": list(entry.tags),
        "deleted": _time(entry.deleted),
        "changes": None if entry.changes is None else [_change(c) for c in entry.changes],
    }


def _change(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "action": change.action.value,
        "target": change.target,
        "container": change.container,
        "before": change.before,
        "after": change.after,
        **({"why": change.why} if change.why else {}),
    }


def _time(time: dt.datetime | None) -> str | None:
    if time is None:
        return None
    return time.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- Markdown -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkdownPart:
    """A service's or a job's part of the Markdown history: the lines above its rows (its
    heading, the table's header) and its rows, newest first, each a `unit` ("revision")."""

    above: list[str]
    rows: list[str]
    unit: str


def markdown_parts(result: HistoryResult) -> tuple[list[str], list[MarkdownPart], list[str]]:
    """The Markdown history as its head, each workload's part and its tail (what could not
    be read, the notes, the summary line): `history_markdown` joins them whole, and
    `drift.history.step_summary` keeps the newest rows of each when they do not fit."""
    head = [
        f"## drift history · {md_text(visible(result.environment))}",
        "",
        f"Project {md_code(visible(result.project))}, region {md_code(visible(result.region))}.",
    ]
    parts: list[MarkdownPart] = []
    for history in result.services:
        rows = [
            [
                md_code(visible(e.name)),
                md_text(when(e.create_time)),
                md_text(visible(who(e))),
                md_text(visible(serves(e, history.kind))),
                "<br>".join(md_text(line) for line in entry_lines(e)),
            ]
            for e in history.revisions
        ]
        table = md_table(["revision", "created", "by", "serves", "changes"], rows)
        heading = f"### {md_text(visible(history.label))} ({md_text(service_heading(history))})"
        parts.append(MarkdownPart(["", heading, "", *table[:2]], table[2:], "revision"))
    for job in result.jobs:
        above, lines = job_markdown(job, who, when, change_text)
        parts.append(MarkdownPart(above, lines, "configuration"))
    tail: list[str] = []
    if result.unread:
        tail += ["", "**Incomplete:** could not read", ""]
        tail += [f"- {md_text(visible(f'{u.service}: {u.reason}'))}" for u in result.unread]
    tail += [line for n in result.notes for line in ("", md_text(visible(f"Note: {n}")))]
    tail += ["", f"**{md_text(visible(result.summary()))}**"]
    return head, parts, tail


def history_markdown(result: HistoryResult) -> str:
    head, parts, tail = markdown_parts(result)
    return "\n".join(head + [line for p in parts for line in p.above + p.rows] + tail) + "\n"
