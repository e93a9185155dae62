"""What the fix of a worker pool whose template's latest revision failed builds on (SPEC
invariant 8: "A template whose revision failed cannot serve and is not an unreleased change:
the fix builds on the serving revision, and the plan says which failed revision's template it
replaces and what that template had").

Cloud Run facts used here (google/cloud/run/v2/worker_pool.proto): `WorkerPool.reconciling`,
"If reconciliation failed, `instance_split_statuses`, `observed_generation`, and
`latest_ready_revision` will have the state of the last serving revision, or empty for newly
created WorkerPools"; the template keeps what was asked (`latest_created_revision`, "Name of
the last created revision"). So the instances run the revision(s) of
`instance_split_statuses`, never the template. drift's UpdateWorkerPool carries no
`update_mask` ("Optional. The list of fields to be updated", UpdateWorkerPoolRequest), so the
worker pool sent is written whole: the fix sends the configuration of the revision the
instances run, copied into a WorkerPoolRevisionTemplate
(`drift.diff.served.template_from_revision`, as a service's canary is built), plus the plan:
the failed template is replaced, never rolled out with the patch. Its rollback puts back that
configuration (the journal's `base_template`), not the failed template: that never ran.

Built only where every instance runs one revision: with instances on several, which one the
patch builds on would decide which of them change configuration, so the fix stops and says
how to go on. `--from-template` builds on the template, as it says (the failed one included)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drift.diff.differences import template_differences
from drift.diff.served import failed_template, template_from_revision
from drift.fix.base import Base
from drift.fix.model import ServicePlan
from drift.fix.unknown import unknown_lost, unknown_on
from drift.kinds import Kind, label
from drift.live.model import LiveService

SPLIT_COMMAND = "gcloud beta run worker-pools update-instance-split"


def failed_revision(live: LiveService) -> str:
    """The pool's latest created revision when it failed and the template is its spec (the
    deploy settled: not reconciling); "" otherwise."""
    if live.kind is not Kind.WORKER_POOL or live.source is None or not live.latest_created:
        return ""
    return failed_template(live, "")


def pool_base(live: LiveService, *, from_template: bool = False) -> Base | None:
    """What a fix of the worker pool builds on when its template's revision failed: the one
    revision its instances run, or why none can be (`Base.blocked`); None when the template's
    revision did not fail, or `--from-template` says to build on the template."""
    failed = failed_revision(live)
    if from_template or not failed:
        return None
    who = label(Kind.WORKER_POOL, live.name)
    running = [r for r in live.serving if r.percent > 0]
    unread = [name for name, _ in live.unread]
    why = ""
    if unread:
        why = f"the revision {', '.join(unread)} its instances run could not be read"
    elif not running:
        why = (
            "no revision has instances, so nothing runs that a fix could build on: fix what "
            f"stops {failed} and deploy again (or --from-template builds on its template)"
        )
    elif len(running) > 1 or running[0].source is None:
        runs = ", ".join(f"{r.name} {r.percent}%" for r in running)
        why = (
            f"its instances run {runs}: a fix builds on the one revision the instances run, so "
            f"it stops (move them onto one revision with `{SPLIT_COMMAND}`, then run drift fix "
            "again)"
        )
    if why:
        return Base(
            who,
            None,
            live.template,
            "",
            blocked=f"the worker pool template's revision {failed} failed, and {why}",
            latest_created=live.latest_created,
            kind=Kind.WORKER_POOL,
        )
    (serving,) = running
    from google.cloud import run_v2

    template = run_v2.WorkerPoolRevisionTemplate.wrap(
        template_from_revision(serving.source, live.source.template)
    )
    had = tuple(template_differences(template, live.source.template))
    had += unknown_on(live.source.template)  # the failed spec's, replaced with the rest of it
    return Base(
        who,
        template,
        serving.config,
        serving.name,
        differences=had,
        failed=failed,
        latest_created=live.latest_created,
        # the serving revision's own fields this client does not know would be dropped
        unknown=unknown_lost(serving.name, serving.source, None, pool=True),
        kind=Kind.WORKER_POOL,
    )


def built_on(bases: Mapping[str, Base], sp: ServicePlan) -> Any | None:
    """The template the write of `sp`, a worker pool's, builds on in place of its own (a
    proto-plus WorkerPoolRevisionTemplate); None: the template as read — not a pool's, its
    template's revision did not fail, or the write holds no template
    (`ServicePlan.changes_template`, which an instance count alone does beside a failed
    template: written beside it, it would leave the pool failed)."""
    base = bases.get(sp.key)
    if base is None or base.kind is not Kind.WORKER_POOL or not sp.changes_template:
        return None
    return base.template
