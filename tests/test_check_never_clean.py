"""Drifts a first version reported as clean: a `same_as` compared with one of the other
service's serving revisions only, or skipped when `--service` left the other unread; an
ignore naming one traffic tag that silenced the same drift reached through another; an unnamed
runtime account taken for another project's default compute account."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult
from drift.fix.model import Plan
from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.sandbox import Fault
from drift.settings import load_settings
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.test_check_shapes import check, check_profile

SAME_AS = """project: p
region: us-central1
services:
  auth:
    env:
      SHARED_TENANT: {required: true}
  api:
    env:
      SHARED_TENANT: {same_as: auth.SHARED_TENANT}
"""


def _world(services: dict[str, Any]) -> dict[str, Any]:
    return {"projects": {"p": {"number": 5, "services": services}}}


_run = check_profile


def _rules(result: CheckResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in result.report.findings:
        if not f.ignored:
            out.setdefault(f.rule, []).append(f.message)
    return out


SPLIT_AUTH = {
    # auth serves 60 % on a revision with tenant-b, 40 % on one with tenant-a
    "template": {"image": "x/auth:2", "env": {"SHARED_TENANT": "tenant-b"}},
    "history": [{"env": {"SHARED_TENANT": "tenant-a"}}],
    "traffic": [{"revision": 2, "percent": 60}, {"revision": 1, "percent": 40}],
}


def test_same_as_compares_with_every_revision_serving_the_other_service(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    api = {"template": {"image": "x/api:1", "env": {"SHARED_TENANT": "tenant-b"}}}
    world = _world({"auth": SPLIT_AUTH, "api": api})
    result = _run(make_sandbox, monkeypatch, tmp_path, world, SAME_AS)
    [message] = _rules(result)["env.inconsistent"]
    assert "auth.SHARED_TENANT on auth-00001" in message and "(40 %)" in message, message
    assert "auth-00002" not in message  # that one holds the same value
    assert result.report.exit_code == 1


@pytest.mark.parametrize("same", [True, False], ids=["same-value", "other-value"])
def test_a_check_of_one_service_reads_what_its_same_as_compares_with(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, same: bool
) -> None:
    auth = {"template": {"image": "x/auth:1", "env": {"SHARED_TENANT": "tenant-a"}}}
    mine = "tenant-a" if same else "tenant-b"
    api = {"template": {"image": "x/api:1", "env": {"SHARED_TENANT": mine}}}
    result = _run(
        make_sandbox, monkeypatch, tmp_path, _world({"auth": auth, "api": api}), SAME_AS, "api"
    )
    report = result.report
    assert report.exit_code == (0 if same else 1), (_rules(result), report.unverified)
    assert ("env.inconsistent" in _rules(result)) is not same
    assert {f.service for f in report.findings} <= {"api"}  # auth is compared with, not checked
    assert not report.unverified


def test_a_same_as_that_cannot_be_compared_is_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # auth is in the profile but not in the region: api's same_as compares with nothing
    api = {"template": {"image": "x/api:1", "env": {"SHARED_TENANT": "tenant-b"}}}
    result = _run(make_sandbox, monkeypatch, tmp_path, _world({"api": api}), SAME_AS, "api")
    report = result.report
    assert report.exit_code == 3, _rules(result)
    [item] = report.unverified
    assert (item.service, item.target) == ("api", "env.SHARED_TENANT")
    assert "same_as auth.SHARED_TENANT not compared: it does not exist" in item.reason


OUTSIDE = """project: p
region: us-central1
services:
  api:
    env:
      SHARED_TENANT: {same_as: auth.SHARED_TENANT}
"""
"""SPEC §Profiles' example: `same_as` naming a service the profile does not describe."""


@pytest.mark.parametrize("same", [True, False], ids=["same-value", "other-value"])
def test_same_as_a_service_outside_the_profile_is_read_to_compare_with(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, same: bool
) -> None:
    """Read once with the others (one List for the two services, no more), compared, never
    reported itself: no finding, no unverified item of its own (revspec1)."""
    from tests.test_check_shapes import check

    auth = {"template": {"image": "x/auth:1", "env": {"SHARED_TENANT": "tenant-a"}}}
    mine = "tenant-a" if same else "tenant-b"
    api = {"template": {"image": "x/api:1", "env": {"SHARED_TENANT": mine}}}
    sandbox = make_sandbox(_world({"auth": auth, "api": api}))
    (tmp_path / "prod.yaml").write_text(OUTSIDE)
    sandbox.clear_calls()
    result = check(sandbox, monkeypatch, profiles=tmp_path)
    report = result.report
    assert report.exit_code == (0 if same else 1), (_rules(result), report.unverified)
    assert ("env.inconsistent" in _rules(result)) is not same
    assert {f.service for f in report.findings} <= {"api"} and report.services == ("api",)
    assert not report.unverified
    reads = [c.short for c in sandbox.calls if c.short in ("ListServices", "GetService")]
    assert reads == ["ListServices"], reads


