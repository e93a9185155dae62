"""`--baseline` counts a finding as resolved only where this run looked again (README
"Baselines"): not when the secret its variable references, or the revision it was found on,
could not be read this run (the gap's target is then another than the finding's)."""

from __future__ import annotations

import json

from drift.sandbox import Fault
from tests.reliability.conftest import PROFILES, SCENARIO, MakeCliWorld

PROFILE = (PROFILES / "rel.yaml").read_text().replace("min_length: 32", "min_length: 64")
"""KEY is too short."""
SPLIT_IMAGE = """  split:
    settings:
      image: us-central1-docker.pkg.dev/rel-project/app/split:2
    env:
      MODE: live
"""


def test_an_unread_secret_does_not_resolve_the_findings_of_its_variable(
    cli_world: MakeCliWorld,
) -> None:
    world = cli_world(SCENARIO.read_text(), {"rel": PROFILE})
    first = world.run("check", "rel", "-f", "json", "--output", "base.json")
    assert first.returncode == 1
    before = json.loads((world.root / "base.json").read_text())
    assert [f["target"] for f in before["findings"]] == ["env.KEY"]  # KEY is too short

    world.sandbox.inject(Fault("AccessSecretVersion", "PERMISSION_DENIED", match="secrets/key"))
    code, report = world.json("check", "rel", "--baseline", "base.json")
    assert code == 3
    assert [u["target"] for u in report["unverified"]] == ["secret.key"]
    assert report["resolved"] == [] and report["summary"]["resolved"] == 0
    table = world.run("check", "rel", "--baseline", "base.json")
    assert "Resolved since the baseline" not in table.stdout
    assert "1 finding of the baseline could not be checked again" in table.stdout

    # another secret unread (jwt, which KEY does not reference) leaves KEY's finding resolvable
    world.sandbox.clear_faults()
    world.sandbox.inject(Fault("GetSecretVersion", "PERMISSION_DENIED", match="secrets/jwt"))
    (world.root / "profiles" / "rel.yaml").write_text(
        PROFILE.replace("min_length: 64", "min_length: 8")
    )
    code, report = world.json("check", "rel", "--baseline", "base.json")
    assert code == 3 and {u["target"] for u in report["unverified"]} == {"secret.jwt"}
    assert [f["target"] for f in report["resolved"]] == ["env.KEY"]


def test_an_unread_revision_does_not_resolve_the_findings_on_it(cli_world: MakeCliWorld) -> None:
    """The drift is on split-00001 only (50 % of split's traffic); GetRevision on it is denied."""
    profile = PROFILE.replace("  split:\n    env:\n      MODE: live\n", SPLIT_IMAGE)
    world = cli_world(
        SCENARIO.read_text(), {"rel": profile.replace("min_length: 64", "min_length: 8")}
    )
    first = world.run("check", "rel", "-f", "json", "--output", "base.json")
    assert first.returncode == 1
    before = json.loads((world.root / "base.json").read_text())
    assert [(f["target"], f["revision"]) for f in before["findings"]] == [
        ("setting.image", "split-00001-sbz")
    ]
    world.sandbox.inject(Fault("GetRevision", "PERMISSION_DENIED", match="split-00001"))
    code, report = world.json("check", "rel", "--baseline", "base.json")
    assert code == 3
    assert [u["target"] for u in report["unverified"]] == ["revision.split-00001-sbz"]
    assert report["resolved"] == []
