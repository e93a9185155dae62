"""A secret's expiry that cannot be read is unverified, never "not expiring": the project's
secrets cannot be listed (a CI account with secret-level roles only) and GetSecret on another
project's secret is denied. SPEC Exit codes: 3, incomplete, never reported as clean."""

from __future__ import annotations

from drift.sandbox import Fault
from tests.reliability.conftest import MakeCliWorld

SCENARIO = """
options: {seed: 4}
projects:
  p1:
    number: 111111111111
    region: us-central1
    secrets:
      jwt:
        versions: ["jwt-value-0123456789abcdef"]
        expire_in: 5d
        iam: {roles/secretmanager.secretAccessor: [serviceAccount:api@p1.iam.gserviceaccount.com]}
    services:
      api:
        template:
          image: img:1
          service_account: api@p1.iam.gserviceaccount.com
          env:
            JWT: {secret: jwt}
            SHARED: {secret: projects/p2/secrets/shared}
  p2:
    number: 222222222222
    region: us-central1
    secrets:
      shared:
        versions: ["shared-value-0123456789abcdef"]
        expire_in: 5d
        iam: {roles/secretmanager.secretAccessor: [serviceAccount:api@p1.iam.gserviceaccount.com]}
"""
PROFILE = """
project: p1
region: us-central1
services:
  api:
    env:
      JWT: {secret: jwt}
      SHARED: {secret: shared, project: p2}
"""
EXPIRING = ["secret.jwt", "secret.p2/shared"]


def test_an_unreadable_expiry_is_unverified_and_a_listing_denied_is_read_one_by_one(
    cli_world: MakeCliWorld,
) -> None:
    world = cli_world(SCENARIO, {"exp": PROFILE})
    code, full = world.json("check", "exp", "--fail-on", "warning")
    assert code == 1
    assert sorted(f["target"] for f in full["findings"]) == EXPIRING

    # the project's secrets cannot be listed: each is asked for (GetSecret) instead
    world.sandbox.inject(Fault("ListSecrets", "PERMISSION_DENIED"))
    code, listed = world.json("check", "exp", "--fail-on", "warning")
    assert (code, listed["unverified"]) == (1, [])
    assert sorted(f["target"] for f in listed["findings"]) == EXPIRING

    # ... and the other project's secret cannot be read either
    world.sandbox.inject(Fault("GetSecret", "PERMISSION_DENIED", match="projects/p2/"))
    code, report = world.json("check", "exp", "--fail-on", "warning")
    assert code == 1  # drift takes precedence over incomplete (SPEC Exit codes)
    assert [f["target"] for f in report["findings"]] == ["secret.jwt"]
    (gap,) = report["unverified"]
    assert gap["target"] == "secret.p2/shared"
    assert gap["reason"].startswith("expiry not read: GetSecret projects/p2/secrets/shared: ")
    table = world.run("check", "exp")  # the warning is below --fail-on error
    assert table.returncode == 3 and "no drift" not in table.stdout


def test_an_expiry_unread_anywhere_is_not_clean(cli_world: MakeCliWorld) -> None:
    world = cli_world(SCENARIO, {"exp": PROFILE})
    # RetryInfo keeps the retries short: without it a quota error is retried for the whole
    # retry budget (a minute), as Google's own clients retry it; a budget of 0.5 s still
    # retries it (from 0.1-0.2 s) without waiting out all five attempts
    (world.root / "pyproject.toml").write_text("[tool.drift]\nretry_budget = 0.5\n")
    world.sandbox.inject(Fault("ListSecrets", "RESOURCE_EXHAUSTED", retry_delay_ms=100))
    world.sandbox.inject(Fault("GetSecret", "PERMISSION_DENIED"))
    code, report = world.json("check", "exp", "--fail-on", "warning")
    assert code == 3 and report["findings"] == []
    assert sorted(u["target"] for u in report["unverified"]) == EXPIRING
    assert all(u["reason"].startswith("expiry not read: ") for u in report["unverified"])
