"""A finding is `unchanged` against a baseline only when what fails is the same: a secret's
value shown `***` that now fails another constraint is `updated` (revbaseline 1). What fails
is the finding's `failed` list, recorded in the JSON report; a baseline of an older drift,
which did not record it, is read from its message."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest

from drift.baseline import parse_baseline
from drift.findings import BaselineState, FailOn, Finding, Location, Severity, finding_id
from drift.format.json import report_document
from drift.live.state import LiveState
from drift.report import Report
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.profilecopy import DATABASE_URL, staging_with

PROJECT = "acme-chat-staging"
SHORT = "is shorter than 80 characters"
PATTERN = "does not match @10\\.24\\.0\\.5:"


def _profiles(tmp_path: Path) -> Path:
    value = '{secret: database-url-staging, pattern: "@10\\\\.24\\\\.0\\\\.5:", min_length: 80}'
    return staging_with(tmp_path, DATABASE_URL, f"DATABASE_URL: {value}")


def _add_version(sandbox: Sandbox, secret: str, data: bytes) -> None:
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    channel = grpc.insecure_channel(sandbox.address)
    client = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )
    client.add_secret_version(parent=f"projects/{PROJECT}/secrets/{secret}", payload={"data": data})
    channel.close()


def short_first(
    sandbox: Sandbox, root: Path, last: Path
) -> tuple[Callable[..., Any], dict[str, Any]]:
    """`drift check staging` (profiles in `root`) against `sandbox`, as a function of its
    further arguments, once run with its JSON written to `last`: it found the DSN short (that
    finding, returned with it)."""

    def check(*args: str) -> Any:
        return drift("check", "staging", "--profiles", str(root), *args, env=sandbox.environ())

    first = check("--format", "json", "--output", str(last))
    assert first.returncode == 1, first.stderr
    (before,) = [
        f for f in json.loads(last.read_text())["findings"] if f["rule"] == "env.constraint"
    ]
    assert SHORT in before["message"] and before["actual"] == "***"
    return check, before


@pytest.mark.sandbox
def test_a_secret_that_now_fails_another_constraint_is_updated(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The DSN in database-url-staging is known to be short (min_length fails). Then a version
    points staging at another database host: the pattern fails too. Same id, expected and
    `actual` (`***`): only what fails tells them apart."""
    root = _profiles(tmp_path)
    last = tmp_path / "last.json"
    check, before = short_first(sandbox, root, last)

    again = check("--format", "json", "--baseline", str(last), "--fail-on-new")
    assert again.returncode == 0, again.stdout[-2000:]  # nothing new: the same failure

    _add_version(
        sandbox,
        "database-url-staging",
        b"postgresql://acme_app:prod-password-0a1b2c3d4e5f@10.80.0.9:5432/acme_chat_prod",
    )
    now = check("--format", "json", "--baseline", str(last), "--fail-on-new")
    (got,) = [f for f in json.loads(now.stdout)["findings"] if f["rule"] == "env.constraint"]
    assert got["actual"] == "***" and "does not match" in got["message"]
    assert got["baseline"] == "updated", got
    assert now.returncode == 1, now.stdout[-2000:]
    assert "prod-password" not in now.stdout
    # what fails, recorded for the next run's baseline
    # what fails, then the version read (another version is another value)
    assert before.get("failed") == [SHORT, "version 1"]
    assert got["failed"] == [PATTERN, SHORT, "version 2"]


def _finding(revision: str, failed: tuple[str, ...], *, message: str | None = None) -> Finding:
    said = "; ".join(failed)
    return Finding(
        id=finding_id("staging", "api", "env.constraint", "env.DATABASE_URL"),
        rule="env.constraint",
        severity=Severity.ERROR,
        service="api",
        revision=revision,
        target="env.DATABASE_URL",
        message=message or f"DATABASE_URL on {revision} {said}",
        expected="database-url-staging:latest",
        actual="***",
        location=Location("profiles/staging.yaml", 30),
        failed=failed,
    )


def _report(*findings: Finding) -> Report:
    return Report(
        environment="staging",
        project="acme-chat-staging",
        region="us-central1",
        services=("api",),
        findings=findings,
        fail_on=FailOn.ERROR,
    )


def _compared(earlier: Finding, now: Finding, *, recorded: bool = True) -> BaselineState | None:
    document = report_document(_report(earlier))
    if not recorded:  # as a drift before `failed` wrote it
        for item in document["findings"]:
            item.pop("failed", None)
    baseline = parse_baseline("last.json", json.dumps(document).encode())
    (found,) = baseline.compare(_report(now)).findings
    return found.baseline


def test_the_same_failures_on_another_revision_are_unchanged() -> None:
    """The message names the revision, which every deploy changes: not compared."""
    earlier = _finding("api-00001-abc", (PATTERN, SHORT))
    assert (
        _compared(earlier, _finding("api-00002-xyz", (SHORT, PATTERN))) is BaselineState.UNCHANGED
    )
    assert _compared(earlier, _finding("api-00002-xyz", (SHORT,))) is BaselineState.UPDATED


