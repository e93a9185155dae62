"""A `--no-promote` canary promoted by hand, as drift told (SPEC invariant 9: "the output says
so and how to finish (promote or `drift rollback CHANGE`)"): the service one write past drift's
canary write, that write being exactly the `gcloud run services update-traffic … --remove-tags
TAG` `fix --no-promote` printed — the canary's configuration as drift wrote it, and the traffic
its promotion gives (`promoted_traffic`: the canary in the base revision's place, at its
share; LATEST as LATEST; every other target and tag as recorded; the canary's tag gone).
That is drift's own instruction carried out, not someone else's change (invariant 10): a
rollback restores as after a promotion, and `rollback --list` says so. Any other write (a
teammate's deploy, another split, a tag left, or the printed promotion sent together with a
change of the service's own fields — ingress, labels, scaling… — as a console edit or a
Terraform apply of both would) is someone else's: `gcloud run services update-traffic` writes
the traffic only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.errors import DriftError
from drift.fields import FIELDS, Source, read_settings
from drift.fix.formats.text import command_line
from drift.fix.journal import Entry, Journal, State, promoted
from drift.fix.knative import OUTPUT_ONLY
from drift.fix.patch import (
    copy_service,
    promoted_traffic,
    restored_traffic,
    update_traffic_words,
)
from drift.fix.recorded import before_service, served_by
from drift.fix.routing import describe_traffic, routing, template_holds, template_key, traffic_key
from drift.fix.update import get_workload
from drift.kinds import Kind
from drift.live.normalize import pick_container, raw
from drift.live.session import Session
from drift.protofield import is_repeated
from drift.settings import Settings

PROMOTED_BY_HAND = "promoted by hand"
"""How `rollback --list` and the journal name such a change's state."""


def promote_command(entry: Entry) -> str:
    """The promotion `fix --no-promote` printed for `entry`'s canary (`ServiceFix._pin`), from
    the journal: every target and percentage as recorded, the canary in the base's place, its
    tag removed."""
    base = entry.base_revision or served_by(entry)
    targets = promoted_traffic(before_service(entry), base, entry.canary_revision)
    argv = ["gcloud", "run", "services", "update-traffic", entry.service]
    argv += update_traffic_words(targets)
    argv += ["--remove-tags", entry.tag] if entry.tag else []
    # every value is the journal's, so quoted: an entry someone else wrote (a region of
    # `us-central1 $(curl …|sh)`) is never a command in what the on-call copies
    return command_line([*argv, "--project", entry.project, "--region", entry.region])


def restored_routing(entry: Entry) -> str:
    """What `drift rollback` of `entry` routes the traffic to: the traffic as the journal
    recorded it before the change (`restored_traffic`), LATEST as LATEST, a pin as a pin."""
    return describe_traffic(restored_traffic(before_service(entry)))


def promoted_by_hand(now: Any, entry: Entry) -> bool:
    """Whether `now` is `entry`'s pinned canary promoted as `fix --no-promote` printed, and
    nothing else written since drift's canary write."""
    if entry.kind != "service" or not entry.canary_revision or promoted(entry):
        return False
    done = entry.landed_writes()
    if not done or done[-1].step != "canary" or len(done) != len(entry.writes):
        return False
    canary = done[-1]
    was = str(entry.service_before.get("uid", "") or "")
    if was and now.uid and now.uid != was:
        return False
    if int(now.generation) != canary.generation_after + 1:
        return False
    if not template_holds(_breakglass_as_before(now, entry), canary):
        return False
    base = entry.base_revision or served_by(entry)
    if not base:
        return False
    wanted = promoted_traffic(before_service(entry), base, entry.canary_revision)
    # as routed, not row for row: gcloud writes the targets in its own order, each tag on its
    # own 0 % target (`routing`)
    return routing(now.traffic) == routing(wanted) and _rest_as_drift_left(now, entry)


def _breakglass_as_before(now: Any, entry: Entry) -> Any:
    """`now` with the Binary Authorization breakglass the service had before the change, where
    it has none now: gcloud's update-traffic deletes it (`_GCLOUD_SETS`), and the catalogue
    reads it (`drift.fields.binauthz`: a policy under breakglass is not enforced), so the
    canary's `template_key` was taken with it."""
    was = raw(before_service(entry))
    if "binary_authorization" not in was.DESCRIPTOR.fields_by_name:
        return now
    justification = was.binary_authorization.breakglass_justification
    if not justification or now.binary_authorization.breakglass_justification:
        return now
    out = copy_service(now)
    out.binary_authorization.breakglass_justification = justification
    return out


_NOT_COMPARED = (*OUTPUT_ONLY, "name", "template", "traffic", "client", "client_version")
"""What a promotion by hand may change or the server sets: its traffic (the template is
compared by `template_key`), who wrote it (`client`: gcloud's), and the output-only fields."""


def _rest_as_drift_left(now: Any, entry: Entry) -> bool:
    """Whether every field of `now` but `_NOT_COMPARED` is as drift's canary write left it:
    the service as recorded before the change (`service_before`), its service-level settings
    the change made as they are now (the journal does not keep the values drift wrote: a
    teammate's change of the very setting the change made is not seen here). System labels
    and annotations are not compared (`copy_service`)."""
    expected = copy_service(before_service(entry))
    names = [c.split(".", 1)[1] for c in entry.changes if c.startswith("setting.")]
    for part in sorted({FIELDS[n].service_part for n in names if n in FIELDS} - {""}):
        copy_field(raw(expected), raw(now), part)
    service_level = [n for n in names if n in FIELDS and FIELDS[n].level == "service"]
    if service_level:
        current = read_settings(Source(raw(now), raw(now.template), None))
        container = pick_container(expected.template.containers, None)
        for name in service_level:
            if name in current:
                FIELDS[name].write(expected, container, current[name])
    return bool(_spec(expected) == _spec(copy_service(now)))


