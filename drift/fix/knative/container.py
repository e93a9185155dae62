"""A container both ways: a v2 `Container` as the Knative (Kubernetes core v1) container
`replace` takes, and back. Fields of the same meaning keep the same value; zero values are
left out, as Knative's defaults are the v2 zero values."""

from __future__ import annotations

from typing import Any

from drift.fix.knative.conversion import Conversion, present, text


def _some(**fields: Any) -> dict[str, Any]:
    """The fields that are set (0, "" and empty lists are the proto defaults)."""
    return {k: v for k, v in fields.items() if v not in (None, "", 0, [], {})}


def container_out(conv: Conversion, c: Any, hidden_mounts: set[str]) -> dict[str, Any]:
    """`hidden_mounts`: volumes Knative does not list (Cloud SQL, an annotation)."""
    where = f"container {c.name or c.image}"
    command = conv.words(f"{where} command", list(c.command))
    args = conv.words(f"{where} args", list(c.args))
    out = _some(name=c.name, image=c.image, command=command, args=args)
    if c.working_dir:
        out["workingDir"] = conv.free(f"{where} workingDir", c.working_dir)
    env = [_env_out(conv, c.name, v) for v in c.env]
    if env:
        out["env"] = env
    if present(c, "resources"):
        out["resources"] = {"limits": dict(c.resources.limits)} if c.resources.limits else {}
    ports = [_some(name=p.name, containerPort=p.container_port) for p in c.ports]
    if ports:
        out["ports"] = ports
    mounts = [
        _some(
            name=m.name,
            mountPath=conv.free(f"{where} mountPath", m.mount_path),
            subPath=conv.free(f"{where} subPath", m.sub_path),
        )
        for m in c.volume_mounts
        if m.name not in hidden_mounts
    ]
    if mounts:
        out["volumeMounts"] = mounts
    for field, key in _PROBES:
        if present(c, field):
            out[key] = _probe_out(conv, f"{where} {key}", getattr(c, field))
    for field in ("source_code", "build_info"):
        if present(c, field):
            conv.note(f"container {c.name or c.image}: {field} has no Knative form")
    return out


def _env_out(conv: Conversion, container: str, var: Any) -> dict[str, Any]:
    if present(var, "value_source"):
        ref = var.value_source.secret_key_ref
        # v1 SecretKeySelector.key is "Required" ("'latest' for the latest version, an integer
        # for a specific version, or a version alias"); a v2 reference with none reads the
        # latest (as drift reads it: `SecretRef.parse`), so the YAML names it (helper-617 F4)
        key = ref.version or "latest"
        return {
            "name": var.name,
            "valueFrom": {"secretKeyRef": {"name": conv.secret_name(ref.secret), "key": key}},
        }
    return {"name": var.name, "value": conv.plain(container, var.name, var.value)}


_PROBES = (
    ("startup_probe", "startupProbe"),
    ("liveness_probe", "livenessProbe"),
    ("readiness_probe", "readinessProbe"),
)


def _probe_out(conv: Conversion, where: str, p: Any) -> dict[str, Any]:
    out = _some(
        initialDelaySeconds=p.initial_delay_seconds,
        timeoutSeconds=p.timeout_seconds,
        periodSeconds=p.period_seconds,
        failureThreshold=p.failure_threshold,
    )
    if present(p, "http_get"):
        get = p.http_get
        headers = [
            {"name": h.name, "value": conv.header(f"{where} header", h.name, h.value)}
            for h in get.http_headers
        ]
        path = conv.free(f"{where} path", get.path)  # `/healthz?token=…`, as `shown` masks it
        out["httpGet"] = _some(path=path, port=get.port, httpHeaders=headers)
    if present(p, "tcp_socket"):
        out["tcpSocket"] = _some(port=p.tcp_socket.port)
    if present(p, "grpc"):
        out["grpc"] = _some(port=p.grpc.port, service=conv.free(f"{where} service", p.grpc.service))
    return out


# --- back: Knative -> v2 ------------------------------------------------------------------


def container_in(doc: dict[str, Any], aliases: dict[str, str]) -> Any:
    """`aliases`: the `run.googleapis.com/secrets` map (alias -> `projects/P/secrets/NAME`)."""
    from google.cloud import run_v2

    c = run_v2.Container(
        name=doc.get("name", ""),
        image=doc.get("image", ""),
        command=[str(a) for a in doc.get("command") or []],
        args=[str(a) for a in doc.get("args") or []],
        working_dir=doc.get("workingDir", ""),
        env=[_env_in(v, aliases) for v in doc.get("env") or []],
        ports=[
            run_v2.ContainerPort(
                name=p.get("name", ""), container_port=int(p.get("containerPort", 0))
            )
            for p in doc.get("ports") or []
        ],
        volume_mounts=[
            run_v2.VolumeMount(
                name=m.get("name", ""),
                mount_path=m.get("mountPath", ""),
                sub_path=m.get("subPath", ""),
            )
            for m in doc.get("volumeMounts") or []
        ],
    )
    if "resources" in doc:
        limits = (doc.get("resources") or {}).get("limits") or {}
        c.resources = run_v2.ResourceRequirements(limits={k: str(v) for k, v in limits.items()})
    for field, key in _PROBES:
        if key in doc:
            setattr(c, field, _probe_in(doc[key] or {}))
    return c


def _env_in(doc: dict[str, Any], aliases: dict[str, str]) -> Any:
    from google.cloud import run_v2

    ref = (doc.get("valueFrom") or {}).get("secretKeyRef")
    if ref is None:
        # a null `value:` runs as "": run v2 EnvVar.value "Defaults to \"\"" (so does the
        # v1 EnvVar gcloud sends); a reference's `key` is required (knative.SecretKeyRef)
        return run_v2.EnvVar(name=doc["name"], value=text(doc, "value"))
    name = text(ref, "name")
    return run_v2.EnvVar(
        name=doc["name"],
        value_source=run_v2.EnvVarSource(
            secret_key_ref=run_v2.SecretKeySelector(
                secret=aliases.get(name, name), version=text(ref, "key")
            )
        ),
    )


def _probe_in(doc: dict[str, Any]) -> Any:
    from google.cloud import run_v2

    p = run_v2.Probe(
        initial_delay_seconds=int(doc.get("initialDelaySeconds", 0)),
        timeout_seconds=int(doc.get("timeoutSeconds", 0)),
        period_seconds=int(doc.get("periodSeconds", 0)),
        failure_threshold=int(doc.get("failureThreshold", 0)),
    )
    if "httpGet" in doc:
        get = doc["httpGet"] or {}
        p.http_get = run_v2.HTTPGetAction(
            path=get.get("path", ""),
            port=int(get.get("port", 0)),
            http_headers=[
                run_v2.HTTPHeader(name=text(h, "name"), value=text(h, "value"))
                for h in get.get("httpHeaders") or []
            ],
        )
    if "tcpSocket" in doc:
        p.tcp_socket = run_v2.TCPSocketAction(port=int((doc["tcpSocket"] or {}).get("port", 0)))
    if "grpc" in doc:
        grpc = doc["grpc"] or {}
        p.grpc = run_v2.GRPCAction(port=int(grpc.get("port", 0)), service=grpc.get("service", ""))
    return p
