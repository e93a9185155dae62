"""What serves, judged from `traffic_statuses` and the revisions' readiness (never from the
traffic spec alone), and whether a write drift made is the one the service carries.

Cloud Run facts used here (google/cloud/run/v2): LATEST "Allocates instances to the Service's
latest ready Revision" (`TrafficTargetAllocationType`); a `traffic_statuses` entry for LATEST
may or may not name its revision, so an unnamed one is the latest ready revision (gcloud
`service.py` does the same); while a deploy reconciles, and after one that failed,
"`traffic_statuses`, `observed_generation`, and `latest_ready_revision` will have the state of
the last serving revision" (`Service.reconciling`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from drift.fields import FIELDS
from drift.fix.journal import Entry, Write, promoted
from drift.fix.legacy_key import sent
from drift.fix.patch import is_latest
from drift.kinds import Kind
from drift.live.api import in_progress, short, written_since
from drift.live.normalize import own_settings, raw, revision_config


@dataclass(frozen=True, order=True)
class Serving:
    latest: bool
    revision: str
    percent: int
    tag: str

    def describe(self) -> str:
        tag = f" (tag {self.tag})" if self.tag else ""
        if self.latest:
            return f"LATEST {self.percent}% → {self.revision or '(none ready)'}{tag}"
        return f"{self.revision} {self.percent}%{tag}"


def serving(service: Any) -> list[Serving]:
    """Where the service's traffic really goes, as `traffic_statuses` say (sorted)."""
    return sorted(statuses(service))


def statuses(service: Any) -> list[Serving]:
    """Each of the service's `traffic_statuses`, in the order the API lists them, a LATEST
    one naming the latest ready revision it resolves to."""
    ready = short(service.latest_ready_revision)
    out = []
    for status in service.traffic_statuses:
        latest = is_latest(status)
        name = short(status.revision) or (ready if latest else "")
        out.append(Serving(latest, name, int(status.percent), status.tag))
    return out


def shares(service: Any) -> dict[str, int]:
    """Revision -> its percent of the traffic (revisions with some), as `traffic_statuses`
    say, in the order they list them."""
    out: dict[str, int] = {}
    for row in statuses(service):
        if row.percent:
            out[row.revision] = out.get(row.revision, 0) + row.percent
    return out


def describe_serving(service: Any, canary: str = "") -> str:
    parts = []
    for s in serving(service):
        if not s.percent and not s.tag:
            continue
        text = s.describe()
        if canary and s.revision == canary:
            text += " (drift's canary)"
        parts.append(text)
    return "; ".join(parts) or "nothing"


def unpromoted_serving(service: Any, entry: Entry) -> str:
    """How drift's canary serves now though drift began no promotion of it, in
    `describe_serving`'s words (`LATEST 100% → app-drift-…`): someone else's routing, e.g.
    `update-traffic --to-latest` while the ready canary is the latest ready revision, which
    LATEST resolves to. What serves is what `traffic_statuses` say (SPEC invariant 10), never
    the journal's state. "" when the canary serves nothing, drift began its promotion, or a
    deploy in progress leaves `traffic_statuses` transient (`Service.reconciling`)."""
    canary = entry.canary_revision
    if not canary or promoted(entry) or in_progress(service):
        return ""
    return "; ".join(s.describe() for s in serving(service) if s.percent and s.revision == canary)


def pending_to_canary(service: Any, entry: Entry) -> str:
    """While a deploy of someone else's is in progress (`unpromoted_serving` says nothing
    then): the targets of its traffic spec that reach drift's canary once it settles, in
    `describe_traffic`'s words: one naming the canary, or LATEST while the canary is the
    latest ready revision (LATEST "the latest ready Revision", run v2 TrafficTargetAllocationType)
    and their change makes no revision (the template still names drift's canary, which no
    other template may: a new deploy of theirs, whose revision LATEST reaches once ready, is
    not said to reach the canary: helper-579 F5). "" when none does, or nothing is in
    progress."""
    canary = entry.canary_revision
    if not canary or promoted(entry) or not in_progress(service):
        return ""
    pb = raw(service)
    latest = short(pb.latest_ready_revision) == canary == short(pb.template.revision)
    reach = [
        t
        for t in pb.traffic
        if t.percent and (short(t.revision) == canary if t.revision else latest and is_latest(t))
    ]
    return describe_traffic(reach)


def changed_by_someone_else(generation: int, now: Any) -> str:
    """Who changed the service after drift left it at `generation`."""
    return f"the service was changed meanwhile by someone else ({written_since(generation, now)})"


