"""helper-624 F4: `compare --live` of two environments whose worker pools (two containers,
none with a port, no `container:` in the profile) hold the same plain value for a variable the
profile expects to be a secret said "equivalent", exit 0; with `container:` named, the same run
reported `value.shared`. The profile's secret rules now hold in every container of the
revision, as `drift history` masks them: the shared credential is found either way, and its
value is never shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox

VALUE = "zq7Kp"  # short: only the profile says it is a secret


def _pool(value: str) -> dict[str, Any]:
    agent = {"name": "agent", "image": "img/agent:1", "env": [{"name": "LEVEL", "value": "info"}]}
    consumer = {"name": "consumer", "image": "img/c:1", "env": [{"name": "PEER", "value": value}]}
    return {"pool": {"instances": 1, "template": {"containers": [agent, consumer]}}}


@pytest.mark.parametrize("named", ["", "    container: consumer\n"], ids=["unnamed", "named"])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_same_secret_expected_value_in_both_is_shared(
    make_sandbox: MakeSandbox, tmp_path: Path, named: str, fmt: str
) -> None:
    sandbox = make_sandbox(
        {
            "projects": {
                "acme-staging": {"number": 700000000001, "worker_pools": _pool(VALUE)},
                "acme-prod": {"number": 700000000002, "worker_pools": _pool(VALUE)},
            }
        }
    )
    for name, project in (("staging", "acme-staging"), ("prod", "acme-prod")):
        (tmp_path / f"{name}.yaml").write_text(
            f"project: {project}\nregion: us-central1\nworker_pools:\n  pool:\n{named}"
            "    env:\n      PEER: {secret: pw}\n"
        )
    done = drift(
        "compare", "staging", "prod", "--live", "--profiles", str(tmp_path), "-f", fmt,
        env=sandbox.environ(),
    )  # fmt: skip
    assert VALUE not in done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    assert "value.shared" in done.stdout, done.stdout
