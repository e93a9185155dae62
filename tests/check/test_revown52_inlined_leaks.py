"""revown52 repros (expected to FAIL on main 73498dd): a short secret value pasted into a plain
variable (the same name is a Secret Manager reference in another configuration drift read)
still printed by `drift fix`'s plan line, though `drift check` masks it (fixmask)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

SHORT = "k7781ab"  # below redact.SEARCH_MIN: only the data's own masking hides it


def _sandbox(make_sandbox: MakeSandbox, service: dict) -> Sandbox:
    region = {
        "number": 3,
        "region": "us-central1",
        "services": {"inl": service},
        "secrets": {"lic": {"versions": ["lic-7781-inlined-value"]}},
    }
    return make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})


def _run(sandbox: Sandbox, tmp_path: Path, profile: str, *args: str) -> str:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(profile)
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_STATE_DIR": str(tmp_path / "state"),
    }
    done = drift(*args, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout + done.stderr


SPLIT = {
    "template": {"env": {"LICENSE_CODE": SHORT}},
    "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
    "traffic": [{"latest": True, "percent": 90}, {"revision": 1, "percent": 10}],
}
PROFILE = (
    "project: p\nregion: us-central1\nservices:\n"
    "  inl: {env: {LICENSE_CODE: {secret: lic}}}\n"
)


CMDS = [
    ("fix", "--dry-run", "--format", "table"),
    ("fix", "--dry-run", "--format", "json"),
    ("fix", "--dry-run", "--format", "sarif"),
    ("fix", "--dry-run", "--format", "github"),
    ("plan", "--format", "table"),
    ("plan", "--format", "json"),
    ("plan", "--format", "yaml"),
    ("plan", "--format", "gcloud"),
]
PLAIN = "project: p\nregion: us-central1\nservices:\n  inl: {env: {LICENSE_CODE: other-value-1}}\n"


@pytest.mark.parametrize("profile", [PROFILE, PLAIN], ids=["want-ref", "want-plain"])
@pytest.mark.parametrize("cmd", CMDS, ids=["-".join((c[0], c[-1])) for c in CMDS])
def test_fix_plan_never_prints_a_short_inlined_value(
    tmp_path: Path, make_sandbox: MakeSandbox, cmd: tuple[str, ...], profile: str
) -> None:
    """The split serves revision 1 (LICENSE_CODE a reference to `lic`) and the latest (the
    same variable plain, 7 characters). The profile wants the reference back; the plan's
    line for LICENSE_CODE must not show the plain value (SPEC: no secret value in any output;
    README "What drift never reads" states the inlined rule)."""
    sandbox = _sandbox(make_sandbox, SPLIT)
    check = _run(sandbox, tmp_path, profile, "check", "lab", "--format", "json")
    assert SHORT not in check, check  # check masks it (fixmask)
    shown = _run(sandbox, tmp_path, profile, cmd[0], "lab", *cmd[1:])
    assert SHORT not in shown, shown
