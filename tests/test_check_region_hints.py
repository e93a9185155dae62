"""A wrong region as the operator reads it: a region holding no workload at all is not
"every service was deleted", and a region the API rejects gets a next step."""

from __future__ import annotations

from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO, drift


def _hints(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("hint:")]


# --- M4: a wrong region reads as "every service was deleted" -----------------------------


def test_m4_a_region_with_no_workload_at_all_says_check_the_region(sandbox: Sandbox) -> None:
    done = drift("check", "staging", "--region", "europe-west9", env=sandbox.environ(), cwd=REPO)
    # On main: three "service X does not exist in acme-chat-staging/europe-west9" errors,
    # exit 1, no hint; a wrong project gets "is acme-chat-staging (set by …) the right one?".
    hints = _hints(done.stdout + done.stderr)
    assert any("europe-west9" in h and "--region" in h for h in hints), done.stdout


def test_m4_invalid_argument_on_the_location_has_a_next_step(sandbox: Sandbox) -> None:
    sandbox.inject(
        Fault(
            method="ListServices",
            code="INVALID_ARGUMENT",
            message="region: Unsupported region us-centrl1",
        )
    )
    done = drift("check", "staging", "--region", "us-centrl1", env=sandbox.environ(), cwd=REPO)
    assert done.returncode == 3
    # On main: each service "could not verify … INVALID_ARGUMENT: …" and not one hint line.
    assert _hints(done.stdout), done.stdout
