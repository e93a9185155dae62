"""A secret value pasted into a plain variable (the same name is a Secret Manager reference in
another configuration drift read in the same run: drift/live/remember.py `inlined`) is masked
by the plan's `set_value` line (`drift plan`, `drift fix --dry-run`, every format) however
short (`redact.is_secret`), as `drift check` masks it. Where the reference is only in a
configuration the command does not read (an older revision `plan` does not list; the
revision a `rollback` does not read), the README's rule says the value is not known as a
secret there: those cases assert that documented behaviour (revown52 F1, F2)."""

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
    "project: p\nregion: us-central1\nservices:\n  inl: {env: {LICENSE_CODE: {secret: lic}}}\n"
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


@pytest.mark.parametrize("value", [SHORT, "pasted-licence-value-2024"], ids=["short", "long"])
@pytest.mark.parametrize("profile", [PROFILE, PLAIN], ids=["want-ref", "want-plain"])
@pytest.mark.parametrize("cmd", CMDS, ids=["-".join((c[0], c[-1])) for c in CMDS])
def test_fix_plan_never_prints_a_short_inlined_value(
    tmp_path: Path, make_sandbox: MakeSandbox, cmd: tuple[str, ...], profile: str, value: str
) -> None:
    """The split serves revision 1 (LICENSE_CODE a reference to `lic`) and the latest (the
    same variable plain, 7 characters). The profile wants the reference back; the plan's
    line for LICENSE_CODE must not show the plain value (SPEC: no secret value in any output;
    README "What drift never reads" states the inlined rule)."""
    sandbox = _sandbox(make_sandbox, {**SPLIT, "template": {"env": {"LICENSE_CODE": value}}})
    check = _run(sandbox, tmp_path, profile, "check", "lab", "--format", "json")
    assert value not in check, check  # check masks it (fixmask)
    shown = _run(sandbox, tmp_path, profile, cmd[0], "lab", *cmd[1:])
    assert value not in shown, shown


ALONE = {
    "template": {"env": {"LICENSE_CODE": SHORT}},
    "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
}


def _with(world: dict, value: str) -> dict:
    return {**world, "template": {"env": {"LICENSE_CODE": value}}}


@pytest.mark.parametrize("value", [SHORT, "pasted-licence-value-2024"], ids=["short", "long"])
@pytest.mark.parametrize("world", [SPLIT, ALONE], ids=["split", "history"])
def test_fix_and_rollback_never_print_a_short_inlined_value(
    tmp_path: Path, make_sandbox: MakeSandbox, world: dict, value: str
) -> None:
    """`drift fix --yes` replaces the plain LICENSE_CODE (7 characters; a reference to `lic`
    in another configuration read) with the profile's value, then `drift rollback` is asked
    and declined: neither the fix's output nor the rollback prompt's diff may show it."""
    sandbox = _sandbox(make_sandbox, _with(world, value))
    check = _run(sandbox, tmp_path, PLAIN, "check", "lab", "--format", "json")
    assert value not in check, check
    fixed = _run(sandbox, tmp_path, PLAIN, "fix", "lab", "--yes", "--format", "table")
    folder = tmp_path / "profiles"
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_STATE_DIR": str(tmp_path / "state"),
    }
    done = drift("rollback", env=env, cwd=tmp_path, stdin="n\n")
    asked = done.stdout + done.stderr
    assert "Traceback" not in asked, asked
    if world is SPLIT:  # the plan read the serving revision holding the reference
        assert value not in fixed, fixed
    else:  # README: the plan line is made before the older revisions are read
        assert value in fixed, fixed
    # README: `drift rollback` reads the live template and the recorded configuration, neither
    # holding the reference here: it does not know the value as a secret
    assert value in asked, asked


@pytest.mark.parametrize("value", [SHORT, "pasted-licence-value-2024"], ids=["short", "long"])
@pytest.mark.parametrize("cmd", CMDS, ids=["-".join((c[0], c[-1])) for c in CMDS])
def test_plan_never_prints_a_value_inlined_over_an_older_reference(
    tmp_path: Path, make_sandbox: MakeSandbox, cmd: tuple[str, ...], value: str
) -> None:
    """fixmask's own case (envhist2): the serving revision holds LICENSE_CODE plain, the
    previous one (no longer serving) had it as a reference to `lic`. `drift check` masks it
    (it reads the history for `since`); the plan does not read older revisions, so (README
    "What drift never reads") its `set_value` line shows the value."""
    sandbox = _sandbox(make_sandbox, _with(ALONE, value))
    check = _run(sandbox, tmp_path, PLAIN, "check", "lab", "--format", "json")
    assert value not in check, check  # check masks it (fixmask)
    shown = _run(sandbox, tmp_path, PLAIN, cmd[0], "lab", *cmd[1:])
    if cmd[-1] not in ("yaml", "gcloud"):  # those print no value of the variable replaced
        assert value in shown, shown
