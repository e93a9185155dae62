"""What a write of a service builds on, judged where `drift check` can see it too (SPEC
invariant 8): the serving revision a fix builds on (`base_revision`; built once a service,
with the template made from it and its differences: `served_base`), the template made from
it (`template_from_revision`), and how the service's template differs from it when the template
holds a change that does not serve (`unreleased_differences`): what `drift fix` stops on
(`drift.fix.base.fix_base`) and `revision.rollout` warns of, images included; a worker pool's,
updated in place on its template, differs from each revision with instances it does not
describe (`pool_differences`), which `drift.fix.instances.pool_stop` stops on when none of
its instances run the template's own revision (`unreleased_revisions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift.diff.differences import system_key as reserved
from drift.diff.differences import template_differences
from drift.fields import enum_name, same_account
from drift.kinds import Kind
from drift.live.conditions import failed_ready
from drift.live.model import LiveService, RevisionConfig, ServingRevision
from drift.live.normalize import raw
from drift.protofield import is_repeated

FROM_REVISION = (
    "scaling",
    "vpc_access",
    "timeout",
    "service_account",
    "containers",
    "volumes",
    "execution_environment",
    "encryption_key",
    "max_instance_request_concurrency",
    "service_mesh",
    "encryption_key_revocation_action",
    "encryption_key_shutdown_duration",
    "session_affinity",
    "node_selector",
    "gpu_zonal_redundancy_disabled",
)
"""The RevisionTemplate fields a Revision has too (`Revision` and `RevisionTemplate` in
google/cloud/run/v2), taken from the serving revision. Labels and annotations are too, but a
Revision's are output only and may carry system keys: their user keys come from the revision,
the reserved ones (refused on v2 writes unless resent unchanged) from the template as read
(MERGED). `health_check_disabled` exists on templates only: it comes from the template
(FROM_TEMPLATE). Every field of the installed client's RevisionTemplate and
WorkerPoolRevisionTemplate is in one of these lists or in LEFT_OUT
(tests/fix/test_base_fields.py): a field a newer client adds fails that test until it is."""
MERGED = ("labels", "annotations")
FROM_TEMPLATE = ("health_check_disabled",)
LEFT_OUT = ("revision",)
"""The template's fields a fix deliberately does not carry over: `revision`, the name of the
serving revision (a Base's template has none: each write names its own)."""


def latest_routed(service: Any) -> bool:
    """Whether some traffic goes to LATEST (the latest ready revision)."""
    return any(
        enum_name(raw(t), "type_").endswith("LATEST") and t.percent > 0 for t in service.traffic
    )


def base_revision(live: LiveService) -> str:
    """The serving revision a canary replaces: the one LATEST resolves to when traffic is
    routed to LATEST; else the template's own revision when it serves a share by name (a
    gradual rollout as gcloud makes it: `deploy --no-traffic`, then `update-traffic
    --to-revisions NEW=10`, both revisions then named in the traffic list:
    cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration): it is where the rollout
    goes, whatever its share (README: "on a tie, the latest ready one"); else the one with the
    most traffic."""
    if latest_routed(live.source) and live.latest_ready:
        return live.latest_ready
    if own := template_revision(live):
        return own
    if not live.serving:
        return ""
    # on a tie for the most traffic, the one running the template's images: where the
    # rollout goes (a fix stopped before its promotion leaves the template its canary's, not
    # serving), never an older image's side to move the other's share onto (helper-811 F1)
    most = [s for s in live.serving if s.percent == live.serving[0].percent]
    images = _images(live.template)
    return next((s.name for s in most if _images(s.config) == images), most[0].name)


def rollout_target(live: LiveService) -> str:
    """The revision a fix writes (a service's `base_revision`; a pool's template's revision,
    when it has instances); "" for a job, a manifest, a pool whose template does not run."""
    if live.source is None or live.kind is Kind.JOB:
        return ""
    if live.kind is Kind.WORKER_POOL:
        return live.latest_created if template_serves(live) else ""
    return base_revision(live)


def template_serves(live: LiveService) -> bool:
    """Whether the template's revision, ready, serves a share (a pool's: has instances), by
    name or through LATEST (`template_revision`): the template is released, a gradual rollout
    under way (`deploy --no-traffic`, `update-traffic --to-revisions NEW=10`; a pool's
    `update-instance-split`, run/docs/managing/workerpool-instance-splits-rollbacks)."""
    return bool(template_revision(live))


def template_revision(live: LiveService) -> str:
    """The revision serving a share that runs the template: its own (the latest created),
    ready; else, a service's, a ready revision serving a share whose configuration is the
    template's (`runs_template`), the most traffic first. Cloud Run makes a revision for each
    change of the template ("Each deployment to a service creates a revision",
    run/docs/resource-model), so a template put back as it was (`drift rollback`, or a
    redeploy of what serves) is a new revision at 0 % beside the one that ran it and serves
    (helper-811 F1): a write onto either runs the same. "" when none."""
    own = live.latest_created if live.latest_created_ready else ""
    if own and any(s.name == own and s.percent for s in live.serving):
        return own
    if live.kind is not Kind.SERVICE or live.source is None:  # a pool's: its own alone
        return ""
    return next((s.name for s in live.serving if s.percent and runs_template(live, s)), "")


def runs_template(live: LiveService, revision: ServingRevision) -> bool:
    """Whether a revision read (`revision.source`), ready, runs the service's template: no
    difference as a write would run it (`written_differences`: every field of the template,
    images as named, variables with their secrets and versions, volumes, the revision's own
    scaling, its user labels and annotations) and none as `drift check` compares them (the
    fingerprint, its settings as the catalogue compares them, `RevisionConfig.fingerprint_as`:
    no account named and the default one are one; its secret references exactly: a secret
    named two ways is not taken as one), images alike, its containers in the template's
    order, and no field the template alone carries set (`_template_only`). Never looser than
    either: a false "same" would build a fix on another configuration. The v2 Revision
    carries no digest (`drift.fix.recorded`): an image named by a tag is the same name on
    both, resolved again when a canary is made, whichever it is built on."""
    if (
        revision.source is None
        or not revision.ready
        or failed_ready(raw(revision.source).conditions)
    ):
        return False
    config, template = revision.config, live.template
    # the containers in the template's order: a write builds on the revision's, and another
    # order is another template (helper-820 F1)
    if list(_images(config).items()) != list(_images(template).items()):
        return False
    if live.source is None or _template_only(live.source.template):
        return False
    return config.fingerprint_as(template) == template.fingerprint and not written_differences(
        live, revision
    )


def _template_only(template: Any) -> bool:
    """Whether the template sets a field no Revision carries (FROM_TEMPLATE:
    `health_check_disabled`) away from its default: whether a revision runs it cannot be
    read, so no revision is proven to run the template (helper-820 F2). One made with it
    set, the template's now at its default, cannot be told from the API either."""
    tpl = raw(template)
    fields = tpl.DESCRIPTOR.fields_by_name
    unset = type(tpl)()
    return any(getattr(tpl, n) != getattr(unset, n) for n in FROM_TEMPLATE if n in fields)


def _images(config: RevisionConfig) -> dict[str, str]:
    """Each container's image, by container name."""
    return {c.name: c.image for c in config.containers}


def failed_template(live: LiveService, name: str) -> str:
    """The latest created revision, when it failed and the template is its spec (it cannot
    serve: a fix replaces it with what serves, `name`); "" otherwise."""
    settled = not live.latest_created_ready and not live.reconciling
    return live.latest_created if settled and live.latest_created != name else ""


@dataclass(frozen=True)
class Served:
    """The serving revision a fix builds on (`base_revision`), as read: `revision`, None when
    it was not read; `template` made from it (`template_from_revision`), None when the reader
    described it by the service's template (it is the template's revision); how the service's
    template differs from it (what serves → the template, a line each)."""

    name: str
    revision: ServingRevision | None = None
    template: Any = None
    differences: tuple[str, ...] = ()


def served_base(live: LiveService) -> Served:
    """What `drift fix` builds on (`drift.fix.base.fix_base`) and `revision.rollout` measures
    the template against (`unreleased_differences`), built once per service read: `drift plan`
    asks for both. Kept on the LiveService as `functools.cached_property` keeps its values (a
    LiveService, frozen, is not changed once read; `dataclasses.replace` makes one without)."""
    found = live.__dict__.get(_SERVED)
    if found is None:
        found = live.__dict__[_SERVED] = _served_base(live)
    return found


_SERVED = "_served_base"


def _served_base(live: LiveService) -> Served:
    name = base_revision(live)
    serving = next((s for s in live.serving if s.name == name), None)
    if serving is None or serving.source is None or live.source is None:
        return Served(name, serving)
    template = live.source.template
    made = template_from_revision(serving.source, template)
    return Served(name, serving, made, tuple(template_differences(made, template)))


def unreleased_differences(live: LiveService, built_on: str = "") -> tuple[str, tuple[str, ...]]:
    """(the serving revision a fix builds on, how the template differs from it: what serves →
    the template, a line each) when the template holds a change that does not serve — another
    image, variables, settings — which `drift fix` stops on unless `--from-template`
    (`drift.fix.base.fix_base`: `Base.unreleased`); ("", ()) when it does not: the template is
    what serves (a gradual rollout: its own revision serves a share, by name or LATEST), its
    revision failed (replaced, not released), a deploy is in progress, or the serving revision
    was not read. `built_on`: the serving revision the template's change was built on, when
    drift's journal says (a canary held beside a rollout, `drift.fix.canary_left.built_on`):
    the change is measured against it, not against the larger share (revown63 F5)."""
    if live.source is None or live.kind is not Kind.SERVICE:  # a manifest's; a pool's: its own
        return "", ()
    served = served_base(live)
    if live.reconciling or served.template is None:
        return "", ()
    if not served.differences or failed_template(live, served.name):
        return "", ()
    held = next((r for r in live.serving if r.name == built_on != served.name), None)
    if held is not None and (lines := written_differences(live, held)):
        return held.name, tuple(lines)
    return served.name, served.differences


def unreleased_revisions(live: LiveService, built_on: str = "") -> dict[str, tuple[str, ...]]:
    """Each revision that serves (a pool's: runs instances) from which the template differs
    where a write onto it would roll that out, with the differences (what serves → the
    template, a line each): what `drift fix` stops on and names, and `revision.rollout` warns
    of, images included. A service's: the revision its fix builds on, or the one `built_on`
    names (`unreleased_differences`). A worker pool's, updated in place on its template, whose
    template's revision has no instances: every revision with instances that the template
    does not describe (`drift.fix.instances.pool_stop`). None when the template's own revision
    has instances (a gradual rollout, as a service's: `template_serves`) or failed (a stop
    and a finding of their own, `drift.fix.base.unreleased_note`)."""
    if live.kind is Kind.WORKER_POOL:
        if live.source is None or live.latest_created and not live.latest_created_ready:
            return {}
        return {} if template_serves(live) else dict(_pool_revisions(live))
    name, differences = unreleased_differences(live, built_on)
    return {name: differences} if differences else {}


def pool_differences(live: LiveService) -> tuple[str, ...]:
    """How a worker pool's template differs from each revision its instances run, a line a
    revision (`REVISION: what serves → the template; …`): what a write onto it rolls out."""
    return named_differences(dict(_pool_revisions(live)))


def named_differences(revisions: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """`REVISION: what serves → the template; …`, a line a revision."""
    return tuple(f"{name}: " + "; ".join(lines) for name, lines in revisions.items())


def _pool_revisions(live: LiveService) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (r.name, tuple(lines))
        for r in live.serving
        if r.percent > 0 and (lines := written_differences(live, r))
    ]


def written_differences(live: LiveService, revision: ServingRevision) -> list[str]:
    """How the template differs from a revision that serves (a pool's instances run), every
    field as a write would run it — images included, as a service's fix compares them
    (`drift.fix.base.fix_base`) — one line each, what serves → the template; [] when the
    template describes that revision. Not the check's fingerprint (`same_configuration`),
    which leaves images out on purpose: a gradual rollout is not drift, but a write onto the
    template runs its image."""
    if revision.source is None:  # the reader described it by the template: it is its revision
        return []
    template = live.source.template
    return template_differences(template_from_revision(revision.source, template), template)


def template_from_revision(revision: Any, template: Any) -> Any:
    """A template of `template`'s type (a service's RevisionTemplate; a worker pool's
    WorkerPoolRevisionTemplate, which has fewer fields, returned as protobuf) with the serving
    revision's configuration (see FROM_REVISION)."""
    from google.cloud import run_v2

    rev, tpl = raw(revision), raw(template)
    out = type(tpl)()
    fields = out.DESCRIPTOR.fields_by_name
    for name in (n for n in FROM_REVISION if n in fields):
        _copy(rev, out, name)
    for name in (n for n in FROM_TEMPLATE if n in fields):
        _copy(tpl, out, name)
    if same_account(out.service_account, tpl.service_account):
        out.service_account = tpl.service_account  # a revision names the default account
    for kind in MERGED:
        mine = {k: v for k, v in getattr(rev, kind).items() if not reserved(k)}
        system = {k: v for k, v in getattr(tpl, kind).items() if reserved(k)}
        getattr(out, kind).update({**mine, **system})
    return (
        run_v2.RevisionTemplate.wrap(out) if isinstance(out, run_v2.RevisionTemplate.pb()) else out
    )


def _copy(source: Any, out: Any, name: str) -> None:
    """`source`'s field `name` into `out`, presence as it is: a field with presence (a message,
    an `optional` scalar such as `gpu_zonal_redundancy_disabled`) that `source` leaves unset
    stays unset — assigning its default would set it, a write the plan never named."""
    field = source.DESCRIPTOR.fields_by_name[name]
    if is_repeated(field):
        getattr(out, name).extend(getattr(source, name))
    elif field.has_presence and not source.HasField(name):
        return
    elif field.message_type is not None:
        getattr(out, name).CopyFrom(getattr(source, name))
    else:
        setattr(out, name, getattr(source, name))
