"""The cleanup that keeps someone else's service-level write (revown51 F1): a teammate wrote
the service at the promotion prompt without a new revision (`untrap.left_as_pinned`: ingress,
`gcloud run services update --max=10`), and drift cleans up as at a declined prompt on their
generation (`cleanup._keeping`). `restore.restore_request` puts back every service-level part
the change made as it was before drift — the whole `scaling` message, the ingress — which
would undo their write while drift says it keeps it (SPEC invariants 2 and 10: `fix` changes
only what the plan names, and never undoes someone else's change without `--force`).

So, field by field (`scaling.min_instance_count`, not the whole `scaling`), the request puts
back only what drift's change wrote and they left as drift wrote it: where the service read
now still holds the value drift's write left (`wrote`, the canary's write as read back), the
value from before drift; anywhere else, the service as they left it — a field drift never
set (their cap), and a field drift set that they changed since (theirs stays, and the
cleanup says so). The template and the traffic are drift's to restore, as at any cleanup.
Server-set fields, labels and annotations are the read's own in the request already
(`copy_service`), so they never differ here."""

from __future__ import annotations

from typing import Any

from drift.fix.byhand import copy_field
from drift.fix.journal import Entry
from drift.fix.recorded import before_service
from drift.live.normalize import raw
from drift.protofield import field_value, is_repeated

DRIFTS = frozenset({"template", "traffic", "traffic_statuses"})
"""The parts of a Service the cleanup restores whatever is in them: the configuration that
served and the routing as before drift (no write of theirs kept the pin otherwise)."""


def keep_theirs(request: Any, current: Any, wrote: Any, entry: Entry) -> tuple[str, ...]:
    """Make `request` (`restore_request` on `current`) put back only the service-level fields
    that `current` still holds as drift's write left them (`wrote`); every other field as
    `current` has it. Returns the fields drift's change set (before → `wrote`) that they
    changed since, by their path (`ingress`, `scaling.min_instance_count`), kept as theirs.
    What serves is judged as ever (`base_key`): a service-level setting is no revision's
    (`drift.fix.routing.revision_key`)."""
    kept: list[str] = []
    _merge(raw(request), raw(current), raw(wrote), raw(before_service(entry)), "", kept)
    return tuple(kept)


def _merge(r: Any, c: Any, w: Any, b: Any, path: str, kept: list[str]) -> None:
    for field in r.DESCRIPTOR.fields:
        name = field.name
        if not path and name in DRIFTS:
            continue
        if field.message_type is not None and not is_repeated(field) and not _leaf(field):
            sub = [getattr(m, name) for m in (r, c, w, b)]
            if sub[0] != sub[1]:  # field by field
                _merge(sub[0], sub[1], sub[2], sub[3], f"{path}{name}.", kept)
            continue
        mine, now, wrote, was = (field_value(m, field) for m in (r, c, w, b))
        if mine == now:
            continue  # the cleanup leaves it as it is now
        if now == wrote:
            continue  # drift's value, untouched since: put back as it was before drift
        copy_field(r, c, name)  # theirs (or never drift's): as they left it
        if was != wrote:
            kept.append(f"{path}{name}")


def _leaf(field: Any) -> bool:
    """A message compared whole: a well-known type (a Duration, a Timestamp), whose parts
    mean nothing alone."""
    return str(field.message_type.full_name).startswith("google.protobuf.")


def kept_words(kept: tuple[str, ...]) -> str:
    """What the cleanup says of the fields drift's change set that they changed since."""
    if not kept:
        return ""
    return (
        f"; their {', '.join(kept)} stays as they set it (drift's change had set it too; "
        "drift does not undo their write)"
    )