def test_a_baseline_without_failed_is_read_from_its_message() -> None:
    """A report of an older drift: a failure its message named is not new (no finding alerts
    again for upgrading drift); one it did not name is (a change is never hidden)."""
    earlier = _finding("api-00001-abc", (SHORT,))
    now_same = _finding("api-00002-xyz", (SHORT,))
    now_more = _finding("api-00002-xyz", (PATTERN, SHORT))
    assert _compared(earlier, now_same, recorded=False) is BaselineState.UNCHANGED
    assert _compared(earlier, now_more, recorded=False) is BaselineState.UPDATED
    # a failure is said whole: `env.FOO` is not said by a message naming `env.FOO_BAR`
    said = "api-00001-abc serves 50% of traffic with a configuration that differs (env.FOO_BAR)"
    earlier = _finding("api-00001-abc", ("env.FOO_BAR",), message=said)
    foo = _finding("api-00002-xyz", ("env.FOO",))
    foo_bar = _finding("api-00002-xyz", ("env.FOO_BAR",))
    assert _compared(earlier, foo, recorded=False) is BaselineState.UPDATED
    assert _compared(earlier, foo_bar, recorded=False) is BaselineState.UNCHANGED


def test_a_plain_secret_of_a_baseline_written_before_its_mask_was_spec_s_is_unchanged() -> None:
    """`env.plaintext_secret` now writes `actual: "***"` (SPEC's masked form, revspec2 5); a
    baseline written before says `*** (plain value)`: the same drift, not updated."""
    plain = replace(
        _finding("api-00001-abc", ()),
        id=finding_id("staging", "api", "env.plaintext_secret", "env.DATABASE_URL"),
        rule="env.plaintext_secret",
        expected="secret database-url-staging:latest",
    )
    earlier = replace(plain, actual="*** (plain value)")
    assert plain.actual == "***"
    assert _compared(earlier, plain) is BaselineState.UNCHANGED
    assert _compared(replace(earlier, actual="*** (changed)"), plain) is BaselineState.UPDATED


def test_a_baseline_of_a_drift_before_also_on_does_not_resolve_a_merged_drift_left_unread() -> None:
    """A drift before `also_on` (4312341, 2026-11-30 12:51) merged one drift found on two
    revisions into one finding whose message ends "(also on REV)", and wrote no `also_on`
    key. Read with `also_on` empty, a finding whose second revision this run could not read
    (GetRevision refused) was listed as resolved (README "Baselines": resolved only where
    this run looked again; revupgrade F1): the revisions are read back from the message."""
    from drift.findings import Unverified

    first = _finding("api-00001-abc", (PATTERN,))
    tail = " (also on api-00002-xyz, api-00003-def)"
    earlier = replace(first, message=first.message + tail, also_on=("api-00002-xyz",))
    document = report_document(_report(earlier))
    for item in document["findings"]:  # as drift 2fd6e53 (11:11) and earlier wrote it
        item.pop("also_on")
    baseline = parse_baseline("last.json", json.dumps(document).encode())
    (read,) = baseline.findings
    assert read.also_on == ("api-00002-xyz", "api-00003-def")
    for revision in ("api-00002-xyz", "api-00003-def"):
        unread = Unverified.at("api", f"revision.{revision}", "GetRevision: PERMISSION_DENIED")
        now = baseline.compare(replace(_report(), unverified=(unread,)))
        assert not now.resolved, [f.message for f in now.resolved]
    assert baseline.compare(_report()).resolved  # every revision read again: resolved


def test_a_manifest_run_does_not_resolve_a_drift_found_on_a_deployed_revision() -> None:
    """A manifest gate with a live baseline: the manifest fixes the drift, nothing is deployed
    yet, api-00001-abc still has it. Not "resolved since the baseline" (nor a "drift resolved"
    notice), but kept under `unchecked`, so that a chained baseline keeps it (revmanifest60
    F4); one found on a manifest is judged again by the next manifest run."""
    from dataclasses import replace as change

    from tests.livestate import service

    baseline = parse_baseline(
        "last.json",
        json.dumps(report_document(_report(_finding("api-00001-abc", (SHORT,))))).encode(),
    )
    state = LiveState()
    api = service("api", [])
    revision = change(api.serving[0], name="manifest:api.yaml")
    state.services["api"] = change(api, serving=(revision,))
    manifest = replace(_report(), scope=("manifest",))
    now = baseline.compare(manifest, state=state)
    assert not now.resolved and [u.finding.revision for u in now.unchecked] == ["api-00001-abc"]
    assert "a manifest run does not read" in now.unchecked[0].reason
    on_manifest = parse_baseline(
        "last.json",
        json.dumps(report_document(_report(_finding("manifest:api.yaml", (SHORT,))))).encode(),
    )
    assert on_manifest.compare(manifest, state=state).resolved
    # a live run that no longer finds the revision serving has looked: a deploy replaced it
    assert baseline.compare(_report(), state=state).resolved
