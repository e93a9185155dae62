"""A workload read back, compared with another outside its status: what someone else's write
changed (`what_changed`), and whether a read back holds all a write of drift's sent
(`as_sent`: the judgement `drift.fix.routing.over_theirs` takes, the answer lost, for a fix's
writes, `drift.fix.overwrote`, and a restoration's, `drift.fix.restored`)."""

from __future__ import annotations

from typing import Any

from drift.fix.journal import Write
from drift.fix.knative import OUTPUT_ONLY
from drift.fix.patch import copy_workload, without_system_metadata
from drift.fix.routing import Content
from drift.live.normalize import raw
from drift.protofield import field_value


def as_sent(now: Any, write: Write, content: Content, sent: Any) -> bool:
    """Whether the read back `now` holds everything drift's write `sent` carried, exactly as
    sent: the configuration (`content`: `drift.fix.routing.carries` for a service's template
    and traffic, a job's or pool's own) and every field outside the template — labels,
    annotations (the template's too), a service's traffic and own settings, a pool's instance
    splits — by the judgement of what someone's write changed (`what_changed`). Only then
    was drift's write the last one: a generation alone cannot order two writes when drift's
    answer was lost (a write after drift's that leaves its configuration as it is — a label,
    a traffic tag or pin — moves the generation too). A field the server describes on output
    (`DESCRIBED`) is not compared: read back otherwise than sent, it is no one's write."""
    return content(now, write) and not what_changed(*(_outside(w, DESCRIBED) for w in (sent, now)))


def holds_changes(now: Any, write: Write, content: Content, sent: Any, source: Any) -> bool:
    """Whether the read back `now` holds what drift's write `sent` changed of `source`, the
    workload it was built from: its configuration (`content`) and each field outside the
    template it set otherwise than `source` had it (a service's own settings: the ingress an
    update in place exists to change; a label by key), whatever else someone changed besides
    (their label, their tag) and whatever the server describes on output (`DESCRIBED`). A
    service's template is sent back as read by an update of its own settings: the template
    alone says nothing of whether that update is in it."""
    if not content(now, write):
        return False
    was, mine, fresh = (_outside(w) for w in (source, sent, now))
    for field in mine.DESCRIPTOR.fields:
        old, new, held = (field_value(m, field) for m in (was, mine, fresh))
        if field.name in OUTPUT or field.name in DESCRIBED or old == new:
            continue
        if isinstance(new, dict):  # labels, annotations: the keys drift's write changed
            if any(
                held.get(k) != new.get(k)
                for k in old.keys() | new.keys()
                if old.get(k) != new.get(k)
            ):
                return False
        elif held != new:
            return False
    return True


def kept_beside(sent: Any, now: Any) -> str:
    """What `now` (drift's write `sent` landed, someone else's besides) holds otherwise than
    drift sent, outside its template and what the server describes on output (`DESCRIBED`),
    in words (`what_changed`; "" for nothing): drift's write of a service or pool names only
    its template, its split and what it changes (`drift.fix.update_mask`), the rest sent as
    read, so such a field is someone else's change that drift's write left."""
    return what_changed(*(_outside(w, DESCRIBED) for w in (sent, now)))


def _outside(workload: Any, cleared: tuple[str, ...] = ()) -> Any:
    """A copy of `workload` (its system labels and annotations left out, as drift sends none:
    `without_system_metadata`) whose template keeps only its labels and annotations, the
    fields named in `cleared` cleared."""
    pb = raw(without_system_metadata(copy_workload(workload)))
    for name in cleared:
        if name in pb.DESCRIPTOR.fields_by_name:
            pb.ClearField(name)
    template = type(pb.template)()
    template.labels.update(pb.template.labels)
    template.annotations.update(pb.template.annotations)
    pb.template.CopyFrom(template)
    return pb


def what_changed(before: Any, now: Any) -> str:
    """What someone else's write changed outside the status, in words: the labels and
    annotations by key, other fields by name ("" when nothing readable differs)."""
    was, fresh = raw(before), raw(now)
    said: list[str] = []
    for field in fresh.DESCRIPTOR.fields:
        name = field.name
        if name in OUTPUT or field_value(was, field) == field_value(fresh, field):
            continue
        if name in ("labels", "annotations"):
            old, new = dict(getattr(was, name)), dict(getattr(fresh, name))
            keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
            said.append(f"{name} {', '.join(keys)}")
        else:
            said.append(name)
    return "; ".join(said)


OUTPUT = {*OUTPUT_ONLY, "client", "client_version"}
"""Fields of a Service, Job or WorkerPool the server sets (`drift.fix.knative.OUTPUT_ONLY`), and
who last wrote: not someone's change of the workload."""


DESCRIBED = ("launch_stage",)
"""Fields of a Service, Job or WorkerPool taken on input and recomputed on output: run v2's
`launch_stage` ("Set the launch stage to a preview stage on input to allow use of preview
features in that stage. On read (or output), describes whether the resource uses preview
features. For example, if ALPHA is provided as input, but only BETA and GA-level features are
used, this field will be BETA on output": service.proto, job.proto, worker_pool.proto). drift
sends the stage as read; its own write read back may carry another one (a fix that turns a
preview feature off): not a sign of someone else's write (helper-673 N2)."""
