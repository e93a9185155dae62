"""The sandbox keeps a service's Cloud Storage and NFS volumes as Cloud Run does, and refuses
what the volume pages and the scenario option `network_volumes_gen1` say Cloud Run refuses
(drift/sandbox/container_rules.py): a mount at /dev, /proc, /sys or below ("Disallowed paths"),
and a Cloud Storage or NFS volume beside the first generation execution environment, where the
API reference is silent (`refused`, the default, or `taken`); a container mounting two volumes
at one path, as the option `mount_path_twice` says (Knative's rule, or taken)."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox

SERVICE = "projects/p/locations/us-central1/services/api"
IMAGE = "us-docker.pkg.dev/example/api:1"
GEN1 = run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1


def _world(**options: Any) -> dict[str, Any]:
    services = {"api": {"template": {"image": IMAGE, "port": 8080}}}
    return {"options": options, "projects": {"p": {"number": 1, "services": services}}}


def _update(clients: Any, volume: run_v2.Volume, path: str, **template: Any) -> Any:
    """UpdateService adding `volume`, mounted at `path` in the one container."""
    service = clients.services.get_service(name=SERVICE)
    service.template.volumes.append(volume)
    service.template.containers[0].volume_mounts.append(
        run_v2.VolumeMount(name=volume.name, mount_path=path)
    )
    for name, value in template.items():
        setattr(service.template, name, value)
    request = run_v2.UpdateServiceRequest(service=service)
    return clients.services.update_service(request=request).result(timeout=30)


BUCKET = run_v2.Volume(name="data", gcs=run_v2.GCSVolumeSource(bucket="b-1", read_only=True))
SHARE = run_v2.Volume(name="data", nfs=run_v2.NFSVolumeSource(server="10.0.0.2", path="/s"))


@pytest.mark.parametrize("volume", [BUCKET, SHARE], ids=["gcs", "nfs"])
def test_a_network_volume_is_kept_as_written(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, volume: run_v2.Volume
) -> None:
    clients = clients_for(make_sandbox(_world()))
    _update(clients, volume, "/data")
    template = clients.services.get_service(name=SERVICE).template
    assert list(template.volumes) == [volume]
    assert [(m.name, m.mount_path) for m in template.containers[0].volume_mounts] == [
        ("data", "/data")
    ]


@pytest.mark.parametrize("path", ["/dev", "/proc/x", "/sys/", "/dev/fuse"])
def test_a_mount_at_a_disallowed_path_is_invalid_argument(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, path: str
) -> None:
    clients = clients_for(make_sandbox(_world()))
    with pytest.raises(exceptions.InvalidArgument, match="/dev, /proc or /sys"):
        _update(clients, BUCKET, path)
    assert not clients.services.get_service(name=SERVICE).template.volumes  # nothing written
    _update(clients, BUCKET, "/devices")  # a path beside them is taken


@pytest.mark.parametrize("volume", [BUCKET, SHARE], ids=["gcs", "nfs"])
@pytest.mark.parametrize("option", ["refused", "taken"])
def test_gen1_beside_a_network_volume_is_as_the_option_says(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, volume: run_v2.Volume, option: str
) -> None:
    clients = clients_for(make_sandbox(_world(network_volumes_gen1=option)))
    if option == "refused":
        with pytest.raises(exceptions.InvalidArgument, match="second generation"):
            _update(clients, volume, "/data", execution_environment=GEN1)
        assert not clients.services.get_service(name=SERVICE).template.volumes
    else:
        _update(clients, volume, "/data", execution_environment=GEN1)
        assert list(clients.services.get_service(name=SERVICE).template.volumes) == [volume]
    _update(clients, run_v2.Volume(name="m", empty_dir={}), "/m", execution_environment=GEN1)


@pytest.mark.parametrize("option", ["refused", "taken"])
def test_two_volumes_at_one_path_of_a_container_are_as_the_option_says(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str
) -> None:
    clients = clients_for(make_sandbox(_world(mount_path_twice=option)))
    _update(clients, run_v2.Volume(name="scratch", empty_dir={}), "/data")
    if option == "refused":  # `/data/` is `/data` (Knative: path.Clean)
        with pytest.raises(exceptions.InvalidArgument, match="'/data/' must be unique"):
            _update(clients, BUCKET, "/data/")
        assert [v.name for v in clients.services.get_service(name=SERVICE).template.volumes] == [
            "scratch"
        ]
        _update(clients, BUCKET, "/data/b")  # a path below it is another path
    else:
        _update(clients, BUCKET, "/data/")
        mounts = clients.services.get_service(name=SERVICE).template.containers[0].volume_mounts
        assert [(m.name, m.mount_path) for m in mounts] == [
            ("scratch", "/data"),
            ("data", "/data/"),
        ]
