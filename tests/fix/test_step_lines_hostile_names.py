"""The gcloud lines a manual step prints, for variables named as Cloud Run lets them be named
(anything but `=`, the `X_GOOGLE_` prefix and the empty name: Cloud Run's environment-variable
page): run by bash as printed, each sends gcloud exactly the variable it names. Before, a name
holding `<LICENSE>` was left bare as a placeholder (bash read a file and wrote another), and a
name holding a comma was split by gcloud's list syntax into two other variables (revleak60
F1, F2)."""

from __future__ import annotations

import shlex
from pathlib import Path

from drift.blanks import Blank, Template, blank, word
from drift.fix.commands import Commands
from drift.fix.formats.text import shell_line
from drift.kinds import Kind
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.planning import plan_of_profile
from tests.fix.test_gcloud_script import gcloud_dict, run_script

API = "projects/acme-chat-staging/locations/us-central1/services/api"
HOSTILE = ("X<LICENSE>clobbered_by_drift", "B,C")
PROFILE = """\
project: acme-chat-staging
region: us-central1
services:
  api:
    unexpected_env: error
"""


def _flag(argv: list[str], name: str) -> str:
    return next(w.split("=", 1)[1] for w in argv if w.startswith(f"--{name}="))


def test_removing_a_hostile_variable_removes_it_alone(
    sandbox: Sandbox, sandbox_env: dict[str, str], clients: Clients, tmp_path: Path
) -> None:
    live = clients.services.get_service(name=API)
    for name in HOSTILE:
        live.template.containers[0].env.append({"name": name, "value": "v"})
    clients.services.update_service(service=live).result()
    planned = plan_of_profile(tmp_path, PROFILE, services=["api"])
    steps = {s.target: s for sp in planned.plan.services for s in sp.manual}
    for name in HOSTILE:
        (line,) = steps[f"env.{name}"].commands
        (tmp_path / "LICENSE").write_text("licence")
        done, calls = run_script(tmp_path, line + "\n")
        assert done.returncode == 0, done.stderr
        ((argv),) = calls
        assert gcloud_dict(_flag(argv, "remove-env-vars")) == {name: ""}
        assert not (tmp_path / "clobbered_by_drift").exists()


def test_a_blank_stays_bare_and_text_shaped_like_one_is_quoted() -> None:
    filled = word("--update-env-vars=", "X<VALUE>Y", "=", blank("VALUE"))
    assert isinstance(filled, Template)
    line = shell_line(["gcloud", filled, "--tag=<LICENSE>"])
    assert line == "gcloud '--update-env-vars=X<VALUE>Y='<VALUE> '--tag=<LICENSE>'"
    lexed = list(shlex.shlex(line, posix=True, punctuation_chars=True))
    assert lexed.count("<") == 1 and lexed.count(">") == 1  # the blank's, and no other


def test_a_step_with_blanks_lists_a_name_with_a_comma_by_another_delimiter() -> None:
    cmd = Commands("p", "r", "api", "", Kind.SERVICE)
    line = cmd.set_plain("B,C")
    assert "<VALUE>" in line and "'<VALUE>'" not in line
    assert "^" in line.split("--update-env-vars=", 1)[1].split("<VALUE>")[0]


def test_a_blank_refuses_to_be_formatted_into_text() -> None:
    value = blank("VALUE")
    assert isinstance(value, Blank)
    try:
        f"--x={value}"
    except TypeError:
        return
    raise AssertionError("a Blank formatted into text would be quoted as text")
