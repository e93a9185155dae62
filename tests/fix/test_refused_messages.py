"""fix's write refused, or its journal not creatable, as the operator reads it: what was
changed (nothing), the role the caller needs or the next step, where the path was set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO, drift

API = "projects/acme-chat-staging/locations/us-central1/services/api"


# --- M3: fix's write refused: no role, no next step -------------------------------------


def _fix(sandbox: Sandbox, tmp_path: Path, budget: str = "3") -> Any:
    # a refused write is retried within the retry budget (a quota's back-off: a minute at the
    # default): a few seconds say the same (a quota's first back-off is 1-2 s, an outage's
    # 0.1-0.2 s: `drift.live.calls`)
    env = sandbox.environ() | {
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
        "DRIFT_RETRY_BUDGET": budget,
    }
    return drift("fix", "staging", "-s", "api", "--yes", "--no-verify", env=env, cwd=REPO)


@pytest.mark.parametrize(
    ("permission", "role"),
    [
        ("run.services.update", "roles/run.developer"),
        ("iam.serviceaccounts.actAs", "roles/iam.serviceAccountUser"),
    ],
)
def test_m3_fix_write_denied_names_what_the_caller_needs(
    sandbox: Sandbox, tmp_path: Path, permission: str, role: str
) -> None:
    message = f"Permission '{permission}' denied on resource '{API}' (or it may not exist)."
    sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED", message=message))
    done = _fix(sandbox, tmp_path)
    assert done.returncode == 4
    # On main: "api: deploying the canary … failed (UpdateService …: PERMISSION_DENIED: …);
    # nothing was changed: traffic stays on api-00004-fqy" and no hint: `check` names the role
    # a denied read needs (drift.next_steps.next_steps), a denied write gets none.
    assert role in done.stdout + done.stderr, done.stdout + done.stderr


@pytest.mark.parametrize("status", ["RESOURCE_EXHAUSTED", "UNAVAILABLE"])
def test_m3_fix_write_quota_or_outage_says_what_next(
    sandbox: Sandbox, tmp_path: Path, status: str
) -> None:
    sandbox.inject(Fault(method="UpdateService", code=status))
    done = _fix(sandbox, tmp_path, "3" if status == "RESOURCE_EXHAUSTED" else "0.5")
    text = done.stdout + done.stderr
    if status == "UNAVAILABLE":  # its answer lost, the service as before: it may still land,
        assert done.returncode == 3, text  # so the next step is the rollback (task 831)
        assert "drift rollback" in text and "nothing was changed" not in text, text
        return
    assert done.returncode == 4, text  # a quota's refusal: nothing was written
    assert "run again" in text or "later" in text, text  # on main: no next step at all


# --- M5: a journal that cannot be created --------------------------------------------------


def test_m5_journal_not_creatable_says_where_it_was_set_and_what_to_do(
    sandbox: Sandbox,
) -> None:
    unwritable = "/sys/kernel/drift-journal"  # EPERM even for root; EACCES/EROFS alike
    env = sandbox.environ() | {"DRIFT_JOURNAL_DIR": unwritable}
    done = drift("fix", "staging", "-s", "api", "--yes", "--no-verify", env=env, cwd=REPO)
    # exit 4: aborted safely with nothing changed, as for any journal that cannot be written
    # before the first write (helper-601 F3: it was 2, "nothing was checked", though it was)
    assert done.returncode == 4, done.stderr
    # On main: "drift: error: cannot create the journal /sys/kernel/drift-journal: Operation
    # not permitted" — no hint (the file-in-the-way case has one), not where it was set, and
    # not whether anything was changed.
    assert "DRIFT_JOURNAL_DIR" in done.stderr and "--journal" in done.stderr, done.stderr
    assert "nothing was changed" in done.stderr or "nothing was written" in done.stderr


def test_a_refused_canary_write_is_recorded_as_an_attempt(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED"))
    done = _fix(sandbox, tmp_path)
    assert done.returncode == 4
    text = done.stdout + done.stderr
    # On main: "nothing was changed", then "change … recorded in JOURNAL", which reads as
    # something to roll back.
    assert "nothing to roll back" in text and " recorded in " in text, text
    assert not any(line.startswith("change ") for line in text.splitlines()), text
