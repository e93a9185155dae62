"""A plan that gives a secret a service references an expiry (`expire_time`, or `ttl` from
apply: the provider's members of Secret's `expiration` oneof): Secret Manager deletes the secret
then (Secret.expire_time), so it is judged as a live expiry is, `secret.expiring` (helper-560
F3: the plan's expiry was not read, clean even with `--fail-on warning`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.manifest.plans import check_live, known_api, plan

WHERE = {"secret_id": "jwt-secret-staging", "project": "acme-chat-staging"}
ADDRESS = "google_secret_manager_secret.jwt"


def _plan(before: dict[str, Any], after: dict[str, Any], unknown: Any = None) -> dict[str, Any]:
    """plan.json's api reading jwt-secret-staging at latest, and a change of that secret."""
    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    ref = {"secret_key_ref": [{"secret": "jwt-secret-staging", "version": "latest"}]}
    env.append({"name": "JWT_SECRET_KEY", "value": "", "value_source": [ref]})
    secret = {
        "address": ADDRESS, "mode": "managed", "type": "google_secret_manager_secret",
        "name": "jwt", "change": {
            "actions": ["update"], "before": {**WHERE, **before}, "after": {**WHERE, **after},
            "after_unknown": unknown or {}, "before_sensitive": False, "after_sensitive": {}},
    }  # fmt: skip
    data["resource_changes"] = [api, secret]
    return data


def _check(sb: Sandbox, tmp: Path, data: dict[str, Any]) -> Any:
    return check_live(sb, tmp, data, "--fail-on", "warning")


def _in(days: float) -> str:
    return f"{dt.datetime.now(dt.UTC) + dt.timedelta(days=days):%Y-%m-%dT%H:%M:%SZ}"


def _expiring(done: Any) -> list[dict[str, Any]]:
    return [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "secret.expiring"]


def test_a_plan_that_changes_no_expiry_is_clean(sandbox: Sandbox, tmp_path: Path) -> None:
    done = _check(sandbox, tmp_path, _plan({"labels": {}}, {"labels": {"a": "b"}}))
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(("after", "days"), [({"expire_time": _in(2)}, 2), ({"ttl": "172800s"}, 2)])
def test_a_plan_that_makes_the_secret_expire_soon_warns(
    sandbox: Sandbox, tmp_path: Path, after: dict[str, str], days: int
) -> None:
    done = _check(sandbox, tmp_path, _plan({"expire_time": ""}, after))
    assert done.returncode == 1, done.stdout
    (found,) = _expiring(done)
    want = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    assert found["actual"] in {f"{want:%Y-%m-%d}", f"{want - dt.timedelta(minutes=5):%Y-%m-%d}"}
    assert "secret jwt-secret-staging expires on" in found["message"]


def test_an_expiry_past_the_warning_window_is_clean(sandbox: Sandbox, tmp_path: Path) -> None:
    done = _check(sandbox, tmp_path, _plan({"expire_time": ""}, {"expire_time": _in(90)}))
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("after", [{}, {"expire_time": "next tuesday"}])
def test_an_expiry_not_known_until_apply_is_not_verified(
    sandbox: Sandbox, tmp_path: Path, after: dict[str, str]
) -> None:
    unknown = {} if after else {"expire_time": True}
    done = _check(sandbox, tmp_path, _plan({"expire_time": ""}, after, unknown))
    assert done.returncode == 3, done.stdout
    reasons = {u["reason"] for u in json.loads(done.stdout)["unverified"]}
    assert f"its expiry is not known until apply: {ADDRESS}" in reasons


@pytest.fixture(scope="module")
def expiring_world() -> Iterator[Sandbox]:
    """jwt-secret-staging expires in 3 days, live."""
    world = yaml.safe_load((REPO / "drift/sandbox/scenarios/default.yaml").read_text())
    world["projects"]["acme-chat-staging"]["secrets"]["jwt-secret-staging"]["expire_in"] = "3d"
    with Sandbox(world) as sandbox:
        yield sandbox


def test_the_earlier_of_the_live_expiry_and_the_plans_is_told(
    expiring_world: Sandbox, tmp_path: Path
) -> None:
    later = _plan({"expire_time": _in(3)}, {"expire_time": _in(60)})
    (found,) = _expiring(_check(expiring_world, tmp_path, later))
    assert found["actual"] == f"{dt.datetime.now(dt.UTC) + dt.timedelta(days=3):%Y-%m-%d}"
    sooner = _plan({"expire_time": _in(3)}, {"expire_time": _in(1)})
    (found,) = _expiring(_check(expiring_world, tmp_path, sooner))
    assert found["actual"] == f"{dt.datetime.now(dt.UTC) + dt.timedelta(days=1):%Y-%m-%d}"
