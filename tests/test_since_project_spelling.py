"""`since` of a setting naming a project (revhist95): gcloud names the connector's project by
number, Terraform by id (VpcAccess.connector "where {project} can be project id or number",
run v2 vendor_settings.proto). An older revision by number is judged once GetProject told the
number (one call per number, only the numbers `since` needs), so a finding's `since` never
names Terraform's respelling as where the drift began, nor the revision before it as good;
denied, the revision cannot be judged: `since` names the earliest revision the drift is known
on, "or earlier" (`Since.unjudged`), never a false start nor a false last good."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult, run_check
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

PROD, NUMBER = "acme-prod", 500000000001
HOST, HOST_NUMBER = "acme-host", 700000000003  # a Shared VPC host project
REGION = "us-central1"
IMAGE = "us-docker.pkg.dev/acme-prod/app/api"
PROFILE = f"""\
project: {PROD}
region: {REGION}
services:
  api:
    settings:
      vpc_connector: run
"""


def _vpc(project: str | int) -> dict[str, Any]:
    name = f"projects/{project}/locations/{REGION}/connectors/run"
    return {"api": {"vpcAccess": {"connector": name, "egress": "PRIVATE_RANGES_ONLY"}}}


def _revision(n: int, client: str, project: str | int) -> dict[str, Any]:
    return {
        "name": f"api-0000{n}-{'abc'[n - 1] * 3}",
        "created": f"{40 - 10 * n}d",
        "client": client,
        "client_version": "528.0.0",
        "image": f"{IMAGE}:{n}",
        **_vpc(project),
    }


def _world(*, denied: bool = False) -> dict[str, Any]:
    """gcloud: the own `run` connector by number, then the host project's `run` by number
    (the drift begins), Terraform: the host's by id (a respelling), then a new image."""
    history = [
        _revision(1, "gcloud", NUMBER),
        _revision(2, "gcloud", HOST_NUMBER),
        _revision(3, "terraform", HOST),
    ]
    template = {"image": f"{IMAGE}:4", "port": 8080, **_vpc(HOST)}
    deny = {"deny": ["GetProject"]} if denied else {}
    service = {"client": "terraform", "template": template, "history": history}
    return {
        "projects": {
            PROD: {"number": NUMBER, "region": REGION, **deny, "services": {"api": service}},
            HOST: {"number": HOST_NUMBER, "region": REGION, **deny},
        }
    }


def _check(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CheckResult:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    return asyncio.run(run_check(load_profile(tmp_path, "prod"), load_settings()))


def _connector(result: CheckResult) -> Any:
    [finding] = [f for f in result.report.findings if f.target == "setting.vpc_connector"]
    return finding


def test_since_names_where_the_drift_began_by_number_not_terraforms_respelling(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    since = _connector(_check(sandbox, monkeypatch, tmp_path)).since
    assert since is not None
    assert (since.revision, since.last_good) == ("api-00002-bbb", "api-00001-aaa"), since
    # the two numbers the older revisions name, each asked once
    asked = sorted(c.request.name for c in sandbox.calls if c.short == "GetProject")
    assert asked == [f"projects/{NUMBER}", f"projects/{HOST_NUMBER}"], asked


def test_denied_getproject_bounds_since_rather_than_blaming_the_respelling(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """00002 names the host's connector by number, and no GetProject told the number: whether
    it had the drift is not known. `since` names 00003, the earliest the drift is known on,
    "or earlier", never as where it began, with no last good (helper-628)."""
    sandbox = make_sandbox(_world(denied=True))
    result = _check(sandbox, monkeypatch, tmp_path)
    finding = _connector(result)  # the drift itself is told: both ids, two projects
    since = finding.since
    assert since is not None and since.revision == "api-00003-ccc", since
    assert (since.earlier, since.unjudged, since.last_good) == (True, "api-00002-bbb", None)
    assert since.note.startswith(
        "the drift may be older: before it, api-00002-bbb could not be judged (whether its "
        "vpc_connector is the profile's is not known: one names the project by number, the "
        "other by id, and no GetProject matched them)"
    ), since.note
    asked = [c.request.name for c in sandbox.calls if c.short == "GetProject"]
    assert len(asked) == len(set(asked)), asked  # each asked once


def test_a_history_read_late_names_no_revision_it_cannot_tell_good(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The host's connector by number is judged only once GetProject answered (its history is
    read then, `check._list_histories`, after the read named values one way); an older
    revision names a third project's `run` by a number no GetProject was made for: not named
    good (whether it is the own project's is not known): `since` names 00002, "or earlier"."""
    world = _world()
    service = world["projects"][PROD]["services"]["api"]
    service["template"].update(_vpc(HOST_NUMBER))
    service["history"] = [_revision(1, "gcloud", 800000000004), _revision(2, "gcloud", HOST_NUMBER)]
    sandbox = make_sandbox(world)
    since = _connector(_check(sandbox, monkeypatch, tmp_path)).since
    assert since is not None and since.revision == "api-00002-bbb", since
    assert (since.earlier, since.unjudged, since.last_good) == (True, "api-00001-aaa", None)
    assert [c.short for c in sandbox.calls].count("ListRevisions") == 1


def test_no_getproject_where_since_stops_before_the_numbers(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """gcloud's own `run` by number twice, Terraform's respelling by id, then another
    connector: the drift began with the last, Terraform's revision is the last good one, and
    the numbers before it are never asked for (`since` stops at Terraform's)."""
    world = _world()
    service = world["projects"][PROD]["services"]["api"]
    service["history"] = [
        _revision(1, "gcloud", NUMBER),
        _revision(2, "gcloud", NUMBER),
        _revision(3, "terraform", PROD),
    ]
    other = f"projects/{PROD}/locations/{REGION}/connectors/other"
    service["template"]["api"]["vpcAccess"]["connector"] = other
    sandbox = make_sandbox(world)
    since = _connector(_check(sandbox, monkeypatch, tmp_path)).since
    assert since is not None and since.revision.startswith("api-00004"), since
    assert since.last_good == "api-00003-ccc", since
    assert not [c for c in sandbox.calls if c.short == "GetProject"]
