"""Whether what someone else changed on a service since drift's last write of a change is only
what that change's rollback keeps (helper-661 A7): a rollback copies the service as it is and
writes only its template, its traffic and the service-level parts the change set
(`drift.fix.restore.restore_request`, `drift.fix.workload_restore.restore_request`), so a
label, an annotation, a description or a setting of the service the change never set, written
since, stays as they left it. Refusing such a rollback ("changed since … `--force`") sent the
operator to the very flag that also lifts the refusal of a real change; it now goes on and
says what of theirs stays.

It is proven from what the journal holds of drift's last write, never assumed: the write
landed (its generation recorded; any later one recorded as not landed), the service is the
one drift changed (its `uid`), no revision was made since (Cloud Run creates a revision for
every changed template: the latest created revision is the one drift's last write left — the
canary of a canary's change, the revision that served for an update in place, which sends the
template back as read), the
configuration and traffic are exactly as that write sent them (`routing.carries`: the
template's configuration digest, with the service-level settings it reads, and the traffic
targets with their tags; an update in place by its configuration, `restored.holds`, and the
traffic as it was), and each service-level part the change set is either in that digest, or
as drift's last write sent it (an update in place journals a digest of each such part it
sends, `parts_sent`: the ingress), or else reads as it was before the change (what the
rollback writes back then changes nothing of theirs). A job's or worker pool's update in
place likewise: its configuration as sent (`restored.holds`: a job's task count and
parallelism, a pool's instance count with it), a pool's latest revision the one drift's update
left, and each field outside the template its rollback writes (a pool's scaling and instance
splits, each part the change set) by the digest the journal recorded of it as sent. A job
makes no revision, and its configuration digest holds only part of its template: its update
journals a digest of the job whole but its own labels and annotations (`whole_key`), which it
must still be (helper-686 H1: their execution template's labels or annotations, their
execution environment, their token, beside a label, were erased; an entry of a drift before,
without it, is not proven). Anything else — their revision, their routing or tag, a part drift
set that may be theirs now, a write of drift's whose outcome is not known, a workload still
reconciling (an update, a deploy or a token's execution in progress is never "their labels
only") — is not proven, and the rollback refuses as before."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from drift.fields import FIELDS
from drift.fix.journal import Entry, Write
from drift.fix.patch import copy_workload, restored_traffic, without_system_metadata
from drift.fix.readback import DESCRIBED, OUTPUT, what_changed
from drift.fix.recorded import before_service, service_parts
from drift.fix.restored import holds
from drift.fix.routing import carries, traffic_key
from drift.fix.update import without_execution_token
from drift.fix.workload_restore import before_workload
from drift.kinds import Kind
from drift.live.api import sent_as, short, written_since
from drift.live.normalize import raw, revision_config
from drift.protofield import field_value

WRITES = {
    Kind.SERVICE: "the template, the traffic",
    Kind.JOB: "the template",
    Kind.WORKER_POOL: "the template, its scaling, the instance splits",
}
"""What a rollback writes besides what the change set, by kind (`_written`)."""


def kept_since(now: Any, entry: Entry) -> str:
    """What someone else changed on the workload `now` since drift's last write of `entry`'s
    change, in words, when all of it is what the rollback keeps ("their labels team stay");
    "" when nothing was written since or it is not proven (the rollback then refuses)."""
    last, kind = _last_landed(entry), Kind(entry.kind)
    if last is None or now.reconciling:  # an update or execution in progress: never "only labels"
        return ""
    was = str(entry.service_before.get("uid", "") or "")
    if int(now.generation) <= last.generation_after or (was and now.uid != was):
        return ""
    before = before_service(entry) if kind is Kind.SERVICE else before_workload(entry, as_read=True)
    if kind is not Kind.SERVICE:  # a job's or pool's update in place
        same = holds(now, last, kind) and _no_revision_since(now, before, last, kind)
        proven = same and _sent_alike(now, entry, last)
        proven = proven and (kind is not Kind.JOB or last.parts.get(WHOLE) == whole_key(now))
    elif entry.canary_revision:  # a canary's change: its canary is the latest revision made
        same = last.step in ("canary", "promotion") and carries(now, last)
        made = entry.canary_revision
        proven = same and short(now.latest_created_revision) == made
        proven = proven and _parts_proven(now, entry, last)
    else:  # an update in place sends the template back as read: no revision of its own
        same = holds(now, last, kind) and traffic_key(now.traffic) == traffic_key(
            restored_traffic(before)
        )
        made = short(before.latest_created_revision)
        proven = same and short(now.latest_created_revision) == made
        proven = proven and _parts_proven(now, entry, last)
    if not proven:
        return ""
    what = what_changed(_kept(before, entry), _kept(now, entry))
    return (
        f"{entry.service} was changed since drift's last write of change {entry.change_id} "
        f"({written_since(last.generation_after, now, ours=sent_as(entry.client_version))}): "
        + (f"they changed only its {what}" if what else "they changed nothing it writes")
        + f", which the rollback keeps (it writes only {WRITES[kind]} and what the change "
        "set): " + (f"their {what} stays" if what else "their change stays")
    )


def _no_revision_since(now: Any, before: Any, last: Write, kind: Kind) -> bool:
    """Whether a pool's latest created revision is the one drift's update left: the one it
    named (`Write.revision`), or, its template sent as read, the one before the change (a
    job makes no revisions: each execution runs the job's template)."""
    if kind is not Kind.WORKER_POOL:
        return True
    if last.revision:
        return short(now.latest_created_revision) == last.revision
    as_read = raw(now.template) == raw(before.template)  # message equality: maps in any order
    return as_read and short(now.latest_created_revision) == short(before.latest_created_revision)


def _sent_alike(now: Any, entry: Entry, last: Write) -> bool:
    """Whether each field a job's or pool's rollback writes outside its template (a pool's
    scaling and instance splits, each the change set) is as drift's update sent it, by the
    digest the journal recorded (`Write.parts`; none recorded: not proven)."""
    message = raw(now)
    fields = message.DESCRIPTOR.fields_by_name
    return all(
        p in last.parts and part_key(message, p) == last.parts[p]
        for p in _written(entry)
        if p in fields
    )


WHOLE = "~job"
"""`Write.parts`' name for a job's `whole_key` (no field is named so)."""


def whole_key(job: Any) -> str:
    """A digest of the job `job` whole but for its own labels and annotations (what a
    teammate's label changes, and the rollback keeps), what the server sets (`OUTPUT`, and
    who wrote: `client`), what it describes on output (`DESCRIBED`) and system metadata
    (drift sends none): its execution template with its own labels and annotations, its
    task template whole (`config_key` digests only part of it), its tokens, its binary
    authorization. A job makes no revision that would tell its template changed (helper-686
    H1), so this is what proves nothing else of it changed since drift's update."""
    message = raw(without_system_metadata(copy_workload(job)))
    for name in ("labels", "annotations", *OUTPUT, *DESCRIBED):
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
    text = message.SerializeToString(deterministic=True)  # maps by key: in any order
    return hashlib.sha256(text).hexdigest()[:32]


def _last_landed(entry: Entry) -> Write | None:
    """drift's last write of the change that landed, when every write after it is recorded
    as not landed (a rollback refused for its stale etag); None when there is none, or a
    later one's outcome is not known."""
    for i in range(len(entry.writes) - 1, -1, -1):
        landed = entry.writes[i].get("landed")
        if landed:
            return Write.read(entry.writes[i])
        if landed is not False:
            return None
    return None


def parts_sent(request: Any, entry: Entry) -> dict[str, str]:
    """What a journal records of each field outside the template that `entry`'s rollback
    writes (`_written`), as drift's update `request` sends it (`Write.parts`): a digest of its
    value (`part_key`), never the value; {} when there is none."""
    message = raw(request)
    fields = message.DESCRIPTOR.fields_by_name
    parts = {p: part_key(message, p) for p in _written(entry) if p in fields}
    if Kind(entry.kind) is Kind.JOB:  # as `update_workload` sends it: never a token
        parts[WHOLE] = whole_key(without_execution_token(copy_workload(request)))
    return parts


def _written(entry: Entry) -> list[str]:
    """The top-level fields besides the template and a service's traffic that a rollback of
    `entry` writes: each service-level part the change set, a pool's scaling and instance
    splits (`drift.fix.workload_restore.restore_request`)."""
    pool = ("scaling", "instance_splits") if Kind(entry.kind) is Kind.WORKER_POOL else ()
    return sorted({*service_parts(entry), *pool})


def part_key(message: Any, name: str) -> str:
    """A digest of `message`'s field `name` as two messages' values are compared
    (`field_value`: presence, a map by its keys, a message by its serialized fields)."""
    value = _canonical(field_value(message, message.DESCRIPTOR.fields_by_name[name]))
    text = json.dumps([name, value], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if hasattr(value, "SerializeToString"):  # a message: equal messages, equal bytes
        return value.SerializeToString(deterministic=True).hex()
    return value


def _parts_proven(now: Any, entry: Entry, last: Write) -> bool:
    """Whether each service-level part `entry`'s change set holds in `now` what drift's last
    write left: read into the configuration digest its write recorded (`carries`/`holds`
    compared it), or, outside it, as that write sent it (`Write.parts`, an update in place's:
    the rollback writes it back, and nothing of theirs is in it), or else as before the
    change (a value the rollback writes back unchanged)."""
    config = revision_config(now.template, service=now, container=None)
    digested = set(config.fingerprint["settings"])
    names = [c.split(".", 1)[1] for c in entry.changes if c.startswith("setting.")]
    unread = {
        FIELDS[n].service_part or n
        for n in names
        if n in FIELDS
        and n not in digested
        and (FIELDS[n].level == "service" or FIELDS[n].service_part)
    }
    was, held = raw(before_service(entry)), raw(now)
    fields = held.DESCRIPTOR.fields_by_name
    return all(
        p in fields
        and (
            part_key(held, p) == last.parts[p]
            if p in last.parts
            else field_value(held, fields[p]) == field_value(was, fields[p])
        )
        for p in unread
    )


def _kept(service: Any, entry: Entry) -> Any:
    """`service` without what a rollback writes (its template, its traffic, the parts the
    change set) and without what drift never sends (system labels and annotations), nor its
    status: what someone's write changed of it and the rollback keeps."""
    copy = raw(without_system_metadata(copy_workload(service)))
    for name in ("template", "traffic", *_written(entry)):
        if name in copy.DESCRIPTOR.fields_by_name:
            copy.ClearField(name)
    return copy


def before_unapplied(now: Any, entry: Entry) -> Entry:
    """`entry` as the judgement of who changed `now` since drift's last write takes it: when
    that write's outcome is unknown (`landed` None: a clean-up or rollback cut by a second
    Ctrl-C before the server applied it) and `now` is exactly what it was built on (its
    generation and etag: "monotonically increases every time the user modifies the desired
    state"; the etag changes with any write), that write never applied, and the workload is
    judged as the writes before it left it — a canary whose answer was lost, read back as
    that write was built (`restore.changed_since`: one generation on, by its name). Else as
    it is. Before, such a change needed `--force`, its own canary taken for someone else's."""
    last = entry.last_write()
    if last is None or last.landed is not None:
        return entry
    if last.step == "promotion" and _unpromoted(now, entry):
        return replace(entry, writes=entry.writes[:-1])
    if not last.etag_before:
        return entry
    if int(now.generation) != last.generation_before or now.etag != last.etag_before:
        return entry
    return replace(entry, writes=entry.writes[:-1])


def unpromoted_words(entry: Entry) -> str:
    """Why a rollback refused over someone's change since (`changed_since`) cannot tell more,
    when drift's last write is a promotion whose answer was lost and the service no longer
    shows drift's canary write (`_unpromoted`); "" else."""
    last = entry.last_write()
    if last is None or last.step != "promotion" or last.landed is not None:
        return ""
    return (
        f"; drift's promotion of {entry.canary_revision} was sent and its answer lost, and "
        "the service no longer holds drift's canary write as it landed (its configuration, "
        "its routing by revision and tag, the canary the latest revision made), so whether "
        "that promotion landed before their change, or may land over it yet, cannot be "
        "told from what is read"
    )


def _unpromoted(now: Any, entry: Entry) -> bool:
    """Whether `now`, written since by someone else, still shows drift's canary write as it
    landed, though the promotion after it was sent (its answer lost: task 860): the very
    configuration and traffic that write sent, the canary's own 0 % tag included
    (`routing.carries`; a promotion removes that tag, `patch.promoted_traffic`), the canary
    the latest revision made (no revision of theirs) and the service the one drift changed
    (its `uid`). The promotion had not landed when read (or a write of theirs put drift's pin
    back): what someone changed since is judged as after the canary's write (`kept_since`:
    labels, which the rollback keeps, restore unforced; anything else still refuses)."""
    canary = Write.read(entry.writes[-2]) if len(entry.writes) > 1 else None
    if canary is None or canary.step != "canary" or not canary.landed:
        return False
    was = str(entry.service_before.get("uid", "") or "")
    return (
        carries(now, canary)
        and short(now.latest_created_revision) == entry.canary_revision
        and not (was and now.uid != was)
    )
