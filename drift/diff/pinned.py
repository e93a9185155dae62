"""What `revision.pinned` says of a service whose traffic is pinned while drift's canary exists,
and which way out it offers: whose pin it is (`drift.live.trap.own_pin`: a pin the revisions
show is older than the canary is the team's own hold, and nothing is offered that would send
traffic past it), a deploy the pin caught (`drift.live.trap.caught`), and whether the fix that
made the canary may still be running (`drift.diff.unserved.may_run`: a rollback without its
journal is offered only once no fix can be running on that canary)."""

from __future__ import annotations

import shlex

from drift.diff.context import Context
from drift.diff.unserved import LIVE_LATER, canary_running, unserved
from drift.live.api import short
from drift.live.changeids import canary_change
from drift.live.model import LiveService
from drift.live.normalize import raw
from drift.live.trap import (
    UNKNOWN_PIN,
    canary_tags,
    caught,
    caught_words,
    frozen_tags,
    own_pin,
    own_pin_words,
    untrap_command,
)


def pinned_words(ctx: Context, change: str) -> str:
    """The way out of a service's pin while drift's canary `ctx.live.canaries` exists
    (`change`: the canaries' change, or CHANGE when they are of several)."""
    live = ctx.live
    serving = [s.name for s in live.serving]
    proof = own_pin(serving, live.canaries, ctx.state.history.get(ctx.service.key))
    trap = _caught(ctx, proof)
    if proof:
        held = (
            f"; {trap} is held at 0 % by that pin, as the team's hold keeps every deploy, not "
            "caught by drift's canary: drift names no command that sends it traffic"
            if trap
            else ""
        )
        removes = f"`drift rollback {change}` removes the canary and keeps that pin"
        return f"{own_pin_words(serving, proof)}{held}; {removes}{_later(ctx, change)}"
    if trap:  # promoting the canary or rolling back its change would undo their deploy
        return f"{trap}; `drift rollback {change}` would undo that deploy too"
    if failed := _restoration_failed(ctx, change):
        return failed
    said = [words for name in live.canaries if (words := _left(ctx, name))]
    if said:  # as fix and plan say it, from its change's entry here
        return f"a new deploy would get no traffic ({said[-1]}"
    return (
        f"a new deploy would get no traffic; promote the canary or `drift rollback {change}` "
        f"its change{_later(ctx, change)}"
    )


def pool_pinned_words(ctx: Context, change: str) -> str:
    """The way out of a worker pool's pin while drift's revision of `change` held by `drift
    fix --no-promote` exists, as fix's stop and the plan's step say it: from its change's
    entry here (`drift.fix.pool_hold.pool_left`: the instances moved as the fix without the
    flag would have, by `gcloud beta run worker-pools update-instance-split`, or its
    rollback). Without the entry, what was split before is not known here: every instance to
    the held revision, the latest ready one (`--to-latest`), or its rollback where its
    journal is (a pool has no rollback from the live workload)."""
    said = [words for name in ctx.live.canaries if (words := _left(ctx, name))]
    if said:
        return f"a new deploy would get no instances ({said[-1]}"
    profile = ctx.profile
    # as `drift.fix.commands.Commands.to_latest` words it, each word quoted for a shell
    # (names Cloud Run validated, a profile's project and region: quoted all the same)
    argv = [ctx.live.name, "--to-latest", f"--project={profile.project}"]
    argv.append(f"--region={profile.region}")
    move = "gcloud beta run worker-pools update-instance-split " + shlex.join(argv)
    return (
        "a new deploy would get no instances; finish its change: move the instances to it "
        f"({move}, or as the change's journal says), or `drift rollback {change}` where its "
        "journal is"
    )


def held_canaries(ctx: Context) -> tuple[str, ...]:
    """drift's canaries `revision.pinned` speaks of: `ctx.live.canaries`, less the latest
    ready revision counted only as the canary a failed restoration left (`_restored_over`)
    where the revisions do not show that restoration: a promoted canary, the serving revision
    until the team pinned their own and then deployed a revision that failed, is theirs to
    pin (revown68 F3)."""
    live = ctx.live
    suspect = _restored_over(ctx)
    if suspect and not _never_served(ctx, suspect):
        return tuple(name for name in live.canaries if name != suspect)
    return live.canaries


def _restored_over(ctx: Context) -> str:
    """The latest ready revision when `drift.live.changeids.canaries` counts it as drift's canary
    only for the shape a failed restoration leaves (untagged, serving nothing, and not the
    latest created revision); else ""."""
    live = ctx.live
    canary = live.latest_ready
    if canary not in live.canaries or canary in (live.latest_created, *_tagged(ctx)):
        return ""
    return canary


def _never_served(ctx: Context, canary: str) -> bool:
    """Whether the revisions show drift's canary `canary` never served
    (`drift.diff.unserved.unserved`: its change's journal entry here, else the client or the
    shape of the revision after it — drift's restoration marks the undoing of a canary that
    never served, `drift.fix.restore.client_version`). drift pins by name only a restoration
    of such a canary (`drift.fix.restore.pin_by_name`): a promoted canary served."""
    records = ctx.state.history.get(ctx.service.key) or []
    index = next((i for i, r in enumerate(records) if r.name == canary), None)
    return index is not None and index in unserved(records, ctx.journal)


