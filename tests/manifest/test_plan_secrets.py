"""`check --manifest` of a Terraform plan, on the secrets its services reference (checked live,
SPEC): a reference in a form drift does not read (revsecrets 2), what the plan removes
(revsecrets 3) and a version it adds (revsecrets 4). Each test failed before its fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.manifest.plans import change_of, check_offline, plan

SECRET = "database-url-staging"
REGIONAL = f"projects/acme-chat-staging/locations/us-central1/secrets/{SECRET}"
REGIONAL_WHY = (
    f"the secret reference {REGIONAL} is a regional secret: drift reads global secrets only "
    "(NAME or projects/PROJECT/secrets/NAME)"
)


@pytest.fixture(scope="module")
def staging() -> Iterator[Sandbox]:
    with Sandbox() as sb:  # the default (acme-chat staging) scenario
        yield sb


@pytest.fixture
def sandbox(staging: Sandbox) -> Sandbox:
    staging.reset()
    return staging


def check(sandbox: Sandbox, tmp_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """`drift check staging -m plan.json -f json` of the repository's profiles."""
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"), "-m", str(path), "-f", "json",
        env=sandbox.environ(),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    report["exit"] = done.returncode
    return report


def said(report: dict[str, Any], part: str) -> list[tuple[str, str, str]]:
    """(rule or "unverified", target, message or reason) of what names `part`."""
    out = [(f["rule"], f["target"], f["message"]) for f in report["findings"]]
    out += [("unverified", u["target"], u["reason"]) for u in report["unverified"]]
    return [item for item in out if part in item[1]]


def database_url(data: dict[str, Any], secret: str) -> dict[str, Any]:
    """api's DATABASE_URL in `data` now references `secret`."""
    api = change_of(data, "google_cloud_run_v2_service.api")
    for container in api["change"]["after"]["template"][0]["containers"]:
        for e in container["env"]:
            if e["name"] == "DATABASE_URL":
                e["value_source"][0]["secret_key_ref"][0]["secret"] = secret
    return data


# revsecrets 2 -------------------------------------------------------------------------------
def test_a_plan_naming_a_regional_secret_is_not_judged_by_the_global_one(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`secret = google_secret_manager_regional_secret.db.id` gives
    `projects/P/locations/L/secrets/NAME` (Terraform google_secret_manager_regional_secret,
    "Import"). drift read the global database-url-staging of the service's project, found it
    fine, and said nothing of DATABASE_URL."""
    report = check(sandbox, tmp_path, database_url(plan(), REGIONAL))
    assert said(report, SECRET) == [("unverified", f"secret.{REGIONAL}", REGIONAL_WHY)], said(
        report, SECRET
    )
    assert report["exit"] != 0
    offline = check_offline(tmp_path, database_url(plan(), REGIONAL), PROFILE, "-f", "json")
    reasons = {u["target"]: u["reason"] for u in json.loads(offline.stdout)["unverified"]}
    assert reasons[f"secret.{REGIONAL}"] == REGIONAL_WHY, reasons


PROFILE = """\
project: acme-chat-staging
region: us-central1
services:
  api: {}
"""
