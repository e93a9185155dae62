"""`plan --format yaml` writes `***` for a Secret Manager value drift read wherever it stands in
the document, key or text, and says the document is not appliable (helper-582 F1: masking
field by field left the traffic tag, paths, volumes, probes, keys, binary authorization, the
image...: a one-word secret was printed whole, one with digits became `tag: ***`, an alias, or
`/hz/***` in a document said appliable). `Conversion.sweep` goes over the finished document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.format.test_tag_masked import ACCOUNT, WORD

DIG = "k7x9q2m4v8z1w3r5"
PROFILE = """project: p1
region: us-central1
services:
  api:
    env:
      API_KEY: {secret: api-key, min_length: 4}
      MODE: b
"""


def world(
    secret: str,
    container_more: Any = None,
    template_more: Any = None,
    service_more: Any = None,
    volumes: Any = None,
) -> dict[str, Any]:
    container = {
        "image": "us-docker.pkg.dev/p1/r/api:v1",
        "ports": [{"containerPort": 8080}],
        "env": [
            {"name": "API_KEY", "valueSource": {"secretKeyRef": {"secret": "api-key"}}},
            {"name": "MODE", "value": "a"},
        ],
    }
    container.update(container_more or {})
    api = {"containers": [container]}
    if volumes:
        api["volumes"] = volumes
    api.update(template_more or {})
    template = {"service_account": ACCOUNT, "api": api}
    sec = {
        "versions": [secret],
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
    }
    svc = {"template": template, **(service_more or {})}
    return {
        "options": {"seed": 7},
        "projects": {
            "p1": {
                "number": 123456789012,
                "region": "us-central1",
                "secrets": {"api-key": sec},
                "services": {"api": svc},
            }
        },
    }


def cases(S: str) -> dict[str, dict[str, Any]]:
    return {
        "traffic tag": {
            "service_more": {
                "history": [{"env": {"API_KEY": {"secret": "api-key"}, "MODE": "a"}}],
                "traffic": [{"latest": True, "percent": 100}, {"revision": 1, "tag": S}],
            }
        },
        "httpGet path": {"container_more": {"livenessProbe": {"httpGet": {"path": f"/hz/{S}"}}}},
        "grpc service": {
            "container_more": {"livenessProbe": {"grpc": {"port": 8080, "service": S}}}
        },
        "header name": {
            "container_more": {
                "livenessProbe": {
                    "httpGet": {"path": "/hz", "httpHeaders": [{"name": S, "value": "1"}]}
                }
            }
        },
        "volumeMount path": {
            "container_more": {"volumeMounts": [{"name": "m", "mountPath": f"/mnt/{S}"}]},
            "volumes": [{"name": "m", "emptyDir": {}}],
        },
        "secret item path": {
            "container_more": {"volumeMounts": [{"name": "s", "mountPath": "/etc/s"}]},
            "volumes": [
                {
                    "name": "s",
                    "secret": {"secret": "api-key", "items": [{"version": "latest", "path": S}]},
                }
            ],
        },
        "nfs path": {
            "container_more": {"volumeMounts": [{"name": "n", "mountPath": "/mnt/n"}]},
            "volumes": [{"name": "n", "nfs": {"server": "10.0.0.2", "path": f"/exports/{S}"}}],
        },
        "gcs bucket": {
            "container_more": {"volumeMounts": [{"name": "g", "mountPath": "/mnt/g"}]},
            "volumes": [{"name": "g", "gcs": {"bucket": S}}],
        },
        "gcs mount option": {
            "container_more": {"volumeMounts": [{"name": "g", "mountPath": "/mnt/g"}]},
            "volumes": [{"name": "g", "gcs": {"bucket": "b", "mountOptions": [f"only-dir={S}"]}}],
        },
        "cloudsql instance": {
            "container_more": {"volumeMounts": [{"name": "cloudsql", "mountPath": "/cloudsql"}]},
            "volumes": [
                {"name": "cloudsql", "cloudSqlInstance": {"instances": [f"p1:us-central1:{S}"]}}
            ],
        },
        "binauthz policy": {
            "service_more": {
                "binaryAuthorization": {"policy": f"projects/p1/platforms/cloudRun/policies/{S}"}
            }
        },
        "binauthz breakglass": {
            "service_more": {
                "binaryAuthorization": {"useDefault": True, "breakglassJustification": S}
            }
        },
        "custom audience": {"service_more": {"customAudiences": [f"https://{S}.example.com"]}},
        "vpc network tag": {
            "template_more": {
                "vpcAccess": {"networkInterfaces": [{"network": "default", "tags": [S]}]}
            }
        },
        "image": {"container_more": {"image": f"us-docker.pkg.dev/p1/r/{S}:v1"}},
        "label key": {"service_more": {"labels": {S: "x"}}},
        "annotation key": {"service_more": {"annotations": {f"x.example/{S}": "x"}}},
        "template label": {"template_more": {"labels": {"k": S}}},
        "template annotation": {"template_more": {"annotations": {"k.example/x": S}}},
        "args": {"container_more": {"args": [S]}},
        "command": {"container_more": {"command": [f"/bin/{S}"]}},
        "workingDir": {"container_more": {"workingDir": f"/srv/{S}"}},
        "description": {"service_more": {"description": S}},
        "header value": {
            "container_more": {
                "livenessProbe": {
                    "httpGet": {"path": "/hz", "httpHeaders": [{"name": "X-K", "value": S}]}
                }
            }
        },
    }


CASES = [(s, name) for s in (WORD, DIG) for name in cases(s)]


@pytest.mark.parametrize(("secret", "field"), CASES, ids=[f"{s[:4]}-{n}" for s, n in CASES])
def test_a_secret_drift_read_is_never_printed_wherever_it_stands(
    tmp_path: Path, secret: str, field: str
) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "env.yaml").write_text(PROFILE)
    with Sandbox(world(secret, **cases(secret)[field])) as sb:
        for more in ((), ("--include-plain-credentials",)):
            done = drift("plan", "env", "--format", "yaml", *more, env=sb.environ(), cwd=tmp_path)
            assert "Traceback" not in done.stderr, done.stderr
            assert secret not in done.stdout + done.stderr, (more, done.stdout)
            document = yaml.safe_load(done.stdout)  # YAML still: never a bare `***` alias
            assert document.get("driftNotAppliable"), (more, done.stdout)


def test_a_short_payload_is_masked_only_where_a_value_is_copied(tmp_path: Path) -> None:
    """A payload too short to be searched for (`latest`) is masked in a variable that holds it
    whole, never in a field the schema owns: every `secretKeyRef.key: latest` masked made
    every plan not appliable and told the value (30496595; helper-583 F1)."""
    world_ = world("latest")
    container = world_["projects"]["p1"]["services"]["api"]["template"]["api"]["containers"][0]
    container["env"][0]["valueSource"]["secretKeyRef"]["version"] = "latest"
    container["env"].append({"name": "CHANNEL", "value": "latest"})
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "env.yaml").write_text(PROFILE)
    with Sandbox(world_) as sb:
        done = drift("plan", "env", "--format", "yaml", env=sb.environ(), cwd=tmp_path)
    document = yaml.safe_load(done.stdout)
    spec = document["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in spec["env"]}
    assert env["CHANNEL"]["value"] == "***", env
    assert env["API_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "latest", env
    assert document["driftNotAppliable"] == "api-1/CHANNEL holds a secret value: not printed"
