"""What the rollback of a fix made in place (`drift.fix.workload_restore`) changes, said before
it is confirmed: live → restored, the template (masked as findings mask), the settings the
workload holds itself, a pool's instances (and, where its fix replaced the template of a
revision that failed, that the rollback puts back what its instances ran, not that template:
`drift.fix.pool_base`), a service's traffic, and what a new revision of a tagged image cannot
promise (`tag_caveat`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from drift.diff.differences import template_differences, with_setting
from drift.fields import FIELDS, Source, read_shown
from drift.fields.access import template_of
from drift.fix import pool_gone
from drift.fix.exec_token import execution_token, left_out, not_restored
from drift.fix.instances import describe_instances
from drift.fix.journal import Entry
from drift.fix.masked import held_by
from drift.fix.patch import is_latest
from drift.fix.recorded import Tagged, ran_before, tagged_images
from drift.fix.restored import OUTSIDE_TEMPLATE
from drift.fix.revision_name import cleared_names
from drift.fix.routing import describe_serving, serving
from drift.fix.task_cap import restored_over
from drift.fix.workload_restore import (
    already_back,
    before_workload,
    held_too,
    restore_request,
    sent_earlier,
)
from drift.kinds import Kind
from drift.live.api import short
from drift.live.normalize import raw
from drift.textsafe import visible


def shown(name: str, value: Any) -> str:
    return FIELDS[name].show(value)


def differences(
    now: Any, entry: Entry, gone: Collection[str] = (), later: Sequence[Entry] = ()
) -> list[str]:
    """Everything a rollback changes, live → restored: the template (masked as findings
    mask), the settings the workload holds itself (those of drift's `later` changes a forced
    rollback undoes too), and a pool's instances."""
    kind = Kind(entry.kind)
    if already_back(now, entry, gone, later):  # `restore_workload` writes nothing (h711 F3)
        return [*_runs(now, kind), already(now, entry)]
    restored = restore_request(now, entry, gone, later)
    hidden = held_by(restored, entry.hidden)  # a password renamed, as the plan hid it
    lines = template_differences(template_of(now), template_of(restored), hidden)
    was, will = (
        read_shown(Source(raw(w), raw(template_of(w)), None, kind), shown) for w in (now, restored)
    )
    for name in dict.fromkeys([*OUTSIDE_TEMPLATE, *held_too(entry, later)]):
        lines = with_setting(lines, name, (was.get(name, ""), will.get(name, "")), now, restored)
    renews = kind is not Kind.JOB and not _same(template_of(restored), template_of(now))
    if kind is Kind.WORKER_POOL:
        lines.append(
            f"instances now: {describe_instances(now)}; {_afterwards(now, entry, restored, renews)}"
        )
        lines += [said] if (said := pool_gone.said(before_workload(entry), gone)) else []
        lines += [said] if (said := _failed_left(entry)) else []
    if kind is Kind.SERVICE:
        same = _same(restored.template, now.template)
        lines.append(
            f"serving now: {describe_serving(now)}; afterwards, as before the change: "
            f"{describe_serving(before_workload(entry))}" + (_stays(now, entry) if same else "")
        )
    if kind is Kind.JOB:  # the rollback's UpdateJob leaves out any token too
        was = before_workload(entry)
        gone = not_restored(was) if execution_token(was) != execution_token(now) else ""
        over = restored_over(now, restored)
        lines += [visible(f"note: {n}") for n in (gone, left_out(now), over) if n]
    if renews:  # `restore_request` clears the template's revision name: a new revision
        named = (now.template.revision, before_workload(entry).template.revision)
        cleared = cleared_names(entry.service, named, "the restored revision")
        lines += [visible(f"note: {cleared}")] if cleared else []
    return lines


def already(now: Any, entry: Entry) -> str:
    """What a rollback that writes nothing does: why it is as before said only where known,
    drift's own restoration sent earlier (`sent_earlier`) — never where someone else's write
    put it back (the refusal below names whose: helper-752 F3)."""
    why = " (a restoration sent earlier landed)" if sent_earlier(now, entry) else ""
    return (
        f"afterwards: nothing is written: it is as it was before the change already{why}; the "
        "journal records the change as rolled back"
    )


