"""Convert a Cloud Run v2 Service into the Knative `serving.knative.dev/v1` document that
`gcloud run services replace` takes. Plain values that look like credentials are written as
`${NAME}` (fill them with envsubst): drift never prints a credential."""

from __future__ import annotations

from typing import Any

from drift.live.normalize import revision_config
from drift.redact import looks_like_credential

_INGRESS = {
    "all": "all",
    "internal": "internal",
    "internal-and-cloud-load-balancing": "internal-and-cloud-load-balancing",
    "none": "none",
}


def to_knative(service: Any, project: str) -> dict[str, Any]:
    template = service.template
    config = revision_config(template, service=service, container=None)
    s = config.settings
    annotations = dict(service.annotations)
    annotations["run.googleapis.com/ingress"] = _INGRESS.get(str(s["ingress"]), "all")
    t_annotations: dict[str, str] = dict(template.annotations)
    t_annotations["autoscaling.knative.dev/minScale"] = str(s["min_instances"])
    if s["max_instances"]:
        t_annotations["autoscaling.knative.dev/maxScale"] = str(s["max_instances"])
    t_annotations["run.googleapis.com/cpu-throttling"] = str(s["cpu_throttling"]).lower()
    t_annotations["run.googleapis.com/startup-cpu-boost"] = str(s["startup_cpu_boost"]).lower()
    t_annotations["run.googleapis.com/sessionAffinity"] = str(s["session_affinity"]).lower()
    if s["execution_environment"] in ("gen1", "gen2"):
        t_annotations["run.googleapis.com/execution-environment"] = str(s["execution_environment"])
    if template.vpc_access.connector:
        t_annotations["run.googleapis.com/vpc-access-connector"] = template.vpc_access.connector
        if s["vpc_egress"]:
            t_annotations["run.googleapis.com/vpc-access-egress"] = str(s["vpc_egress"])
    spec: dict[str, Any] = {
        "containerConcurrency": int(str(s["concurrency"])),
        "timeoutSeconds": int(float(str(s["timeout"]).rstrip("s"))),
        "containers": [_container(c) for c in template.containers],
    }
    if template.service_account:
        spec["serviceAccountName"] = template.service_account
    t_metadata: dict[str, Any] = {"annotations": t_annotations}
    if template.labels:
        t_metadata["labels"] = dict(template.labels)
    if template.revision:
        t_metadata["name"] = template.revision
    metadata: dict[str, Any] = {
        "name": service.name.rsplit("/", 1)[-1],
        "namespace": project,
        "annotations": annotations,
    }
    if service.labels:
        metadata["labels"] = dict(service.labels)
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {
            "template": {"metadata": t_metadata, "spec": spec},
            "traffic": [_traffic(t) for t in service.traffic],
        },
    }


def _container(c: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"image": c.image}
    if c.name:
        out["name"] = c.name
    if c.ports:
        out["ports"] = [
            {k: v for k, v in (("name", p.name), ("containerPort", p.container_port)) if v}
            for p in c.ports
        ]
    env = []
    for v in c.env:
        ref = v.value_source.secret_key_ref if "value_source" in v else None
        if ref is not None and ref.secret:
            env.append(
                {
                    "name": v.name,
                    "valueFrom": {
                        "secretKeyRef": {
                            "name": ref.secret.rsplit("/", 1)[-1],
                            "key": ref.version or "latest",
                        }
                    },
                }
            )
        elif looks_like_credential(v.name, v.value):
            env.append({"name": v.name, "value": f"${{{v.name}}}"})  # envsubst before replace
        else:
            env.append({"name": v.name, "value": v.value})
    if env:
        out["env"] = env
    if c.resources.limits:
        out["resources"] = {"limits": dict(c.resources.limits)}
    return out


def _traffic(t: Any) -> dict[str, Any]:
    kind = getattr(t.type_, "name", str(t.type_))
    out: dict[str, Any] = {"percent": int(t.percent)}
    if kind.endswith("LATEST"):
        out["latestRevision"] = True
    else:
        out["revisionName"] = t.revision
    if t.tag:
        out["tag"] = t.tag
    return out
