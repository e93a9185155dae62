"""Free drift's pin under someone else's deploy (SPEC invariant 9: drift leaves no trap for
the team's next deploy). While drift's canary exists, the traffic is pinned to what served
(`canary_traffic`); a deploy landing meanwhile (at the promotion prompt, during the probe, right
after the canary write) keeps that pin — a deploy sends the traffic as it is — so its revision
gets no traffic. Undoing their deploy is not drift's call (`--force`), but the pin is drift's:
one traffic-only UpdateService, with the etag just read, puts the routing back as it was before
drift (LATEST as LATEST, the service's own targets and tags as they were) without the canary's
tag, keeping their template — unless their template still holds drift's change (a `gcloud
run deploy` sends the service as it reads it: the canary's template, a new image), which
freeing the pin would serve, declined or not proven on their image: then drift writes nothing
more and says so, the command that would let it serve named; nor when LATEST would resolve to
the canary (their revision not ready), nor after a write that made no revision of theirs. It is
what `gcloud run services update-traffic --to-latest` does
after a `--no-traffic` deploy ("To assign 100% of traffic to the current or future LATEST
revision", gcloud reference, run services update-traffic; Cloud Run "Rollbacks, gradual
rollouts, and traffic migration"); an unchanged template makes no new revision. The service
read back proves it (`landed`: one generation later, their template and the traffic sent);
if the write is refused, drift says which revision gets no traffic and the command that frees
it."""

from __future__ import annotations

from typing import Any

from drift.errors import ApiError, JournalError
from drift.fix.context import Fixer
from drift.fix.journal import Entry, State
from drift.fix.patch import copy_service, is_latest, restored_traffic, update_traffic_flags
from drift.fix.recorded import base_template, before_service
from drift.fix.restored import write_traffic
from drift.fix.routing import (
    describe_serving,
    latest_is_canary,
    serving,
    traffic_key,
)
from drift.fix.update import settled
from drift.live.api import short
from drift.live.normalize import pick_container, raw, revision_config
from drift.live.trap import caught, caught_words, untrap_command


def pinned(fixer: Fixer, now: Any) -> bool:
    """Whether `now` still routes as drift's canary write pinned it: the targets sent with
    the canary, but for the canary's own (its tag, which they may have removed): nobody else
    re-routed since."""
    return _pinned(fixer.entry, fixer.outcome.canary, fixer.outcome.tag, now)


def _pinned(entry: Entry, canary: str, tag: str, now: Any) -> bool:
    sent = [w for w in entry.writes if w.get("step") == "canary"]

    def pins(rows: list[list[Any]]) -> list[list[Any]]:
        return [r for r in rows if r[1] != canary and not (tag and r[3] == tag)]

    return bool(sent) and pins(traffic_key(now.traffic)) == pins(sent[0]["traffic"])


def caught_under_pin(entry: Entry, now: Any) -> str:
    """A deploy made since a fix stopped with its canary in place (killed: nothing freed the
    pin), which drift's pin gives no traffic (`drift.live.trap`), with the command that lets
    it serve: the routing as before drift (LATEST as LATEST, `restored_traffic`) without the
    canary's tag — what `free_pin` sends, for the operator to send. "" when there is none, or
    when the routing had no LATEST before drift (the pin is then not drift's)."""
    canary = entry.canary_revision
    if not canary or not _pinned(entry, canary, entry.tag, now):
        return ""
    revision = caught(
        routes_latest=any(is_latest(t) and t.percent for t in now.traffic),
        reconciling=bool(now.reconciling),
        latest_ready=short(now.latest_ready_revision),
        latest_created=short(now.latest_created_revision),
        canaries={canary},
        serving={s.revision for s in serving(now) if s.percent},
    )
    restored = restored_traffic(before_service(entry))
    if not revision or not any(is_latest(t) and t.percent for t in restored):
        return ""
    tags = [entry.tag] if entry.tag else []
    flags = update_traffic_flags(restored)
    command = untrap_command(entry.service, flags, tags, entry.project, entry.region)
    main = pick_container(now.template.containers, None)
    return caught_words(revision, [main.image] if main is not None else [], command)


