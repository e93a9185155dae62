"""Normalisation: noise (variable order, unit spellings, labels and annotations gcloud or the
console add, the default service account) never becomes drift."""

from __future__ import annotations

import datetime as dt

from google.cloud import run_v2

from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS
from drift.live.normalize import config_fingerprint, revision_config

SERVICE = run_v2.Service(ingress=run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL)


def template(
    env: list[tuple[str, str]],
    *,
    cpu: str = "1",
    memory: str = "512Mi",
    timeout: int = 600,
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    account: str = "",
) -> run_v2.RevisionTemplate:
    return run_v2.RevisionTemplate(
        timeout=dt.timedelta(seconds=timeout),
        service_account=account,
        annotations=annotations or {},
        labels=labels or {},
        containers=[
            run_v2.Container(
                image="img",
                env=[run_v2.EnvVar(name=n, value=v) for n, v in env],
                resources=run_v2.ResourceRequirements(limits={"cpu": cpu, "memory": memory}),
                ports=[run_v2.ContainerPort(container_port=8080)],
            )
        ],
    )


def fingerprint(t: run_v2.RevisionTemplate) -> object:
    return config_fingerprint(revision_config(t, service=SERVICE, container=None))


def test_noise_is_not_drift() -> None:
    a = template([("A", "1"), ("B", "2")], cpu="1", memory="512Mi", timeout=600)
    b = template(
        [("B", "2"), ("A", "1")],
        cpu="1000m",
        memory=str(512 * 2**20),
        timeout=600,
        annotations={"run.googleapis.com/operation-id": "x", "client.knative.dev/user-image": "i"},
        labels={"run.googleapis.com/startupProbeType": "Default", "commit-sha": "abc"},
        account="401234567890-compute@developer.gserviceaccount.com",
    )
    assert fingerprint(a) == fingerprint(b)


def test_real_differences_remain() -> None:
    base = template([("A", "1")])
    assert fingerprint(base) != fingerprint(template([("A", "2")]))
    assert fingerprint(base) != fingerprint(template([("A", "1")], cpu="2"))
    assert fingerprint(base) != fingerprint(template([("A", "1")], timeout=300))


def test_units_and_accounts_in_profiles_normalise_alike() -> None:
    config = revision_config(
        template([], timeout=600, cpu="1", memory="1Gi"), service=SERVICE, container=None
    )
    assert config.settings["timeout"] == "600s"
    assert config.settings["cpu"] == "1000m"
    assert config.settings["memory"] == str(2**30)
    assert config.settings["service_account"] == DEFAULT_SERVICE_ACCOUNT
    assert (
        FIELDS["service_account"].normalise("123-compute@developer.gserviceaccount.com")
        == DEFAULT_SERVICE_ACCOUNT
    )
    assert FIELDS["vpc_connector"].normalise("projects/p/locations/r/connectors/c") == "c"