@pytest.mark.parametrize(
    ("world", "why"),
    [
        ({}, "it does not exist"),
        ({"auth": {"template": {"image": "x/auth:1", "env": {}}}}, "it does not set SHARED_TENANT"),
    ],
    ids=["no-such-service", "no-such-variable"],
)
def test_same_as_a_service_outside_the_profile_that_cannot_compare_is_unverified(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    world: dict[str, Any],
    why: str,
) -> None:
    api = {"template": {"image": "x/api:1", "env": {"SHARED_TENANT": "tenant-b"}}}
    result = _run(make_sandbox, monkeypatch, tmp_path, _world({**world, "api": api}), OUTSIDE)
    report = result.report
    assert report.exit_code == 3, _rules(result)
    [item] = report.unverified
    assert (item.service, item.target) == ("api", "env.SHARED_TENANT")
    assert f"same_as auth.SHARED_TENANT not compared: {why}" in item.reason


TAGGED = {
    "template": {"image": "x/api:3", "env": {"REDIS_HOST": "redis.internal"}},
    "history": [{"env": {"REDIS_HOST": None}}, {"env": {"REDIS_HOST": None}}],
    "traffic": [
        {"latest": True, "percent": 100},
        {"revision": 1, "percent": 0, "tag": "e2e"},
        {"revision": 2, "percent": 0, "tag": "beta"},
    ],
}
IGNORE_E2E = """project: p
region: us-central1
services:
  api:
    env:
      REDIS_HOST: {required: true}
ignore:
  - {service: api, env: REDIS_HOST, tag: e2e, reason: "e2e is a scratch revision"}
"""


