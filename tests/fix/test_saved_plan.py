"""Saved plans (`drift plan ENV --out FILE`, `drift fix ENV --plan FILE [--only ID…]`), as a
user runs them against the sandbox: the fix applies exactly the saved plan, or nothing (exit 4)
when the service or the profile changed since it was made, or the plan is not the one reviewed
(the file edited, or the fresh plan's body other than the saved one); `--only` applies part of
it; a file that is not a saved plan for this environment is one clear message (exit 2)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import (
    LAB,
    deploy_no_traffic,
    env_by_name,
    lab_cli,
    lab_name,
    lab_world,
    updates,
)


@pytest.fixture
def lab(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox(lab_world())


def _env(sandbox: Sandbox) -> dict[str, str]:
    return {name: v.value for name, v in env_by_name(sandbox.service(LAB, "app")).items()}


def _saved(sandbox: Sandbox, tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    made = lab_cli(sandbox, tmp_path, "plan", "lab", "--out", str(path))
    assert made.returncode == 1, made.stderr  # a plan exits as its check: drift found
    assert "set_value" in made.stdout and "MODE" in made.stdout  # the table still shows it
    return path


def _fix_saved(
    sandbox: Sandbox, tmp_path: Path, path: Path, *more: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`drift fix lab --plan PATH MORE --yes --no-verify` (with `env`)."""
    plan = ("--plan", str(path))
    return lab_cli(sandbox, tmp_path, "fix", "lab", *plan, *more, "--yes", "--no-verify", env=env)


def test_a_saved_plan_is_applied_as_it_was_made(lab: Sandbox, tmp_path: Path) -> None:
    path = _saved(lab, tmp_path)
    data = json.loads(path.read_text())
    (service,) = data["services"]
    assert {c["id"] for c in service["env"]} == {"app/env.MODE", "app/env.DEBUG"}
    assert service["etag"] == lab.service(LAB, "app").etag
    assert len(data["saved"]["profile_digest"]) == 64
    done = _fix_saved(lab, tmp_path, path)
    assert done.returncode == 0, done.stdout + done.stderr
    env = _env(lab)
    assert env.get("MODE") == "live" and "DEBUG" not in env


