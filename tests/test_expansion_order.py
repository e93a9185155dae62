"""A profile that states a reference as written (`URL: "http://$(HOST)"`) means the value it
expands to. Cloud Run expands `$(NAME)` "using the previous defined environment variables in
the container" and leaves a reference it cannot resolve "unchanged" (run v2 k8s_min.proto,
EnvVar.value): a variable that refers to one set after it in the container runs with the text
`$(HOST)`, not the host. drift compared the text alone and called it met — a DSN without its
password, a URL without its host, reported clean (revdiff88 F2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.diff import env as env_rules
from drift.diff.context import At, Context
from drift.findings import Finding, Location
from drift.live.model import LiveState
from drift.live.normalize import container_config
from drift.profiles.model import Profile, ServiceProfile, VarRule
from tests.conftest import MakeSandbox
from tests.livestate import service
from tests.test_check_shapes import check_profile


def _var(name: str, value: str = "", secret: str = "") -> Any:
    if secret:
        ref = run_v2.SecretKeySelector(secret=secret, version="latest")
        return run_v2.EnvVar(name=name, value_source=run_v2.EnvVarSource(secret_key_ref=ref))
    return run_v2.EnvVar(name=name, value=value)


def _findings(rule: VarRule, *env: Any) -> list[Finding]:
    config = container_config(run_v2.RevisionTemplate(), run_v2.Container(name="app", env=env))
    svc = service("api", list(config.env.values()))
    ctx = Context(
        Profile("e", "p", "r", Location("p.yaml", 1)),
        LiveState(services={"api": svc}),
        ServiceProfile("api", Location("p.yaml", 2)),
        svc,
    )
    container = svc.serving[0].config.main
    assert list(container.env) == [v.name for v in env]  # the order read is the order written
    if env_rules._as_stated(container, rule):
        return []
    return list(env_rules._var(At(ctx, svc.serving[0]), container, rule))


URL = "http://$(HOST):8080"
RULE = VarRule("URL", Location("p.yaml", 3), value=URL)


def test_a_reference_to_a_variable_set_after_it_is_not_the_value_stated() -> None:
    (found,) = _findings(RULE, _var("URL", URL), _var("HOST", "10.0.0.3"))
    assert found.rule == "env.value"
    assert found.actual == URL  # what it runs with: the text
    assert "$(HOST)" in found.message and "set after it" in found.message
    assert found.failed == ("refers to $(HOST), set after it",)


def test_one_of_two_references_set_after_it() -> None:
    text = "$(SCHEME)://$(HOST)"
    rule = VarRule("URL", Location("p.yaml", 3), value=text)
    (found,) = _findings(rule, _var("SCHEME", "https"), _var("URL", text), _var("HOST", "10.0.0.3"))
    assert found.actual == "https://$(HOST)"
    assert found.failed == ("refers to $(HOST), set after it",)


def test_a_secret_set_after_the_dsn_that_refers_to_it() -> None:
    """The DSN runs with the text `$(DB_PASS)`: no password at all."""
    dsn = "postgres://app:$(DB_PASS)@10.0.0.5/app"
    rule = VarRule("DSN", Location("p.yaml", 3), value=dsn)
    (found,) = _findings(rule, _var("DSN", dsn), _var("DB_PASS", secret="db-pass"))
    assert found.rule == "env.value" and "$(DB_PASS)" in found.message


def test_in_order_it_is_met_as_before() -> None:
    assert _findings(RULE, _var("HOST", "10.0.0.3"), _var("URL", URL)) == []
    # escaped, or naming no variable of the container: the same text runs the same way
    literal = VarRule("URL", Location("p.yaml", 3), value="$$(HOST)")
    assert _findings(literal, _var("URL", "$$(HOST)"), _var("HOST", "10.0.0.3")) == []
    assert _findings(RULE, _var("URL", URL), _var("OTHER", "x")) == []


def test_another_value_is_said_to_differ_as_before() -> None:
    (found,) = _findings(RULE, _var("URL", "http://$(HOST):9090"), _var("HOST", "10.0.0.3"))
    assert found.message.endswith("differs from the profile") and found.failed == ()


WORLD = {
    "projects": {
        "p": {
            "number": 5,
            "services": {
                "api": {
                    "template": {
                        "image": "x/api:1",
                        # as an alphabetical deploy writes them: the URL before its host
                        "env": {"API_URL": "http://$(HOST):8080", "HOST": "10.0.0.3"},
                    }
                },
            },
        }
    }
}
PROFILE = """project: p
region: us-central1
services:
  api:
    env:
      API_URL: "http://$(HOST):8080"
      HOST: 10.0.0.3
"""


def test_check_against_the_sandbox_is_drift_not_clean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, PROFILE)
    (found,) = result.report.findings
    assert (found.rule, found.target, found.actual) == (
        "env.value",
        "env.API_URL",
        "http://$(HOST):8080",
    )
    assert result.report.exit_code == 1
