"""A service's listed revisions read their variables into one object for each (name, value)
they repeat (`drift.live.history.env_of`): a history keeps most variables from one revision to
the next, and reading 300 revisions made each anew. The objects are immutable, equal as
before; a value changed, a secret reference and an empty value stay each revision's own."""

from __future__ import annotations

from google.cloud import run_v2

from drift.kinds import Kind
from drift.live.history import records_of
from drift.live.model import EnvVar
from drift.refs import SecretRef

SERVICE = run_v2.Service(name="projects/p/locations/us-central1/services/api")


def _revision(n: int, mode: str) -> run_v2.Revision:
    env = [
        run_v2.EnvVar(name="REGION", value="eu"),
        run_v2.EnvVar(name="MODE", value=mode),
        run_v2.EnvVar(name="EMPTY", value=""),
        run_v2.EnvVar(name="KEY", value_source={"secret_key_ref": {"secret": "k"}}),
    ]
    return run_v2.Revision(
        name=f"{SERVICE.name}/revisions/api-{n:05d}-abc",
        create_time={"seconds": 1_790_000_000 + n},
        containers=[run_v2.Container(name="app", ports=[{"container_port": 8080}], env=env)],
    )


def test_a_variable_the_revisions_repeat_is_one_object() -> None:
    listed = [_revision(1, "old"), _revision(2, "new"), _revision(3, "new")]
    first, second, third = (
        r.variables.containers[0].env for r in records_of(listed, SERVICE, None, Kind.SERVICE)
    )
    assert first["REGION"] is second["REGION"] is third["REGION"]
    assert second["MODE"] is third["MODE"]
    assert first["MODE"] == EnvVar("MODE", "old") and second["MODE"] == EnvVar("MODE", "new")
    assert first["KEY"] == second["KEY"] == EnvVar("KEY", None, SecretRef.parse("k", ""))
    assert first["EMPTY"] == EnvVar("EMPTY", "")
    # as the whole configuration reads them
    for record in records_of(listed, SERVICE, None, Kind.SERVICE):
        assert record.variables.containers[0].env == record.config.containers[0].env
