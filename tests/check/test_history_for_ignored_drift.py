"""A workload's revision history is read for `since`, where its drift began. An ignored
finding's `since` shows only in the JSON report and SARIF (a suppressed result), and a baseline
compares it; the table, github and Markdown outputs show ignored findings as a count. So for
those, a workload whose only drift an `ignore` silences has no history read (helper-663 L2):
one ListRevisions, and a round, for nothing shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

SHIPPED = REPO / "drift" / "examples" / "profiles"
SILENCED = (
    "  - {service: web, env: NEXT_PUBLIC_WS_URL, reason: tracked in OPS-8, until: 2099-12-31}\n"
)


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    """The shipped staging profile, web's one drift (NEXT_PUBLIC_WS_URL) ignored too (beside
    its NEXT_TELEMETRY_DISABLED, ignored as shipped)."""
    folder = tmp_path / "profiles"
    shutil.copytree(SHIPPED, folder)
    staging = folder / "staging.yaml"
    staging.write_text(staging.read_text() + SILENCED)
    return folder


def web_listed(sandbox: Sandbox) -> bool:
    return any(
        c.short == "ListRevisions" and c.request.parent.endswith("/services/web")
        for c in sandbox.calls
    )


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (("--format", "table"), False),
        (("--format", "github"), False),
        (("--format", "markdown"), False),
        (("--format", "json"), True),
        (("--format", "sarif"), True),
        (("--format", "table", "--json", "{tmp}/r.json"), True),
        (("--format", "github", "--sarif", "{tmp}/r.sarif"), True),
    ],
)
def test_no_history_is_read_for_drift_only_an_ignore_silences_where_no_output_shows_it(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    profiles: Path,
    tmp_path: Path,
    args: tuple[str, ...],
    listed: bool,
) -> None:
    sandbox.clear_calls()
    argv = ("check", "staging", "--profiles", str(profiles), *args)
    done = drift(*(a.format(tmp=tmp_path) for a in argv), env=sandbox_env, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # api drifts
    assert web_listed(sandbox) is listed
    assert any(c.short == "ListRevisions" for c in sandbox.calls)  # api's, for its drift


def test_an_ignored_findings_since_is_in_the_json_report(
    sandbox_env: dict[str, str], profiles: Path, tmp_path: Path
) -> None:
    """Why JSON reads web's history: its ignored findings carry `since`."""
    argv = ("check", "staging", "--profiles", str(profiles), "--format", "json")
    report = json.loads(drift(*argv, env=sandbox_env, cwd=tmp_path).stdout)
    web = [f for f in report["findings"] if f["service"] == "web"]
    assert web and all(f["ignored"] for f in web), web
    assert any(f.get("since") for f in web), web
