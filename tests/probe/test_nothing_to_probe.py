"""A probe gate over a profile with no `probe:` block probed nothing and said only "nothing to
probe (exit 0)"; `check --probe` said nothing at all (helper-602 F6). `check --probe` says so
in a note, with what to add, its exit code the check's (it checked the rest). `drift probe`
checked nothing at all: it exited 0, a clean run, with that note (note68 §9); it is now a
profile error naming the file and what to add, exit 2 in every format, as a profile naming no
workload is (task 833)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox, mint_test_jwt
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox

NOTE = "a probe: block: nothing was probed; add `probe: {websocket: /ws}` under a service"
WHAT = "add `probe: {websocket: /ws}` under a service to probe its WebSocket handshake"
LAB = "project: acme-chat-staging\nregion: us-central1\nservices:\n  api: {}\n"


@pytest.fixture
def lab(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    """The environment of a run over `lab`: two services, neither with a probe block."""
    (tmp_path / "lab.yaml").write_text(LAB + "  web: {}\n")
    return {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path)}


def test_check_probe_without_a_probe_says_nothing_was_probed(lab: dict[str, str]) -> None:
    done = drift("check", "lab", "--probe", env=lab)
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert f"no service of lab has {NOTE}" in out, out
    json_run = drift("check", "lab", "--probe", "--format", "json", env=lab)
    assert any(NOTE in note for note in json.loads(json_run.stdout)["notes"])


@pytest.mark.parametrize("form", ["table", "json", "github", "sarif", "markdown"])
def test_probe_without_a_probe_is_a_profile_error(lab: dict[str, str], form: str) -> None:
    done = drift("probe", "lab", "--format", form, env=lab)
    assert done.returncode == 2, done.stdout + done.stderr
    where = str(Path(lab["DRIFT_PROFILES_DIR"]) / "lab.yaml")
    line = f"{where}:1: no service of lab has a probe: block: drift probe has nothing to probe"
    assert f"drift: error: {line}; {WHAT}\n" in done.stderr, done.stderr
    # no report that could be read as a run; the github format's annotation is the error's
    annotation = f"::error file={where},line=1,title=drift::{line[len(where) + 4 :]}; {WHAT}\n"
    assert done.stdout == (annotation if form == "github" else ""), done.stdout


def test_probe_of_a_service_without_one_names_those_that_have_one(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "lab.yaml").write_text(LAB + "  web:\n    probe: {websocket: /ws}\n")
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path)}
    done = drift("probe", "lab", "--service", "api", "--output", str(tmp_path / "r.json"), env=env)
    assert done.returncode == 2, done.stderr
    assert "lab.yaml:4: none of the services asked for (api) has a probe: block" in done.stderr
    assert f"probe one that has (--service web), or {WHAT}" in done.stderr, done.stderr
    assert not (tmp_path / "r.json").exists()


def test_no_note_where_a_service_has_a_probe(sandbox: Sandbox) -> None:
    jwt = mint_test_jwt(sandbox.secret_value("acme-chat-staging", "jwt-secret-staging"))
    done = drift("check", "e2e", "--probe", env={**sandbox.environ(), "ACME_TEST_JWT": jwt})
    assert done.returncode == 1, done.stderr
    assert "probe.close_1011" in done.stdout  # it probed
    assert "nothing was probed" not in done.stdout + done.stderr
