"""A value shown masked (a password's, `*** (changed)`) changed from one wrong value to another
by a later deploy is `updated`, as a plain value's would be (its `actual` differs): masked, both
read `*** (changed)`, and `since` (same rule, same target) spans both, so it compared unchanged
and `--fail-on-new` exited 0 (revbase92 F2). The same wrong value redeployed stays unchanged."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from tests.conftest import MakeSandbox
from tests.history.cli import run
from tests.history.test_revsince import acme

PROFILE = """
project: acme
region: us-central1
services:
  api: {env: {DB_PASSWORD: "right-horse-battery"}}
"""


def _baselined(make_sandbox: MakeSandbox, tmp_path: Path) -> tuple[Any, Path, Path, Any]:
    """`api` running the password's wrong value (its right one in the history), the profile,
    and the baseline its first check wrote: (sandbox, profiles, baseline file, that run)."""
    service = {
        "template": {"env": {"DB_PASSWORD": "wrong-one-value"}},
        "history": [{"env": {"DB_PASSWORD": "right-horse-battery"}}],
    }
    sandbox = make_sandbox(acme({"api": service}))
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(textwrap.dedent(PROFILE))
    last = tmp_path / "last.json"
    first = run(sandbox, folder, "check", "prod", "--format", "json", "--output", str(last))
    return sandbox, folder, last, first


def test_a_masked_value_changed_to_another_wrong_value_is_updated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, folder, last, first = _baselined(make_sandbox, tmp_path)
    assert first.returncode == 1, first.stderr
    (before,) = json.loads(last.read_text())["findings"]
    sandbox.set_env("acme", "api", "DB_PASSWORD", "wrong-two-value")
    done = run(
        sandbox,
        folder,
        "check",
        "prod",
        "--format",
        "json",
        "--baseline",
        str(last),
        "--fail-on-new",
    )
    (found,) = json.loads(done.stdout)["findings"]
    assert "wrong-two-value" not in done.stdout
    assert found["baseline"] == "updated", found
    assert done.returncode == 1, done.stdout


def test_the_same_wrong_value_on_a_later_deploy_stays_unchanged(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Another deploy that keeps the password's wrong value (it sets another variable) is the
    same drift: unchanged, nothing new (`--fail-on-new` exits 0)."""
    sandbox, folder, last, _ = _baselined(make_sandbox, tmp_path)
    sandbox.set_env("acme", "api", "LOG_LEVEL", "debug")
    args = ("check", "prod", "--format", "json", "--baseline", str(last), "--fail-on-new")
    done = run(sandbox, folder, *args)
    (found,) = json.loads(done.stdout)["findings"]
    assert found["revision"].startswith("api-00003-"), found
    assert found["baseline"] == "unchanged", found
    assert done.returncode == 0, done.stdout


def test_a_canary_with_another_wrong_value_is_updated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A canary at 10 % with another wrong password beside the known one: the two revisions'
    findings say the same masked (`*** (changed)`), so the drift is told once, on the older
    revision, the canary in `also_on`; the canary's value is not the baseline's: updated."""
    sandbox, folder, last, _ = _baselined(make_sandbox, tmp_path)
    (before,) = json.loads(last.read_text())["findings"]
    sandbox.deploy("acme", "api", env={"DB_PASSWORD": "wrong-two-value"}, no_traffic=True)
    revisions = [r.revision for r in sandbox.service("acme", "api").traffic if r.revision]
    (old,) = revisions
    new = sandbox.service("acme", "api").latest_created_revision.rpartition("/")[2]
    sandbox.update_traffic("acme", "api", {old: 90, new: 10})
    args = ("check", "prod", "--format", "json", "--baseline", str(last), "--fail-on-new")
    done = run(sandbox, folder, *args)
    (found,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "env.value"]
    assert (found["revision"], found["also_on"]) == (old, [new]), found
    assert found["baseline"] == "updated", found
    assert done.returncode == 1, done.stdout  # (the rollout finding is a warning: below error)


SECRET_PROFILE = """
project: acme
region: us-central1
services:
  api: {env: {JWT_SECRET_KEY: {secret: jwt}}}
"""


def test_a_credential_pasted_where_a_reference_belongs_replaced_by_another_is_updated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`env.plaintext_secret` says `***` whatever the credential: one pasted credential a
    deploy replaced with another compared unchanged, and `--fail-on-new` exited 0, while
    `drift history` showed `*** -> *** (changed)` (helper-529 F1)."""
    first_value, second_value = "plain-jwt-value-aaaaaaaaaaaaaaaa", "plain-jwt-value-bbbbbbbbbbb"
    sandbox = make_sandbox(acme({"api": {"template": {"env": {"JWT_SECRET_KEY": first_value}}}}))
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(textwrap.dedent(SECRET_PROFILE))
    last = tmp_path / "last.json"
    first = run(sandbox, folder, "check", "prod", "--format", "json", "--output", str(last))
    (before,) = [
        f for f in json.loads(last.read_text())["findings"] if f["rule"] == "env.plaintext_secret"
    ]
    assert first.returncode == 1 and before["actual"] == "***", first.stdout
    args = ("check", "prod", "--format", "json", "--baseline", str(last), "--fail-on-new")
    sandbox.set_env("acme", "api", "LOG_LEVEL", "debug")  # a deploy that keeps the credential
    kept = run(sandbox, folder, *args)
    (same,) = [f for f in json.loads(kept.stdout)["findings"] if f["id"] == before["id"]]
    assert same["baseline"] == "unchanged", same
    sandbox.set_env("acme", "api", "JWT_SECRET_KEY", second_value)
    done = run(sandbox, folder, *args)
    (found,) = [f for f in json.loads(done.stdout)["findings"] if f["id"] == before["id"]]
    assert found["baseline"] == "updated", found
    assert done.returncode == 1, done.stdout
    assert first_value not in done.stdout and second_value not in done.stdout
