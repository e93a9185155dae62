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

FORGED = "\n      vpc_connector: evil #"


def _init(make_sandbox: MakeSandbox, tmp_path: Path, template: dict[str, Any]) -> Any:
    world = {"projects": {"acme": {"number": 111, "services": {"api": {"template": template}}}}}
    sandbox = make_sandbox(world)
    done = drift(
        "init", "lab", "--from-live", "--project", "acme", "--region", "us-central1",
        "--profiles", str(tmp_path), env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done


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
    done = _init(make_sandbox, tmp_path, template)
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
