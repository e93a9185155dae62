"""A password moved to a variable whose name says nothing: an older revision held it as
`DB_PASSWORD` (masked for its name), the one that serves holds the same value as `PGPASS`
(helper-587 P1). `drift history` masked it there, `drift check` showed it (`env.unexpected`,
`env.value`): both mask it now, in every format, as soon as the history is read (`since`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.history.cli import profile_folder, run

pytestmark = pytest.mark.sandbox

PASSWORD = "Tr0ub4dor&3"
SHORT = "hunt3r2"  # below the length searched for in text: masked on the finding alone
REGION = "us-central1"
PROFILE = f"""project: acme
region: {REGION}
services:
  api:
    unexpected_env: warn
    env:
      MODE: "y"
      REDIS_AUTH: other
"""


def _world() -> dict[str, Any]:
    # a history entry is merged over the template: the new names are taken out of the first
    old = {"DB_PASSWORD": PASSWORD, "REDIS_PASSWORD": SHORT, "PGPASS": None, "REDIS_AUTH": None}
    first = {"created": "20d", "env": old | {"MODE": "0"}}
    moved = {"created": "10d", "env": {"DB_PASSWORD": None, "REDIS_PASSWORD": None}}
    env = {"PGPASS": PASSWORD, "REDIS_AUTH": SHORT, "MODE": "x"}
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": env}
    template["containers"] = [{"args": ["--pg", PASSWORD, SHORT]}]  # a YAML plan copies them
    service = {"template": template, "history": [first, moved]}
    return {"projects": {"acme": {"number": 5, "region": REGION, "services": {"api": service}}}}


@pytest.mark.parametrize("fmt", ["table", "json", "github", "sarif", "markdown"])
def test_check_masks_a_password_moved_to_another_name(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    sandbox = make_sandbox(_world())
    done = run(sandbox, profile_folder(tmp_path, PROFILE), "check", "lab", "--format", fmt)
    shown = done.stdout + done.stderr
    assert done.returncode == 1, shown
    assert "PGPASS" in shown and "REDIS_AUTH" in shown, shown  # the findings are there
    assert PASSWORD not in shown and SHORT not in shown, shown


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "lab"),
        ("plan", "lab", "--format", "json"),
        ("plan", "lab", "--format", "yaml"),
        ("fix", "lab", "--dry-run"),
    ],
)
def test_plan_masks_a_password_moved_to_another_name(
    make_sandbox: MakeSandbox, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """The plan sets REDIS_AUTH (its before: the short password REDIS_PASSWORD held) and the
    YAML plan copies PGPASS: both masked where shown whole, as `check` masks them."""
    sandbox = make_sandbox(_world())
    done = run(sandbox, profile_folder(tmp_path, PROFILE), *args)
    shown = done.stdout + done.stderr
    assert done.returncode in (0, 1), shown
    assert "REDIS_AUTH" in shown, shown
    assert PASSWORD not in shown and SHORT not in shown, shown


def test_a_value_beside_one_masked_for_its_name_stays_readable(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`SECRET_PROJECT=acme` is masked for its name; `GOOGLE_CLOUD_PROJECT=acme` beside it, in
    the same revisions, moved nowhere: it stays readable, as `TTL=300s` beside `SECRET_TTL`
    does in the plan, and the YAML plan stays appliable (helper-588 O1)."""
    env = {"SECRET_PROJECT": "acme", "GOOGLE_CLOUD_PROJECT": "acme"}
    env |= {"SECRET_TTL": "300s", "TTL": "300s", "MODE": "x"}
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": env}
    service = {"template": template, "history": [{"created": "20d", "env": {"MODE": "0"}}]}
    world = {"projects": {"acme": {"number": 5, "region": REGION, "services": {"api": service}}}}
    sandbox = make_sandbox(world)
    profile = PROFILE.replace("      REDIS_AUTH: other\n", "      TTL: 900s\n")
    folder = profile_folder(tmp_path, profile)
    check = run(sandbox, folder, "check", "lab", "--format", "json")
    findings = {f["target"]: f for f in json.loads(check.stdout)["findings"]}
    assert findings["env.GOOGLE_CLOUD_PROJECT"]["actual"] == "acme", findings
    assert findings["env.SECRET_PROJECT"]["actual"] == "***", findings
    plan = json.loads(run(sandbox, folder, "plan", "lab", "--format", "json").stdout)
    [ttl] = [c for sp in plan["services"] for c in sp["env"] if c["name"] == "TTL"]
    assert (ttl["before"], ttl["after"]) == ("300s", "900s"), ttl
    yaml = run(sandbox, folder, "plan", "lab", "--format", "yaml", "--include-plain-credentials")
    assert "NOT APPLIABLE" not in yaml.stdout + yaml.stderr, yaml.stdout + yaml.stderr
    assert "value: acme" in yaml.stdout, yaml.stdout


