"""`$(VAR)` in environment values, as Cloud Run expands them (run v2 k8s_min.proto,
EnvVar.value): earlier variables of the container only, unresolved references unchanged, `$$`
a `$`, escaped references never expanded; what drift compares, and what the sandbox's
backends start with."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from google.cloud import run_v2

from drift.diff import env as env_rules
from drift.diff.context import At, Context
from drift.expansion import expand, references
from drift.findings import Location
from drift.fix.changes import env_change
from drift.live.model import LiveState
from drift.live.normalize import container_config
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.sandbox.revisions import revision_env
from tests.livestate import config as config_of
from tests.livestate import service

DEFINED = {"RH": "localhost", "PORT": "6379"}


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("$(RH)", "localhost"),
        ("redis://$(RH):$(PORT)/0", "redis://localhost:6379/0"),
        ("$(NOPE)", "$(NOPE)"),  # unresolved: unchanged
        ("$$(RH)", "$(RH)"),  # escaped: never expanded
        ("$$$(RH)", "$localhost"),
        ("a$$b", "a$b"),
        ("$(RH", "$(RH"),  # never closed
        ("$RH $", "$RH $"),
        ("$()", "$()"),
        ("", ""),
    ],
)
def test_references_are_expanded_as_the_proto_says(text: str, expanded: str) -> None:
    assert expand(text, DEFINED.get) == expanded


def test_references_are_the_names_not_escaped() -> None:
    assert references("$(A)-$$(B)-$(C") == ["A"]


def _container(*env: Any) -> Any:
    return run_v2.Container(name="app", env=list(env))


def _var(name: str, value: str = "", secret: str = "") -> Any:
    if secret:
        ref = run_v2.SecretKeySelector(secret=secret, version="latest")
        return run_v2.EnvVar(name=name, value_source=run_v2.EnvVarSource(secret_key_ref=ref))
    return run_v2.EnvVar(name=name, value=value)


def test_drift_reads_a_value_as_the_container_runs_with_it() -> None:
    revision = run_v2.RevisionTemplate()
    config = container_config(
        revision,
        _container(
            _var("LATER", "$(RH)"),  # defined before RH: not expanded
            _var("RH", "localhost"),
            _var("REDIS_HOST", "$(RH)"),
            _var("PASS", secret="db-pass"),
            _var("DSN", "postgres://u:$(PASS)@$(RH)"),
            _var("COPY", "$(DSN)"),
        ),
    )
    env = config.env
    assert (env["LATER"].value, env["LATER"].needs) == ("$(RH)", ())
    assert (env["REDIS_HOST"].value, env["REDIS_HOST"].needs) == ("localhost", ())
    # a secret's value is never put in: the reference stays, and says it needs the secret
    assert (env["DSN"].value, env["DSN"].needs) == ("postgres://u:$(PASS)@localhost", ("PASS",))
    assert env["COPY"].needs == ("DSN",)


class _World:
    def secret_text(self, project: Any, secret: str, version: str) -> str | None:
        return {"db-pass": "hunter2-long"}.get(secret)


def test_the_sandbox_starts_backends_with_the_expanded_values() -> None:
    revision = run_v2.Revision(
        containers=[
            _container(
                _var("RH", "localhost"),
                _var("REDIS_HOST", "$(RH)"),
                _var("PASS", secret="db-pass"),
                _var("DSN", "u:$(PASS)@$(RH)"),
                _var("LIT", "$$(RH)"),
            )
        ]
    )
    env = revision_env(_World(), None, run_v2.Revision.pb(revision))  # type: ignore[arg-type]
    assert env["REDIS_HOST"] == "localhost" and env["LIT"] == "$(RH)"
    assert env["DSN"] == "u:hunter2-long@localhost"


def test_a_profile_that_states_the_reference_as_written_is_met() -> None:
    """The profile says `redis://$(REDIS_HOST):6379/0`, as the deploy writes it, and the
    service holds exactly that: drift compared it with the expanded value, reported drift
    that had never happened, and `fix` wrote the same text again, for ever."""
    written = "redis://$(REDIS_HOST):6379/0"
    config = container_config(
        run_v2.RevisionTemplate(),
        _container(_var("REDIS_HOST", "10.24.0.3"), _var("REDIS_URL", written)),
    )
    var = config.env["REDIS_URL"]
    assert (var.value, var.written) == ("redis://10.24.0.3:6379/0", written)
    rule = VarRule("REDIS_URL", Location("p.yaml", 3), value=written)
    assert env_rules._as_stated(config, rule)
    assert env_change(rule, var, None, LiveState(), "p") is None
    # what it runs with is met too; anything else is still a change to make
    assert (
        env_change(replace(rule, value="redis://10.24.0.3:6379/0"), var, None, LiveState(), "p")
        is None
    )
    assert (
        env_change(replace(rule, value="redis://other:6379/0"), var, None, LiveState(), "p")
        is not None
    )
    svc = service("api", list(config.env.values()))
    ctx = Context(
        Profile("e", "p", "r", Location("p.yaml", 1)),
        LiveState(services={"api": svc}),
        ServiceProfile("api", Location("p.yaml", 2)),
        svc,
    )
    at = At(ctx, svc.serving[0])
    assert list(env_rules._var(at, config_of(list(config.env.values())).main, rule)) == []