def describe_traffic(targets: Any) -> str:
    """Traffic targets in words: `LATEST 100%`, `app-00002-qee 100%, LATEST 0% (tag e2e)`."""
    rows = []
    for kind, revision, percent, tag in traffic_key(targets):
        rows.append(
            (f"LATEST {percent}%" if kind == "LATEST" else f"{revision} {percent}%")
            + (f" (tag {tag})" if tag else "")
        )
    return ", ".join(rows)


def traffic_key(targets: Any) -> list[list[Any]]:
    """Traffic targets as comparable rows (type, revision, percent, tag)."""
    return [
        ["LATEST" if is_latest(t) else "REVISION", short(t.revision), int(t.percent), t.tag]
        for t in targets
    ]


def routing(targets: Any) -> tuple[dict[str, int], dict[str, str]]:
    """What traffic targets route where, whatever rows carry it: each key's share (`LATEST`
    or a revision, 0 % keys left out) and each tag's key. `LATEST 80 % tag current` routes
    as `LATEST 80 %` plus `LATEST 0 % tag current` does — the shape gcloud writes: its
    update-traffic puts every tag on its own 0 % target (googlecloudsdk api_lib/run/traffic.py
    `TrafficTargets`; its unit tests `test_moves_tags_to_zero_percent_targets`,
    `test_adds_tag_to_latest`), and drops an untagged 0 % one."""
    return routed(traffic_key(targets))


def routed(rows: list[list[Any]]) -> tuple[dict[str, int], dict[str, str]]:
    """`routing` of rows as `traffic_key` makes them (and a journal's `Write.traffic` keeps)."""
    shares: dict[str, int] = {}
    tags: dict[str, str] = {}
    for kind, revision, percent, tag in rows:
        key = "LATEST" if kind == "LATEST" else revision
        if percent:
            shares[key] = shares.get(key, 0) + percent
        if tag:
            tags[tag] = key
    return shares, tags


def template_key(service: Any, template: Any | None = None) -> str:
    """A digest of the configuration a template runs with (images, variables, mounts,
    settings, normalised as checks compare them) and of its revision name: equal for a
    template sent and the same template read back, whatever the server fills in."""
    template = service.template if template is None else template
    config = revision_config(template, service=service, container=None)
    return _digest(template, config, config.fingerprint)


def revision_key(service: Any, template: Any | None = None) -> str:
    """`template_key` of what a revision of `template` runs with itself: without the settings
    the service holds (catalogue rows of `level="service"`: `invoker_iam_disabled`…; min/max
    instances read as the template sets them, not as `Service.scaling` gives them:
    `own_settings`). Those are "Scaling settings that apply to the whole service"
    (`Service.scaling`, google/cloud/run/v2/service.proto) and the like: an UpdateService
    changes them at once, for whichever revision serves, and makes no revision. So whether a
    revision runs the configuration that served (SPEC invariant 10) is judged by this key: a
    teammate's service-level write since does not make a restored revision another one."""
    template = service.template if template is None else template
    config = revision_config(template, service=service, container=None)
    own = {
        **config.fingerprint["settings"],
        **own_settings(template, service, config, Kind.SERVICE),
    }
    settings = {k: v for k, v in own.items() if k not in FIELDS or FIELDS[k].level != "service"}
    return _digest(template, config, {**config.fingerprint, "settings": settings})


