"""A Cloud Run v2 `Service` as the Knative `serving.knative.dev/v1` Service `gcloud run
services replace` takes, and back: every field that has a Knative form, values as read."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from drift.fields import enum_name as field_enum
from drift.fix.knative import keys
from drift.fix.knative.conversion import Conversion, present, text
from drift.fix.knative.pod import (
    enum_name,
    finish_annotations,
    merge,
    pod_in,
    pod_out,
    seconds_of,
)
from drift.live.normalize import raw

SERVICE_API = "serving.knative.dev/v1"


def split_name(name: str) -> tuple[str, str, str]:
    """`projects/P/locations/R/services/N` -> (P, R, N); parts missing are ""."""
    parts = name.split("/")
    if len(parts) == 6:
        return parts[1], parts[3], parts[5]
    return "", "", parts[-1]


def service_out(conv: Conversion, service: Any, *, project: str, region: str) -> dict[str, Any]:
    fields: dict[str, str] = {}
    _service_fields(conv, service, fields)
    metadata = resource_metadata(
        conv, service, fields, keys.SERVICE_KEYS, project=project, region=region, noun="service"
    )
    spec: dict[str, Any] = {"template": template_out(conv, service.template)}
    if service.traffic:
        spec["traffic"] = [target_out(t) for t in service.traffic]
    return {"apiVersion": SERVICE_API, "kind": "Service", "metadata": metadata, "spec": spec}


def resource_metadata(
    conv: Conversion,
    r: Any,
    fields: dict[str, str],
    mapped: frozenset[str],
    *,
    project: str,
    region: str,
    noun: str,
) -> dict[str, Any]:
    """The `metadata` of a service's, job's or worker pool's document: its name, its project
    as the namespace, its labels with the region's, its annotations (without the ones the
    server writes) with those standing for `fields` (`mapped`: the keys read back as fields)."""
    namespace, located, name = split_name(r.name)
    labels = {k: conv.free(f"label {k}", v) for k, v in r.labels.items()}
    location = located or region
    if labels.setdefault(keys.LOCATION_LABEL, location) != location:
        conv.note(f"label {keys.LOCATION_LABEL} on the live {noun} is not its region")
    annotations = {k: v for k, v in r.annotations.items() if k not in keys.SERVER_SET}
    metadata: dict[str, Any] = {"name": name, "namespace": namespace or project, "labels": labels}
    merged = merge(conv, annotations, fields, mapped)
    if merged:
        metadata["annotations"] = merged
    return metadata


def _service_fields(conv: Conversion, s: Any, out: dict[str, str]) -> None:
    ingress = keys.INGRESS_VALUES.get(enum_name(s.ingress))
    if ingress:
        out[keys.INGRESS] = ingress
    if s.description:
        out[keys.DESCRIPTION] = conv.free("the description", s.description)
    common_out(conv, s, out)
    for flag, key in (
        (s.invoker_iam_disabled, keys.INVOKER_IAM_DISABLED),
        (s.default_uri_disabled, keys.DEFAULT_URL_DISABLED),
        (s.iap_enabled, keys.IAP_ENABLED),
    ):
        if flag:
            out[key] = "true"
    if s.custom_audiences:
        audiences = [conv.free("a custom audience", a) for a in s.custom_audiences]
        out[keys.CUSTOM_AUDIENCES] = json.dumps(audiences)
    scaling = s.scaling
    if scaling.min_instance_count:
        out[keys.SERVICE_MIN_SCALE] = str(scaling.min_instance_count)
    if scaling.max_instance_count:
        out[keys.SERVICE_MAX_SCALE] = str(scaling.max_instance_count)
    mode = keys.SCALING_MODES.get(enum_name(scaling.scaling_mode))
    if mode:
        out[keys.SCALING_MODE] = mode
    if "manual_instance_count" in scaling:
        out[keys.MANUAL_INSTANCES] = str(scaling.manual_instance_count)
    if s.multi_region_settings.regions:
        out[keys.REGIONS] = ",".join(s.multi_region_settings.regions)
    if s.multi_region_settings.multi_region_id:
        conv.note("multi_region_settings.multi_region_id has no Knative form")
    if present(s, "build_config"):
        _build_out(conv, s.build_config, out)


def _build_out(conv: Conversion, build: Any, out: dict[str, str]) -> None:
    """Service.build_config as gcloud 528 writes it (`keys.BUILD`). Its build variables are
    plain values like a container's (an `NPM_TOKEN`): masked by the same rule
    (`Conversion.plain`, the document then not appliable unless `--reveal`)."""
    for name, key in keys.BUILD.items():
        value = getattr(build, name)
        if name == "enable_automatic_updates":
            out[key] = "true" if value else "false"
        elif name == "environment_variables" and value:
            shown = {k: conv.plain("build", k, v) for k, v in dict(value).items()}
            out[key] = json.dumps(shown, sort_keys=True)  # a stable file
        elif value and isinstance(value, str):
            out[key] = conv.free(f"build {name}", value)


def common_out(conv: Conversion, r: Any, out: dict[str, str]) -> None:
    """What a Service, a Job and a WorkerPool share: launch stage, binary authorization (its
    breakglass justification an operator's free text, masked as one: `Conversion.free`)."""
    stage = field_enum(raw(r), "launch_stage")
    if stage not in ("LAUNCH_STAGE_UNSPECIFIED", ""):
        out[keys.LAUNCH_STAGE] = stage
    auth = r.binary_authorization
    if auth.use_default or auth.policy:
        out[keys.BINAUTHZ] = "default" if auth.use_default else auth.policy
    if auth.breakglass_justification:
        out[keys.BINAUTHZ_BREAKGLASS] = conv.free(
            "the breakglass justification", auth.breakglass_justification
        )


def template_out(conv: Conversion, t: Any) -> dict[str, Any]:
    fields: dict[str, str] = {}
    if t.scaling.min_instance_count:
        fields[keys.MIN_SCALE] = str(t.scaling.min_instance_count)
    if t.scaling.max_instance_count:
        fields[keys.MAX_SCALE] = str(t.scaling.max_instance_count)
    if t.session_affinity:
        fields[keys.SESSION_AFFINITY] = "true"
    if t.health_check_disabled:
        fields[keys.HEALTH_CHECK_DISABLED] = "true"
    if t.service_mesh.mesh:
        fields[keys.MESH] = t.service_mesh.mesh
    pod = pod_out(conv, t, fields)
    spec: dict[str, Any] = {}
    if t.max_instance_request_concurrency:
        spec["containerConcurrency"] = t.max_instance_request_concurrency
    seconds = seconds_of(t.timeout)
    if seconds:
        if seconds != int(seconds):
            conv.note("the timeout is not whole seconds; Knative has timeoutSeconds")
        spec["timeoutSeconds"] = int(seconds)
    spec.update(pod)
    return {"metadata": template_metadata(conv, t, fields), "spec": spec}


def template_metadata(conv: Conversion, t: Any, fields: dict[str, str]) -> dict[str, Any]:
    """The `metadata` of a revision, execution or worker pool template, once its `spec` is
    written (the aliases of other projects' secrets are known then): its revision name, labels
    and annotations with those standing for `fields`."""
    finish_annotations(conv, fields)
    metadata: dict[str, Any] = {}
    if getattr(t, "revision", ""):  # an execution template names no revision
        metadata["name"] = t.revision
    if t.labels:
        metadata["labels"] = {k: conv.free(f"label {k}", v) for k, v in t.labels.items()}
    annotations = merge(conv, t.annotations, fields, keys.TEMPLATE_KEYS)
    if annotations:
        metadata["annotations"] = annotations
    return metadata


def target_out(t: Any) -> dict[str, Any]:
    """A traffic target or an instance split (which has no tag)."""
    out: dict[str, Any] = {"percent": int(t.percent)}
    if enum_name(t.type_).endswith("LATEST"):
        out["latestRevision"] = True
    else:
        out["revisionName"] = t.revision
    if getattr(t, "tag", ""):
        out["tag"] = t.tag
    return out


# --- back: Knative -> v2 ------------------------------------------------------------------


def metadata_in(
    doc: dict[str, Any], collection: str, region: str
) -> tuple[str, dict[str, str], dict[str, str]]:
    """A document's v2 name (`projects/NAMESPACE/locations/REGION/COLLECTION/NAME`, the region
    from the location label), labels without that label, and annotations without the ones
    the server writes."""
    metadata = doc.get("metadata") or {}
    labels = {k: str(v) for k, v in (metadata.get("labels") or {}).items()}
    location = labels.pop(keys.LOCATION_LABEL, "") or region
    ann = {
        k: str(v)
        for k, v in (metadata.get("annotations") or {}).items()
        if k not in keys.SERVER_SET | keys.READ_ONLY
    }
    namespace, name = text(metadata, "namespace"), text(metadata, "name")
    return f"projects/{namespace}/locations/{location}/{collection}/{name}", labels, ann


def service_in(doc: dict[str, Any], *, region: str = "") -> Any:
    """The v2 Service a Knative Service document describes (what `replace` would make)."""
    from google.cloud import run_v2

    name, labels, ann = metadata_in(doc, "services", region)
    s = run_v2.Service(name=name, labels=labels)
    _service_fields_in(ann, s)
    s.annotations = ann
    spec = doc.get("spec") or {}
    s.template = template_in(spec.get("template") or {})
    kinds = run_v2.TrafficTargetAllocationType
    s.traffic = [
        target_in(
            t,
            run_v2.TrafficTarget,
            (
                kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST,
                kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            ),
            tag=text(t, "tag"),
        )
        for t in spec.get("traffic") or []
    ]
    return s


def _service_fields_in(ann: dict[str, str], s: Any) -> None:
    from google.cloud import run_v2

    ingress = {v: k for k, v in keys.INGRESS_VALUES.items()}.get(ann.pop(keys.INGRESS, ""))
    if ingress:
        s.ingress = getattr(run_v2.IngressTraffic, ingress)
    s.description = ann.pop(keys.DESCRIPTION, "")
    common_in(ann, s)
    s.invoker_iam_disabled = ann.pop(keys.INVOKER_IAM_DISABLED, "") == "true"
    s.default_uri_disabled = ann.pop(keys.DEFAULT_URL_DISABLED, "") == "true"
    s.iap_enabled = ann.pop(keys.IAP_ENABLED, "") == "true"
    s.custom_audiences = json.loads(ann.pop(keys.CUSTOM_AUDIENCES, "") or "[]")
    scaling = run_v2.ServiceScaling(
        min_instance_count=int(ann.pop(keys.SERVICE_MIN_SCALE, 0)),
        max_instance_count=int(ann.pop(keys.SERVICE_MAX_SCALE, 0)),
    )
    mode = {v: k for k, v in keys.SCALING_MODES.items()}.get(ann.pop(keys.SCALING_MODE, ""))
    if mode:
        scaling.scaling_mode = getattr(run_v2.ServiceScaling.ScalingMode, mode)
    manual = ann.pop(keys.MANUAL_INSTANCES, None)
    if manual is not None:
        scaling.manual_instance_count = int(manual)
    if scaling != run_v2.ServiceScaling():
        s.scaling = scaling
    regions = ann.pop(keys.REGIONS, "")
    if regions:
        s.multi_region_settings = run_v2.Service.MultiRegionSettings(regions=regions.split(","))
    build = {name: ann.pop(key) for name, key in keys.BUILD.items() if key in ann}
    if build:
        automatic = build.pop("enable_automatic_updates", "") == "true"
        variables = json.loads(build.pop("environment_variables", "") or "{}")
        s.build_config = run_v2.BuildConfig(
            enable_automatic_updates=automatic, environment_variables=variables, **build
        )


def common_in(ann: dict[str, str], r: Any) -> None:
    from google.api import launch_stage_pb2
    from google.cloud import run_v2

    stage = ann.pop(keys.LAUNCH_STAGE, "")
    if stage:
        r.launch_stage = launch_stage_pb2.LaunchStage.Value(stage.upper())
    policy = ann.pop(keys.BINAUTHZ, "")
    breakglass = ann.pop(keys.BINAUTHZ_BREAKGLASS, "")
    if policy or breakglass:
        auth = run_v2.BinaryAuthorization(breakglass_justification=breakglass)
        if policy == "default":
            auth.use_default = True
        elif policy:
            auth.policy = policy
        r.binary_authorization = auth


def template_in(doc: dict[str, Any]) -> Any:
    from google.cloud import run_v2

    metadata = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    ann = {k: str(v) for k, v in (metadata.get("annotations") or {}).items()}
    t = run_v2.RevisionTemplate(
        revision=metadata.get("name", ""),
        labels={k: str(v) for k, v in (metadata.get("labels") or {}).items()},
        max_instance_request_concurrency=int(spec.get("containerConcurrency", 0)),
    )
    if "timeoutSeconds" in spec:
        t.timeout = timedelta(seconds=int(spec["timeoutSeconds"]))
    low, high = ann.pop(keys.MIN_SCALE, None), ann.pop(keys.MAX_SCALE, None)
    if low is not None or high is not None:
        t.scaling = run_v2.RevisionScaling(
            min_instance_count=int(low or 0), max_instance_count=int(high or 0)
        )
    t.session_affinity = ann.pop(keys.SESSION_AFFINITY, "") == "true"
    t.health_check_disabled = ann.pop(keys.HEALTH_CHECK_DISABLED, "") == "true"
    mesh = ann.pop(keys.MESH, "")
    if mesh:
        t.service_mesh = run_v2.ServiceMesh(mesh=mesh)
    pod_in(spec, ann, t, service=True)
    t.annotations = ann
    return t


def target_in(doc: dict[str, Any], cls: Any, types: tuple[Any, Any], **extra: Any) -> Any:
    """A traffic target or an instance split (`cls`), of the type `types` names for the latest
    revision or for a named one."""
    latest = doc.get("latestRevision") is True  # a quoted "false" is no latest (revman91)
    return cls(
        type_=types[0] if latest else types[1],
        revision="" if latest else text(doc, "revisionName"),
        percent=int(doc.get("percent", 0)),
        **extra,
    )