def left_as_pinned(fixer: Fixer, now: Any) -> bool:
    """Whether someone else's write (`now`, as read) made no revision and left the routing
    exactly as drift's canary write sent it, its tag included (a label, a
    service-level setting): then nothing of theirs
    needs the pin, and the cleanup as at a declined prompt (the canary's tag gone, the
    routing that served), built on `now`, keeps their write (revown48 F2). `free_pin` has
    nothing to free there: left alone, the pin would trap the team's next deploy."""
    return (
        short(now.latest_created_revision) == fixer.outcome.canary
        and now.uid == fixer.live.source.uid
        and routed_as_pinned(fixer, now)  # their own routing is theirs
    )


def routed_as_pinned(fixer: Fixer, now: Any) -> bool:
    """Whether `now` routes exactly as drift's canary write sent it, the canary's own 0 % tag
    included (`patch.canary_traffic`): a routing only that write makes, and which drift's
    promotion replaces (the tag gone: `patch.promoted_traffic`)."""
    sent = [w for w in fixer.entry.writes if w.get("step") == "canary"]
    return bool(sent) and traffic_key(now.traffic) == sent[0]["traffic"]


async def free_pin(fixer: Fixer, now: Any) -> str:
    """After someone else wrote the service (`now`, as read) while drift's pin holds: free
    it, journaled first (cleaned up once proven). "" when there is no pin of drift's to free
    (they re-routed themselves: their routing stands); else what to say. A deploy of theirs
    still in progress is judged once it has settled (`_settled`)."""
    if not pinned(fixer, now):
        return ""
    if now.reconciling:  # their deploy in progress: judged once it has settled (F3)
        now = await _settled(fixer, now)
        if not pinned(fixer, now):
            return ""
    entry, canary = fixer.entry, fixer.outcome.canary
    theirs = short(now.latest_created_revision)
    if theirs == canary or fixer.sent is None:
        return ""  # no revision of theirs (a write to the service alone): nothing to free
    request = copy_service(now)
    request.traffic = restored_traffic(before_service(entry))
    del request.traffic_statuses[:]
    if latest_is_canary(request.traffic, now, canary):
        return (
            f"Their revision {theirs} is not ready, so LATEST would send traffic to drift's "
            f"canary {canary}: drift leaves its pin on what served"
        )
    held, replaced = drifts_held(fixer, now)
    if held:
        what = "drift's change" if not replaced else "part of drift's change"
        several = len(raw(now).template.containers) > 1  # else no container is named
        rest = (
            f" ({_keys(held, several)}; their write replaced {_keys(replaced, several)})"
            if replaced
            else ""
        )
        return (
            f"Their revision {theirs} gets no traffic: drift's pin holds traffic on what "
            f"served, and {theirs} was built on drift's canary {canary} (a deploy sends the "
            f"service as it reads it): it still holds {what}{rest}, so drift routes no "
            f"traffic to it. To let it serve as it is, with {what}: "
            f"{_free_command(fixer, request)}"
        )
    try:
        on = (fixer.ctx.session, fixer.ctx.journal, entry)
        doing, wait = f"freeing the pin under {theirs}", fixer.ctx.settings.write_wait
        sent = await write_traffic(on, now, request, "untrap", doing, write_wait=wait)
    except JournalError as exc:
        return _trapped(fixer, request, theirs, exc.message)
    if sent.after is None:  # sent, unproven: as `Restored.unread`, never failed (helper-827 R2)
        fixer.outcome.unknown = True  # the entry stays as begun, its lock kept: exit 3
        return (
            f"drift's write freeing the pin under {theirs} may have landed ({sent.error}); see "
            f"it with `drift check`, and `drift rollback {fixer.change_id}` finishes it (the "
            f"journal says {entry.state})"
        )
    serves = describe_serving(sent.after, canary)
    if not sent.proven:  # its operation's error: maybe stored in the spec, yet not applied
        spec = sent.after if sent.landed else None
        record_end(fixer, State.CLEANUP_FAILED, f"not applied: {sent.error or serves}", spec)
        return _trapped(fixer, request, theirs, sent.error or f"what serves: {serves}")
    record_end(fixer, State.CLEANED_UP, f"freed the pin: {serves}", sent.after)
    return (
        "Their change got no traffic under drift's pin: drift freed it with a traffic-only "
        "update, keeping their template: the routing is as before drift, the "
        f"canary's {fixer.outcome.tag_words} gone (what serves: {serves}); nothing is left to "
        "roll back"
    )


