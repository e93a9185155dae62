"""revcmp89 F4: prod's api runs as
staging's default compute account, `300000000001-compute@developer.gserviceaccount.com`
(RevisionTemplate.service_account: "If not provided, the revision will use the project's
default service account", PROJECT_NUMBER-compute@…). `compare --live` finds that `value.foreign`
only through a number a read learned (`LiveState.projects`), and a read made for compare
(`secrets="projects"`) looks a project up only when a secret reference names one by number:
here none does, so staging's number is never learned and prod was called equivalent, exit 0.

Both environments' projects are now looked up once the reads are in, when such an account's
number is not known (`drift.compare.accounts`); when a lookup fails, it is not verified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox


def _service(account: str) -> dict[str, object]:
    return {"api": {"template": {"service_account": account, "env": {"A": "1"}}}}


STAGING_DEFAULT = "300000000001-compute@developer.gserviceaccount.com"


def _world(make_sandbox: MakeSandbox, prod_account: str) -> Sandbox:
    """shop-staging (300000000001, api as its own named account) and shop-prod
    (300000000002, api as `prod_account`)."""
    return make_sandbox(
        {
            "projects": {
                "shop-staging": {
                    "number": 300000000001,
                    "services": _service("api@shop-staging.iam.gserviceaccount.com"),
                },
                "shop-prod": {"number": 300000000002, "services": _service(prod_account)},
            }
        }
    )


def _compare(sandbox: Sandbox, tmp_path: Path, *args: str) -> Any:
    """`drift compare staging prod --live ARGS` with a profile of api for each."""
    for env in ("staging", "prod"):
        text = f"project: shop-{env}\nregion: us-central1\nservices:\n  api: {{}}\n"
        (tmp_path / f"{env}.yaml").write_text(text)
    return drift(
        "compare", "staging", "prod", "--live", *args, "--profiles", str(tmp_path),
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip


def test_running_as_the_other_environments_default_account_is_foreign(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    done = _compare(_world(make_sandbox, STAGING_DEFAULT), tmp_path, "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    found = [(d["kind"], d["target"], d["side"]) for d in json.loads(done.stdout)["differences"]]
    assert ("value.foreign", "setting.service_account", "b") in found, found


def test_a_default_account_whose_project_cannot_be_looked_up_is_not_verified(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """GetProject refused (resourcemanager.projects.get is in no Cloud Run role): whether
    300000000001 is staging's cannot be told, so the account is not verified (exit 3), never
    equivalent."""
    sandbox = _world(make_sandbox, STAGING_DEFAULT)
    sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))
    done = _compare(sandbox, tmp_path, "--format", "json")
    assert done.returncode == 3, done.stdout + done.stderr
    unread = json.loads(done.stdout)["unverified"]
    assert [(u["side"], u["target"]) for u in unread] == [("b", "setting.service_account")]
    assert "GetProject" in unread[0]["reason"], unread


def test_no_lookup_without_such_an_account(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """Accounts named by address only: no GetProject is asked for (one call each)."""
    sandbox = _world(make_sandbox, "api@shop-prod.iam.gserviceaccount.com")
    sandbox.clear_calls()
    done = _compare(sandbox, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not [c for c in sandbox.calls if c.short == "GetProject"]
