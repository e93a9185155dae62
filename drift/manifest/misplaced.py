"""Annotations standing for settings written where the conversion does not read them.

The Cloud Run YAML reference (https://cloud.google.com/run/docs/reference/yaml/v1) puts each
annotation that stands for a setting at one level: a Service's ingress, IAP, invoker IAM,
service-level scaling, binary authorization in its `metadata.annotations`; a revision's
scaling, CPU allocation, session affinity, execution environment, VPC access, secrets aliases
and encryption key in `spec.template.metadata.annotations` (a Job's execution template's
likewise; a WorkerPool's instance count in its own metadata). `drift.fix.knative` reads each
one there and takes it out of the annotations it keeps; one written at another level is kept
as a plain annotation, and the setting it names is read as its default. Whether Cloud Run
refuses such a deploy or applies the value the docs do not say: the setting is not verified,
at the annotation's `file:line`, never reported clean (SPEC invariant 6).

An annotation of Cloud Run's own namespaces that the conversion does not read at all (`unread`:
a new one, or a misspelt one such as `run.googleapis.com/cpu-throttle`) is likewise not
verified, at its line, naming the key it resembles: the YAML reference lists the annotations
Cloud Run takes, and what it does with another one there (refuses the deploy, ignores it) the
v1 docs do not say (the v2 API "does not support annotations with `run.googleapis.com`,
`cloud.googleapis.com`, `serving.knative.dev`, or `autoscaling.knative.dev` namespaces, and
they will be rejected in new resources", run v2 service.proto Service.annotations). A misspelt
key leaves the setting it meant at its default, so what that setting covers is not verified
either."""

from __future__ import annotations

import difflib
from typing import Any

from drift.fix.knative import keys
from drift.kinds import Kind
from drift.manifest.model import Unknown
from drift.yamldoc import Located

_SCALE = ("manual_instances", "instance_count")
TARGETS: dict[str, tuple[str, ...]] = {
    keys.INGRESS: ("setting.ingress",),
    keys.BINAUTHZ: ("setting.binary_authorization",),
    keys.BINAUTHZ_BREAKGLASS: ("setting.binary_authorization",),
    keys.INVOKER_IAM_DISABLED: ("setting.invoker_iam_disabled",),
    keys.DEFAULT_URL_DISABLED: ("setting.default_uri_disabled",),
    keys.IAP_ENABLED: ("setting.iap_enabled",),
    keys.CUSTOM_AUDIENCES: ("setting.custom_audiences",),
    keys.SERVICE_MIN_SCALE: ("setting.min_instances",),
    keys.SERVICE_MAX_SCALE: ("setting.max_instances",),
    keys.SCALING_MODE: tuple(f"setting.{s}" for s in _SCALE),
    keys.MANUAL_INSTANCES: tuple(f"setting.{s}" for s in _SCALE),
    keys.MIN_SCALE: ("setting.min_instances",),
    keys.MAX_SCALE: ("setting.max_instances",),
    keys.CPU_THROTTLING: ("setting.cpu_throttling",),
    keys.STARTUP_BOOST: ("setting.startup_cpu_boost",),
    keys.SESSION_AFFINITY: ("setting.session_affinity",),
    keys.EXECUTION_ENVIRONMENT: ("setting.execution_environment",),
    keys.VPC_CONNECTOR: ("setting.vpc_connector", "setting.vpc_egress"),
    keys.VPC_EGRESS: ("setting.vpc_egress",),
    keys.NETWORK_INTERFACES: tuple(
        f"setting.{s}" for s in ("vpc_network", "vpc_subnet", "vpc_network_tags", "vpc_egress")
    ),
    keys.ENCRYPTION_KEY: ("setting.encryption_key",),
    keys.REVOCATION_ACTION: ("setting.encryption_key_revocation_action",),
    keys.SHUTDOWN_HOURS: ("setting.encryption_key_shutdown_hours",),
    keys.GPU_ZONAL_REDUNDANCY_DISABLED: ("setting.gpu_zonal_redundancy_disabled",),
    # the aliases name the project of each secret a variable or a volume refers to
    keys.SECRETS: ("env.*", "mount.*"),
}
"""What each annotation standing for a setting decides: the finding targets it covers.
Annotations that decide nothing drift compares (description, launch stage, mesh, Cloud SQL
instances, container dependencies) are left out."""

_LEVELS = (
    (("metadata",), "metadata.annotations"),
    (("spec", "template", "metadata"), "spec.template.metadata.annotations"),
)


def misplaced(doc: Located, kind: Kind, resource: Any) -> list[Unknown]:
    """Each annotation of `TARGETS` the conversion of `doc` into `resource` left unread (kept
    among the resource's or its template's plain annotations): what it covers is unknown."""
    kept = (dict(resource.annotations), dict(resource.template.annotations))
    found = []
    for (where, shown), held in zip(_LEVELS, kept, strict=True):
        for name in sorted(held.keys() & TARGETS.keys()):
            line = doc.line((*where, "annotations", name))
            why = (
                f"{doc.file}:{line}: {name} in {shown} of this {kind.noun}, where Cloud Run "
                "does not take it (Cloud Run YAML reference); drift does not read it there, "
                "and what Cloud Run makes of it (refused, ignored or applied) is not documented"
            )
            found += [Unknown(target, why) for target in TARGETS[name]]
    return found


NAMESPACES = ("run.googleapis.com/", "autoscaling.knative.dev/", "serving.knative.dev/")
"""Cloud Run's own annotation namespaces (run v2 service.proto, Service.annotations)."""
_KNOWN = {k.lower(): k for k in sorted(keys.SERVICE_KEYS | keys.TEMPLATE_KEYS)}
"""The keys drift reads, by their lower case (what a misspelling is matched against)."""
_TAKEN = keys.SERVER_SET | keys.READ_ONLY


def unread(doc: Located, kind: Kind, resource: Any) -> list[Unknown]:
    """Each annotation of Cloud Run's namespaces that the conversion of `doc` left among the
    plain annotations and that `misplaced` does not name: not verified at its line (`target`
    `annotation.KEY`, which withholds no finding), and, where it resembles a key drift reads,
    what that key decides."""
    kept = (dict(resource.annotations), dict(resource.template.annotations))
    found = []
    for (where, shown), held in zip(_LEVELS, kept, strict=True):
        for name in sorted(held):
            if not name.startswith(NAMESPACES) or name in TARGETS or name in _TAKEN:
                continue
            line = doc.line((*where, "annotations", name))
            near = _resembles(name)
            meant = f"; did you mean {near}? That setting is read as its default" if near else ""
            why = (
                f"{doc.file}:{line}: {name} in {shown} of this {kind.noun} is no annotation "
                f"drift reads{meant}; what Cloud Run makes of it (refused or ignored) is not "
                "documented"
            )
            found.append(Unknown(f"annotation.{name}", why))
            found += [Unknown(target, why) for target in TARGETS.get(near or "", ())]
    return found


def _resembles(name: str) -> str | None:
    """The known key `name` is most likely a misspelling of (its case, a letter or two)."""
    close = difflib.get_close_matches(name.lower(), list(_KNOWN), n=1, cutoff=0.9)
    return _KNOWN[close[0]] if close else None
