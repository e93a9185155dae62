"""`revision.rollout`: the latest created revision is not ready, or what serves differs from
the service template (a worker pool's: what its instances run differs from its template), or
nothing serves. Every text names the workload's own kind: a pool has instances (instance
splits, worker_pool.proto), no traffic and no service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drift.diff.context import Context
from drift.diff.jobs import masked
from drift.diff.pinned import (
    held_canaries,
    pinned_words,
    pool_pinned_words,
    serving_canaries,
    serving_canary,
)
from drift.diff.served import unreleased_revisions
from drift.findings import Finding, Severity
from drift.kinds import Kind
from drift.live.changeids import canary_change
from drift.live.normalize import comparable_fingerprints
from drift.textsafe import plural, visible

LATEST_READY = "latest created revision ready"
"""`expected` of the finding of a latest revision that failed (`actual` NOT_READY): what
serves and fails is `drift.diff.health`'s."""
NOT_READY = "not ready"
TAKEN = "a revision name not taken"
"""`expected` of the finding of a manifest's template that keeps a taken revision name."""


def serves_nothing(finding: Finding) -> bool:
    """A rollout finding about a revision no request reaches: a latest created revision that
    failed (Cloud Run routes to ready revisions only), or a deploy Cloud Run refuses. It is
    shown on what serves, but explains nothing a probe of it sees (helper-603 F1)."""
    return finding.rule == "revision.rollout" and finding.expected in (LATEST_READY, TAKEN)