def test_an_ignore_naming_one_tag_leaves_the_same_drift_on_another_tag(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = _run(make_sandbox, monkeypatch, tmp_path, _world({"api": TAGGED}), IGNORE_E2E)
    missing = [f for f in result.report.findings if f.rule == "env.missing"]
    assert sorted((f.tag, f.ignored) for f in missing) == [("beta", False), ("e2e", True)]
    assert result.report.exit_code == 1


OWN_DEFAULT = "5-compute@developer.gserviceaccount.com"
OTHER_DEFAULT = "999-compute@developer.gserviceaccount.com"


def _granted_to(member: str, service_account: str | None) -> dict[str, Any]:
    """Project p (number 5): secret k readable by `member` only, used by api."""
    template: dict[str, Any] = {"image": "x/api:1", "env": {"A": {"secret": "k"}}}
    if service_account is not None:
        template["service_account"] = service_account
    world = _world({"api": {"template": template}})
    accessor = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{member}"]}
    world["projects"]["p"]["secrets"] = {"k": {"versions": ["fake-k-0a1b2c3d"], "iam": accessor}}
    return world


SECRET_ONLY = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: {secret: k}\n"
OWN_DEFAULT_PINNED = SECRET_ONLY.replace(
    "    env:", f"    settings:\n      service_account: {OWN_DEFAULT}\n    env:"
)
"""The same, with project p's default account named by its address in the profile."""


@pytest.mark.parametrize(
    ("member", "denied"), [(OTHER_DEFAULT, True), (OWN_DEFAULT, False)], ids=["other", "own"]
)
def test_another_projects_default_account_is_not_the_services_own(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    member: str,
    denied: bool,
) -> None:
    # api names no account: it runs as project 5's default one (RevisionTemplate
    # .service_account: "the project's default service account"), which only GetProject's
    # number tells apart from another project's
    world = _granted_to(member, None)
    result = _run(make_sandbox, monkeypatch, tmp_path, world, SECRET_ONLY)
    assert ("secret.no_access" in _rules(result)) is denied, _rules(result)
    assert result.report.exit_code == (1 if denied else 0)


def test_a_revision_running_as_another_projects_default_account_is_drift(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world = _granted_to(OWN_DEFAULT, OTHER_DEFAULT)
    result = _run(make_sandbox, monkeypatch, tmp_path, world, OWN_DEFAULT_PINNED)
    found = {(f.rule, f.target) for f in result.report.findings}
    assert ("setting.value", "setting.service_account") in found, found
    assert ("secret.no_access", "secret.k") in found, found


def test_the_own_default_account_by_its_address_is_the_unnamed_one(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the template names no account; the profile names the default one by its address
    world = _granted_to(OWN_DEFAULT, None)
    result = _run(make_sandbox, monkeypatch, tmp_path, world, OWN_DEFAULT_PINNED)
    assert result.report.exit_code == 0, _rules(result)


def _names(account: str) -> str:
    return (
        "project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        f"      service_account: {account}\n"
    )


def _plan(profiles: Path) -> Plan:
    profile = load_profile(profiles, "prod")
    return asyncio.run(plan_environment(profile, load_settings())).plan


UNNAMED = {"api": {"template": {"image": "x/api:1"}}}
"""api names no runtime account: it runs as project p's (number 5) default one."""


def test_an_unnamed_account_is_not_another_projects_default_account(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # RevisionTemplate.service_account: "If not provided, the revision will use the project's
    # default service account" — project p's (5-compute@…), never project 999's: a profile
    # copied from another environment names that one
    sandbox = make_sandbox(_world(UNNAMED))
    sandbox.clear_calls()
    (tmp_path / "prod.yaml").write_text(_names(OTHER_DEFAULT))
    result = check(sandbox, monkeypatch, profiles=tmp_path)
    (finding,) = result.report.findings
    assert finding.target == "setting.service_account", finding
    assert finding.expected == OTHER_DEFAULT and OWN_DEFAULT in (finding.actual or ""), finding
    assert result.report.exit_code == 1
    assert sandbox.call_counts().get("GetProject") == 1  # its number, asked once
    (planned,) = _plan(tmp_path).services
    assert [(c.name, c.after) for c in planned.settings] == [("service_account", OTHER_DEFAULT)]
    (tmp_path / "prod.yaml").write_text(_names(OWN_DEFAULT))
    same = check(sandbox, monkeypatch, profiles=tmp_path)
    assert not same.report.findings and not same.report.unverified
    assert same.report.exit_code == 0


def test_an_unnamed_account_of_a_project_whose_number_is_unknown_is_never_clean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world(UNNAMED))
    sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))
    for account in (OWN_DEFAULT, OTHER_DEFAULT):  # it may be either: not verified
        (tmp_path / "prod.yaml").write_text(_names(account))
        result = check(sandbox, monkeypatch, profiles=tmp_path)
        assert not result.report.findings
        (item,) = result.report.unverified
        assert item.target == "setting.service_account", item
        assert "GetProject on projects/p: PERMISSION_DENIED" in item.reason, item.reason
        assert result.report.exit_code == 3
        plan = _plan(tmp_path)  # nothing to change that is not known to differ; said unread
        assert not plan.has_patch and plan.unverified, plan


def test_a_project_named_by_its_number_needs_no_lookup(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world(UNNAMED))
    sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))
    (tmp_path / "prod.yaml").write_text(_names(OTHER_DEFAULT).replace("project: p", "project: '5'"))
    result = check(sandbox, monkeypatch, profiles=tmp_path)
    assert [f.target for f in result.report.findings] == ["setting.service_account"]
    assert result.report.exit_code == 1


def _add_versions(sandbox: Any, payloads: dict[str, bytes]) -> None:
    """New versions (then `latest`) through the official client's AddSecretVersion."""
    import grpc
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    channel = grpc.insecure_channel(sandbox.address)
    client = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )
    for name, data in payloads.items():
        client.add_secret_version(parent=f"projects/p/secrets/{name}", payload={"data": data})
    channel.close()


