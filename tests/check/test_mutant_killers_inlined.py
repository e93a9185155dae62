"""Killer tests for survivors of revmutant6 in `drift.diff.inlined.hide_inlined`: findings made
before the older revisions were read (`drift check` reads them for `since`), masked on the
data once they are. Each
passes on main and fails on the mutant its docstring names (/work/notes/reports/revmutant6.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.check.test_check_masks_inlined_secret import VALUES, _sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

SHORT = VALUES[2]
"""Shorter than any value `redact` searches for in text: only the finding's masking hides it."""


def _findings_of(
    tmp_path: Path, make_sandbox: MakeSandbox, rule: str, *args: str
) -> list[dict[str, str]]:
    """`drift ARGS --format json` where LICENSE_CODE is plain (SHORT) over an older
    revision that referenced secret `lic`, the profile giving LICENSE_CODE `rule`; the
    findings on LICENSE_CODE, with the whole output checked for the value."""
    service = {
        "template": {"env": {"LICENSE_CODE": SHORT}},
        "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
    }
    sandbox = _sandbox(make_sandbox, service)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        f"project: p\nregion: us-central1\nservices:\n  inl: {{env: {{LICENSE_CODE: {rule}}}}}\n"
    )
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_STATE_DIR": str(tmp_path / "state"),
    }
    done = drift(*args, "--format", "json", env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert SHORT not in done.stdout + done.stderr, done.stdout + done.stderr
    found = [f for f in _findings(json.loads(done.stdout)) if f.get("target") == "env.LICENSE_CODE"]
    assert found, done.stdout
    return found


def _findings(report: object) -> list[dict[str, str]]:
    """Every finding-shaped object in the report, wherever the plan's JSON nests it."""
    out: list[dict[str, str]] = []
    if isinstance(report, dict):
        if "rule" in report and "target" in report:
            out.append(report)
        for value in report.values():
            out += _findings(value)
    elif isinstance(report, list):
        for value in report:
            out += _findings(value)
    return out


def test_an_inlined_value_unlike_the_profiles_is_said_changed(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """env.value: the rules mask a secret pasted in as `*** (changed)` (it differs, never
    what it is). Passes on main, and on mutant I01 too (`drift check` reads the older
    revisions before its rules judge: `Context.inlined` masks it, not `hide_inlined`)."""
    found = _findings_of(tmp_path, make_sandbox, "other-value", "check", "lab")
    assert {f["actual"] for f in found if f["rule"] == "env.value"} == {"*** (changed)"}, found


def test_an_inlined_value_failing_a_constraint_is_masked(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """env.constraint shows the variable's plain value; a constraint is a manual step, so
    `drift fix` has nothing to patch and shows its plan's check report, read with the history
    (`plan_environment`): the finding is masked (`hide_inlined`). Mutant I03
    (env.constraint left out of SHOWS_VALUE) prints the short pasted secret."""
    found = _findings_of(tmp_path, make_sandbox, "{min_length: 40}", "fix", "lab", "--dry-run")
    assert [f for f in found if f["rule"] == "env.constraint"], found
