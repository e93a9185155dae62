"""helper-612 (F3's follow-up): `--from-template` builds the fix on a template that does not
serve, whose secrets no check reads, so the plan could not tell that a new revision of it
fails Cloud Run's deploy-time check ("During service deployment, all secrets used … are
checked … If any check fails, the service deployment fails",
cloud.google.com/run/docs/configuring/services/secrets): on the real-shapes `worker-api`,
whose newest revision failed on a secret that does not exist, `drift fix --from-template`
deployed a canary that failed the same way, then exited 4. The plan now reads the template's
secret versions the check did not (one GetSecretVersion each) and stops before any write."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from drift.fix.secret_remedy import remedy
from drift.live.secret_state import VersionState
from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import drift

SHAPES = default_scenario_path().with_name("real-shapes.yaml")
PROFILE = (
    "project: acme-prod\nregion: us-central1\nservices:\n  worker-api:\n    env:\n"
    "      QUEUE: jobs2\n"
)


def _drift(sandbox: Sandbox, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` as a user runs it in `work` (tests/cliutil.py `drift`: a process of its
    own forked from the zygote, or in this one for a command that only reads)."""
    env = sandbox.environ()
    env |= {"DRIFT_PROFILES_DIR": str(work / "profiles"), "DRIFT_JOURNAL_DIR": str(work / "j")}
    return drift(*args, env=env, cwd=work, timeout=120)


def test_a_template_whose_secret_does_not_exist_stops_the_fix_before_a_canary(
    tmp_path: Path,
) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    with Sandbox(SHAPES) as sandbox:
        before = sandbox.service("acme-prod", "worker-api")
        plan = _drift(sandbox, tmp_path, "plan", "prod", "--from-template", "--format", "json")
        done = _drift(sandbox, tmp_path, "fix", "prod", "--yes", "--from-template")
        after = sandbox.service("acme-prod", "worker-api")
        without = _drift(sandbox, tmp_path, "plan", "prod", "--format", "json")
    (planned,) = json.loads(plan.stdout)["services"]
    said = "SIGNING_KEY uses secret worker-signing-key:latest, which is a secret that does not"
    assert said in planned["stops"], planned["stops"]
    assert planned["gcloud"] is None  # the script does not run what fails either
    assert done.returncode == 4, done.stdout + done.stderr
    assert "nothing was changed" in done.stdout + done.stderr
    assert "deploying canary" not in done.stdout + done.stderr
    assert after.latest_created_revision == before.latest_created_revision  # no canary made
    assert (after.etag, list(after.traffic)) == (before.etag, list(before.traffic))
    # built on what serves (which does not use the secret), the plan is what it was
    (serving,) = json.loads(without.stdout)["services"]
    assert not serving.get("stops") and serving["failed_template"], serving


def test_the_stop_says_the_remedy_of_the_use_it_stops_for(tmp_path: Path) -> None:
    """The plan has no manual step for a secret only the template uses (no check read it):
    the stop says what makes that use pass — create the secret — not "do the plan's manual
    steps for the secrets (enable or add a version, grant access)" (helper-632 F5)."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    with Sandbox(SHAPES) as sandbox:
        done = _drift(sandbox, tmp_path, "fix", "prod", "--yes", "--from-template")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert "manual steps for the secrets" not in out, out
    said = "create the secret SIGNING_KEY uses (`gcloud secrets create`), then run drift fix again"
    assert said in out, out


@pytest.mark.parametrize("state", [s for s in VersionState if s is not VersionState.ENABLED])
def test_every_state_a_use_is_doomed_for_has_its_remedy(state: VersionState) -> None:
    """Each of `changes.doomed`'s words for a version that fails the check, and for an
    account that cannot access it, has its own remedy (`secret_remedy.REMEDIES`)."""
    from drift.fix.changes import _state_text

    use = f"DB_URL uses secret db:2, which is {_state_text(state)}"
    assert "DB_URL" in remedy(use), use
    assert remedy("DB_URL uses secret db:2, which run-sa@p.iam.gserviceaccount.com cannot access")


@pytest.mark.parametrize(
    ("use", "step"),
    [
        (
            "DB_URL uses secret db:latest, which is DISABLED (version 3)",
            "enable version 3 of the secret DB_URL uses "
            "(`gcloud secrets versions enable 3 --secret=db --project=own`)",
        ),
        (
            "KEY uses secret shared/key:2, which is DISABLED",
            "enable version 2 of the secret KEY uses "
            "(`gcloud secrets versions enable 2 --secret=key --project=shared`)",
        ),
        (  # a journal note of a drift before: `latest` not resolved, the command to fill in
            "KEY uses secret 600000000002/key:latest, which is DISABLED",
            "enable the version KEY uses "
            "(`gcloud secrets versions enable VERSION --secret=key --project=600000000002`)",
        ),
    ],
)
def test_a_disabled_version_is_named_with_the_command_that_enables_it(use: str, step: str) -> None:
    """helper-848 F6: "enable the version KEY uses (`gcloud secrets versions enable`)" named
    neither the version nor the project; the plan's manual step names both."""
    assert remedy(use, "own") == step