@pytest.mark.parametrize(
    ("mine", "theirs", "equal"),
    [
        (b"\xfe\x90\x91\x92-key", b"\xff\x80\x81\x82-key", False),  # one text when decoded lossily
        (b"\xff\x80\x81\x82-key", b"\xff\x80\x81\x82-key", True),
    ],
    ids=["differ", "same"],
)
def test_secret_values_that_are_not_text_compare_by_their_bytes(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    mine: bytes,
    theirs: bytes,
    equal: bool,
) -> None:
    account = "svc@p.iam.gserviceaccount.com"
    iam = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]}

    def uses(secret: str) -> dict[str, Any]:
        env = {"SIGNING_KEY": {"secret": secret}}
        return {"template": {"image": "x/a:1", "service_account": account, "env": env}}

    world = _world({"auth": uses("a"), "api": uses("b")})
    world["projects"]["p"]["secrets"] = {
        name: {"versions": [f"fake-{name}-0a1b2c3d"], "iam": iam} for name in "ab"
    }
    sandbox = make_sandbox(world)
    _add_versions(sandbox, {"a": theirs, "b": mine})
    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  auth:\n    env:\n"
        "      SIGNING_KEY: {secret: a}\n  api:\n    env:\n"
        "      SIGNING_KEY: {secret: b, same_as: auth.SIGNING_KEY}\n"
    )
    result = check(sandbox, monkeypatch, profiles=tmp_path)
    assert ("env.inconsistent" in _rules(result)) is not equal, _rules(result)


LOG_PROFILE = (
    "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      LOG_LEVEL: INFO\n"
)


def _app(image: str, level: str) -> dict[str, Any]:
    env = [{"name": "LOG_LEVEL", "value": level}]
    return {"name": "app", "image": image, "ports": [{"containerPort": 8080}], "env": env}