def copy_field(target: Any, source: Any, name: str) -> None:
    """`source`'s field `name` onto `target` (raw protobuf), its presence included: a message
    field the source does not have (`Service.scaling` is OPTIONAL in service.proto, and a
    service never scaled at the service level may come without it) stays absent, where
    proto-plus's setattr of the empty message would make it present — drift's own printed
    promotion then read as a teammate's change (revcoverage F1), a rollback giving the
    service a `scaling {}` it never had (revroundtrip F2). The by-hand recognition, the
    rollback of a service (`drift.fix.restore`) and of a job or pool use this one."""
    from google.protobuf.unknown_fields import UnknownFieldSet

    only = type(source)()
    if UnknownFieldSet(source):  # kept with the field, as a whole copy cut down to it keeps them
        only.CopyFrom(source)
        for other in only.DESCRIPTOR.fields:
            if other.name != name:
                only.ClearField(other.name)
    else:  # the field alone: the rest of the message never copied
        field = source.DESCRIPTOR.fields_by_name[name]
        if is_repeated(field):
            getattr(only, name).MergeFrom(getattr(source, name))
        elif field.message_type is not None:
            if source.HasField(name):  # absent stays absent
                getattr(only, name).CopyFrom(getattr(source, name))
        elif not field.has_presence or source.HasField(name):
            setattr(only, name, getattr(source, name))
    target.ClearField(name)
    target.MergeFrom(only)


_GCLOUD_SETS = ("launch_stage",)
"""What `gcloud run services update-traffic` itself writes besides the traffic: `gcloud beta`/
`alpha` set the launch stage (v1 annotation `run.googleapis.com/launch-stage`, v2
`launch_stage`), and every update-traffic drops a Binary Authorization breakglass
(`run.googleapis.com/binary-authorization-breakglass`, v2
`binary_authorization.breakglass_justification`: googlecloudsdk command_lib/run
update_traffic)."""


def _spec(service: Any) -> Any:
    message = raw(service)
    for name in (*_NOT_COMPARED, *_GCLOUD_SETS):
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
    if "binary_authorization" in message.DESCRIPTOR.fields_by_name:
        message.binary_authorization.ClearField("breakglass_justification")
        if not message.binary_authorization.ListFields():
            message.ClearField("binary_authorization")
    return message


def journal_promotion(journal: Journal, entry: Entry, now: Any) -> None:
    """Record the promotion made by hand (its generation and etag, as a landed write of
    drift's would be): from then on the entry is a promoted change — its canary served
    (`drift.fix.served`), and a later write is judged from this one (`changed_since`)."""
    note = (
        f"{PROMOTED_BY_HAND}: the canary {entry.canary_revision} serves, its tag removed "
        f"(generation {now.generation}, as `fix --no-promote` printed)"
    )
    written: dict[str, Any] = {"revision": "", "template_key": template_key(now)}
    written["traffic"] = traffic_key(now.traffic)
    journal_by_hand(journal, entry, now, "promotion-by-hand", State.PROMOTED, note, written)


def journal_by_hand(
    journal: Journal,
    entry: Entry,
    now: Any,
    step: str,
    state: str,
    note: str,
    written: dict[str, Any],
) -> None:
    """Record a write made by hand as `fix --no-promote` printed it (`step`; `written`: the
    write's revision, template and traffic keys, parts) at `now`'s generation and etag, as a
    landed write of drift's would be, the entry then in `state`; not recorded, not kept."""
    entry.writes.append(
        {
            "step": step,
            "etag_before": "",
            "generation_before": int(now.generation) - 1,
            **written,
            "landed": True,
            "etag_after": now.etag,
            "generation_after": int(now.generation),
            "literal": True,  # digested by this drift (`Write.literal`)
        }
    )
    try:
        journal.record(entry, state, note)
    except DriftError:
        entry.writes.pop()  # not recorded: as the file says
        raise


async def promoted_now(
    settings: Settings,
    entries: list[Entry],
    finished: Callable[[Any, Entry], bool] = lambda now, entry: False,
) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """The pinned entries (`--no-promote`) whose service now shows the promotion drift printed
    (`rollback --list`: one GetService each, only for those; a worker pool's, read as one,
    its split moved as printed: `finished`), and those whose workload could not be read (no
    credentials, denied, unreachable): their journal's word (`pinned`) stands, said as not
    checked."""
    import asyncio

    pinned = [e for e in entries if e.state == State.PINNED and not e.problem]
    found: set[tuple[str, str, str]] = set()
    unread = {e.identity for e in pinned}
    if not pinned:
        return found, unread

    async def look(session: Session, entry: Entry) -> None:
        try:
            now = await get_workload(session, Kind(entry.kind), entry.full_name)
        except DriftError:
            return
        unread.discard(entry.identity)
        if promoted_by_hand(now, entry) or finished(now, entry):
            found.add(entry.identity)

    try:
        async with Session(settings.access()) as session:  # the reads at once, as a check's
            await asyncio.gather(*(look(session, entry) for entry in pinned))
    except DriftError:
        pass
    return found, unread
