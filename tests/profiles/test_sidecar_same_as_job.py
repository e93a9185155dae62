"""A sidecar's `same_as` names a workload as the main container's does: a job or a worker pool
by its name too (helper-597 F5: only the main container's rules were resolved, so a sidecar's
`same_as: jb.J` named no job, `check` said "not compared: it does not exist", and neither
side's value was read)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

PROFILE = """project: acme
region: us-central1
services:
  api:
    containers:
      side:
        env:
          S: {secret: m5, same_as: jb.J}
jobs:
  jb:
    env:
      J: {secret: t5}
"""


def world(same: bool) -> dict[str, object]:
    account = "serviceAccount:111-compute@developer.gserviceaccount.com"
    grant = {"roles/secretmanager.secretAccessor": [account]}
    values = {"m5": "Shared-Value-5555", "t5": "Shared-Value-5555" if same else "Other-Value-777"}
    containers = [
        {
            "name": "app",
            "image": "us-docker.pkg.dev/acme/app/api:1",
            "ports": [{"containerPort": 8080}],
        },
        {
            "name": "side",
            "image": "us-docker.pkg.dev/acme/app/side:1",
            "env": [
                {
                    "name": "S",
                    "valueSource": {"secretKeyRef": {"secret": "m5", "version": "latest"}},
                }
            ],
        },
    ]
    services = {"api": {"template": {"api": {"containers": containers}}}}
    jobs = {"jb": {"template": {"env": {"J": {"secret": "t5"}}}}}
    secrets = {name: {"versions": [value], "iam": grant} for name, value in values.items()}
    acme = {"number": 111, "region": "us-central1", "services": services, "jobs": jobs}
    return {"options": {"seed": 2}, "projects": {"acme": {**acme, "secrets": secrets}}}


@pytest.mark.parametrize("same", [True, False])
def test_a_sidecars_same_as_names_a_job(tmp_path: Path, same: bool) -> None:
    (tmp_path / "lab.yaml").write_text(PROFILE)
    with Sandbox(world(same)) as sandbox:
        env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path)}
        done = drift("check", "lab", "--format", "json", env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    assert not [u for u in report.get("unverified", []) if "same_as" in json.dumps(u)], report
    rules = [f["rule"] for f in report["findings"] if f["target"] == "env.S"]
    assert rules == ([] if same else ["env.inconsistent"]), report
    assert done.returncode == (0 if same else 1), done.stdout


def test_a_sidecars_same_as_naming_a_variable_the_target_does_not_define_is_a_profile_error(
    tmp_path: Path,
) -> None:
    """helper-599 F2: `same_as: jb.JJ` (a typo) in a sidecar is the profile error it is in the
    main container, at its line, never a comparison with nothing."""
    (tmp_path / "lab.yaml").write_text(PROFILE.replace("same_as: jb.J}", "same_as: jb.JJ}"))
    done = drift(
        "profiles",
        "validate",
        str(tmp_path),
        env={"DRIFT_PROFILES_DIR": str(tmp_path)},
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        "lab.yaml:8: api.S: same_as names jb.JJ, which the profile does not define"
        in done.stdout + done.stderr
    )
