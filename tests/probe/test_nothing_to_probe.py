"""A probe gate over a profile with no `probe:` block probed nothing and said only "nothing to
probe (exit 0)"; `check --probe` said nothing at all (helper-602 F6). Both say so in a note,
with what to add; the exit code stays the run's (nothing failed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox, mint_test_jwt
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox

NOTE = "a probe: block: nothing was probed; add `probe: {websocket: /ws}` under a service"


@pytest.mark.parametrize(
    "args", [("probe", "lab"), ("check", "lab", "--probe")], ids=["probe", "check"]
)
def test_a_profile_without_a_probe_says_nothing_was_probed(
    sandbox: Sandbox, tmp_path: Path, args: tuple[str, ...]
) -> None:
    (tmp_path / "lab.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  api: {}\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path)}
    done = drift(*args, env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert f"no service of lab has {NOTE}" in out, out
    json_run = drift(*args, "--format", "json", env=env)
    assert any(NOTE in note for note in json.loads(json_run.stdout)["notes"])


def test_no_note_where_a_service_has_a_probe(sandbox: Sandbox) -> None:
    jwt = mint_test_jwt(sandbox.secret_value("acme-chat-staging", "jwt-secret-staging"))
    done = drift("check", "e2e", "--probe", env={**sandbox.environ(), "ACME_TEST_JWT": jwt})
    assert done.returncode == 1, done.stderr
    assert "probe.close_1011" in done.stdout  # it probed
    assert "nothing was probed" not in done.stdout + done.stderr