def _runs(now: Any, kind: Kind) -> list[str]:
    """What runs now, where more than the template tells it: a pool's instances, what a
    service serves."""
    if kind is Kind.WORKER_POOL:
        return [f"instances now: {describe_instances(now)}"]
    return [f"serving now: {describe_serving(now)}"] if kind is Kind.SERVICE else []


def tag_caveat(now: Any, entry: Entry, name: str) -> Tagged | None:
    """What a pool's rollback cannot promise (None else): one that sends back another
    template makes a new revision its instances move to, and an image of it named by a tag
    runs what the tag names now (`drift.fix.recorded.tags_said`, as a service's rollback
    says)."""
    if Kind(entry.kind) is not Kind.WORKER_POOL:
        return None
    before = before_workload(entry)
    if before.template == now.template:  # sent as it is: no new revision
        return None
    ran = short(before.latest_ready_revision)
    return Tagged(name, tuple(tagged_images(before.template)), ran)


def _stays(now: Any, entry: Entry) -> str:
    """A service's rollback that sends its template as it is: no new revision, so LATEST
    keeps resolving to the latest ready revision — said where that is not the one it resolved
    to before the change (a write since, e.g. drift's over a teammate's deploy, made a newer
    revision)."""
    ready, was = (short(w.latest_ready_revision) for w in (now, before_workload(entry)))
    latest = any(s.latest for s in serving(now))
    if not latest or ready == was:
        return " (no new revision)"
    return (
        f" (no new revision, so LATEST resolves to {ready}, the latest ready revision, not {was})"
    )


def _afterwards(now: Any, entry: Entry, restored: Any, renews: bool) -> str:
    """A pool's instances after its rollback: the split as before the change when its
    template is sent as it is, LATEST on the latest ready revision `now` (a write since made
    a newer one of that configuration: what runs, not what LATEST resolved to before); else
    a new revision of the configuration that ran before takes LATEST's share — not the
    revision that ran it, whose name the restored template no longer carries."""
    before = before_workload(entry)
    if not renews:  # no new revision: LATEST stays on the latest ready one (`_stays`)
        ready, was = (short(w.latest_ready_revision) for w in (now, before))
        rows = [
            f"LATEST {int(s.percent)}% → {ready or '(none)'}"
            if is_latest(s)
            else f"{short(s.revision)} {int(s.percent)}%"
            for s in restored.instance_splits
            if s.percent
        ]
        newer = (
            f" (no new revision, so LATEST resolves to {ready}, the latest ready revision, "
            f"not {was})"
            if ready != was
            else ""
        )
        return f"afterwards, as before the change: {'; '.join(rows) or 'nothing'}{newer}"
    rows = [
        f"LATEST {int(s.percent)}% → the new revision"
        if is_latest(s)
        else f"{short(s.revision)} {int(s.percent)}%"
        for s in restored.instance_splits
        if s.percent
    ]
    ran = short(before.latest_ready_revision)
    return (
        "afterwards: a new revision is created from the configuration that ran before the "
        f"change{f' ({ran} ran it)' if ran else ''}; instances: {'; '.join(rows) or 'nothing'}"
    )


def _failed_left(entry: Entry) -> str:
    """What a pool's rollback does not put back ("" nothing): the template of the revision
    that failed, which its fix replaced with what the instances ran (`drift.fix.pool_base`)."""
    if ran_before(entry) is None:
        return ""
    failed = short(before_workload(entry, as_read=True).latest_created_revision)
    return (
        f"note: the template of the failed revision {failed}, which the fix replaced, is not "
        f"put back (it never ran): what the instances ran ({entry.base_revision}) is what "
        "the rollback puts back"
    )


def _same(a: Any, b: Any) -> bool:
    """Equal templates (message equality: map order does not count)."""
    return bool(raw(a) == raw(b))
