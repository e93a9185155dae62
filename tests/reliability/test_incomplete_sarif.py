"""An incomplete run's SARIF says it is incomplete by SARIF's own test (2.1.0 Appendix I): a
consumer that sees no result must not read the run as clean (SPEC exit 3: "Never reported as
clean")."""

from __future__ import annotations

import json

from drift.sandbox import Fault
from tests.format.test_sarif import incomplete_by_sarif
from tests.reliability.conftest import PROFILES, SCENARIO, MakeCliWorld

PROFILE = (PROFILES / "rel.yaml").read_text()


def test_an_incomplete_run_s_sarif_is_incomplete(cli_world: MakeCliWorld) -> None:
    world = cli_world(SCENARIO.read_text(), {"rel": PROFILE})
    clean = world.run("check", "rel", "--format", "sarif")
    assert clean.returncode == 0
    assert not incomplete_by_sarif(json.loads(clean.stdout)["runs"][0]["invocations"][0])

    world.sandbox.inject(Fault("AccessSecretVersion", "PERMISSION_DENIED", match="secrets/key"))
    done = world.run("check", "rel", "--format", "sarif")
    assert done.returncode == 3
    run = json.loads(done.stdout)["runs"][0]
    assert run["results"] == []
    assert incomplete_by_sarif(run["invocations"][0])
