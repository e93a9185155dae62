"""What a service's journal entry recorded of it before the change — the service as read, the
configuration that served (`base_template`) — and what a rollback can and cannot promise from
it.

A rollback deploys that configuration again: Cloud Run makes a new revision of it (a revision
is immutable: "When you deploy to a service or change the configuration of a service, an
immutable revision is created", cloud.google.com/run/docs/managing/revisions). An image named
by a tag is resolved again then: "If you deploy from a container image tag, it will be
resolved to a digest and the revision will always serve the same image"
(cloud.google.com/artifact-registry/docs/integrate-cloud-run; the container image "is imported
by Cloud Run when deployed", cloud.google.com/run/docs/deploying). So the revision that served
keeps the image the tag named when it was created, and the new one runs what the tag names
now: the same image only if nobody pushed the tag since. The v2 `Revision` carries no digest
drift could compare (google/cloud/run/v2/revision.proto), so drift says which images it
redeploys by tag instead of calling them restored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drift.fields import FIELDS
from drift.fix.journal import Entry
from drift.fix.journalview import newest_of
from drift.fix.model import SettingChange
from drift.fix.patch import restored_traffic, without_system_metadata
from drift.fix.routing import restoration_problem, revision_key, traffic_key, unnamed
from drift.fix.wire import unpacked
from drift.live.api import short
from drift.live.normalize import raw
from drift.protofield import field_value
from drift.textsafe import visible


def before_service(entry: Entry) -> Any:
    """The service as read before the change: from its bytes, the fields this client does not
    know included (an entry of an older drift: from its JSON, without them)."""
    from google.cloud import run_v2

    if entry.service_before_pb:
        return unpacked(run_v2.Service, entry.service_before_pb)
    return run_v2.Service.from_json(json.dumps(entry.service_before), ignore_unknown_fields=True)


def base_template(entry: Entry) -> Any:
    """The configuration that served before the change (entries written before drift kept
    it: the template as it was), from its bytes when the entry has them (`before_service`)."""
    if not (entry.base_template_pb or entry.base_template):
        template = before_service(entry).template
    else:
        template = _recorded_base(entry)
    template.revision = ""
    return without_system_metadata(template)


def base_message(kind: str) -> Any:
    """The message an entry's `base_template` is: a service's RevisionTemplate; a worker
    pool's WorkerPoolRevisionTemplate (`drift.fix.pool_base`: its template's revision failed,
    and its fix was built on what its instances ran)."""
    from google.cloud import run_v2

    pool = kind == "worker_pool"
    return run_v2.WorkerPoolRevisionTemplate if pool else run_v2.RevisionTemplate


def _recorded_base(entry: Entry) -> Any:
    message = base_message(entry.kind)
    if entry.base_template_pb:
        return unpacked(message, entry.base_template_pb)
    return message.from_json(json.dumps(entry.base_template), ignore_unknown_fields=True)


def ran_before(entry: Entry) -> Any | None:
    """What a worker pool's fix built on in place of its template, which its rollback puts
    back (`drift.fix.pool_base`: the configuration its instances ran, the template's revision
    having failed), its revision name cleared; None for any other entry."""
    if entry.kind != "worker_pool" or not (entry.base_template_pb or entry.base_template):
        return None
    template = _recorded_base(entry)
    template.revision = ""
    return template


def base_key(entry: Entry) -> str:
    """The `revision_key` of the configuration that served before the change: worked out once
    for what the entry holds of it (`Entry.keys`, by its bytes, or its JSON without them: a
    rollback asks it of each entry several times, and `fill` puts values back in between)."""
    held = (entry.kind, *(_held(entry, f) for f in ("service_before", "base_template")))
    key = entry.keys.get(what := json.dumps(held))
    if key is None:
        key = entry.keys[what] = revision_key(before_service(entry), base_template(entry))
    return key


def _held(entry: Entry, field: str) -> str:
    """What `before_service` and `base_template` read `field` from: its bytes, else its JSON."""
    return getattr(entry, f"{field}_pb") or json.dumps(getattr(entry, field), sort_keys=True)


def served_by(entry: Entry) -> str:
    """The revision that ran the recorded configuration before the change ("" when unknown,
    or when the fix was built on the template rather than on what served)."""
    if entry.on_template:
        return ""
    return entry.base_revision or short(before_service(entry).latest_ready_revision)


def unreleased(entry: Entry) -> list[str]:
    """The images of the recorded template when it did not serve before the change (a
    `--from-template` fix on an unreleased change): the template's own revision, the latest
    created (a fix waits for a deploy in progress to settle), is not the serving one it was
    built on. Empty when the recorded configuration is what served."""
    if not entry.on_template:
        return []
    if entry.base_revision and entry.base_revision == short(
        before_service(entry).latest_created_revision
    ):
        return []
    images = (c.image for c in base_template(entry).containers)
    return list(dict.fromkeys(i for i in images if i))


def by_tag(entry: Entry) -> list[str]:
    """The images of the recorded configuration named by a tag (no `@sha256:` digest): a
    new revision runs whatever the tag names when Cloud Run creates it."""
    return tagged_images(base_template(entry))


def tagged_images(template: Any) -> list[str]:
    """The images of a RevisionTemplate named by a tag (no `@` digest), each once."""
    images = [c.image for c in template.containers]
    return list(dict.fromkeys(i for i in images if i and "@" not in i))


def tag_record(entry: Entry, name: str) -> Tagged:
    """`tag_caveat`'s images and revision, for `tags_said`."""
    return Tagged(name, tuple(by_tag(entry)), served_by(entry))


