"""`init --from-live` and a password renamed: an older revision held `Tr0ub4dor&3` as
DB_PASSWORD (not copied for its name), the one that serves holds it as PGPASS. init wrote
`PGPASS: "Tr0ub4dor&3"` into a profile meant for git (helper-588 L2). It lists every
workload's revisions now, and withholds such a value as it withholds one named like a
password; a value that merely sits beside a name-masked one is copied, as `check` shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault
from tests.cliutil import drift
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

PASSWORD = "Tr0ub4dor&3"
TOKEN = "Qm7vKp2Zr9"


def _world() -> dict[str, Any]:
    first = {
        "created": "20d",
        "env": {"DB_PASSWORD": PASSWORD, "AUTH_TOKEN": TOKEN, "PGPASS": None, "TOKEN_B": None},
    }
    env = {"PGPASS": PASSWORD, "TOKEN_B": TOKEN, "GOOGLE_CLOUD_PROJECT": "acme", "MODE": "x"}
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": env}
    template["env"] = env | {"SECRET_PROJECT": "acme"}  # beside it: no password renamed
    service = {"template": template, "history": [first]}
    return {
        "projects": {"acme": {"number": 5, "region": "us-central1", "services": {"api": service}}}
    }


def _init(sandbox: Any, tmp_path: Path) -> Any:
    return drift(
        "init", "lab", "--from-live", "--project", "acme", "--region", "us-central1",
        "--profiles", str(tmp_path / "profiles"), "--wait", "0",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip


def test_init_does_not_copy_a_password_renamed(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_world())
    done = _init(sandbox, tmp_path)
    shown = done.stdout + done.stderr
    assert done.returncode == 0, shown
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    for text in (shown, written):
        assert PASSWORD not in text and TOKEN not in text, text
    assert "a password renamed, most likely" in shown and "api.PGPASS" in shown, shown
    assert "api.TOKEN_B" in shown, shown
    assert "PGPASS: {required: true}" in written, written
    assert "GOOGLE_CLOUD_PROJECT: acme" in written, written  # beside one masked: copied


def test_init_does_not_copy_a_secret_an_older_revision_referenced(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """An older revision read ENDPOINT from Secret Manager; the one that serves holds a
    plain value under that name: most likely the secret pasted in (`remember.inlined`), which
    `check` never shows. init named only the revisions that serve or are tagged."""
    pasted = "https://internal.example/v2291"
    first = {"created": "20d", "env": {"ENDPOINT": {"secret": "endpoint", "version": "1"}}}
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080}
    template["env"] = {"ENDPOINT": pasted, "MODE": "x"}
    service = {"template": template, "history": [first]}
    project = {"number": 5, "region": "us-central1", "services": {"api": service}}
    project["secrets"] = {"endpoint": {"versions": [pasted]}}
    sandbox = make_sandbox({"projects": {"acme": project}})
    done = _init(sandbox, tmp_path)
    shown = done.stdout + done.stderr
    assert done.returncode == 0, shown
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert pasted not in shown + written, shown + written
    assert "ENDPOINT: {required: true}" in written, written
    assert "api.ENDPOINT (revision api-00001-" in shown, shown


def test_init_does_not_copy_a_password_two_workloads_renamed(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """api and worker both renamed DB_PASSWORD to PGPASS: init withheld api's copy, which
    registered the value for the run, and then judged worker's PGPASS "masked" by that very
    registration, its rename unseen: worker's password was written (helper-594 F1). The
    rename is judged by names and shapes alone."""

    def renamed() -> dict[str, Any]:
        env = {"PGPASS": PASSWORD, "MODE": "x"}
        first = {"created": "20d", "env": {"DB_PASSWORD": PASSWORD, "PGPASS": None}}
        template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": env}
        return {"template": template, "history": [first]}

    services = {"api": renamed(), "worker": renamed()}
    project = {"number": 5, "region": "us-central1", "services": services}
    done = _init(make_sandbox({"projects": {"acme": project}}), tmp_path)
    shown = done.stdout + done.stderr
    assert done.returncode == 0, shown
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert PASSWORD not in shown + written, written
    assert "api.PGPASS" in shown and "worker.PGPASS" in shown, shown


def test_init_says_so_when_the_revisions_cannot_be_listed(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """ListRevisions denied: init still writes the profile (exit 0), and cannot know the
    rename; it said nothing of it (helper-594 F2). It says so now, by workload."""
    sandbox = make_sandbox(_world())
    sandbox.inject(Fault("ListRevisions", "PERMISSION_DENIED"))
    done = _init(sandbox, tmp_path)
    shown = done.stdout + done.stderr
    assert done.returncode == 0, shown
    assert "api: its older revisions could not be listed (" in shown, shown
    assert "PERMISSION_DENIED" in shown and "review them before committing" in shown, shown
