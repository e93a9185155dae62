"""A variable whose value refers to another variable of its container (`$(HOST)`): Cloud Run
expands the reference only from "the previous defined environment variables in the container"
(run v2 k8s.min.proto, EnvVar.value), and the google provider holds a container's `env` as a set
(6.0.0: "retyped `containers.env` to SET from ARRAY"; a worker pool's `is_set` too), so the
order in a plan is not the one deployed: whether it runs with the expansion or with the text
`$(HOST)` is not in the plan. Its value is not verified (never clean, never drift by an order
drift guessed); a reference to nothing in the container, or an escaped `$$(…)`, is compared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, change_of, check_offline, known_api, plan


def _api_with(*variables: tuple[str, str]) -> dict[str, Any]:
    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    env += [{"name": n, "value": v, "value_source": []} for n, v in variables]
    data["resource_changes"] = [api]
    return data


@pytest.mark.parametrize(
    "stated", ["http://$(DB_HOST):5432", "http://10.0.0.9:5432", "http://elsewhere:5432"]
)
def test_a_reference_to_a_variable_of_the_container_is_not_verified(
    tmp_path: Path, stated: str
) -> None:
    """As written, as expanded, or neither: whichever the profile says, the plan cannot tell
    which the service will run with."""
    data = _api_with(("DB_URL", "http://$(DB_HOST):5432"), ("DB_HOST", "10.0.0.9"))
    profile = API_ONLY + f"    env:\n      DB_URL: '{stated}'\n      DB_HOST: 10.0.0.9\n"
    done = check_offline(tmp_path, data, profile, "-f", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 3, done.stdout
    (unverified,) = report["unverified"]
    assert unverified["target"] == "env.DB_URL", unverified
    assert "as a set" in unverified["reason"] and "$(DB_HOST)" in unverified["reason"]
    assert "google_cloud_run_v2_service.api" in unverified["reason"], unverified
    assert not [f for f in report["findings"] if not f["ignored"]], report["findings"]


@pytest.mark.parametrize(
    ("value", "stated"),
    [
        ("http://$(NOT_SET):5432", "http://$(NOT_SET):5432"),  # never resolved: stays the text
        ("http://$$(DB_HOST):5432", "http://$(DB_HOST):5432"),  # escaped: the text $(DB_HOST)
    ],
)
def test_no_reference_to_the_container_is_compared(tmp_path: Path, value: str, stated: str) -> None:
    data = _api_with(("DB_URL", value), ("DB_HOST", "10.0.0.9"))
    profile = API_ONLY + f"    env:\n      DB_URL: '{stated}'\n"
    done = check_offline(tmp_path, data, profile, "-f", "json")
    assert done.returncode == 0, done.stdout
    wrong = API_ONLY + "    env:\n      DB_URL: 'http://other:5432'\n"
    done = check_offline(tmp_path, data, wrong, "-f", "json")
    assert done.returncode == 1, done.stdout


def test_a_jobs_task_template_is_read_alike(tmp_path: Path) -> None:
    data = plan()
    job = change_of(data, "google_cloud_run_v2_job.migrate")
    task = job["change"]["after"]["template"][0]["template"][0]
    task["containers"][0]["env"] = [
        {"name": "DB_URL", "value": "postgres://$(DB_HOST)/app", "value_source": []},
        {"name": "DB_HOST", "value": "10.0.0.9", "value_source": []},
    ]
    job["change"]["after_unknown"] = {}
    data["resource_changes"] = [job]
    profile = (
        "project: acme-chat-staging\nregion: us-central1\njobs:\n  db-migrate:\n"
        "    env:\n      DB_URL: 'postgres://10.0.0.9/app'\n"
    )
    done = check_offline(tmp_path, data, profile, "-f", "json")
    report = json.loads(done.stdout)
    assert [u["target"] for u in report["unverified"]] == ["env.DB_URL"], report
    assert done.returncode == 3, done.stdout