def tag_caveat(entry: Entry) -> str:
    """One sentence on the images a rollback redeploys by tag ("" when each is a digest)."""
    return tags_resolved(by_tag(entry), "the new revision", served_by(entry), "ran")


def tags_resolved(tags: list[str], new: str, which: str, ran: str = "runs") -> str:
    """One sentence on the images `tags` a new revision (`new`) is created with, each named
    by a tag: it runs what the tag names when Cloud Run creates it, the image `which` (the
    revision that served) `ran` only if nobody pushed the tag since ("" without tags)."""
    if not tags:
        return ""
    one, named = len(tags) == 1, ", ".join(map(visible, tags))
    return (
        f"{named} {'is a tag' if one else 'are tags'}: {new} runs the image "
        f"{'it names' if one else 'they name'} now (Cloud Run resolves a tag to a digest when "
        f"it creates a revision), which is the one {which or 'the revision that served'} {ran} "
        "only if nobody has pushed the tag since; drift cannot compare digests"
    )


@dataclass(frozen=True)
class Tagged:
    """A workload's images named by a tag that a new revision is created with, and the
    revision that served them (`tags_resolved`'s arguments, one workload's)."""

    name: str
    tags: tuple[str, ...]
    which: str


def tags_said(tagged: Sequence[Tagged], new: str, ran: str = "runs") -> str:
    """`tags_resolved` of each workload of one command, said once (helper-683 L1: the same
    sentence followed each service, 12 times in `make demo`): one workload's names it and its
    sentence; more name them, each one's images, and the sentence once ("" without tags)."""
    tagged = [t for t in tagged if t.tags]
    if len(tagged) < 2:
        return "".join(
            f"{t.name}: {tags_resolved(list(t.tags), new, t.which, ran)}" for t in tagged
        )
    images = ", ".join(f"{', '.join(map(visible, t.tags))} on {t.name}" for t in tagged)
    return (
        f"{', '.join(t.name for t in tagged)}: their images are named by tags ({images}): "
        f"each {new.removeprefix('the ')} runs the image its tag names now (Cloud Run "
        "resolves a tag to a digest when it creates a revision), which is the one "
        f"{'the serving revision' if ran == 'runs' else 'the revision that served'} {ran} "
        "only if nobody has pushed the tag since; drift cannot compare digests"
    )


