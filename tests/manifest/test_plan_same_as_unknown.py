"""A `same_as` whose other side a Terraform plan does not know yet (`after_unknown`: the host
of a database the same plan creates, README "Before a deploy"; a secret it names after apply)
is not verified — never `env.inconsistent` against the blank drift keeps in the unknown
value's place, and never clean where this side happens to equal that blank (helper-523 F1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import change_of, check_offline, plan

PROFILE = """\
project: acme-chat-staging
region: us-central1
services:
  api:
    settings: {{min_instances: 1, max_instances: 20}}
    env:
      {var}: {{required: true}}
  auth:
    env:
      {var}: {{same_as: api.{var}}}
"""


def _env(data: dict[str, Any], address: str) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = change_of(data, address)["change"]["after"]["template"][0][
        "containers"
    ][0]["env"]
    return env


def _unknown_api_value(data: dict[str, Any], var: str, part: tuple[str | int, ...]) -> None:
    """Mark api's `var` (at `part` below the variable) not known until apply."""
    api = change_of(data, "google_cloud_run_v2_service.api")["change"]
    env = _env(data, "google_cloud_run_v2_service.api")
    i = next(i for i, e in enumerate(env) if e["name"] == var)
    marks: Any = True
    for step in reversed(part):
        marks = [marks] if isinstance(step, int) else {step: marks}
    unknown_env = [{} for _ in env]
    unknown_env[i] = marks
    api["after_unknown"]["template"][0]["containers"][0]["env"] = unknown_env


@pytest.mark.parametrize("mine", ["10.0.0.3", ""], ids=["differs-from-the-blank", "blank-too"])
def test_same_as_an_unknown_plain_value_is_not_verified(tmp_path: Path, mine: str) -> None:
    data = plan()
    _unknown_api_value(data, "REDIS_HOST", ("value",))
    _env(data, "google_cloud_run_v2_service.auth").append({"name": "REDIS_HOST", "value": mine})
    done = check_offline(tmp_path, data, PROFILE.format(var="REDIS_HOST"), "-f", "json")
    doc = json.loads(done.stdout)
    assert not [f for f in doc["findings"] if f["rule"] == "env.inconsistent"], doc["findings"]
    said = [
        u for u in doc["unverified"] if (u["service"], u["target"]) == ("auth", "env.REDIS_HOST")
    ]
    assert len(said) == 1, doc["unverified"]
    assert said[0]["reason"].startswith(
        "same_as api.REDIS_HOST not compared: not known until apply"
    )
    assert done.returncode == 3, done.stdout  # incomplete, never clean


@pytest.mark.parametrize("part", [("secret",), ("version",)])
def test_same_as_a_reference_the_plan_names_after_apply_is_not_verified(
    tmp_path: Path, part: tuple[str, ...]
) -> None:
    data = plan()
    path = ("value_source", 0, "secret_key_ref", 0, *part)
    _unknown_api_value(data, "JWT_SECRET_KEY", path)
    done = check_offline(tmp_path, data, PROFILE.format(var="JWT_SECRET_KEY"), "-f", "json")
    doc = json.loads(done.stdout)
    assert not [f for f in doc["findings"] if f["rule"] == "env.inconsistent"], doc["findings"]
    said = [
        u["reason"]
        for u in doc["unverified"]
        if (u["service"], u["target"]) == ("auth", "env.JWT_SECRET_KEY")
    ]
    assert said == [
        f"same_as api.JWT_SECRET_KEY not compared: not known until apply ({tmp_path}/plan.json: "
        "resource_changes[1].change.after.template[0].containers[0].env[9]."
        + ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")
        + ")"
    ], doc["unverified"]


def test_a_variable_the_plan_holds_as_null_until_apply_is_not_verified(tmp_path: Path) -> None:
    """Terraform writes an unknown element of a list as null in `after` (marked true in
    `after_unknown`): one of api's variables, whole. It was an "internal error" (helper-523 F2);
    now every variable of that container is not verified, and so is a `same_as` on them."""
    data = plan()
    _unknown_api_value(data, "JWT_SECRET_KEY", ())  # the variable whole: `after_unknown` true
    env = _env(data, "google_cloud_run_v2_service.api")
    env[next(i for i, e in enumerate(env) if e["name"] == "JWT_SECRET_KEY")] = None
    done = check_offline(tmp_path, data, PROFILE.format(var="JWT_SECRET_KEY"), "-f", "json")
    doc = json.loads(done.stdout)
    targets = {(u["service"], u["target"]) for u in doc["unverified"]}
    assert {("api", "env.*"), ("auth", "env.JWT_SECRET_KEY")} <= targets, doc["unverified"]
    assert not [f for f in doc["findings"] if f["rule"] == "env.inconsistent"], doc["findings"]
    assert done.returncode == 3, done.stderr


def test_a_jobs_same_as_a_service_reference_named_after_apply_is_not_verified(
    tmp_path: Path,
) -> None:
    """A job's rule, as a service's: the plan's job (`google_cloud_run_v2_job.migrate`) holds
    DATABASE_URL as api does, whose secret the plan names only after apply."""
    data = plan()
    _unknown_api_value(data, "DATABASE_URL", ("value_source", 0, "secret_key_ref", 0, "secret"))
    profile = (
        "project: acme-chat-staging\nregion: us-central1\n"
        "services:\n  api:\n    env:\n      DATABASE_URL: {required: true}\n"
        "jobs:\n  db-migrate:\n    env:\n      DATABASE_URL: {same_as: api.DATABASE_URL}\n"
    )
    done = check_offline(tmp_path, data, profile, "-f", "json")
    doc = json.loads(done.stdout)
    assert not [f for f in doc["findings"] if f["rule"] == "env.inconsistent"], doc["findings"]
    said = [
        u["reason"]
        for u in doc["unverified"]
        if (u["service"], u["target"]) == ("db-migrate", "env.DATABASE_URL")
    ]
    assert len(said) == 1 and said[0].startswith(
        "same_as api.DATABASE_URL not compared: not known until apply"
    ), doc["unverified"]
    assert done.returncode == 3


@pytest.mark.parametrize("marked", [True, [{"policy": True}]], ids=["whole", "policy"])
def test_a_jobs_binary_authorization_not_known_until_apply_is_not_verified(
    tmp_path: Path, marked: Any
) -> None:
    """A job holds `binary_authorization` at the top of the resource, as a service does; the
    job's unknowns were matched against its own rows only, and an unknown one was judged as
    none ("is none, the profile says default", exit 1), or as the half the plan knew (clean)
    (helper-525)."""
    data = plan()
    job = change_of(data, "google_cloud_run_v2_job.migrate")["change"]
    job["after"]["binary_authorization"] = [] if marked is True else [{"use_default": True}]
    job["after_unknown"]["binary_authorization"] = marked
    profile = (
        "project: acme-chat-staging\nregion: us-central1\n"
        "jobs:\n  db-migrate:\n    settings:\n      binary_authorization: default\n"
    )
    done = check_offline(tmp_path, data, profile, "-f", "json")
    doc = json.loads(done.stdout)
    assert not [f for f in doc["findings"] if f["target"] == "setting.binary_authorization"]
    said = [
        u["reason"]
        for u in doc["unverified"]
        if (u["service"], u["target"]) == ("db-migrate", "setting.binary_authorization")
    ]
    assert len(said) == 1 and said[0].startswith("not known until apply"), doc["unverified"]
