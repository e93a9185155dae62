"""Normalisation: noise (variable order, unit spellings, labels and annotations gcloud or the
console add, the default service account) never becomes drift."""

from __future__ import annotations

import datetime as dt
import pickle

from google.cloud import run_v2

from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS
from drift.findings import Location
from drift.live.normalize import revision_config, same_configuration
from drift.live.state import LiveState
from drift.profiles.model import VarRule
from drift.refs import SecretRef, one_ref

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
    return revision_config(t, service=SERVICE, container=None).fingerprint


def same(a: run_v2.RevisionTemplate, b: run_v2.RevisionTemplate) -> bool:
    config = revision_config(a, service=SERVICE, container=None)
    return same_configuration(
        config, revision_config(b, service=SERVICE, container=None), LiveState(), "p"
    )


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
    # a template naming no account, a revision naming the default one by its address
    assert same(a, b) and same(b, a)
    other = template([("A", "1"), ("B", "2")], account="api@p.iam.gserviceaccount.com")
    assert not same(a, other)
    b.service_account = "999-compute@developer.gserviceaccount.com"
    assert not same(template([], account="401234567890-compute@developer.gserviceaccount.com"), b)


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
    account = FIELDS["service_account"]
    own, other = (f"{n}-compute@developer.gserviceaccount.com" for n in (123, 999))
    # a default account by its address stays that account: its number says whose it is
    assert account.normalise(own) == own
    assert account.same(own, DEFAULT_SERVICE_ACCOUNT) and account.same("", own)
    assert not account.same(own, other)
    connector = FIELDS["vpc_connector"]
    assert connector.same("projects/p/locations/r/connectors/c", "c", ("p", "r"))
    assert not connector.same("projects/p/locations/r/connectors/c", "c", ("q", "r"))


def settings_of(
    template: run_v2.RevisionTemplate, service: run_v2.Service = SERVICE
) -> dict[str, object]:
    return dict(revision_config(template, service=service, container=None).settings)


def test_cpu_throttling_is_the_default_unless_the_revision_turns_it_off() -> None:
    # ResourceRequirements.cpu_idle: true by default, but a caller setting resources must set
    # it to keep the default: no resources at all is throttled, resources without it is not.
    bare = run_v2.RevisionTemplate(containers=[run_v2.Container(image="i")])
    assert settings_of(bare)["cpu_throttling"] is True
    off = template([], cpu="1")
    assert settings_of(off)["cpu_throttling"] is False
    on = template([])
    on.containers[0].resources.cpu_idle = True
    assert settings_of(on)["cpu_throttling"] is True


def test_concurrency_default_depends_on_the_cpu() -> None:
    # max_instance_request_concurrency: 0 means 80 when CPU >= 1, and 1 when CPU < 1
    assert settings_of(template([], cpu="1"))["concurrency"] == 80
    assert settings_of(template([], cpu="500m"))["concurrency"] == 1
    bare = run_v2.RevisionTemplate(containers=[run_v2.Container(image="i")])
    assert settings_of(bare)["concurrency"] == 80  # default CPU is 1


def test_service_level_scaling_counts() -> None:
    scaled = run_v2.Service(
        ingress=SERVICE.ingress,
        scaling=run_v2.ServiceScaling(min_instance_count=2, max_instance_count=10),
    )
    t = template([])
    assert settings_of(t, scaled)["min_instances"] == 2
    assert settings_of(t, scaled)["max_instances"] == 10
    assert settings_of(t)["max_instances"] == 100  # RevisionScaling: unset means 100


def test_vpc_egress_defaults_to_private_ranges_with_vpc_access() -> None:
    t = template([])
    assert settings_of(t)["vpc_egress"] == ""
    t.vpc_access = run_v2.VpcAccess(connector="projects/p/locations/r/connectors/c")
    assert settings_of(t)["vpc_egress"] == "private-ranges-only"
    direct = template([])
    direct.vpc_access = run_v2.VpcAccess(
        network_interfaces=[run_v2.VpcAccess.NetworkInterface(network="n")],
        egress=run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC,
    )
    assert settings_of(direct)["vpc_egress"] == "all-traffic"


