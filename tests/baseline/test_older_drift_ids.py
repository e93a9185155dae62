"""An older drift's secret finding on a tag, of a sidecar or of one pinned version has an id
made of more than its target (drift.diff.context `finding`): read as this drift names it,
its id keeps those parts (revbaseline2 F3)."""

from __future__ import annotations

from drift.diff.older import named_now
from drift.findings import Finding, Severity, finding_id
from drift.live.state import LiveState


def _older(tail: str, **fields: str) -> Finding:
    return Finding(
        id=finding_id("prod", "api", "secret.disabled", "secret.5/k" + tail),
        rule="secret.disabled",
        severity=Severity.ERROR,
        service="api",
        revision="api-00001-old",
        target="secret.5/k",
        message=fields.pop("message", "5/k:latest is DISABLED (referenced by K on api-00001)"),
        expected="ENABLED",
        actual="DISABLED",
        location=None,
        **fields,  # type: ignore[arg-type]
    )


def test_the_id_of_an_older_tagged_sidecar_or_pinned_secret_finding_keeps_its_parts() -> None:
    """Was wrong (before the migration): such a finding of `secret.5/k` compared as new and
    resolved after the upgrade; the migration must not recompute its id as the bare target's
    (which would merge it with the untagged finding) nor leave it unmigrated."""
    state = LiveState(projects={"5": "p-acme"})
    older = [
        _older("~e2e", tag="e2e"),
        _older("@side", container="side"),
        _older("#version 2", message="version 2 of 5/k is DISABLED (referenced by K on x)"),
    ]
    now, note = named_now(older, "prod", "p-acme", state)
    expected = ["secret.k~e2e", "secret.k@side", "secret.k#version 2"]
    assert [f.id for f in now] == [
        finding_id("prod", "api", "secret.disabled", t) for t in expected
    ]
    assert {f.target for f in now} == {"secret.k"}
    assert note is not None and note.startswith("3 findings of the baseline"), note
