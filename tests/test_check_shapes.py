"""`drift check` on services shaped the way teams run them (drift/sandbox/scenarios/
real-shapes.yaml): every revision a user can reach, every container, every secret wherever it
is referenced and in whichever project, access as IAM grants it, a deploy in progress, and the
settings Cloud Run applies by default."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from drift.check import CheckResult, run_check
from drift.findings import Finding, Severity
from drift.format.json import report_document
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from drift.settings import load_settings
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox
from tests.reportschema import schema_errors

SHAPES = default_scenario_path().with_name("real-shapes.yaml")
PROFILES = REPO / "tests" / "data" / "shapes" / "profiles"


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


def check(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    *services: str,
    profiles: Path = PROFILES,
    wait: float = 0,
) -> CheckResult:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(profiles, "prod")
    settings = load_settings(wait=wait)
    return asyncio.run(run_check(profile, settings, services=list(services) or None))


def check_profile(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    world: dict[str, Any],
    profile: str,
    *services: str,
) -> CheckResult:
    """`check` of a sandbox made from `world` against the profile `prod` of text `profile`."""
    sandbox = make_sandbox(world)
    (tmp_path / "prod.yaml").write_text(profile)
    return check(sandbox, monkeypatch, *services, profiles=tmp_path)


def found(result: CheckResult, service: str) -> dict[tuple[str, str], Finding]:
    return {(f.rule, f.target): f for f in result.report.findings if f.service == service}


def test_a_secret_in_another_project_is_read_there_and_never_in_the_own_project(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes.clear_calls()
    result = check(shapes, monkeypatch, "chat")
    chat = found(result, "chat")
    # named by the project's id (the target does not hang on how the revision spells it)
    disabled = chat[("secret.disabled", "secret.acme-shared/partner-api-key")]
    assert "PARTNER_API_KEY" in disabled.message and disabled.severity is Severity.ERROR
    # the profile names the project by id, the service by number: the same reference
    assert ("env.secret_ref", "env.PARTNER_API_KEY") not in chat
    asked = {c.request.name for c in shapes.calls if c.short == "GetSecretVersion"}
    assert not any(r.startswith("projects/acme-prod/secrets/partner-api-key") for r in asked)
    # read in its project, once: named by number on the service, by id in the profile
    assert "projects/acme-shared/secrets/partner-api-key/versions/latest" in asked
    assert not any(r.startswith("projects/600000000002/secrets/partner-api-key") for r in asked)
    assert result.report.exit_code == 1


def test_a_sidecar_secret_and_a_secret_volume_are_checked(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = found(check(shapes, monkeypatch, "chat"), "chat")
    sidecar = chat[("secret.disabled", "secret.otel-token")]
    assert (
        sidecar.container == "otel-collector" and "OTEL_TOKEN in otel-collector" in sidecar.message
    )
    destroyed = chat[("secret.destroyed", "secret.tls-cert")]
    assert "/etc/tls/cert.pem" in destroyed.message and destroyed.container == "app"
    # its `since` is when the version was destroyed (the one state change the API dates)
    assert destroyed.since is not None and destroyed.since.revision is None
    assert destroyed.since.create_time is not None
    mount = chat[("mount.secret_ref", "mount./etc/tls")]
    assert mount.expected == "secret tls-cert:3" and mount.actual == "secret tls-cert:2"
    assert ("mount.missing", "mount./etc/oauth") not in chat  # mounted, no items: latest


def test_the_json_report_of_real_shapes_validates_against_the_schema(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rule and target the shapes produce is in drift's own report schema (revspec2 1:
    `mount.secret_ref`, `secret.expiring`, a `mount./etc/tls` target were rejected)."""
    document = report_document(check(shapes, monkeypatch).report)
    rules = {f["rule"] for f in document["findings"]}
    assert {"mount.secret_ref", "secret.expiring", "container.missing"} & rules
    assert schema_errors(document) == []