async def _settled(fixer: Fixer, now: Any) -> Any:
    """The service once the deploy in progress on it (`now`, reconciling) has settled: until
    then "observed_generation, latest_ready_revision, traffic_statuses, and uri will have
    transient values" (run/v2 `Service.reconciling`), so their revision, not ready yet, would
    be taken for one that cannot serve and drift's pin kept over it once it is (revfix90 F3).
    `now` as it is when the service cannot be read: judged as read, the pin kept."""
    try:
        return await settled(fixer.ctx.session, now.name)
    except ApiError:
        return now


def holds_drifts(fixer: Fixer, now: Any) -> bool:
    """Whether the service as it is now (their template, the service's own settings) still
    holds any of the values drift's canary write set (`drifts_held`)."""
    return bool(drifts_held(fixer, now)[0])


Key = tuple[str, str]


def drifts_held(fixer: Fixer, now: Any) -> tuple[list[Key], list[Key]]:
    """The values drift's canary write set — a variable, a mount or a setting where the
    canary differs from what served — that the service as it is now still holds, and those
    their write replaced (helper-553 F4: "holds drift's change" was said of a revision that
    held only part of it). Freeing the pin would serve what it holds, declined or unproven,
    under their deploy. A setting of theirs drift cannot read (`RevisionConfig.unreadable`)
    may hold it: it is taken to."""
    before = before_service(fixer.entry)
    before.template = base_template(fixer.entry)
    served, mine, theirs = (_values(svc) for svc in (before, fixer.sent, now))
    changed = sorted(k for k in served.keys() | mine.keys() if served.get(k) != mine.get(k))
    held = [
        k
        for k in changed
        if (k in theirs and theirs[k] in (UNREAD, mine.get(k)))
        or (k not in theirs and k not in mine)
    ]
    return held, [k for k in changed if k not in held]


def _keys(keys: list[Key], several: bool) -> str:
    return ", ".join(f"{c}/{t}" if c and several else t for c, t in keys)


UNREAD = object()
"""The value of a setting drift cannot read (`_values`): equal to no value but itself."""


def _values(service: Any) -> dict[tuple[str, str], Any]:
    """Every variable, mount and setting a service's template runs with, one key each: the
    settings as read for each container in turn (memory, CPU, probes are a container's, and
    the profile may describe any of them: `container:`)."""
    template = raw(service).template
    out: dict[tuple[str, str], Any] = {}
    for name in [c.name for c in template.containers] or [None]:
        config = revision_config(template, service=service, container=name)
        out.update(((name or "", f"setting.{k}"), v) for k, v in config.settings.items())
        out.update(((name or "", f"setting.{k}"), UNREAD) for k in config.unreadable)
    for c in config.containers:
        out.update(((c.name, f"env.{k}"), (v.value, v.ref)) for k, v in c.env.items())
        out.update(((c.name, f"mount.{p}"), m.ref) for p, m in c.mounts.items())
    return out


def record_end(fixer: Fixer, state: str, note: str, now: Any | None) -> None:
    """How a cleanup's write ended (the freeing write's, `keep_routing`'s); a journal that
    cannot take it changes nothing more (the entry still says the write was begun: a
    rollback judges the service as it finds it)."""
    journal, entry = fixer.ctx.journal, fixer.entry
    try:
        if now is None:
            journal.landed(entry, state, note)
        else:
            journal.landed(entry, state, note, etag=now.etag, generation=int(now.generation))
    except JournalError:
        pass


def _trapped(fixer: Fixer, request: Any, theirs: str, why: str) -> str:
    """The pin could not be freed: say plainly what it does, and the command that frees it."""
    return (
        f"Their revision {theirs} gets no traffic: drift's pin holds it on what served and "
        f"drift could not free it ({why}). Free it (their template stays) with: "
        f"{_free_command(fixer, request)}"
    )


def _free_command(fixer: Fixer, request: Any) -> str:
    """The gcloud command that sends `request`'s routing without drift's tag."""
    p = fixer.ctx.profile
    return (
        f"gcloud run services update-traffic {fixer.sp.service} "
        f"{update_traffic_flags(request.traffic)}{fixer.outcome.remove_tag} "
        f"--project {p.project} --region {p.region}"
    )
