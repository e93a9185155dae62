"""Services with sidecars, as teams run them: PORT is Cloud Run's only in the container
requests reach, so a sidecar's own PORT may be stated (and is checked and fixed like any
variable) while a rule on the ingress container's is not judged nor written; rules given
under `containers:` for the container `env` describes are its rules (which container has the
port is the revision's to say); and every finding on a sidecar names it in its message, which
is all some outputs show."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult
from drift.findings import Severity, finding_id
from drift.fix.formats import PlanFormat
from drift.fix.plan import Planned, plan_environment
from drift.fix.render import render_plan
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile, found

ACCOUNT = "shop@acme-prod.iam.gserviceaccount.com"


def among(containers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`containers`, each depending only on those of them there are (Cloud Run refuses a
    `depends_on` naming no other container, and so does the sandbox's seed)."""
    names = {c["name"] for c in containers}
    out = []
    for c in containers:
        kept = [d for d in c.get("dependsOn", ()) if d in names]
        out.append(
            {
                **{k: v for k, v in c.items() if k != "dependsOn"},
                **({"dependsOn": kept} if kept else {}),
            }
        )
    return out


def world(*containers: dict[str, Any], volumes: list[Any] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"serviceAccount": ACCOUNT, "containers": among(containers)}
    if volumes:
        template["volumes"] = volumes
    return {
        "options": {"seed": 7},
        "projects": {
            "acme-prod": {
                "number": 500000000001,
                "region": "us-central1",
                "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
                "secrets": {
                    "otel-token": {"versions": ["fake-otel-token-aaaa1111", "fake-otel-token-bb2"]}
                },
                "services": {"shop": {"template": template}},
            }
        },
    }


NGINX = {
    "name": "nginx",
    "image": "nginx:1.27",
    "ports": [{"containerPort": 8080}],
    "dependsOn": ["app"],
    "env": [{"name": "UPSTREAM", "value": "127.0.0.1:9000"}],
}
# nginx in front: the app is a sidecar listening on the port its own PORT says. "For Cloud Run
# services, Cloud Run injects the PORT environment variable into the container. If you deploy
# multiple containers to a service, this is the ingress container"
# (cloud.google.com/run/docs/configuring/containers)
APP_BEHIND = {
    "name": "app",
    "image": "us-central1-docker.pkg.dev/acme-prod/apps/shop:2.0.0",
    "env": [{"name": "PORT", "value": "9000"}, {"name": "LOG_LEVEL", "value": "INFO"}],
}
APP_INGRESS = {
    "name": "app",
    "image": "us-central1-docker.pkg.dev/acme-prod/apps/shop:2.0.0",
    "ports": [{"containerPort": 8080}],
    "dependsOn": ["otel"],
    "env": [{"name": "LOG_LEVEL", "value": "INFO"}, {"name": "MODE", "value": "live"}],
}
OTEL = {
    "name": "otel",
    "image": "otel/opentelemetry-collector-contrib:0.104.0",
    "env": [
        {"name": "LOG_LEVEL", "value": "info"},
        {
            "name": "OTEL_TOKEN",
            "valueSource": {"secretKeyRef": {"secret": "otel-token", "version": "latest"}},
        },
    ],
}
HEAD = "project: acme-prod\nregion: us-central1\nservices:\n  shop:\n"


def planned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Planned:
    """The plan of the profile `check_profile` wrote, against the same sandbox."""
    settings = load_settings(journal_dir=tmp_path / "journal")
    profile = load_profile(tmp_path, "prod")
    return asyncio.run(plan_environment(profile, settings, environ=dict(os.environ)))


def port_said(result: CheckResult, plan: Planned) -> list[str]:
    """Everything a check and its plan say about PORT: findings, changes, manual steps, and the
    commands of the gcloud script (its comments list what is unverified)."""
    said = [f.message for f in result.report.findings if f.target == "env.PORT"]
    for service in plan.plan.services:
        said += [f"change {c.name}" for c in service.env if c.name == "PORT"]
        said += [m.reason for m in service.manual if "PORT" in m.reason + "".join(m.commands)]
    script = render_plan(plan.plan, PlanFormat.GCLOUD, patched=plan.patched)
    said += [line for line in script.splitlines() if "PORT" in line and line[:1] != "#"]
    return said