def test_a_drift_that_began_before_a_sidecar_was_added_began_there(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # revisions 1 and 2 run `app` alone with LOG_LEVEL=DEBUG; revision 3 adds `otel`
    api = {
        "template": {
            "containers": [_app("x/api:2", "DEBUG"), {"name": "otel", "image": "x/otel:1"}]
        },
        "history": [{"containers": [_app("x/api:1", "DEBUG")]}] * 2,
    }
    result = _run(make_sandbox, monkeypatch, tmp_path, _world({"api": api}), LOG_PROFILE)
    [finding] = [f for f in result.report.findings if f.target == "env.LOG_LEVEL"]
    assert finding.since is not None
    assert finding.since.revision.startswith("api-00001"), finding.since
    assert finding.since.last_good is None


def _tagged(e2e_level: str) -> dict[str, Any]:
    return _world(
        {
            "api": {
                "template": {"image": "x/api:2", "env": {"LOG_LEVEL": "DEBUG"}},
                "history": [{"image": "x/api:1", "env": {"LOG_LEVEL": e2e_level}}],
                "traffic": [
                    {"latest": True, "percent": 100},
                    {"revision": 1, "percent": 0, "tag": "e2e"},
                ],
            }
        }
    )


def test_the_same_drift_newly_on_a_tagged_revision_is_new_to_the_baseline(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from drift.baseline import parse_baseline
    from drift.format import OutputFormat, formatter_for

    before = _run(make_sandbox, monkeypatch, tmp_path, _tagged("INFO"), LOG_PROFILE).report
    document = formatter_for(OutputFormat.JSON).render(before)
    baseline = parse_baseline("base.json", document.encode())
    after = _run(make_sandbox, monkeypatch, tmp_path, _tagged("DEBUG"), LOG_PROFILE).report
    ids = [f.id for f in after.findings]
    assert len(ids) == len(set(ids)) == 2  # the serving revision's, the tagged one's
    compared = baseline.compare(after, fail_on_new=True)
    states = {(f.tag, f.baseline.value if f.baseline else None) for f in compared.findings}
    assert states == {(None, "unchanged"), ("e2e", "new")}
    assert compared.exit_code == 1


def test_a_failed_probe_suspects_the_drift_of_the_revision_it_reached(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The probe goes through tag e2e to revision 1, which lacks EXTRA_NEEDED (the backend
    closes with 1011) and holds LOG_LEVEL as stated; revision 2 serves with LOG_LEVEL drifted.
    That drift cannot explain what revision 1 does."""
    import asyncio

    from drift.check import run_check
    from drift.profiles.loader import load_profile
    from drift.settings import load_settings

    world = _world(
        {
            "api": {
                "template": {
                    "image": "x/api:2",
                    "env": {"REDIS_HOST": "10.0.0.3", "LOG_LEVEL": "DEBUG", "EXTRA_NEEDED": "1"},
                },
                "history": [
                    {
                        "image": "x/api:1",
                        "env": {
                            "REDIS_HOST": "10.0.0.3",
                            "LOG_LEVEL": "INFO",
                            "EXTRA_NEEDED": None,
                        },
                    }
                ],
                "traffic": [
                    {"latest": True, "percent": 100},
                    {"revision": 1, "percent": 0, "tag": "e2e"},
                ],
                "backend": {"path": "/ws", "require": ["REDIS_HOST", "EXTRA_NEEDED"]},
            }
        }
    )
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    unexpected_env: ignore\n"
        "    env:\n      REDIS_HOST: {required: true}\n      LOG_LEVEL: INFO\n"
        "    probe: {websocket: /ws, tag: e2e, hold: 1s}\n"
    )
    profile = load_profile(tmp_path, "prod")
    result = asyncio.run(run_check(profile, load_settings(wait=0), probe=True))
    [probe] = result.report.probes
    assert probe.outcome.value == "close_1011" and probe.revision.startswith("api-00001")
    assert probe.suspected_causes == ()
    assert "the cause is not configuration" in probe.detail


@pytest.mark.parametrize(
    ("rules", "name"),
    [
        (  # a sidecar's rules under a name the revision's sidecar does not have
            "    containers:\n      otel-collector:\n        env:\n"
            "          DEBUG: {forbidden: true}\n",
            "otel-collector",
        ),
        # the main container named by `container:`, misspelt
        ("    container: ap\n    env:\n      DEBUG: {forbidden: true}\n", "ap"),
    ],
    ids=["sidecar", "container"],
)
def test_a_container_the_revision_does_not_have_is_drift(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    rules: str,
    name: str,
) -> None:
    """Its forbidden and optional rules cannot fail where it is not: the check said clean
    while `app` and `otel` both set the forbidden DEBUG."""
    debug = [{"name": "DEBUG", "value": "1"}]
    api = {
        "template": {
            "containers": [
                {
                    "name": "app",
                    "image": "x/api:1",
                    "ports": [{"containerPort": 8080}],
                    "env": debug,
                },
                {"name": "otel", "image": "x/otel:1", "env": debug},
            ]
        }
    }
    profile = "project: p\nregion: us-central1\nservices:\n  api:\n" + rules
    result = _run(make_sandbox, monkeypatch, tmp_path, _world({"api": api}), profile)
    [missing] = [f for f in result.report.findings if f.rule == "container.missing"]
    assert missing.target == f"container.{name}" and "it has app, otel" in missing.message
    assert result.report.exit_code == 1


def test_a_workload_whose_items_were_not_all_read_never_says_nothing_to_change(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """SPEC guarantee 6: a workload's block says its items were not all read, in the plan
    summary's words, in every plan format; a workload read whole still says "nothing to
    change" (revown62b F4)."""
    image = {"template": {"image": "x/app:1"}}
    sandbox = make_sandbox(_world({"api": image, "web": image, "batch": image}))
    sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))  # no default account known
    unnamed = f"    settings:\n      service_account: {OWN_DEFAULT}\n"
    (tmp_path / "prod.yaml").write_text(
        f"project: p\nregion: us-central1\nservices:\n  api:\n{unnamed}  web: {{}}\n"
        f"  batch:\n{unnamed}    env:\n      MODE: live\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path)}
    said = {
        form: drift("plan", "prod", "--format", form, env=env, cwd=tmp_path)
        for form in ("table", "gcloud", "yaml", "json")
    }
    assert {form: done.returncode for form, done in said.items()} == dict.fromkeys(said, 1)
    blocks = said["table"].stdout.split("\n\n")
    assert "api  (from" in blocks[1], blocks[1]
    assert "0 changes in what could be read; incomplete (below)" in blocks[1], blocks[1]
    assert "web  (from" in blocks[2] and "nothing to change" in blocks[2], blocks[2]
    assert "batch  (from" in blocks[3], blocks[3]
    assert "incomplete (below): 1 item could not be read" in blocks[3], blocks[3]
    script = said["gcloud"].stdout
    assert "# --- api (serving api-00001" in script
    assert "# 0 changes in what could be read; incomplete (below)" in script, script
    assert "# incomplete (below): 1 item could not be read" in script, script
    assert "incomplete (above): 1 item could not be read" in said["yaml"].stdout
    services = {s["service"]: s for s in json.loads(said["json"].stdout)["services"]}
    unread = {name: len(s.get("unverified", [])) for name, s in services.items()}
    assert unread == {"api": 1, "web": 0, "batch": 1}, unread
