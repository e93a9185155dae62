"""A third party's write lands between two of drift's secret reads (helper-650 F3, F7): the
report is of one moment, or says the reference changed while drift read it, never two findings
each true of another moment. The write is made through the official client (or, for
DeleteSecret, which the sandbox does not serve, on its world) once drift's first call is
answered, and drift's second call waits for it: the order is fixed, not timed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import secretmanager_v1
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
)

from drift.check import CheckResult
from drift.live.calls import CallRunner
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile

SA = "api@p.iam.gserviceaccount.com"
GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
SECRET = "projects/p/secrets/s"
SHORT = "fake-short-value"
CHECKED = (
    "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
    "      S: {secret: s, min_length: 32}\n"
)


def world(versions: list[Any]) -> dict[str, Any]:
    template = {"image": "x/a:1", "service_account": SA, "env": {"S": {"secret": "s"}}}
    secrets = {"s": {"versions": versions, "iam": GRANT}}
    project = {"number": 5, "secrets": secrets, "services": {"api": {"template": template}}}
    return {"projects": {"p": project}}


def between(
    monkeypatch: pytest.MonkeyPatch,
    first: str,
    then: set[str],
    write: Callable[[], Any],
    match: str = "",
) -> None:
    """`write` runs once drift's first `first` call is answered; its calls of `then` (of a
    resource holding `match`) are sent only after it (every Google call drift makes goes
    through `CallRunner.call`)."""
    real = CallRunner.call
    done: list[asyncio.Event] = []

    def event() -> asyncio.Event:
        if not done:
            done.append(asyncio.Event())
        return done[0]

    async def call(runner: CallRunner, api: Any, method: str, resource: str, fn: Any, **kw: Any):
        if method in then and match in resource:
            await event().wait()
        try:
            return await real(runner, api, method, resource, fn, **kw)
        finally:
            if method == first and not event().is_set():
                write()
                event().set()

    monkeypatch.setattr(CallRunner, "call", call)


def manager(sandbox: Sandbox) -> secretmanager_v1.SecretManagerServiceClient:
    channel = grpc.insecure_channel(sandbox.address)
    return secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )


def rules(result: CheckResult) -> list[str]:
    return sorted(f"{f.rule}: {f.message}" for f in result.report.findings)


@pytest.mark.parametrize("how", ["add", "enable"])
def test_a_version_made_readable_after_its_state_read_is_judged_on_its_state_read_again(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    """`add`: `s` had no version when GetSecretVersion(latest) was answered, a first one is
    added before AccessSecretVersion; `enable`: version 1 was DISABLED, then enabled. The
    report said `secret.missing` (or `secret.disabled`) and judged the value all the same."""
    versions = [] if how == "add" else [{"value": SHORT, "state": "DISABLED"}]
    made: list[Sandbox] = []

    def sandbox(scenario: Any) -> Sandbox:
        made.append(make_sandbox(scenario))
        client = manager(made[0])

        def write() -> None:
            if how == "add":
                client.add_secret_version(parent=SECRET, payload={"data": SHORT.encode()})
            else:
                client.enable_secret_version(name=f"{SECRET}/versions/1")

        between(monkeypatch, "GetSecretVersion", {"AccessSecretVersion"}, write)
        return made[0]

    result = check_profile(sandbox, monkeypatch, tmp_path, world(versions), CHECKED)
    (found,) = result.report.findings
    assert found.rule == "env.constraint", rules(result)
    assert "shorter than 32 characters" in found.message
    assert not result.report.unverified, result.report.unverified
    asked = [str(c.request.name) for c in made[0].calls if c.short == "GetSecretVersion"]
    # read again once; then latest once more, its value judged on the version it resolved to
    # while api's read was not yet answered (drift.live.held_still): the same
    assert asked == [
        f"{SECRET}/versions/latest",
        f"{SECRET}/versions/1",
        f"{SECRET}/versions/latest",
    ]
    assert result.report.exit_code == 1


def test_a_version_that_moves_again_before_its_state_is_read_again_is_not_verified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """DISABLED when its state was read, enabled before its value was, disabled again before
    its state was read again: neither `secret.disabled` nor a verdict on the value."""
    made: list[Sandbox] = []

    def sandbox(scenario: Any) -> Sandbox:
        made.append(make_sandbox(scenario))
        client = manager(made[0])
        version = f"{SECRET}/versions/1"

        def enable() -> None:
            client.enable_secret_version(name=version)

        def disable() -> None:
            client.disable_secret_version(name=version)

        between(monkeypatch, "GetSecretVersion", {"AccessSecretVersion"}, enable)
        between(monkeypatch, "AccessSecretVersion", {"GetSecretVersion"}, disable, version)
        return made[0]

    scenario = world([{"value": SHORT, "state": "DISABLED"}])
    result = check_profile(sandbox, monkeypatch, tmp_path, scenario, CHECKED)
    assert rules(result) == [], rules(result)
    (item,) = result.report.unverified
    assert item.target == "secret.s", item
    assert "changed while drift read it" in item.reason and "run again" in item.reason
    assert "DISABLED" in item.reason and SHORT not in item.reason
    assert result.report.exit_code == 3


@pytest.mark.parametrize(
    "words", [None, f"Secret [{SECRET}] not found or has no versions."], ids=["secret", "latest"]
)
def test_a_secret_deleted_after_the_list_is_said_not_to_exist(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, words: str | None
) -> None:
    """Deleted between ListSecrets and its version's read: the report said "version latest of
    s does not exist" and left its policy's NOT_FOUND unverified; a second run said "secret s
    does not exist". `latest`: the words Secret Manager answers `latest` of a secret that does
    not exist with (googleapis/repo-automation-bots#3385: "NOT_FOUND: Secret
    [projects/856896688174/secrets/owl_botq] not found or has no versions."), which a secret
    without versions gets too: its policy's NOT_FOUND tells which."""
    made: list[Sandbox] = []

    def sandbox(scenario: Any) -> Sandbox:
        if words is not None:
            fault = {"method": "GetSecretVersion", "code": "NOT_FOUND", "message": words}
            scenario["faults"] = [fault]
        made.append(make_sandbox(scenario))

        def delete() -> None:
            held = made[0]._core.world  # noqa: SLF001 — the sandbox serves no DeleteSecret
            del held.secrets[held.secret_key(SECRET)]

        reads = {"GetSecretVersion", "GetIamPolicy", "GetSecret"}
        between(monkeypatch, "ListSecrets", reads, lambda: made[0]._run(delete))  # noqa: SLF001
        return made[0]

    plain = CHECKED.replace(", min_length: 32", "")
    result = check_profile(sandbox, monkeypatch, tmp_path, world([SHORT + "-" * 20]), plain)
    (missing,) = result.report.findings
    assert missing.rule == "secret.missing" and "secret s does not exist" in missing.message
    assert not result.report.unverified, result.report.unverified
    assert [c.short for c in made[0].calls].count("GetSecret") == 1
    assert result.report.exit_code == 1


@pytest.mark.parametrize("how", ["no version", "disabled"])
def test_nothing_moved_nothing_is_read_again(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    """A guard: a listed secret without versions (its NOT_FOUND is `latest`'s "not found or
    has no versions") and a DISABLED version whose value a rule compares are each one read of
    their state here: no GetSecret. The one more GetSecretVersion and GetService are
    `drift.live.held_still` confirming the finding (the state was asked for before the
    workload was read), made once."""
    versions = [] if how == "no version" else [{"value": SHORT, "state": "DISABLED"}]
    made: list[Sandbox] = []

    def sandbox(scenario: Any) -> Sandbox:
        made.append(make_sandbox(scenario))
        return made[0]

    result = check_profile(sandbox, monkeypatch, tmp_path, world(versions), CHECKED)
    rule = "secret.missing" if how == "no version" else "secret.disabled"
    assert [f.rule for f in result.report.findings] == [rule], rules(result)
    calls = [c.short for c in made[0].calls]
    assert calls.count("GetSecretVersion") == 2 and "GetSecret" not in calls, calls
    assert calls.count("GetService") == 2, calls  # read, and read again by held_still
