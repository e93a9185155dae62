"""A fix that Cloud Run's deploy-time secret check would make fail: when the plan already
knows (a secret that stays in the configuration is disabled), nothing is written and the fix
says why and what to do; when it learns only at the canary (disabled meanwhile), the cleanup's
own revision fails too, and the fix says so instead of "nothing is left to roll back"."""

from __future__ import annotations

from pathlib import Path

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, entries, fix, updates

DATABASE_URL = f"projects/{PROJECT}/secrets/database-url-staging/versions/1"
"""What api's serving revision references, and the fix of api leaves as it is."""


def test_a_secret_that_stays_disabled_stops_the_fix_before_any_write(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    clients.secrets.disable_secret_version(name=DATABASE_URL)
    sandbox.clear_calls()
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.ABORTED
    assert updates(sandbox) == [] and entries(tmp_path) == []
    message = result.message
    assert "a new revision would fail Cloud Run's deploy-time check" in message, message
    assert "database-url-staging" in message and "DISABLED" in message
    assert "run drift fix again" in message and message.endswith("nothing was changed")
    (sp,) = result.plan.services
    assert any(m.target == "secret.database-url-staging" for m in sp.manual)  # what to do


def test_a_cleanup_whose_revision_fails_says_so(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    before = sandbox.service(PROJECT, "api")

    def meanwhile(question: str) -> None:  # after the plan: what served can no longer start
        clients.secrets.disable_secret_version(name=DATABASE_URL)
        # and drift cannot read it again: the cleanup's revision fails unforeseen (a version
        # it can read is judged first: tests/fix/test_cleanup_unstartable.py)
        sandbox.inject(Fault("GetSecretVersion", "PERMISSION_DENIED"))

    result = fix(tmp_path, env, ScriptedUI([True], on_confirm=meanwhile), FixOptions(), ["api"])
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    after = sandbox.service(PROJECT, "api")
    failed = after.latest_created_revision.rsplit("/", 1)[-1]
    assert after.latest_ready_revision == before.latest_ready_revision  # traffic as it was
    assert failed != after.latest_ready_revision.rsplit("/", 1)[-1]
    message = outcome.message
    assert "nothing is left to roll back" not in message, message
    assert f"the service's latest revision {failed}" in message and "failed" in message
    assert "run drift fix again" in message
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP  # the canary and its tag are gone
