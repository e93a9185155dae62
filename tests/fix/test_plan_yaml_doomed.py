"""`drift plan --format yaml` of a workload whose new revision (a job's update) Cloud Run's
deploy-time check of secrets would fail (a reference the plan leaves, to a DISABLED version):
`drift fix` stops there before any write and the gcloud script leaves its command a comment
(revjobs67 F1); the YAML is not offered to `replace` either (it said "Apply: gcloud run jobs
replace FILE"): it says why at the top and carries `driftNotAppliable`, which gcloud refuses."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from drift.fix.formats.knative_yaml import NOT_APPLIABLE
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.test_only_judged import _lab_with_a_disabled_secret
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

JOB = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      MODE: dry\n"
SERVICE = "project: fix-lab\nregion: us-central1\nservices:\n  app:\n    env:\n      MODE: live\n"


@pytest.mark.parametrize("kind", ["job", "service"])
def test_the_yaml_of_a_doomed_write_is_not_appliable(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    if kind == "job":
        job = copy.deepcopy(JOB_SPEC)
        job["template"]["env"]["DB"] = {"secret": "rotated", "version": "2"}  # DISABLED
        sandbox = make_sandbox(world(pools={}, jobs={"job": job}))
        profiles = write_profile(tmp_path / "profiles", JOB, "env")
    else:
        sandbox = make_sandbox(_lab_with_a_disabled_secret())
        profiles = write_profile(tmp_path / "profiles", SERVICE, "env")
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(profiles)}
    script = drift("plan", "env", "--format", "gcloud", env=env, cwd=tmp_path)
    assert "# not run: drift fix stops here before any write" in script.stdout, script.stdout
    done = drift("plan", "env", "--format", "yaml", env=env, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    text = done.stdout
    assert "Apply: gcloud run" not in text, text
    assert "NOT APPLIABLE as is" in text and "deploy-time check of its secrets" in text, text
    assert NOT_APPLIABLE in YAML(typ="safe", pure=True).load(text)
