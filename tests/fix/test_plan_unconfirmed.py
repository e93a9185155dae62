"""A secret finding kept though its read again was refused (drift/live/held_still.py) is
"reported as read, not confirmed" by `check` (tests/check/test_held_still.py); `plan`, which
acts on the same finding, said nothing of it. It says the same note in every format it has:
the table's and the JSON's own, a script's (gcloud, yaml) on stderr, never in its text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.fix.formats import PlanFormat
from tests.check.test_held_still import LATEST, refused_policy_again
from tests.cliutil import drift
from tests.conftest import MakeSandbox

NOTE = (
    "api: its secret.no_access on secret.s is reported as read, not confirmed: the IAM "
    "policy of secret s could not be read again (GetIamPolicy projects/acme/secrets/s: "
    "PERMISSION_DENIED, needs secretmanager.secrets.getIamPolicy); a change landing "
    "between drift's reads of the workload and of the secret is not ruled out"
)


@pytest.mark.parametrize("fmt", list(PlanFormat), ids=str)
def test_plan_says_a_finding_is_not_confirmed_in_every_format(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: PlanFormat
) -> None:
    sandbox = refused_policy_again(make_sandbox, monkeypatch)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(LATEST)
    args = ("plan", "prod", "--format", fmt.value)
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # the finding stands
    if fmt is PlanFormat.JSON:
        assert NOTE in json.loads(done.stdout)["notes"]
    elif fmt is PlanFormat.TABLE:
        assert f"note: {NOTE}" in done.stdout.splitlines(), done.stdout
    else:  # a script: the note on stderr, never in its text
        assert f"note: {NOTE}" in done.stderr, done.stderr
        assert "not confirmed" not in done.stdout