def test_a_sidecars_own_port_is_stated_where_container_names_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`container: app` names a sidecar (nginx has the port): PORT is the app's own variable.
    It was refused under `env` (only `containers:` was exempt), so with unexpected_env the
    check reported it "not named" and the plan said to remove it, which breaks the app."""
    profile = (
        HEAD + "    container: app\n    unexpected_env: warn\n    env:\n"
        "      PORT: '9000'\n      LOG_LEVEL: INFO\n"
        "    containers:\n      nginx: {env: {UPSTREAM: '127.0.0.1:9000'}}\n"
    )
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path, world(NGINX, APP_BEHIND), profile, "shop"
    )
    assert found(result, "shop") == {}
    assert result.report.exit_code == 0
    assert port_said(result, planned(monkeypatch, tmp_path)) == []


def test_a_sidecars_port_that_differs_is_fixed_on_that_container(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Checked and fixed like any variable, on the container it belongs to (Cloud Run takes
    a sidecar's PORT: the sandbox refuses it only in the ingress container, as Cloud Run
    does)."""
    profile = HEAD + "    container: app\n    env:\n      PORT: '9001'\n"
    sandbox = make_sandbox(world(NGINX, APP_BEHIND))
    (tmp_path / "prod.yaml").write_text(profile)
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(tmp_path),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    done = drift("check", "prod", "-f", "json", env=env, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert '"env.PORT"' in done.stdout and '"container": "app"' in done.stdout
    done = drift("plan", "prod", "-f", "gcloud", env=env, cwd=tmp_path)
    assert "--container app \\\n  --update-env-vars=PORT=9001" in done.stdout, done.stdout
    done = drift("fix", "prod", "--yes", env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    live = sandbox.service("acme-prod", "shop")
    app = next(c for c in live.template.containers if c.name == "app")
    assert {v.name: v.value for v in app.env}["PORT"] == "9001"


@pytest.mark.parametrize(
    ("containers", "rules", "ingress"),
    [
        # one container: it is the ingress one, with or without a declared port
        ([{"name": "app", "image": "shop:2"}], "    container: app\n    env:\n", "app"),
        # `containers:` names the container that has the port
        (
            [NGINX, APP_BEHIND],
            "    container: app\n    containers:\n      nginx:\n        env:\n",
            "nginx",
        ),
    ],
)
def test_a_port_rule_on_the_container_requests_reach_is_not_judged_nor_written(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    containers: list[dict[str, Any]],
    rules: str,
    ingress: str,
) -> None:
    """Where the container a PORT rule describes turns out to be the ingress one, Cloud Run
    sets PORT itself and refuses any template that holds it: the rule is unverified (exit
    3), never `env.missing` with a plan that writes what Cloud Run refuses."""
    indent = " " * (rules.splitlines()[-1].index("env:") + 2)
    profile = HEAD + rules + f"{indent}PORT: '8080'\n"
    result = check_profile(make_sandbox, monkeypatch, tmp_path, world(*containers), profile)
    why = {u.target: u.reason for u in result.report.unverified}
    assert f"Cloud Run sets PORT itself in {ingress}, the container requests reach" in why.get(
        "env.PORT", ""
    ), why
    assert result.report.exit_code == 3
    assert port_said(result, planned(monkeypatch, tmp_path)) == []


def test_without_container_the_port_of_env_stays_refused_at_its_line(tmp_path: Path) -> None:
    """`env` describes the ingress container unless `container:` names another (SPEC): there
    PORT is Cloud Run's, and the message says where a sidecar's own goes."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(HEAD + "    env:\n      PORT: '9000'\n")
    done = drift("profiles", "validate", str(folder), cwd=tmp_path)
    assert done.returncode == 2
    text = done.stdout + done.stderr
    assert "profiles/prod.yaml:6: PORT: Cloud Run sets it in the service's ingress" in text, text
    assert "give it under `containers:`" in text


def test_rules_under_containers_for_the_container_env_describes_are_its_rules(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without `container:`, `containers: {app: …}` names the ingress container, the one
    `env` describes. Its rules were judged, but the empty main rule set reported every
    variable they name as env.unexpected ("the profile does not name it") and the plan said
    to remove them. A variable no rule set names is still unexpected, once, at the strictest
    level the sets ask for."""
    profile = (
        HEAD + "    unexpected_env: warn\n    containers:\n      app:\n"
        "        unexpected_env: error\n        env:\n          LOG_LEVEL: DEBUG\n"
        "      otel:\n        env:\n          LOG_LEVEL: info\n"
        "          OTEL_TOKEN: {secret: otel-token}\n"
    )
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path, world(APP_INGRESS, OTEL), profile, "shop"
    )
    findings = [f for f in result.report.findings if f.service == "shop"]
    assert sorted((f.rule, f.target, f.container, f.severity) for f in findings) == [
        ("env.unexpected", "env.MODE", "app", Severity.ERROR),
        ("env.value", "env.LOG_LEVEL", "app", Severity.ERROR),  # judged by containers.app
    ], [f.message for f in findings]
    plan = planned(monkeypatch, tmp_path).plan.services[0]
    assert [(c.name, c.value) for c in plan.env] == [("LOG_LEVEL", "DEBUG")]
    assert [m.target for m in plan.manual] == ["env.MODE"]


def test_a_sidecar_secret_ref_finding_names_the_container_in_its_message(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """env.value said "LOG_LEVEL on REV (container otel) differs", but env.secret_ref said only
    "OTEL_TOKEN references X instead of Y" (no revision, no container) and mount.secret_ref
    named no container: GitHub annotations and SARIF results show only the message."""
    mounted = {**OTEL, "volumeMounts": [{"name": "creds", "mountPath": "/etc/otel"}]}
    volume = {
        "name": "creds",
        "secret": {"secret": "otel-token", "items": [{"path": "token", "version": "1"}]},
    }
    profile = (
        HEAD + "    containers:\n      otel:\n        env:\n"
        "          OTEL_TOKEN: {secret: otel-token, version: '1'}\n        mounts:\n"
        "          /etc/otel/token: {secret: otel-token, version: '2'}\n"
    )
    sidecar = world(APP_INGRESS, mounted, volumes=[volume])
    result = check_profile(make_sandbox, monkeypatch, tmp_path, sidecar, profile, "shop")
    shop = found(result, "shop")
    for key in (
        ("env.secret_ref", "env.OTEL_TOKEN"),
        ("mount.secret_ref", "mount./etc/otel/token"),
    ):
        assert shop[key].container == "otel"
        assert f"on {shop[key].revision} (container otel)" in shop[key].message, shop[key].message


def test_a_sidecars_same_as_finding_is_the_sidecars(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """revown19 F3: otel's LOG_LEVEL must hold shop's (the app's): `info` is not `INFO`. The
    `env.inconsistent` finding was the main container's (container app, the app's env.LOG_LEVEL
    id, a message naming no container), so an ignore `container: otel` could not name it."""
    rule = (  # the app's LOG_LEVEL is a rule of shop's, as a `same_as` target must be
        "    env:\n      LOG_LEVEL: {required: true}\n"
        "    containers:\n      otel:\n        env:\n"
        "          LOG_LEVEL: {same_as: shop.LOG_LEVEL}\n"
    )
    ignore = (
        "ignore:\n  - {service: shop, container: otel, env: LOG_LEVEL, rule: env.inconsistent,"
        " reason: OPS-2}\n"
    )
    sidecar = world(APP_INGRESS, OTEL)
    result = check_profile(make_sandbox, monkeypatch, tmp_path, sidecar, HEAD + rule, "shop")
    drifted = found(result, "shop")[("env.inconsistent", "env.LOG_LEVEL")]
    assert drifted.container == "otel" and not drifted.ignored
    # its own id: a same_as on the app's LOG_LEVEL would otherwise share it
    assert drifted.id != finding_id("prod", "shop", "env.inconsistent", "env.LOG_LEVEL")
    assert f"on {drifted.revision} (container otel) does not hold" in drifted.message
    (tmp_path / "ignored").mkdir()
    profile = HEAD + rule + ignore
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path / "ignored", sidecar, profile, "shop"
    )
    assert found(result, "shop")[("env.inconsistent", "env.LOG_LEVEL")].ignored


DEBUG_PROXY = {
    "name": "debug-proxy",
    "image": "img/mitm:1",
    "env": [{"name": "TESTING", "value": "1"}, {"name": "E2E_TEST_MODE", "value": "true"}],
}

SIDECAR_SAYS = "    containers:\n      debug-proxy: {unexpected_env: "


@pytest.mark.parametrize(
    ("said", "severity"),
    [
        ("    unexpected_env: error\n", Severity.ERROR),
        ("", None),  # the default: ignore
        (f"    unexpected_env: warn\n{SIDECAR_SAYS}ignore}}\n", None),
        (f"    unexpected_env: ignore\n{SIDECAR_SAYS}warn}}\n", Severity.WARNING),
    ],
    ids=["error", "default", "sidecar-ignores", "sidecar-warns"],
)
def test_a_sidecar_the_profile_does_not_name_is_held_to_unexpected_env(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    said: str,
    severity: Severity | None,
) -> None:
    """A container added after the profile was written (a debug proxy with test flags): its
    variables are live variables the profile does not name. They were not looked at (but for a
    credential's shape), and `unexpected_env: error` called the service clean (helper-537 F1)."""
    profile = HEAD + said + "    env:\n      MODE: live\n"
    app = {**APP_INGRESS, "env": [{"name": "MODE", "value": "live"}]}
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path, world(app, DEBUG_PROXY), profile, "shop"
    )
    findings = found(result, "shop")
    if severity is None:
        assert findings == {} and result.report.exit_code == 0
        return
    assert set(findings) == {
        ("env.unexpected", "env.TESTING"),
        ("env.unexpected", "env.E2E_TEST_MODE"),
    }
    testing = findings[("env.unexpected", "env.TESTING")]
    assert (testing.severity, testing.container) == (severity, "debug-proxy")
    named = severity is Severity.WARNING  # under `containers:`, for its unexpected_env
    unnamed = "the profile names no container debug-proxy (state its rules under `containers:"
    assert (unnamed in testing.message) is not named, testing.message
    assert result.report.exit_code == (1 if severity is Severity.ERROR else 0)


def test_a_missing_sidecar_is_the_container_its_finding_names(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-537 F7: `container.missing` carried `"container": "app"`, the ingress one; its id
    stays the one it always had (the target names the container)."""
    profile = HEAD + "    containers:\n      otel: {env: {TOKEN: {required: true}}}\n"
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path, world(APP_INGRESS, DEBUG_PROXY), profile, "shop"
    )
    missing = found(result, "shop")[("container.missing", "container.otel")]
    assert missing.container == "otel"
    assert missing.id == finding_id("prod", "shop", "container.missing", "container.otel")


def test_a_revision_without_the_container_env_describes_is_not_judged_unnamed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-540 F6: `container: app` on a revision whose main container is named `main`:
    `container.missing` says it; its variables are not each `env.unexpected` besides."""
    main = {**APP_INGRESS, "name": "main", "env": [{"name": "MODE", "value": "live"}]}
    profile = HEAD + "    container: app\n    unexpected_env: error\n    env:\n      MODE: live\n"
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path, world(main, DEBUG_PROXY), profile, "shop"
    )
    rules = {rule for rule, _ in found(result, "shop")}
    assert "container.missing" in rules and "env.unexpected" not in rules, rules


@pytest.mark.parametrize("sidecars", [(), (DEBUG_PROXY,)])
def test_an_ignore_naming_a_missing_sidecar_silences_its_variable_not_its_absence(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sidecars: tuple[dict[str, Any], ...],
) -> None:
    """An `ignore:` entry naming the collector's TOKEN fits that variable's finding whether or
    not the revision runs several containers: on a revision of one container the finding names
    none (SPEC: `"container"` only where there are several), yet it is still the collector's
    (its id says so), never the app's. The collector's absence stays counted."""
    app = {k: v for k, v in APP_INGRESS.items() if k != "dependsOn"}
    profile = (
        HEAD
        + "    containers:\n      otel: {env: {TOKEN: {required: true}}}\n"
        + "ignore:\n  - {service: shop, container: otel, env: TOKEN, reason: OPS-7}\n"
    )
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path, world(app, *sidecars), profile, "shop"
    )
    findings = found(result, "shop")
    token = findings[("env.missing", "env.TOKEN")]
    assert token.ignored and token.ignore_reason == "OPS-7", token
    assert not findings[("container.missing", "container.otel")].ignored
    assert result.report.exit_code == 1
