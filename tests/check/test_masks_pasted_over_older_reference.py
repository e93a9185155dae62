"""A short value pasted over an OLDER revision's secret reference, under an env.value rule, is
never shown by check, by the plan (every read of a drifted service lists its history) or by
the report `fix --dry-run` shows (revmutant6 T1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.test_check_masks_inlined_secret import VALUES, _sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox


@pytest.mark.parametrize(
    "args",
    [("check", "lab"), ("fix", "lab", "--dry-run"), ("plan", "lab")],
    ids=["check", "fix-dry-run", "plan"],
)
@pytest.mark.parametrize("value", VALUES, ids=["dashed", "one-word", "short"])
def test_a_value_pasted_over_an_older_reference_is_never_shown_under_env_value(
    args: tuple[str, ...], value: str, tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    service = {
        "template": {"env": {"LICENSE_CODE": value}},
        "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
    }
    sandbox = _sandbox(make_sandbox, service)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  inl: {env: {LICENSE_CODE: other-value}}\n"
    )
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_STATE_DIR": str(tmp_path / "state"),
    }
    for fmt in ("table", "json"):
        done = drift(*args, "--format", fmt, env=env, cwd=tmp_path)
        assert "Traceback" not in done.stderr, done.stderr
        assert "LICENSE_CODE" in done.stdout + done.stderr, (fmt, done.stdout, done.stderr)
        assert value not in done.stdout + done.stderr, (fmt, done.stdout + done.stderr)
