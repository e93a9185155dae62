"""A check that counts an accessor grant says, once, that IAM deny policies were not read.
Deny policies "take precedence over allow policies" (cloud.google.com/iam/docs/deny-overview)
and drift reads allow policies only; the README said so, but a run that found a grant reported
access as verified and said nothing (reviam2 F2). No grant counted, no note."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.test_check_access_indirect import ACCESSOR, SA, world

PROFILE = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      K: {secret: k}\n"


def _notes(make_sandbox: MakeSandbox, tmp_path: Path, iam: object) -> list[str]:
    sandbox = make_sandbox(world(iam))
    (tmp_path / "prod.yaml").write_text(PROFILE)
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path)}
    done = drift("check", "prod", "-f", "json", env=env, cwd=tmp_path)
    notes: list[str] = json.loads(done.stdout)["notes"]
    return notes


def test_a_granted_access_says_deny_policies_were_not_read(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    notes = _notes(make_sandbox, tmp_path, {ACCESSOR: [SA]})
    # with how to check, in one line (before fixown45 it named no way to: revown45 point 4),
    # for the profile's project (it said PROJECT_ID though drift knows it)
    assert [n for n in notes if "deny" in n.lower()] == [
        "IAM deny policies are not read: a deny rule may still block access counted as granted "
        "(check: `gcloud iam policies list --kind=denypolicies "
        "--attachment-point=cloudresourcemanager.googleapis.com/projects/p`, and on "
        "its folders and organization, and those of any other project holding a secret)"
    ], notes


def test_no_grant_counted_no_deny_note(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    notes = _notes(make_sandbox, tmp_path, {ACCESSOR: ["serviceAccount:other@p.iam"]})
    assert not [n for n in notes if "deny" in n.lower()], notes
