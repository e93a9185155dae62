"""The live values `test_init_round_trip` seeds for each row of the settings catalogue, in the
shapes real workloads hold them (v2 JSON, as Cloud Run's API keeps them): a sidecar or a
second container holding the value, volumes, the API's defaults, the largest values, and odd
but valid spellings (case, a trailing slash, a full or a short resource name, the project's
number for its id). A row missing here fails the test for it (`SHAPES`: every row, every kind
it applies to)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

PROJECT = "p"
NUMBER = 3
RUNNER = "runner@p.iam.gserviceaccount.com"
IMAGE = "us-docker.pkg.dev/p/r/app:1"
SIDE_IMAGE = "us-docker.pkg.dev/p/r/otel:1"
KINDS = ("service", "job", "worker_pool")
ALL = frozenset(KINDS)
SERVICE = frozenset({"service"})
JOB = frozenset({"job"})
POOL = frozenset({"worker_pool"})
NOT_JOB = frozenset({"service", "worker_pool"})
NOT_POOL = frozenset({"service", "job"})
LOC = f"projects/{PROJECT}/locations/us-central1"
KEY = f"{LOC}/keyRings/ring/cryptoKeys/key"


@dataclass(frozen=True)
class Shape:
    """A live value: `top` (the workload's own fields), `template` (its template's, a job's
    task template's), `main` and `side` (the described container's and a sidecar's: the
    service's ingress container and `otel`, the pool's `consumer` and `agent`, the job's one
    container and, with `side`, a second one), `execution` (a job's ExecutionTemplate)."""

    kinds: frozenset[str]
    top: dict[str, Any] = field(default_factory=dict)
    template: dict[str, Any] = field(default_factory=dict)
    main: dict[str, Any] = field(default_factory=dict)
    side: dict[str, Any] | None = None
    execution: dict[str, Any] = field(default_factory=dict)
    said: str | None = None
    """None: init states the row; else what the comment it writes instead says (a value a
    profile cannot state, or one drift cannot read, and why)."""
    noted: str = ""
    """What a comment init writes beside the row's line says ("": none): a probe's headers,
    named, their values not written."""


def _s(kinds: frozenset[str] = ALL, **parts: Any) -> Shape:
    return Shape(kinds, **parts)


def _res(**limits: str) -> dict[str, Any]:
    return {"resources": {"limits": limits}}


DIFFER = "hold cpu_throttling differently"
GCS = {"name": "data", "gcs": {"bucket": "p-uploads", "readOnly": True}}
NFS = {"name": "share", "nfs": {"server": "10.0.0.2", "path": "/exports"}}
SQL = {"name": "cloudsql", "cloudSqlInstance": {"instances": ["p:us-central1:db"]}}


def _mounted(volumes: list[dict[str, Any]], path: str = "/mnt/data", **more: Any) -> Shape:
    mounts = [{"name": v["name"], "mountPath": f"{path}{i or ''}"} for i, v in enumerate(volumes)]
    return _s(template={"volumes": volumes}, main={"volumeMounts": mounts}, **more)


def _interfaces(*interfaces: dict[str, Any], said: str | None = None, **more: Any) -> Shape:
    access = {"networkInterfaces": list(interfaces), **more}
    return _s(template={"vpcAccess": access}, said=said)


HEADER_VALUE = "hdr-value-5521"
"""A probe header's value: never in the profile init writes (a header may carry a token)."""


def _probe(probe: str, kinds: frozenset[str], *bodies: dict[str, Any]) -> list[Shape]:
    return [_s(kinds, main={probe: body}, noted=_headers(body)) for body in bodies]


def _headers(body: dict[str, Any]) -> str:
    """What init's comment says of the headers a probe sends: their names."""
    names = [h["name"] for h in body.get("httpGet", {}).get("httpHeaders", [])]
    return f"sends headers {', '.join(names)}, not written" if names else ""


def _networks(row: str) -> list[Shape]:
    """The shapes of the network rows (`vpc_network`, `vpc_subnet`, `vpc_network_tags`):
    what init says of `row` where an interface does not give it."""
    only_subnet = {"vpc_network": "names only subnetwork"}.get(row)
    untagged = "" if row == "vpc_network_tags" else None
    return [
        _interfaces({"network": "default", "subnetwork": "default"}, said=untagged),
        _interfaces({"network": "prod-vpc"}, egress="ALL_TRAFFIC", said=untagged),
        _interfaces({"subnetwork": "run-subnet", "tags": ["web", "db-client"]}, said=only_subnet),
        _interfaces(
            {
                "network": f"projects/{NUMBER}/global/networks/prod-vpc",
                "subnetwork": f"projects/{PROJECT}/regions/us-central1/subnetworks/run-subnet",
                "tags": ["Web"],
            }
        ),
    ]


GPU = {
    "main": {**_res(cpu="4", memory="16Gi", **{"nvidia.com/gpu": "1"})},
    "template": {"nodeSelector": {"accelerator": "nvidia-l4"}},
}

SHAPES: dict[str, list[Shape]] = {
    "timeout": [
        _s(SERVICE, template={"timeout": t})
        for t in (
            "300s",
            "3600s",
            "1s",
            "1.500s",
            "90s",
            "0.5s",
            "299.999999999s",
            "0.001s",
            "1.000000001s",
        )
    ],
    "min_instances": [
        _s(SERVICE, template={"scaling": {"minInstanceCount": 3}}),
        _s(SERVICE, top={"scaling": {"minInstanceCount": 2}}),
        _s(SERVICE, template={"scaling": {"minInstanceCount": 1000, "maxInstanceCount": 1000}}),
        _s(
            SERVICE,
            top={"scaling": {"minInstanceCount": 2}},
            template={"scaling": {"minInstanceCount": 1}},
        ),
    ],
    "max_instances": [
        _s(SERVICE, template={"scaling": {"maxInstanceCount": 1}}),
        _s(SERVICE, top={"scaling": {"maxInstanceCount": 7}}),
        _s(SERVICE, template={"scaling": {"maxInstanceCount": 0}}),
    ],
    "manual_instances": [
        _s(SERVICE, top={"scaling": {"scalingMode": "MANUAL", "manualInstanceCount": 3}}),
        _s(SERVICE, top={"scaling": {"scalingMode": "MANUAL", "manualInstanceCount": 0}}),
        _s(SERVICE, top={"scaling": {"scalingMode": "AUTOMATIC"}}),
    ],
    "concurrency": [
        _s(SERVICE, template={"maxInstanceRequestConcurrency": c}) for c in (1, 1000, 80, 0)
    ]
    + [_s(SERVICE, main=_res(cpu="0.5", memory="512Mi"))],
    "cpu": [
        _s(main=_res(cpu=c, memory="4Gi"))
        for c in ("1", "2", "1000m", "4", "8", "2000m", "1.0", "4000m")
    ]
    + [_s(SERVICE, main=_res(cpu=c, memory="512Mi")) for c in ("0.5", "83m", "0.08")]
    + [_s(NOT_JOB, main=_res(cpu="1", memory="1Gi"), side=_res(cpu="500m", memory="256Mi"))],
    "memory": [
        _s(main=_res(cpu="2", memory=m))
        for m in (
            "512Mi",
            "1Gi",
            "1G",
            "2048Mi",
            "8Gi",
            "536870912",
            "1.5Gi",
            "4000M",
            "1048576Ki",
            "0.5Gi",
            "1e9",
            "1073741824000m",
        )
    ]
    + [_s(NOT_JOB, side=_res(cpu="1", memory="128Mi"))],
    "cpu_throttling": [
        _s(SERVICE, main={"resources": {"cpuIdle": True}}),
        # ResourceRequirements.cpu_idle: "if ResourceRequirements is set, the caller must
        # explicitly set this field to true to preserve the default" (the sidecar has none)
        _s(SERVICE, main={"resources": {"cpuIdle": False}}, said=DIFFER),
    ]
    + [_s(SERVICE, main={"resources": {"cpuIdle": False}}, side={"resources": {"cpuIdle": False}})],
    "startup_cpu_boost": [
        _s(SERVICE, main={"resources": {"startupCpuBoost": True}}),
        _s(SERVICE, side={"resources": {"startupCpuBoost": True}}),
    ],
    "session_affinity": [_s(SERVICE, template={"sessionAffinity": True})],
    "service_account": [
        _s(template={"serviceAccount": "api@p.iam.gserviceaccount.com"}),
        _s(template={"serviceAccount": f"{NUMBER}-compute@developer.gserviceaccount.com"}),
        _s(template={"serviceAccount": ""}),
        _s(template={"serviceAccount": "Runner@P.iam.gserviceaccount.com"}, said="in lower case"),
        _s(template={"serviceAccount": f"{PROJECT}@appspot.gserviceaccount.com"}),
    ],
    "ingress": [
        _s(SERVICE, top={"ingress": i})
        for i in ("all", "internal", "internal-and-cloud-load-balancing")
    ]
    + [_s(SERVICE, top={"ingress": "none"}, said="none (a profile cannot state it)")],
    "execution_environment": [
        _s(NOT_POOL, template={"executionEnvironment": "EXECUTION_ENVIRONMENT_GEN2"}),
        _s(JOB, template={"executionEnvironment": "EXECUTION_ENVIRONMENT_UNSPECIFIED"}),
        _s(
            SERVICE, template={"executionEnvironment": "EXECUTION_ENVIRONMENT_UNSPECIFIED"}, said=""
        ),
    ]
    + [_s(SERVICE, template={"executionEnvironment": "EXECUTION_ENVIRONMENT_GEN1"})]
    + [
        # the sidecar's CPU lifts the instance to 1.5: Cloud Run chooses (nothing to state)
        _s(
            SERVICE,
            main=_res(cpu="0.5", memory="512Mi"),
            template={"executionEnvironment": e},
            said=s,
        )
        for e, s in (
            ("EXECUTION_ENVIRONMENT_GEN1", None),
            ("EXECUTION_ENVIRONMENT_UNSPECIFIED", ""),
        )
    ],
    "vpc_connector": [
        _s(NOT_POOL, template={"vpcAccess": {"connector": c}})
        for c in (
            "c1",
            "projects/p/locations/europe-west1/connectors/c1",
            f"{LOC}/connectors/c1",
            f"projects/{NUMBER}/locations/us-central1/connectors/c1",
        )
    ],
    "vpc_egress": [
        _s(NOT_POOL, template={"vpcAccess": {"connector": "c1", "egress": "ALL_TRAFFIC"}}),
        _s(NOT_POOL, template={"vpcAccess": {"connector": "c1"}}),
        _interfaces({"network": "default"}, egress="PRIVATE_RANGES_ONLY"),
    ],
    "invoker_iam_disabled": [_s(SERVICE, top={"invokerIamDisabled": True})],
    "default_uri_disabled": [_s(SERVICE, top={"defaultUriDisabled": True})],
    "binary_authorization": [
        _s(top={"binaryAuthorization": {"useDefault": True}}),
        _s(
            top={
                "binaryAuthorization": {
                    "policy": f"projects/{PROJECT}/platforms/cloudRun/policies/pol"
                }
            }
        ),
        _s(
            top={
                "binaryAuthorization": {"useDefault": True, "breakglassJustification": "incident 7"}
            },
            said="a breakglass bypasses Binary Authorization",
        ),
        _s(
            top={
                "binaryAuthorization": {
                    "policy": f"projects/{NUMBER}/platforms/cloudRun/policies/pol"
                }
            }
        ),
        _s(top={"binaryAuthorization": {}}, said=""),
    ],
    "image": [
        _s(main={"image": i}, said="# or {pattern: …}")
        for i in (
            "nginx",
            "docker.io/library/nginx:1.27",
            "us-docker.pkg.dev/p/r/app@sha256:" + "a" * 64,
            "gcr.io/p/app:v1.2.3-rc.1",
        )
    ],
    "depends_on": [
        _s(main={"dependsOn": ["otel"]}, side={}),
        _s(NOT_JOB, side={"dependsOn": ["app"]}),
    ],
    "encryption_key": [
        _s(template={"encryptionKey": KEY}),
        _s(template={"encryptionKey": "projects/p/locations/global/keyRings/r/cryptoKeys/k"}),
        _s(template={"encryptionKey": KEY.replace("/p/", f"/{NUMBER}/")}),
    ],
    "encryption_key_revocation_action": [
        _s(NOT_JOB, template={"encryptionKey": KEY, "encryptionKeyRevocationAction": a})
        for a in ("SHUTDOWN", "PREVENT_NEW")
    ],
    "encryption_key_shutdown_hours": [
        _s(
            NOT_JOB,
            template={
                "encryptionKey": KEY,
                "encryptionKeyRevocationAction": "SHUTDOWN",
                "encryptionKeyShutdownDuration": d,
            },
        )
        for d in ("7200s", "3600s", "0s")
    ]
    + [
        _s(
            NOT_JOB,
            template={
                "encryptionKey": KEY,
                "encryptionKeyRevocationAction": "SHUTDOWN",
                "encryptionKeyShutdownDuration": "5400s",
            },
            said="not whole hours",
        )
    ],
    "gpu_type": [
        _s(**GPU),
        _s(main=GPU["main"], template={"nodeSelector": {"accelerator": "nvidia-rtx-pro-6000"}}),
    ],
    "gpu_zonal_redundancy_disabled": [
        _s(main=GPU["main"], template={**GPU["template"], "gpuZonalRedundancyDisabled": True}),
        _s(main=GPU["main"], template={**GPU["template"], "gpuZonalRedundancyDisabled": False}),
    ],
    "vpc_network": _networks("vpc_network"),
    "vpc_subnet": _networks("vpc_subnet"),
    "vpc_network_tags": _networks("vpc_network_tags"),
    "cloudsql_instances": [
        _mounted([SQL], "/cloudsql"),
        _mounted(
            [
                {
                    "name": "sql",
                    "cloudSqlInstance": {"instances": ["p:us-central1:a", "q:europe-west1:b"]},
                }
            ],
            "/cloudsql",
        ),
        _mounted(
            [{"name": "sql", "cloudSqlInstance": {"instances": ["example.com:p:us-central1:db"]}}],
            "/cloudsql",
        ),
        _s(
            template={"volumes": [SQL]},
            side={"volumeMounts": [{"name": "cloudsql", "mountPath": "/cloudsql"}]},
        ),
    ],
    "storage_buckets": [
        _mounted([GCS]),
        _mounted(
            [{"name": "b", "gcs": {"bucket": "p-assets", "mountOptions": ["implicit-dirs"]}}],
            "/mnt/gcs/",
        ),
        _mounted([GCS, {"name": "logs", "gcs": {"bucket": "p-logs"}}]),
        _mounted([GCS, {"name": "rw", "gcs": {"bucket": "p-uploads"}}]),
        _mounted([{"name": "d", "gcs": {"bucket": "my.bucket.example.com", "readOnly": False}}]),
        _s(
            template={"volumes": [GCS]},
            side={"volumeMounts": [{"name": "data", "mountPath": "/data"}]},
        ),
        _s(
            template={"volumes": [GCS]},
            main={"volumeMounts": [{"name": "data", "mountPath": "/data"}]},
            side={"volumeMounts": [{"name": "data", "mountPath": "/in"}]},
        ),
    ],
    "nfs_shares": [
        _mounted([NFS], "/mnt/nfs"),
        _mounted(
            [{"name": "s", "nfs": {"server": "10.0.0.3", "path": "/exports/", "readOnly": True}}]
        ),
        _mounted([{"name": "s", "nfs": {"server": "nfs.example.internal", "path": "/"}}]),
        _mounted([{"name": "s", "nfs": {"server": "NFS.Example.internal", "path": "/Exports"}}]),
        # helper-710 F11: a path without its leading `/` (the sandbox keeps it; the API's
        # documentation says nothing) is read as text a profile refuses (fields/storage.py)
        _mounted(
            [{"name": "s", "nfs": {"server": "10.0.0.2", "path": "exports"}}],
            said="is no NFS share",
        ),
        # a space in an exported path (NFS allows one): stated as it is (helper-719 F2)
        _mounted([{"name": "s", "nfs": {"server": "10.0.0.2", "path": "/exports/my share"}}]),
        _mounted([{"name": "s", "nfs": {"server": "fd00::2", "path": "/exports"}}]),
    ],
    "http2": [
        _s(SERVICE, main={"ports": [{"name": "h2c", "containerPort": 8080}]}),
        _s(SERVICE, main={"ports": [{"name": "http1", "containerPort": 8080}]}),
        _s(SERVICE, main={"ports": [{"name": "h2c", "containerPort": 9000}]}),
    ],
    "port": [_s(SERVICE, main={"ports": [{"containerPort": p}]}) for p in (9000, 1, 65535)],
    "command": [
        _s(main={"command": ["/bin/sh", "-c", "exec app --flag 'a b'"]}),
        _s(
            main={"command": ["python3"]}, side={"command": ["/otelcol", "--config=/etc/otel.yaml"]}
        ),
        _s(main={"command": ["/usr/bin/env", "A=1,B=2", "app"]}),
        _s(main={"command": ["true"]}),
    ],
    "args": [
        _s(main={"args": ["--port=8080", "--name", "a b", "", "x:y"]}),
        _s(main={"args": ["serve"]}),
        _s(main={"args": ["--tags=a,b", "c", 'say "hi"', "back\\slash", "$(HOME)", "${X}"]}),
        _s(main={"args": ["--x"]}, side={"args": ["--config", "/etc/otel.yaml"]}),
        _s(
            main={
                "args": [
                    "# no comment",
                    "key: value",
                    "- dash",
                    "*star",
                    "{x}",
                    "'q'",
                    "ü",
                    "tab\there",
                    "two\nlines",
                    " lead",
                    "trail ",
                ]
            }
        ),
        _s(main={"args": ["--a=1;--b=2", "%s", "\\,", ",", "yes", "null", "~", "0x10", "1e3"]}),
    ],
    "working_dir": [
        _s(main={"workingDir": "/srv/app"}),
        _s(main={"workingDir": "/srv/app/"}),
        _s(main={"workingDir": "/"}, side={"workingDir": "/otel"}),
        _s(main={"workingDir": "/srv/my app"}),
        _s(main={"workingDir": "/srv/#1: x"}),
    ],
    "service_mesh": [
        _s(
            NOT_JOB,
            template={"serviceMesh": {"mesh": f"projects/{PROJECT}/locations/global/meshes/m"}},
        ),
        _s(
            NOT_JOB,
            template={"serviceMesh": {"mesh": f"projects/{NUMBER}/locations/global/meshes/m"}},
        ),
        _s(NOT_JOB, template={"serviceMesh": {"mesh": "m"}}),
    ],
    "startup_probe": _probe(
        "startupProbe",
        ALL,
        {"tcpSocket": {"port": 8080}},
        {"httpGet": {"path": "/healthz"}, "periodSeconds": 5, "failureThreshold": 24},
        {"tcpSocket": {}, "initialDelaySeconds": 10, "timeoutSeconds": 3, "periodSeconds": 10},
        {
            "grpc": {"service": "health"},
            "failureThreshold": 1,
            "periodSeconds": 240,
            "timeoutSeconds": 240,
        },
        {
            "httpGet": {
                "path": "/ready/",
                "port": 8080,
                "httpHeaders": [
                    {"name": "Host", "value": "x"},
                    {"name": "Authorization", "value": f"Bearer {HEADER_VALUE}"},
                ],
            }
        },
        {"httpGet": {"path": ""}},
        {"tcpSocket": {"port": 0}},
        {"httpGet": {"path": "/h", "port": 9090}, "timeoutSeconds": 10, "periodSeconds": 10},
        {"grpc": {"port": 8080, "service": ""}},
    )
    + [_s(NOT_JOB, side={"startupProbe": {"tcpSocket": {"port": 4317}}})]
    + [_s(main={"startupProbe": {"httpGet": {"path": "/a b"}}}, said="holds whitespace")],
    "liveness_probe": _probe(
        "livenessProbe",
        NOT_JOB,
        {"httpGet": {"path": "/live", "httpHeaders": [{"name": "X-Probe", "value": HEADER_VALUE}]}},
        {"grpc": {}, "periodSeconds": 3600, "timeoutSeconds": 3600, "failureThreshold": 10},
        {"httpGet": {}, "initialDelaySeconds": 3600},
    )
    + [_s(NOT_JOB, side={"livenessProbe": {"httpGet": {"path": "/", "port": 13133}}})],
    "readiness_probe": _probe(
        "readinessProbe",
        SERVICE,
        {"httpGet": {"path": "/ready"}},
        {"httpGet": {"path": "/r/", "port": 8080}, "periodSeconds": 300, "timeoutSeconds": 300},
        {"grpc": {"service": "readiness"}, "failureThreshold": 1, "periodSeconds": 1},
        {"httpGet": {"httpHeaders": [{"name": "X-Ready", "value": HEADER_VALUE}]}},
    )
    + [_s(SERVICE, side={"readinessProbe": {"grpc": {"port": 4317}}})],
    "iap_enabled": [_s(SERVICE, top={"iapEnabled": True})],
    "custom_audiences": [
        _s(SERVICE, top={"customAudiences": ["https://api.example.com/", "Aud-2"]}),
        _s(SERVICE, top={"customAudiences": ["b", "a", "a,c"]}),
        _s(SERVICE, top={"customAudiences": ["a b", "x:y", "#z"]}),
        _s(SERVICE, top={"customAudiences": []}, said=""),
    ],
    "task_timeout": [
        _s(JOB, template={"timeout": t}) for t in ("600s", "86400s", "1.5s", "604800s")
    ],
    "max_retries": [_s(JOB, template={"maxRetries": r}) for r in (0, 10, 3)],
    "parallelism": [_s(JOB, execution={"parallelism": p, "taskCount": 10}) for p in (0, 1, 5, 10)]
    + [_s(JOB, execution={"parallelism": 20, "taskCount": 10}, said='"<= task_count"')],
    "task_count": [_s(JOB, execution={"taskCount": n}) for n in (1, 10000)],
    "instance_count": [_s(POOL, top={"scaling": {"manualInstanceCount": n}}) for n in (0, 5, 1000)]
    + [_s(POOL, top={"scaling": {}})],
}


def _container(name: str, image: str, fields: dict[str, Any] | None) -> dict[str, Any]:
    return {"name": name, "image": image, **copy.deepcopy(fields or {})}


def workload(kind: str, shape: Shape) -> dict[str, Any]:
    """The scenario entry of a `kind` workload holding `shape`: a service with its ingress
    container `app` (port 8080) and sidecar `otel`, a job with one container (two with
    `side`), a worker pool with `consumer` and `agent`."""
    main = _container("app", IMAGE, shape.main)
    side = _container("otel", SIDE_IMAGE, shape.side)
    if kind == "service":
        main.setdefault("ports", [{"containerPort": 8080}])
        containers = [main, side]
    elif kind == "job":
        containers = [main] if shape.side is None else [main, side]
    else:
        containers = [main, side]
    template = {"serviceAccount": RUNNER, "containers": containers, **copy.deepcopy(shape.template)}
    if kind == "job":
        template = {**copy.deepcopy(shape.execution), "template": template}
    spec: dict[str, Any] = {"template": template, **copy.deepcopy(shape.top)}
    if kind == "worker_pool" and "scaling" not in spec:
        spec["instances"] = 1
    return spec
