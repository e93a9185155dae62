"""A listed revision's record normalises its configuration when first asked for, and its
variables alone (`RevisionRecord.variables`, what masking reads of every revision) are what
the whole configuration would say: the same containers, variables and described container,
on revisions shaped as real services are (sidecars, secret volumes, a container renamed,
a secret by number from another project, no ingress port)."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.kinds import Kind
from drift.live.history import records_of
from drift.live.model import RevisionConfig

SIDE = run_v2.Container(
    name="otel",
    image="otel:1",
    env=[
        run_v2.EnvVar(name="OTEL_TOKEN", value_source={"secret_key_ref": {"secret": "t"}}),
        run_v2.EnvVar(name="EMPTY", value=""),
    ],
)


def _app(name: str, *, port: bool = True) -> run_v2.Container:
    secret = "projects/600000000002/secrets/partner"
    return run_v2.Container(
        name=name,
        image="app:1",
        ports=[run_v2.ContainerPort(container_port=8080)] if port else [],
        env=[
            run_v2.EnvVar(name="MODE", value="live"),
            run_v2.EnvVar(name="KEY", value_source={"secret_key_ref": {"secret": secret}}),
            run_v2.EnvVar(
                name="PINNED", value_source={"secret_key_ref": {"secret": "p", "version": "3"}}
            ),
        ],
        volume_mounts=[run_v2.VolumeMount(name="tls", mount_path="/etc/tls")],
    )


def _revision(n: int, containers: list[run_v2.Container]) -> run_v2.Revision:
    return run_v2.Revision(
        name=f"projects/p/locations/r/services/api/revisions/api-{n:05d}-abc",
        containers=containers,
        volumes=[run_v2.Volume(name="tls", secret={"secret": "tls-cert"})],
        service_account="api@p.iam.gserviceaccount.com",
    )


LISTED = [
    _revision(1, [_app("app"), SIDE]),
    _revision(2, [SIDE, _app("api")]),  # the main container renamed, listed after the sidecar
    _revision(3, [_app("app", port=False), SIDE]),  # no port: the first is described
    _revision(4, []),
]
SERVICE = run_v2.Service(name="projects/p/locations/r/services/api")


def _shape(config: Any) -> Any:
    containers = [(c.name, c.ingress, dict(c.env)) for c in config.containers]
    return containers, config.primary, config.described


@pytest.mark.parametrize("container", [None, "app", "otel", "gone"])
def test_variables_alone_are_what_the_whole_configuration_says(container: str | None) -> None:
    records = records_of(LISTED, SERVICE, container, Kind.SERVICE)
    again = records_of(LISTED, SERVICE, container, Kind.SERVICE)
    for record, whole in zip(records, again, strict=True):
        alone = _shape(record.variables)
        assert "config" not in vars(record)  # read without normalising the rest
        assert alone == _shape(whole.config.variables)
        assert alone == _shape(whole.config)


def test_an_edit_applies_once_whether_the_configuration_is_read_before_or_after() -> None:
    early, late = records_of(LISTED[:2], SERVICE, None, Kind.SERVICE)
    seen: list[RevisionConfig] = []

    def mark(config: RevisionConfig) -> None:
        seen.append(config)
        config.settings["marked"] = len(seen)

    early.edit(mark)  # not read yet: kept for when it is
    assert seen == []
    assert early.config.settings["marked"] == 1 and seen == [early.config]
    assert late.config is late.config  # normalised once
    late.edit(mark)  # read already: changed at once
    assert late.config.settings["marked"] == 2 and seen == [early.config, late.config]
    assert early.config.settings["marked"] == 1  # the earlier edit is not run again
