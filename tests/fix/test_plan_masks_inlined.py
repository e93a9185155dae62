"""A secret value pasted into a plain variable (the same name is a Secret Manager reference in
another configuration drift read in the same run: drift/live/remember.py `inlined`) is masked
by the plan's `set_value` line (`drift plan`, `drift fix --dry-run`, every format) however
short (`redact.is_secret`), as `drift check` masks it (revown52 F1)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

SHORT = "k7781ab"  # below secretforms.SEARCH_MIN: only the data's own masking hides it


def _scenario(service: dict) -> dict:
    region = {
        "number": 3,
        "region": "us-central1",
        "services": {"inl": service},
        "secrets": {"lic": {"versions": ["lic-7781-inlined-value"]}},
    }
    return {"options": {"seed": 3}, "projects": {"p": region}}


def _sandbox(make_sandbox: MakeSandbox, service: dict) -> Sandbox:
    return make_sandbox(_scenario(service))


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


def _with(world: dict, value: str) -> dict:
    return {**world, "template": {"env": {"LICENSE_CODE": value}}}


Checked = tuple[Sandbox, Path]  # the sandbox, and the state `drift check` left


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str], Checked]]:
    """One sandbox per value and one `drift check` per (profile, value), shared by the eight
    commands that only read (`plan`, `fix --dry-run`): each copies the check's state dir and
    runs its command after it, as it did when each ran its own check first."""
    sandboxes: dict[str, Sandbox] = {}
    done: dict[tuple[str, str], Checked] = {}
    with ExitStack() as stack:

        def get(profile: str, value: str) -> Checked:
            if (profile, value) not in done:
                if value not in sandboxes:
                    scenario = _scenario(_with(SPLIT, value))
                    sandboxes[value] = stack.enter_context(Sandbox(scenario))
                where = tmp_path_factory.mktemp("checked")
                check = _run(sandboxes[value], where, profile, "check", "lab", "--format", "json")
                assert value not in check, check  # check masks it (fixmask)
                done[profile, value] = (sandboxes[value], where / "state")
            return done[profile, value]

        yield get


@pytest.mark.parametrize("value", [SHORT, "pasted-licence-value-2024"], ids=["short", "long"])
@pytest.mark.parametrize("profile", [PROFILE, PLAIN], ids=["want-ref", "want-plain"])
@pytest.mark.parametrize("cmd", CMDS, ids=["-".join((c[0], c[-1])) for c in CMDS])
def test_fix_plan_never_prints_a_short_inlined_value(
    tmp_path: Path,
    checked: Callable[[str, str], Checked],
    cmd: tuple[str, ...],
    profile: str,
    value: str,
) -> None:
    """The split serves revision 1 (LICENSE_CODE a reference to `lic`) and the latest (the
    same variable plain, 7 characters). The profile wants the reference back; the plan's
    line for LICENSE_CODE must not show the plain value (SPEC: no secret value in any output;
    README "What drift never reads" states the inlined rule). The check before it (which
    masks it too) is the module's, shared by the commands of the same profile and value."""
    sandbox, state = checked(profile, value)
    if state.exists():
        shutil.copytree(state, tmp_path / "state")
    shown = _run(sandbox, tmp_path, profile, cmd[0], "lab", *cmd[1:])
    assert value not in shown, shown


@pytest.mark.parametrize("value", [SHORT, "pasted-licence-value-2024"], ids=["short", "long"])
def test_fix_never_prints_an_inlined_value_it_read(
    tmp_path: Path, make_sandbox: MakeSandbox, checked: Callable[[str, str], Checked], value: str
) -> None:
    """`drift fix --yes` replaces the plain LICENSE_CODE (a reference to `lic` on the other
    serving revision, which the plan reads) with the profile's value: the fix's output never
    shows it, however short. (Where the reference is only in a configuration the command does
    not read — an older revision for `plan`, the 10 % revision for `rollback` — the value is
    not known as a secret: README "What drift never reads", the stop's note.) The check
    before it, masking it too, is the module's (`checked`): the same run on the same world,
    and it leaves nothing the fix reads."""
    checked(PLAIN, value)
    sandbox = _sandbox(make_sandbox, _with(SPLIT, value))
    fixed = _run(sandbox, tmp_path, PLAIN, "fix", "lab", "--yes", "--format", "table")
    assert value not in fixed, fixed