def test_a_service_changed_since_the_plan_is_not_touched(
    lab: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    path = _saved(lab, tmp_path)
    clients = clients_for(lab)
    service = clients.services.get_service(name=lab_name())
    service.labels["team"] = "payments"  # a third party's change, between plan and fix
    clients.services.update_service(service=service).result()
    writes = len(updates(lab))
    done = _fix_saved(lab, tmp_path, path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "changed since" in done.stdout and "app (etag" in done.stdout
    assert "nothing was changed" in done.stdout and "drift plan lab --out" in done.stdout
    assert len(updates(lab)) == writes  # drift wrote nothing
    assert "DEBUG" in _env(lab)


def test_a_profile_changed_since_the_plan_is_not_applied(lab: Sandbox, tmp_path: Path) -> None:
    path = _saved(lab, tmp_path)
    profile = tmp_path / "profiles" / "lab.yaml"
    writes = len(updates(lab))
    edited = {"DRIFT_PROFILES_DIR": str(_edited(profile, tmp_path))}
    done = _fix_saved(lab, tmp_path, path, env=edited)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "profile files changed since" in done.stdout
    assert len(updates(lab)) == writes


def _edited(profile: Path, tmp_path: Path) -> Path:
    """A copy of the profiles directory whose lab profile says MODE: other."""
    folder = tmp_path / "edited"
    folder.mkdir()
    (folder / "lab.yaml").write_text(profile.read_text().replace("MODE: live", "MODE: other"))
    return folder


def test_only_applies_part_of_the_plan(lab: Sandbox, tmp_path: Path) -> None:
    path = _saved(lab, tmp_path)
    done = _fix_saved(lab, tmp_path, path, "--only", "app/env.MODE")
    assert "1 change of the plan left out" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1  # the re-check still finds DEBUG: honest, not clean
    env = _env(lab)
    assert env.get("MODE") == "live" and env.get("DEBUG") == "true"
    (canary, _promote) = updates(lab)
    (container,) = canary.service.template.containers
    assert {v.name for v in container.env} == {"DEBUG", "MODE"}


def test_only_without_a_saved_plan_cuts_the_live_one(lab: Sandbox, tmp_path: Path) -> None:
    done = lab_cli(lab, tmp_path, "fix", "lab", "--only", "app/env.DEBUG", "--yes", "--no-verify")
    assert done.returncode == 1, done.stdout + done.stderr
    env = _env(lab)
    assert "DEBUG" not in env and "MODE" not in env


BAD = [
    (["--only", "app/env.NOPE"], "--only: no change app/env.NOPE in the plan"),
    (["--plan", "{missing}"], "cannot read the plan"),
    (["--plan", "{not_json}"], "is not a saved plan (not JSON"),
    (["--plan", "{shown}"], "no `saved` block"),
    (["--plan", "{other}"], "was made for elsewhere/lab-other/us-central1"),
    (["--plan", "{saved}", "--service", "app"], "drop --service"),
    (["--plan", "{deep}"], "is not a saved plan (nested too deeply)"),
    (["--plan", "{newer}"], "was written by a newer drift (drift.plan/v9; this drift reads "),
    (["--plan", "{odd}"], "is not a saved plan (drift.plan/v2 written by `drift plan --out`)"),
    (  # revcompat F5: the body changed (new_revision): v1 is an older drift's, saved again
        ["--plan", "{older}"],
        "was written by an older drift (drift.plan/v1; this drift reads drift.plan/v2): "
        "write it again with this one (`drift plan ENVIRONMENT --out FILE`)",
    ),
]


def test_what_is_not_a_plan_to_apply_is_one_clear_message(lab: Sandbox, tmp_path: Path) -> None:
    saved = _saved(lab, tmp_path)
    shown = tmp_path / "shown.json"
    shown.write_text(lab_cli(lab, tmp_path, "plan", "lab", "--format", "json").stdout)
    not_json = tmp_path / "not.json"
    not_json.write_text("{ nope")
    other = tmp_path / "other.json"
    data = json.loads(saved.read_text())
    data.update(environment="elsewhere", project="lab-other")
    other.write_text(json.dumps(data))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    newer = tmp_path / "newer.json"
    # saved by a later drift: one saved by this drift with schema v9 was edited (revinput60 F5)
    later = {**data["saved"], "drift_version": "99.0"}
    newer.write_text(json.dumps({**data, "schema": "drift.plan/v9", "saved": later}))
    older = tmp_path / "older.json"
    older.write_text(json.dumps({**data, "schema": "drift.plan/v1"}))
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({**data, "services": [{"env": 3}]}))
    paths = {
        "deep": deep,
        "odd": odd,
        "newer": newer,
        "older": older,
        "missing": tmp_path / "missing.json",
        "not_json": not_json,
        "shown": shown,
        "other": other,
        "saved": saved,
    }
    writes = len(updates(lab))
    for args, says in BAD:
        argv = [a.format(**{k: str(v) for k, v in paths.items()}) for a in args]
        done = lab_cli(lab, tmp_path, "fix", "lab", *argv, "--yes", "--no-verify")
        assert done.returncode == 2, (args, done.stdout + done.stderr)
        assert says in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
        assert "{newer}" not in args or "ValueError" not in done.stderr, done.stderr
    assert len(updates(lab)) == writes


def _redigested(data: dict[str, Any]) -> dict[str, Any]:
    from drift.fix.saved import body_digest

    data["saved"]["digest"] = body_digest(data, data["saved"])
    return data


EDITS: list[tuple[str, Callable[[dict[str, Any]], object], int, str]] = [
    ("edited", lambda d: d["saved"].update(from_template=True), 4, "was edited since"),
    (
        "edited and digested again",
        lambda d: _redigested(d["saved"].update(from_template=True) or d),
        4,
        "the plan now differs from",
    ),
    ("older drift", lambda d: d["saved"].pop("digest"), 2, "saved by an older drift"),
]


@pytest.mark.parametrize(("edit", "how", "code", "says"), EDITS, ids=[e[0] for e in EDITS])
def test_a_plan_other_than_the_one_reviewed_is_not_applied(
    lab: Sandbox,
    tmp_path: Path,
    clients_for: ClientsFor,
    edit: str,
    how: Callable[[dict[str, Any]], object],
    code: int,
    says: str,
) -> None:
    """The reviewed plan refused to roll out an unreleased template (deployed --no-traffic);
    a copy saying `from_template: true` would roll it out: refused, nothing written."""
    deploy_no_traffic(clients_for(lab), lab_name(), "us-docker.pkg.dev/lab/app:v2-UNRELEASED")
    path = tmp_path / "plan.json"
    lab_cli(lab, tmp_path, "plan", "lab", "--out", str(path))
    data = json.loads(path.read_text())
    how(data)
    path.write_text(json.dumps(data))
    writes = len(updates(lab))
    done = _fix_saved(lab, tmp_path, path)
    assert done.returncode == code, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert says in said and "drift plan lab --out" in said
    assert len(updates(lab)) == writes


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_plan_that_never_ends_is_refused_by_what_is_read(tmp_path: Path) -> None:
    """`--plan /dev/zero` (a device has no size: `stat` says 0) read without end: the read
    stops past the 16 MB limit. Run with 1 GiB of address space, so that a read without a
    bound fails there, not on the machine. The child sets its own limit, first thing: a
    `preexec_fn` would fork this process, whose gRPC threads (the sandbox's clients) make a
    forked child unreliable ("Other threads are currently calling into gRPC, skipping fork()
    handlers")."""
    import subprocess
    import sys

    code = (
        "import resource\nresource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "from pathlib import Path\nfrom drift.errors import UsageError\n"
        "from drift.fix.saved import read_saved\n"
        "try:\n    read_saved(Path('/dev/zero'))\nexcept UsageError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.stdout == "/dev/zero: larger than 16 MB: not a saved plan\n", done.stderr[-300:]


def test_a_plan_that_is_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    """`--plan FIFO` that nothing writes: refused at once, as the profile, the baseline and
    the journal refuse one (it blocked in open() for ever). A process of its own with a
    timeout (forked from the zygote, `python_code`, which kills a run that outlives it)."""
    import os

    from tests.cliutil import python_code

    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    code = (
        "import sys\nfrom pathlib import Path\nfrom drift.errors import UsageError\n"
        "from drift.fix.saved import read_saved\n"
        "try:\n    read_saved(Path(sys.argv[1]))\nexcept UsageError as exc:\n    print(exc)\n"
    )
    done = python_code(code, str(fifo), env=dict(os.environ), cwd=REPO, timeout=20)
    assert done.stdout.startswith(
        f"cannot read the plan {fifo}: not a regular file (a named pipe: drift waits for no "
        "writer; give a file or `<(command)`)"
    ), done.stdout + done.stderr