def rollout_findings(ctx: Context) -> Iterator[Finding]:
    """A worker pool's revisions share instances where a service's share traffic (instance
    splits: worker_pool.proto); the rule is the same."""
    live = ctx.live
    pool = ctx.service.kind is Kind.WORKER_POOL
    share = "instances" if pool else "traffic"
    serves = "has" if pool else "serves"  # instances are run, not served
    serving = "revisions with instances" if pool else "serving revisions"
    primary = live.serving[0].name if live.serving else None
    if live.taken:  # a manifest's deploy that Cloud Run refuses: it never rolls out
        name = visible(live.taken)
        yield ctx.finding(
            "revision.rollout",
            f"revision.{name}",
            f"the template keeps the revision name {name} (template.revision), which a revision "
            "with another configuration has: Cloud Run refuses the deploy (a revision name is "
            "unique); change template.revision, or drop it for a generated name",
            revision=primary,
            expected=TAKEN,
            actual=name,
        )
    failed = not live.latest_created_ready and bool(live.latest_created)
    if failed:
        stays = "instances stay" if share == "instances" else "traffic stays"
        unread_most = max(live.unread, key=lambda u: u[1])[0] if live.unread else None
        if primary:
            where = f"{stays} on {primary}"
        elif unread_most:  # it serves; only its configuration could not be read (unverified)
            where = f"{stays} on {unread_most} (not read: its configuration is not verified)"
            primary = unread_most
        else:
            where = f"no revision {serves} {share}"
        yield ctx.finding(
            "revision.rollout",
            f"revision.{live.latest_created}",
            f"latest created revision {live.latest_created} is not ready "
            f"({masked(ctx, live.latest_created_message)}); {where}",
            revision=primary,
            expected=LATEST_READY,
            actual=NOT_READY,
        )
    # A template whose revision failed cannot serve (reported above): what serves is then
    # compared with the revision taking most traffic.
    baseline = live.serving[0].config if failed and live.serving else live.template
    against = (
        f"{live.serving[0].name}'s"
        if baseline is not live.template
        else f"the {ctx.service.kind.noun} template"
    )
    counted = (
        f"{plural(len(live.serving), 'revision')} with instances"
        if pool
        else plural(len(live.serving), "serving revision")
    )
    # the revisions `drift fix` stops on, the template holding what they do not run (a
    # service's: the one it builds on; a pool's: each with instances), named as the fix names
    # them, images included (a service's gradual rollout's older revision differs by its
    # fingerprint alone: revreal61 F2)
    # the change of drift's canary held beside a rollout: measured against the revision it was
    # built on, as fix and plan measure it (`drift.fix.canary_left.built_on`, revown63 F5)
    journal = ctx.journal if live.latest_created in live.canaries else None  # else not read
    on = journal.built_on(live.name, live.latest_created) if journal is not None else ""
    unreleased = unreleased_revisions(live, on) if baseline is live.template else {}
    for rev in live.serving:
        if rev.config is baseline:
            continue  # described by the template itself: the same configuration
        base, theirs = comparable_fingerprints(baseline, rev.config, ctx.state, ctx.profile.project)
        paths = changed_paths(base, theirs)
        held = unreleased.get(rev.name, ())
        if not (paths or held):
            continue
        if held and _images(rev.config) != _images(baseline):
            paths.append("image")  # never written back by a patch (`manual.rollout_repaired`)
        yield ctx.finding(
            "revision.rollout",
            f"revision.{rev.name}",
            f"{rev.name} {serves} {rev.percent}% of {share} with a configuration that differs "
            f"from {against} ({'; '.join(held) if held else ', '.join(paths)})",
            revision=rev.name,
            expected=f"{serving} match the template",
            actual=counted,
            severity=Severity.WARNING,
            failed=tuple(paths),
        )
    promoted = "" if pool else serving_canary(ctx)  # their routing on the canary, tagged
    if promoted:
        yield ctx.finding(
            "revision.pinned",
            "revision.traffic",
            promoted,
            revision=primary,
            expected="no canary left",
            actual="canary serves, tagged",
            severity=Severity.WARNING,
            failed=tuple(serving_canaries(live)),  # which canary: another is `updated`
        )
    elif not live.routes_latest and (held := held_canaries(ctx)):
        canaries = ", ".join(held)
        pinned = "instances are" if pool else "traffic is"
        changes = sorted({c for name in held if (c := canary_change(name))})
        change = changes[0] if len(changes) == 1 else "CHANGE"
        if pool:  # a pool's fix has no promotion, and no journal-less way out
            undo = pool_pinned_words(ctx, change)
        else:
            undo = pinned_words(ctx, change)
        yield ctx.finding(
            "revision.pinned",
            "revision.traffic",
            f"{pinned} pinned to named revisions while drift's canary {canaries} exists: {undo}",
            revision=primary,
            expected=f"{share} routed to LATEST, or no canary left",
            actual="pinned",
            severity=Severity.WARNING,
            # which canaries, as `job.failed` names its execution: another change's canary
            # left pinned is `updated` against a baseline, never hidden behind the one id
            failed=held,
        )
    unread = any(u.key == ctx.service.key for u in ctx.state.unverified)
    if not live.serving and not failed and not unread:
        yield ctx.finding(
            "revision.rollout",
            "revision.serving",
            f"no revision {serves} {share}",
            revision=None,
            expected="a revision with instances" if pool else "a serving revision",
            actual=None,
        )


def _images(config: Any) -> dict[str, str]:
    """Each container's image: what the fingerprint leaves out (a gradual rollout)."""
    return {c.name: c.image for c in config.containers}


_ABSENT = object()


def changed_paths(base: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Where two fingerprints differ, two levels deep (`env.FOO`, `settings.cpu`, `sidecars`
    where one side has none), sorted. Values compare as they stand: an argument list in
    another order is another configuration (DeepDiff's `ignore_order`, used before, called it
    the same: helper-577 F2, at 7 ms a comparison)."""
    paths: set[str] = set()
    for key in base.keys() | theirs.keys():
        mine, other = base.get(key, _ABSENT), theirs.get(key, _ABSENT)
        if mine == other:
            continue
        if isinstance(mine, dict) and isinstance(other, dict):
            paths |= {
                f"{key}.{k}"
                for k in mine.keys() | other.keys()
                if mine.get(k, _ABSENT) != other.get(k, _ABSENT)
            }
        else:
            paths.add(key)
    return sorted(paths)