def test_every_quantity_form_the_api_accepts() -> None:
    for memory, size in (("512Mi", 512 * 2**20), ("512Ki", 512 * 2**10), ("1G", 10**9)):
        assert settings_of(template([], memory=memory))["memory"] == str(size)
    for cpu, millis in (("0.5", "500m"), ("1000m", "1000m"), ("2", "2000m"), ("1e0", "1000m")):
        assert settings_of(template([], cpu=cpu))["cpu"] == millis


def test_sidecars_and_secret_volumes_are_read() -> None:
    t = template([("A", "1")])
    t.containers.append(
        run_v2.Container(
            name="side",
            image="s",
            env=[
                run_v2.EnvVar(
                    name="TOKEN",
                    value_source=run_v2.EnvVarSource(
                        secret_key_ref=run_v2.SecretKeySelector(
                            secret="projects/123/secrets/tok", version="2"
                        )
                    ),
                )
            ],
            volume_mounts=[run_v2.VolumeMount(name="certs", mount_path="/etc/certs")],
        )
    )
    t.volumes = [
        run_v2.Volume(
            name="certs",
            secret=run_v2.SecretVolumeSource(
                secret="cert", items=[run_v2.VersionToPath(path="tls.pem", version="3")]
            ),
        )
    ]
    config = revision_config(t, service=SERVICE, container=None)
    side = config.named("side")
    assert side.env["TOKEN"].ref == SecretRef("tok", "2", "123")
    assert side.mounts["/etc/certs/tls.pem"].ref == SecretRef("cert", "3")
    assert {ref.key for _, _, ref in config.secret_refs()} == {"123/tok", "cert"}


def test_a_mount_s_sub_path_decides_where_and_whether_a_file_shows() -> None:
    """VolumeMount.sub_path (run v2 k8s.min.proto): only what lies under it shows, at
    mount_path; a sub_path naming one file mounts that file at mount_path itself."""
    t = template([])
    (app,) = t.containers
    app.volume_mounts = [
        run_v2.VolumeMount(name="creds", mount_path="/etc/db", sub_path="db"),
        run_v2.VolumeMount(name="creds", mount_path="/run/api-key", sub_path="api/key"),
    ]
    t.volumes = [
        run_v2.Volume(
            name="creds",
            secret=run_v2.SecretVolumeSource(
                secret="shared",
                items=[
                    run_v2.VersionToPath(path="db/password", version="3"),
                    run_v2.VersionToPath(path="api/key", version="4"),
                    run_v2.VersionToPath(path="other/token", version="5"),
                ],
            ),
        )
    ]
    config = revision_config(t, service=SERVICE, container=None)
    mounts = config.named(app.name).mounts
    assert {path: m.ref.version for path, m in mounts.items()} == {
        "/etc/db/password": "3",
        "/run/api-key": "4",
    }
    # no container sees other/token, yet Cloud Run checks it at deploy: drift does too
    assert [(m.path, m.ref.version) for m in config.unmounted] == [
        ("volume creds (other/token)", "5")
    ]


def _secret_var(name: str, secret: str, version: str) -> run_v2.EnvVar:
    selector = run_v2.SecretKeySelector(secret=secret, version=version)
    return run_v2.EnvVar(name=name, value_source=run_v2.EnvVarSource(secret_key_ref=selector))


def test_equal_references_are_one_object() -> None:
    """A check looks each reference up thousands of times (its secret's reads, its rules): an
    equal reference that is the same object is found without a call of `__eq__`. The ones a
    revision holds, the ones a profile states and the ones a profile read in another process
    sends back (pickled) are one object; equality is unchanged."""
    t = template([])
    t.containers[0].env = [
        _secret_var("A", "key", "2"),
        _secret_var("B", "projects/other/secrets/key", "2"),
    ]
    env = revision_config(t, service=SERVICE, container=None).env
    again = revision_config(t, service=SERVICE, container=None).env
    stated = VarRule("A", Location("p.yaml", 3), secret="key", version="2")
    assert env["A"].ref is again["A"].ref is stated.ref is SecretRef.parse("key", "2")
    assert pickle.loads(pickle.dumps(env["A"].ref)) is env["A"].ref  # noqa: S301
    assert env["B"].ref is one_ref("key", "2", "other") == SecretRef("key", "2", "other")
    assert env["A"].ref == SecretRef("key", "2") and env["A"].ref != env["B"].ref