def _digest(template: Any, config: Any, fingerprint: dict[str, Any]) -> str:
    data = {
        "name": raw(template).revision,
        "images": [c.image for c in config.containers],
        "config": fingerprint,
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def next_generation(now: Any, write: Write) -> bool:
    """`now` is one generation past what `write` was built on: one write since drift read it
    ("monotonically increases every time the user modifies the desired state")."""
    return int(now.generation) == write.generation_before + 1


def past_next(now: Any, write: Write) -> bool:
    """`now` is two or more generations past what `write` was built on: some write besides
    drift's, before or after it."""
    return int(now.generation) > write.generation_before + 1


def carries(now: Any, write: Write) -> bool:
    """Whether the read-back `now` is exactly drift's `write`: the very configuration and
    traffic sent (whatever its generation)."""
    return template_holds(now, write) and traffic_key(now.traffic) == write.traffic


def template_holds(service: Any, write: Write, template: Any | None = None) -> bool:
    """Whether the template is the one `write` sent, by its `template_key`
    (`drift.fix.legacy_key.sent`: an older journal's digest too)."""
    template = service.template if template is None else template
    config = revision_config(template, service=service, container=None)
    return sent(write, partial(_keyed, template), config)


def _keyed(template: Any, config: Any) -> str:
    return _digest(template, config, config.fingerprint)


def landed(now: Any, write: Write) -> bool:
    """Whether `now` carries `write` and nothing after it: exactly one generation later, and
    the canary by its (unique) name, or the very configuration and traffic sent."""
    if not next_generation(now, write):
        return False
    if write.step == "canary":
        return bool(write.revision) and raw(now.template).revision == write.revision
    return carries(now, write)


Content = Callable[[Any, Write], bool]
"""Whether a workload read back is exactly a write of drift's (`carries` for a service's)."""


def over_theirs(
    answer: Any, after: Any | None, write: Write, content: Content = carries
) -> Any | None:
    """drift's write as the server applied it when it landed after someone else's write
    (generation before + 2 or more: a stale etag let through, `drift.fix.overwrote`): the
    operation's answer (naming the revision `write` names, if any), or the read `after` when
    the answer was lost and it is exactly drift's write (`content`: a job's or pool's own
    for those); else None."""
    mine = answer
    if mine is None and after is not None and content(after, write):
        mine = after
    if mine is None or (write.revision and short(mine.template.revision) != write.revision):
        return None
    return mine if past_next(mine, write) else None


def latest_is_canary(traffic: Any, now: Any, canary: str) -> bool:
    """Whether `traffic` on the service as it is (`now`) has a LATEST target that reaches
    drift's canary `canary`, the latest ready revision ("Allocates instances to the Service's
    latest ready Revision", `TrafficTargetAllocationType`): one with a share, or a tag at 0 %
    (its URL reaches the revision LATEST resolves to: "A tag … lets you access the revision at
    a specific URL without serving traffic", Cloud Run "Rollbacks, gradual rollouts, and
    traffic migration")."""
    latest = any(is_latest(t) and (t.percent or t.tag) for t in traffic)
    return bool(canary) and latest and short(now.latest_ready_revision) == canary


def promotion_problem(now: Any, canary: str, percent: int) -> str:
    """ "" when the canary serves `percent` of the traffic and LATEST resolves to it."""
    rows = serving(now)
    on_canary = sum(s.percent for s in rows if s.revision == canary)
    stray = [s for s in rows if s.latest and s.percent and s.revision != canary]
    if on_canary != percent or stray:
        return f"the canary {canary} does not serve {percent}% (what serves: " + (
            describe_serving(now, canary) + ")"
        )
    return ""


def restoration_problem(now: Any, before: Any, base_key: str, canary: str) -> str:
    """ "" when what serves is what served before the change: the same revisions named, the
    same LATEST targets, each resolving to the revision LATEST resolved to before or to a
    ready revision with the configuration that served (`base_key`, a `revision_key`) — never
    the canary — and no other target (the canary's tag gone). Else what is wrong and what serves."""
    was, now_rows = serving(before), serving(now)
    problems = []
    if [(s.revision, s.percent, s.tag) for s in was if not s.latest] != [
        (s.revision, s.percent, s.tag) for s in now_rows if not s.latest
    ]:
        problems.append("the revisions named in the traffic are not those before")
    if [(s.percent, s.tag) for s in was if s.latest] != [
        (s.percent, s.tag) for s in now_rows if s.latest
    ]:
        problems.append("LATEST is not routed as before")
    before_latest = {s.revision for s in was if s.latest}
    for row in (s for s in now_rows if s.latest):
        if row.revision in before_latest and row.revision != canary:
            continue
        if canary and row.revision == canary:  # "": an update in place's (no canary)
            problems.append(f"LATEST resolves to drift's canary {canary}")
        elif not _serves_base(now, row.revision, base_key):
            problems.append(
                f"LATEST resolves to {row.revision or 'no ready revision'}, which does not "
                "run the configuration that served before"
            )
    if problems:
        return (
            "; ".join(dict.fromkeys(problems)) + f" (what serves: {describe_serving(now, canary)})"
        )
    return ""


def _serves_base(now: Any, revision: str, base_key: str) -> bool:
    """`revision` is the ready revision the template describes, and it has the base config."""
    return (
        bool(revision)
        and revision == short(now.latest_ready_revision) == short(now.latest_created_revision)
        and not now.reconciling
        and revision_key(now, unnamed(now.template)) == base_key
    )


def unnamed(template: Any) -> Any:
    """A copy of a RevisionTemplate without its revision name."""
    from google.cloud import run_v2

    copy = run_v2.RevisionTemplate.deserialize(run_v2.RevisionTemplate.serialize(template))
    copy.revision = ""
    return copy