def test_a_rename_across_a_traffic_split_is_masked_without_the_history(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Half the traffic still on the revision that held `DB_PASSWORD`, half on the one that
    holds it as `PGPASS`: with `--no-history` the two serving revisions, ranked by when they
    were made, tell the rename (helper-590 F1)."""
    world = _world()
    service = world["projects"]["acme"]["services"]["api"]
    service["traffic"] = [{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}]
    sandbox = make_sandbox(world)
    folder = profile_folder(tmp_path, PROFILE)
    for args in (("check", "lab", "--no-history"), ("plan", "lab", "--no-history")):
        done = run(sandbox, folder, *args)
        shown = done.stdout + done.stderr
        assert done.returncode == 1 and "PGPASS" in shown, shown
        assert PASSWORD not in shown, shown


def test_a_password_moved_onto_the_command_line_is_masked_in_a_yaml_plan(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """An older revision's AUTH_TOKEN is now only an argument, a word of its own and a flag's
    value (`--pg TOKEN`, `--pw=TOKEN`), which no variable holds (helper-590 F4): the YAML
    plan, which copies the arguments, masks both and says it is not appliable."""
    token = "Qm7vKp2Zr9"
    first = {"created": "20d", "env": {"AUTH_TOKEN": token}, "containers": [{"args": []}]}
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": {"MODE": "x"}}
    template["containers"] = [{"args": ["--pg", token, f"--pw={token}"]}]
    service = {"template": template, "history": [first]}
    world = {"projects": {"acme": {"number": 5, "region": REGION, "services": {"api": service}}}}
    profile = f'project: acme\nregion: {REGION}\nservices:\n  api:\n    env:\n      MODE: "y"\n'
    done = run(make_sandbox(world), profile_folder(tmp_path, profile), "plan", "lab", "-f", "yaml")
    shown = done.stdout + done.stderr
    assert done.returncode == 1, shown
    assert "args holds a secret value: not printed" in shown, shown
    assert token not in shown, shown


def test_rollback_masks_a_password_moved_to_another_name(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The fix sets REDIS_AUTH, which held the short password REDIS_PASSWORD held before
    (masked in its plan): the rollback puts it back, and its prompt, declined or answered,
    masks it as the plan did (helper-588 L1), though it reads no older revision. The journal
    names the variable, never its value."""
    sandbox = make_sandbox(_world())
    folder = profile_folder(tmp_path, PROFILE)
    fixed = run(sandbox, folder, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    journal = "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    assert '"api-1/REDIS_AUTH"' in journal, journal
    declined = run(sandbox, folder, "rollback")
    done = run(sandbox, folder, "rollback", "--yes")
    for shown in (declined.stdout + declined.stderr, done.stdout + done.stderr):
        assert "env.REDIS_AUTH: other → ***" in shown, shown
        assert SHORT not in shown and PASSWORD not in shown, shown
    assert done.returncode == 0, done.stdout + done.stderr
