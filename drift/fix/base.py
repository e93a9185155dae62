"""What a fix builds on (SPEC invariant 8): the configuration that serves — the serving
revision as read, copied into a RevisionTemplate — plus the plan, nothing else. The service's
template may hold something that does not serve: an unreleased change (a `--no-traffic`
deploy), which stops the fix unless `--from-template` says to build on it, or the spec of a
revision that failed (it cannot serve), which the fix replaces and says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift.diff.served import (
    failed_template,
    named_differences,
    served_base,
    template_serves,
    unreleased_differences,
    unreleased_revisions,
)
from drift.fix.formats.text import command_line
from drift.fix.recorded import Tagged, tagged_images
from drift.fix.unknown import unknown_lost, unknown_on
from drift.kinds import Kind
from drift.live.conditions import failed_ready, words
from drift.live.model import LiveService, RevisionConfig
from drift.live.normalize import raw, same_configuration
from drift.live.state import LiveState
from drift.redact import mask


@dataclass(frozen=True)
class Base:
    service: str
    template: Any
    """run_v2.RevisionTemplate to patch (no revision name): the configuration that serves."""
    config: RevisionConfig
    """The same, normalised: what the plan is computed against."""
    revision: str
    """The serving revision it was read from ("" when it is the template)."""
    on_template: bool = False
    differences: tuple[str, ...] = ()
    """How the template differs from what serves (what serves → the template)."""
    failed: str = ""
    """The failed revision whose template the fix replaces (its differences: what it had)."""
    blocked: str = ""
    """Why no fix can be built (a deploy in progress, the serving revision unreadable)."""
    latest_created: str = ""
    others: tuple[str, ...] = ()
    """Other revisions serving traffic: a fix leaves their targets as they are."""
    unknown: str = ""
    """Why a template built on the serving revision would drop fields the installed client
    does not know (`drift.fix.unknown.unknown_lost`): a patch of the template stops there."""
    kind: Kind = Kind.SERVICE
    """A worker pool's (`drift.fix.pool_base`): its template's revision failed, and its
    update in place builds on the revision its instances run (`template` is then a
    WorkerPoolRevisionTemplate)."""

    @property
    def unreleased(self) -> bool:
        """The template holds a change that does not serve, and nothing says to build on it
        (`drift.diff.served.unreleased_differences`, as `drift check` warns of it)."""
        return bool(self.differences) and not self.failed and not self.on_template


def _not_ready_base(live: LiveService, name: str, why: str) -> str:
    """Why a fix stops on a serving revision whose Ready condition failed, and what to do. A
    fix keeps traffic on what serves while its canary exists (pinned to `name` by name: SPEC
    invariant 9) and `rollback` routes it back there (invariant 10): each is an update naming a
    revision that is not ready, which Cloud Run may refuse or fail (not documented: sandbox
    option `not_ready_traffic`), so neither the canary nor the way back could be kept; and a
    canary compared with a revision that fails to run proves nothing about the drift."""
    parts = live.full_name.split("/")
    where = ["--project", parts[1], "--region", parts[3]] if len(parts) >= 6 else []
    describe = command_line(["gcloud", "run", "revisions", "describe", name, *where])
    return (
        f"the serving revision {name} of {live.name} is not ready (its Ready condition failed: "
        f"{why}): a fix pins traffic to what serves while its canary runs, and its rollback "
        "routes traffic back there, and Cloud Run may refuse traffic sent to a revision that "
        f"is not ready; see why with `{describe}`, deploy a revision that is ready (it takes "
        "the traffic), then run drift fix again"
    )


def fix_base(live: LiveService, *, from_template: bool = False) -> Base:
    from google.cloud import run_v2

    service = live.source
    template = run_v2.RevisionTemplate.deserialize(
        run_v2.RevisionTemplate.serialize(service.template)
    )
    template.revision = ""
    built_on = served_base(live)  # as `drift check` measured it: built once
    name, serving = built_on.name, built_on.revision
    others = tuple(f"{s.name} {s.percent}%" for s in live.serving if s.name != name)
    blocked = ""
    if live.reconciling:
        blocked = (
            f"a deploy is in progress on {live.name} (generation {service.generation}, "
            f"observed {service.observed_generation}): run drift fix again once it has settled"
        )
    elif serving is None and live.serving:
        blocked = f"the serving revision {name} of {live.name} could not be read"
    elif serving is not None and serving.source is not None and not blocked:
        ready = failed_ready(raw(serving.source).conditions)
        if ready is not None:  # what serves is not sound: see `_not_ready_base`
            blocked = _not_ready_base(live, name, mask(words(ready), echo=True))
    if serving is None or serving.source is None:  # the template describes what serves
        config = serving.config if serving is not None else live.template
        return Base(
            live.name,
            template,
            config,
            name if serving else "",
            blocked=blocked,
            latest_created=live.latest_created,
            others=others,
        )
    served, differences = built_on.template, built_on.differences
    # the template's fields this client does not know cannot be compared with the
    # revision's (numbered otherwise)
    unknown_here = unknown_on(service.template)
    if from_template:  # they roll out with it unless what serves has them too (revown41 F5)
        differences += tuple(f"{u}, unless what serves has it too" for u in unknown_here)
        return Base(
            live.name,
            template,
            live.template,
            name,
            True,
            differences,
            "",
            blocked,
            live.latest_created,
            others,
        )
    # a deploy that failed may have changed only the fields this client does not know (a
    # newer gcloud's setting): a failed template all the same (revown39 F2), which had them;
    # else differences are what `served.unreleased_differences` names (check's warning)
    failed = failed_template(live, name) if differences or unknown_here else ""
    if failed:  # the template is the spec of a revision that failed
        differences += unknown_here
    # a failed template is replaced, whatever it holds (its unknown fields with the rest of
    # the spec that failed, named in the plan): only the serving revision's own would be lost
    unknown = unknown_lost(name, serving.source, None if failed else service.template)
    return Base(
        live.name,
        served,
        serving.config,
        name,
        False,
        differences,
        failed,
        blocked,
        live.latest_created,
        others,
        unknown,
    )


def describe(base: Base) -> str:
    """What the fix builds on, in words (for the plan and the journal)."""
    text = _built_on(base)
    if base.others:
        text += "; the other revisions serving keep their traffic and configuration: " + ", ".join(
            base.others
        )
    return text


def tagged(base: Base) -> Tagged:
    """What a canary built on `base` cannot promise (SPEC invariant 8: "the serving
    revision's configuration plus the plan, nothing else"): an image named by a tag is
    resolved again when the canary is created, and may be an image that never served — a
    push of the tag that was not deployed (revfix84 F2). The v2 Revision carries no digest to
    compare (`drift.fix.recorded`). No tags when every image is named by its digest; said by
    `tags_said`, once for every service of the fix."""
    if base.on_template and base.differences or base.kind is not Kind.SERVICE:
        return Tagged(base.service, (), base.revision)  # said as changes; a pool's its own
    return Tagged(base.service, tuple(tagged_images(base.template)), base.revision)


def _built_on(base: Base) -> str:
    if base.on_template:
        if not base.differences:
            return f"{base.service}: built on the template (it is what serves)"
        return (
            f"{base.service}: built on the template (--from-template), which differs from what "
            f"serves ({base.revision}); these roll out with the patch: "
            + "; ".join(base.differences)
        )
    if base.failed:
        runs = (
            "the revision its instances run"
            if base.kind is Kind.WORKER_POOL
            else "the serving revision"
        )
        had = "; ".join(base.differences) or "the same configuration"
        return (
            f"{base.service}: built on {runs} {base.revision}; it replaces the "
            f"template of the failed revision {base.failed}, which had: {had}"
        )
    if base.revision:
        return f"{base.service}: built on the serving revision {base.revision}"
    return f"{base.service}: built on the template (no revision serves)"


def planned_on(live: LiveService, from_template: bool = False) -> RevisionConfig:
    """What a plan with no `Base` reads its before-values from: the template; a worker
    pool's whose template its instances do not run (a deploy not rolled out: the fix stops
    there unless `--from-template`), the revision the plan's header names, the one they run —
    as a service's plan reads what serves, and its template only with `--from-template`
    (helper-809 F4: "(from consumer-00001-qtu)" over the template's values)."""
    if live.kind is not Kind.WORKER_POOL or from_template or template_serves(live):
        return live.template
    return live.serving[0].config if live.serving else live.template


def unreleased_note(live: LiveService, state: LiveState, project: str) -> str:
    """Why the service's (worker pool's) template is not what serves (empty when it is; a
    job's template is what its next execution runs). `project`: the profile's."""
    noun = live.kind.noun
    if live.latest_created and not live.latest_created_ready:
        return (
            f"the {noun} template's revision {live.latest_created} failed "
            f"({live.latest_created_message})"
        )
    if live.kind is Kind.WORKER_POOL:  # updated in place: the write runs the template
        named = named_differences(unreleased_revisions(live))  # check's warning, fix's stop
        return f"the {noun} template differs from what serves ({'; '.join(named)})" if named else ""
    if live.kind is Kind.SERVICE and live.source is not None and template_serves(live):
        # the template's own revision serves a share, through LATEST or by name (a gradual
        # rollout, an older revision beside it): the template is released, and a write
        # builds on it as `drift fix` does (`base_revision`). SPEC invariant 8 is about a
        # template that does not serve.
        return ""
    built_on, held = unreleased_differences(live)  # fix's stop, images included (revreal61)
    differs = [
        r.name
        for r in live.serving
        if r.percent > 0
        and (
            (held and r.name == built_on)
            or not same_configuration(live.template, r.config, state, project)
        )
    ]
    if differs:
        return f"the {noun} template differs from what serves ({', '.join(differs)})"
    return ""
