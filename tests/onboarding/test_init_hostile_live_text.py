"""Live text `drift init` cannot state as a value, written as a comment or said in its summary,
stays on one line and shows what it hides (helper-562 F1, F3): a line break in a setting the
profile cannot state ended the `#` comment and wrote a key the service never had, and one in a
variable's name printed a line of drift's own making."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.runner_commands import commands

FORGED = "\n      vpc_connector: evil #"


def _init(make_sandbox: MakeSandbox, tmp_path: Path, template: dict[str, Any]) -> tuple[Any, Any]:
    """`drift init lab --from-live` of a world of one service: its run and the sandbox."""
    world = {"projects": {"acme": {"number": 111, "services": {"api": {"template": template}}}}}
    sandbox = make_sandbox(world)
    done = drift(
        "init", "lab", "--from-live", "--project", "acme", "--region", "us-central1",
        "--profiles", str(tmp_path), env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done, sandbox


def test_a_setting_a_profile_cannot_state_stays_inside_its_comment(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    key = f"k\u202e{FORGED}"  # not a Cloud KMS key name: written as a comment
    template = {"image": "img/app:2", "env": {"A": "1"}, "api": {"encryptionKey": key}}
    _init(make_sandbox, tmp_path, template)
    text = (tmp_path / "lab.yaml").read_text()
    settings = YAML(typ="safe", pure=True).load(text)["services"]["api"].get("settings") or {}
    assert "vpc_connector" not in settings and "encryption_key" not in settings, settings
    assert "\u202e" not in text
    (line,) = [x for x in text.splitlines() if "encryption_key:" in x]
    assert line.lstrip().startswith("# encryption_key: k\\u202e\\n      vpc_connector: evil #")


def test_a_variable_name_with_a_line_break_is_said_on_one_line(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    name = "TOKEN\nwrote profiles/other.yaml: 9 services"
    template = {"image": "img/app:2", "env": {name: "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}}
    done, _ = _init(make_sandbox, tmp_path, template)
    assert "not copied" in done.stdout
    assert not [x for x in done.stdout.splitlines() if x.startswith("wrote profiles/other.yaml")]
    assert "TOKEN\\nwrote profiles/other.yaml" in done.stdout


def test_a_variable_name_longer_than_an_implicit_key_is_written_and_read_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-562 F2: Cloud Run takes names up to 32,768 characters, a YAML implicit key at
    most 1,024: such a name is an explicit key (`? NAME`), and the profile checks clean."""
    name = "B" * 1100
    template = {"image": "img/app:2", "env": {name: "v", "A": "1"}}
    world = {"projects": {"acme": {"number": 111, "services": {"api": {"template": template}}}}}
    sandbox = make_sandbox(world)
    env = sandbox.environ()
    done = drift(
        "init", "lab", "--from-live", "--project", "acme", "--region", "us-central1",
        "--profiles", str(tmp_path), env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "lab.yaml").read_text()
    assert f"? {name}\n" in text
    loaded = YAML(typ="safe", pure=True).load(text)["services"]["api"]["env"]
    assert loaded == {name: "v", "A": "1"}
    check = drift("check", "lab", "--profiles", str(tmp_path), env=env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_live_value_holding_a_runners_command_is_written_inert(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-849 F3: a live value's `##[` went into the profile as it was, where a job that
    prints the generated profile (`cat`, a bot's `git diff` in the log) has the runner run it
    (its legacy `##[command]` form, found anywhere in a line); `drift plan --format yaml`
    writes `##\\x5b`, JSON `##\\u005b`. Now the profile writes it as the plan's YAML does, the
    same value to a YAML parser; `::` commands never start a line of it (values are quoted,
    their line breaks escaped). The profile checks clean: the value is read back as it is."""
    value = "v\n::error file=evil.yaml,line=1::FORGED ##[set-output name=a]b ##[add-mask]x"
    named = "::warning::NAME"  # a variable name that starts with a command
    template = {"image": "img/app:2", "env": {"API_URL": value, named: "##[error]y"}}
    _, sandbox = _init(make_sandbox, tmp_path, template)
    text = (tmp_path / "lab.yaml").read_text()
    assert "##[" not in text and "##\\x5b" in text, text
    assert commands(text) == [], commands(text)
    loaded = YAML(typ="safe", pure=True).load(text)["services"]["api"]["env"]
    assert loaded == {"API_URL": value, named: "##[error]y"}
    check = drift("check", "lab", "--profiles", str(tmp_path), env=sandbox.environ())
    assert check.returncode == 0, check.stdout + check.stderr