def test_a_tagged_revision_at_zero_percent_is_checked_with_its_tag(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = found(check(shapes, monkeypatch, "chat"), "chat")
    forbidden = chat[("env.forbidden", "env.TESTING")]
    assert forbidden.tag == "e2e" and forbidden.revision == "chat-00002-def"
    assert "tag e2e" in forbidden.message


BILLING = "serviceAccount:billing@acme-prod.iam.gserviceaccount.com"


def revoke_billings_grant(shapes: Sandbox) -> None:
    """billing@'s accessor role on the secret billing-stripe-key revoked."""
    shapes.revoke(
        "projects/acme-prod/secrets/billing-stripe-key",
        "roles/secretmanager.secretAccessor",
        BILLING,
    )


def prod_with(tmp_path: Path, setting: str) -> None:
    """The shapes' profile prod in `tmp_path`, with `setting` (a line) before its services."""
    text = (PROFILES / "prod.yaml").read_text().replace("services:\n", f"{setting}\nservices:\n", 1)
    (tmp_path / "prod.yaml").write_text(text)


def test_check_tags_none_skips_tagged_revisions(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prod_with(tmp_path, "check_tags: none")
    chat = found(check(shapes, monkeypatch, "chat", profiles=tmp_path), "chat")
    assert ("env.forbidden", "env.TESTING") not in chat


def test_access_granted_on_the_project_or_by_a_condition_is_not_no_access(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check(shapes, monkeypatch, "chat", "worker-api", "ledger")
    assert not [f for f in result.report.findings if f.rule == "secret.no_access"]
    # the conditional grant on acme-shared (partner-* secrets) was evaluated, not guessed
    assert not [u for u in result.report.unverified if "partner" in u.target]


def test_a_grant_drift_cannot_evaluate_is_unverified(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes.grant(
        "projects/acme-prod",
        "roles/secretmanager.secretAccessor",
        BILLING,
        condition='resource.type == "secretmanager.googleapis.com/SecretVersion" && '
        "request.time.getHours() < 18",
    )
    revoke_billings_grant(shapes)
    try:
        result = check(shapes, monkeypatch, "billing")
        assert not [f for f in result.report.findings if f.rule == "secret.no_access"]
        unverified = [
            u for u in result.report.unverified if u.target == "secret.billing-stripe-key"
        ]
        assert unverified and "cannot evaluate" in unverified[0].reason
        assert result.report.exit_code == 3
    finally:
        shapes.reset()


PLATFORM = "group:platform@acme.example"


def test_no_grant_anywhere_is_no_access(shapes: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    world = YAML(typ="safe", pure=True).load(SHAPES.read_text())
    del world["organizations"]["1000"]["deny"]  # every level's policy can be read
    shapes.reset(world)
    revoke_billings_grant(shapes)
    try:
        # a group holds secretmanager.admin on acme-prod: billing@ may be in it (unverified)
        result = check(shapes, monkeypatch, "billing")
        assert ("secret.no_access", "secret.billing-stripe-key") not in found(result, "billing")
        [maybe] = [u for u in result.report.unverified if u.target == "secret.billing-stripe-key"]
        assert "group:platform@acme.example" in maybe.reason
        shapes.revoke("projects/acme-prod", "roles/secretmanager.admin", PLATFORM)
        result = check(shapes, monkeypatch, "billing")
        assert ("secret.no_access", "secret.billing-stripe-key") in found(result, "billing")
        assert not [u for u in result.report.unverified if u.target == "secret.billing-stripe-key"]
    finally:
        shapes.reset()


def test_a_deploy_in_progress_is_unverified_never_a_failed_rollout(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check(shapes, monkeypatch, "search", wait=0)
    assert not [f for f in result.report.findings if f.service == "search"]
    [item] = [u for u in result.report.unverified if u.service == "search"]
    assert "deploy in progress" in item.reason
    assert result.report.exit_code == 3


def test_a_deploy_that_settles_while_drift_waits_is_checked(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    timer = threading.Timer(1.0, lambda: shapes.finish_deploy("acme-prod", "search"))
    timer.start()
    try:
        result = check(shapes, monkeypatch, "search", wait=30)
        search = found(result, "search")
        # it settled on 5.1.0, which the profile allows; nothing is unverified
        assert not search and not result.report.unverified
        assert result.report.exit_code == 0
    finally:
        timer.join()
        shapes.reset()


def test_a_failed_deploy_is_a_rollout_error_and_what_serves_is_checked(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = found(check(shapes, monkeypatch, "worker-api"), "worker-api")
    [rollout] = [f for (rule, _), f in worker.items() if rule == "revision.rollout"]
    assert rollout.severity is Severity.ERROR and "not ready" in rollout.message
    assert rollout.revision is not None and rollout.revision.startswith("worker-api-00001")


def test_an_unreleased_template_is_not_drift_of_what_serves(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check(shapes, monkeypatch, "web")
    # what serves (v2.9.4, pinned) matches the profile; the image deployed --no-traffic
    # (v3.0.0-rc1) is not serving, so it is not drift (exit 0); but `drift fix` stops on it
    # (SPEC inv. 8), and check warns of it, naming the image (revreal61 F2)
    web = found(result, "web")
    assert [rule for rule, _ in web] == ["revision.rollout"], web
    [held] = web.values()
    assert held.severity is Severity.WARNING and "v3.0.0-rc1" in held.message, held
    assert result.report.exit_code == 0


def test_settings_as_cloud_run_applies_them(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check(shapes, monkeypatch, "chat")
    settings = [f for f in result.report.findings if f.rule == "setting.value"]
    # chat's service-level minimum (2) is not the e2e tag's: "Tagged revisions are started, but
    # only count toward the service-level minimum instances if they are a part of a traffic
    # split" (min-instances page); that revision runs with its own, none (helper-547 F2)
    assert [(f.target, f.tag, f.actual, f.expected) for f in settings] == [
        ("setting.min_instances", "e2e", "0", "2")
    ], settings


def test_secret_lifecycle_warns_before_expiry_and_destruction(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = (PROFILES / "prod.yaml").read_text()
    old = '      OLD_SIGNING_KEY: {secret: ledger-signing-key, version: "1", severity: warning}\n'
    text = text.replace("  ledger:\n    env:\n", "  ledger:\n    env:\n" + old)
    (tmp_path / "prod.yaml").write_text(text)
    ledger = check(shapes, monkeypatch, "ledger", profiles=tmp_path).report.findings
    expiring = [f for f in ledger if f.rule == "secret.expiring"]
    texts = " | ".join(f.message for f in expiring)
    assert "secret ledger-signing-key expires" in texts
    assert "version 1 of ledger-signing-key is destroyed" in texts
    assert all(f.severity is Severity.WARNING for f in expiring)


def test_expiry_warning_is_a_profile_setting(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prod_with(tmp_path, "expiry_warning: 2")
    ledger = check(shapes, monkeypatch, "ledger", profiles=tmp_path).report.findings
    assert not [f for f in ledger if f.rule == "secret.expiring"]


@pytest.mark.parametrize("value", ["1000000000", "200000000w", "3651"])
def test_a_huge_expiry_warning_is_a_profile_error_not_a_traceback(
    shapes: Sandbox, tmp_path: Path, value: str
) -> None:
    """revtime 3: at most 3650 days, refused at its line; a billion overflowed the diff."""
    text = (PROFILES / "prod.yaml").read_text()
    text = text.replace("  ledger:\n", f"  ledger:\n    expiry_warning: {value}\n", 1)
    (tmp_path / "prod.yaml").write_text(text)
    line = text.splitlines().index(f"    expiry_warning: {value}") + 1
    done = drift(
        "check", "prod", "--service", "ledger", "--profiles", str(tmp_path),
        env=shapes.environ(),
    )  # fmt: skip
    assert done.returncode == 2 and "internal error" not in done.stderr, done.stderr
    assert f"prod.yaml:{line}" in done.stderr and "at most 3650 days" in done.stderr


SCALED = """\
project: acme-prod
region: us-central1
services:
  chat:
    container: app
    settings: {min_instances: 3, concurrency: 100}
worker_pools:
  queue-consumer:
    settings: {instance_count: 2}
"""


def test_the_service_s_own_scaling_is_reported_on_the_service(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """chat's service-level minimum (`Service.scaling.min_instance_count`) and the pool's
    manual count (`WorkerPool.scaling.manual_instance_count`) are the workload's own: no
    revision, no container (both run several), "on chat" (revci65 F3); concurrency, the
    revision's, stays on the revision and its container."""
    (tmp_path / "prod.yaml").write_text(SCALED)
    result = check(shapes, monkeypatch, "chat", "queue-consumer", profiles=tmp_path)
    by = {
        (f.service, f.target): f
        for f in result.report.findings
        if f.rule == "setting.value" and not f.tag  # the e2e tag's own: see above
    }
    floor = by[("chat", "setting.min_instances")]
    count = by[("queue-consumer", "setting.instance_count")]
    assert (floor.revision, floor.container, count.revision, count.container) == (None,) * 4
    assert floor.message == "min_instances on chat is 2, the profile says 3"
    assert count.message == "instance_count on worker pool queue-consumer is 3, the profile says 2"
    (concurrency,) = [
        f for f in result.report.findings if f.target == "setting.concurrency" and not f.tag
    ]
    assert concurrency.revision and concurrency.container == "app"
    assert concurrency.message.startswith(f"concurrency on {concurrency.revision} is 200")