def service_parts(entry: Entry) -> list[str]:
    """The fields of the service itself (not its template) that `entry`'s change set."""
    return setting_parts(entry.changes)


def change_parts(entry: Entry, later: Sequence[Entry] = ()) -> list[str]:
    """`service_parts` of `entry` and of drift's `later` changes (a forced rollback undoes
    them too): what a restoration puts back of the service itself."""
    return sorted({p for e in (entry, *later) for p in service_parts(e)})


def setting_parts(changes: Sequence[str]) -> list[str]:
    """The fields of the service itself (not its template) that the changes `changes`
    (`ServicePlan.targets`: `setting.NAME`, `env.NAME`) set."""
    names = [c.split(".", 1)[1] for c in changes if c.startswith("setting.")]
    rows = [FIELDS[n] for n in names if n in FIELDS]
    parts = {r.service_part or (r.name if r.level == "service" else "") for r in rows} - {""}
    return sorted(parts)


def parts_as_found(now: Any, entry: Entry, later: Sequence[Entry] = ()) -> bool:
    """Whether each service-level field `entry`'s change set — and drift's `later` changes a
    forced rollback undoes too — holds, in `now`, exactly what the journal recorded before
    `entry` (presence included): what `restore_request` puts back. A template and traffic as
    they were do not make a rollback needless while, say, the breakglass justification the
    change dropped is still gone (revupgrade2 F1), or the ingress a later change set is."""
    was, held = raw(before_service(entry)), raw(now)
    fields = held.DESCRIPTOR.fields_by_name
    return all(
        field_value(held, fields[p]) == field_value(was, fields[p])
        for p in {p for e in (entry, *later) for p in service_parts(e)}
        if p in fields
    )


def as_found(now: Any, entry: Entry) -> bool:
    """Whether the service `now` serves what served before `entry`'s change, from the
    configuration that served then, with the traffic as it was (`restoration_problem`, as
    that change's cleanup or rollback judged it)."""
    before = before_service(entry)
    key = base_key(entry)
    return (
        revision_key(now, unnamed(now.template)) == key
        and traffic_key(now.traffic) == traffic_key(restored_traffic(before))
        and not restoration_problem(now, before, key, entry.canary_revision)
        and parts_as_found(now, entry)
    )


def fields_only(now: Any, entry: Entry) -> bool:
    """Whether rolling `entry` back puts back only the service's own fields: what serves is
    what served before (`restore`'s `serving_back`), those fields are not, and the template
    names no revision (a name the restoration clears would make a revision). Then no revision
    is created and no image is resolved again (revown57 F1)."""
    before, key = before_service(entry), base_key(entry)
    return (
        revision_key(now, unnamed(now.template)) == key
        and not restoration_problem(now, before, key, entry.canary_revision)
        and not parts_as_found(now, entry)
        and not now.template.revision
    )


def written_levels(
    source: Any, settings: Sequence[SettingChange], entries: Sequence[Entry], full_name: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The settings a patch of `source` writes to the service itself, and those also to the
    revision (`Field.levels`): where the service held a value of a setting when drift last
    read it before a change (the journal's entry of the service of its latest change:
    `drift.fix.journalview.newest_of`), that level's, though it reads 0 now (proto3's unset:
    `drift.fields.scaling`)."""
    newest = newest_of(entries, "service", full_name)
    was = before_service(newest) if newest else None
    levels = {
        c.name: FIELDS[c.name].levels(
            source, c.after, was is not None and "service" in FIELDS[c.name].levels(was, c.after)
        )
        for c in settings
    }
    at_once = tuple(n for n, at in levels.items() if "service" in at)
    return at_once, tuple(n for n, at in levels.items() if len(at) > 1)