def _restoration_failed(ctx: Context, change: str) -> str:
    """The pin a failed restoration left ("" when it is not one): drift's canary, its tag
    removed, never served and is the latest ready revision, while the latest created one
    failed — drift pinned the traffic by name rather than leave LATEST on the canary
    (`drift.fix.restore.pin_by_name`). The service and its revisions tell (a CI runner
    without the journal); its rollback refuses until the configuration that served can start."""
    live = ctx.live
    canary = _restored_over(ctx)
    if not canary or not _never_served(ctx, canary):
        return ""
    if live.latest_created_ready or live.reconciling:
        return ""
    return (
        f"drift's change {change} pinned the traffic by name: its canary {canary}, untagged, is "
        "the latest ready revision (LATEST would resolve to it), as the latest created revision "
        f"{live.latest_created} failed (revision.rollout says why); a new deploy would get no "
        f"traffic: `drift rollback {change}` releases the pin once the configuration that "
        "served can start"
    )


def _tagged(ctx: Context) -> list[str]:
    """drift's canaries still carrying their tag."""
    statuses = getattr(ctx.live.source, "traffic_statuses", ())
    tags = set(canary_tags(ctx.live))
    return [short(s.revision) for s in statuses if s.tag in tags]


def _later(ctx: Context, change: str) -> str:
    """Where `drift rollback CHANGE` works, and the journal-less way (`drift.fix.recover`)
    once no fix can still be running on the canary."""
    running = _running(ctx)
    if running:
        return f" where its journal is; {running}: {LIVE_LATER}"
    return (
        f" where its journal is (without it, `drift rollback {change} --from-live "
        f"{ctx.profile.environment}`)"
    )


def _running(ctx: Context) -> str:
    """Why a fix may still be working on the canary ("" when none can be): the newest of
    them (`drift.diff.unserved.canary_running`)."""
    records = ctx.state.history.get(ctx.service.key) or []
    said = [
        words
        for name in ctx.live.canaries
        if (change := canary_change(name))
        and not _left(ctx, name)  # its entry here says what it is, not its age
        and (words := canary_running(name, change, records, ctx.state.now))
    ]
    return said[-1] if said else ""


def _left(ctx: Context, canary: str) -> str:
    """What the journal here says of drift's canary (`JournalCanaries.left`; "" without it)."""
    journal, live = ctx.journal, ctx.live
    return journal.left(live.name, canary, live.source) if journal is not None else ""


def _caught(ctx: Context, proof: str | None) -> str:
    """A deploy drift's pin has caught (`drift.live.trap`). When the pin is the team's own
    (`proof`), only its name. Else with the command that lets it serve: `--to-latest` when one
    revision has all the traffic (what a LATEST-routed service is pinned to) and the pin is
    known to be drift's; else what LATEST had is not known here (the journal holds it)."""
    live = ctx.live
    revision = caught(
        routes_latest=live.routes_latest,
        reconciling=live.reconciling,
        latest_ready=live.latest_ready,
        latest_created=live.latest_created,
        canaries=live.canaries,
        serving=[s.name for s in live.serving],
    )
    if not revision or proof:
        return revision
    statuses = raw(live.source).traffic_statuses if live.source is not None else ()
    tags = canary_tags(live)
    images = [live.template.main.image] if live.template.main.image else []
    if proof is None and len(live.serving) == 1:
        return f"{caught_words(revision, images, '')}; {UNKNOWN_PIN}"
    command, frozen = "", []
    if len(live.serving) == 1 and live.serving[0].percent == 100:
        profile, served = ctx.profile, live.serving[0].name
        command = untrap_command(live.name, "--to-latest", tags, profile.project, profile.region)
        frozen = frozen_tags(statuses, served)
    return caught_words(revision, images, command, frozen)


def serving_canary(ctx: Context) -> str:
    """`serving_words` of `revision.pinned`."""
    return serving_words(ctx.live, ctx.profile.project, ctx.profile.region)


def serving_canaries(live: LiveService) -> list[str]:
    """drift's canaries that serve (`serving_words` speaks of them)."""
    served = {s.name for s in live.serving if s.percent}
    return [name for name in live.canaries if name in served]


def serving_words(live: LiveService, project: str, region: str) -> str:
    """What drift says of its canary that, still tagged, serves ("" when none does): someone
    routed traffic to it after drift left it with none (a canary held by `drift fix
    --no-promote`, then `gcloud run services update-traffic --to-latest`, or `--to-revisions
    CANARY=N`, which keeps its tag). drift's promotion removes the tag in the same write
    (`drift.fix.patch.promoted_traffic`), so the service alone tells. drift's change serves:
    nothing is left to promote, and its rollback would undo their routing; only the tag is
    left to remove. The one wording of `revision.pinned` and of the plan's step
    (`drift.fix.manual.rollout_step`), at any share (revown68 F6)."""
    served = {s.name: s.percent for s in live.serving if s.percent}
    canaries = serving_canaries(live)
    if not canaries:
        return ""
    change = canary_change(canaries[0]) or "CHANGE"
    tags = canary_tags(live)
    untag = untrap_command(live.name, "", tags, project, region)
    shares = ", ".join(f"{served[name]}%" for name in canaries)
    by_latest = live.routes_latest and live.latest_ready in canaries
    how = "LATEST resolves to it" if by_latest else "the traffic names it"
    rest = (
        "nothing is left to promote"
        if sum(served[name] for name in canaries) == 100
        else "what else it gets is their routing's call, not drift's promotion"
    )
    return (
        f"drift's canary {', '.join(canaries)} of change {change} serves {shares}: {how}, "
        "routed there by someone else after drift left it with no traffic (`drift fix "
        f"--no-promote`, or a fix that did not finish), so its change serves and {rest} "
        f"(`drift rollback {change}` would undo the change and their routing); only its tag "
        f"{', '.join(tags)} is left: remove it with `{untag}`"
    )
