"""The env rules' fast path (a variable holding exactly what its rule states is clean, decided
without evaluating the rule) never hides a finding: wherever it says "as stated", the full
evaluation finds nothing, over rules and live variables of every shape."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drift.diff.context import At, Context
from drift.diff.env import _as_stated, _var
from drift.findings import Location
from drift.live.model import EnvVar, LiveState
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.refs import SecretRef
from tests.livestate import config, service

NAME = "VAR"
texts = st.sampled_from(["", "x", "hello", "sk_live_0123456789abcdefghij", "https://a:b@host"])
secrets = st.sampled_from(["s1", "s2"])
versions = st.sampled_from(["latest", "3"])
projects = st.sampled_from(["", "other", "600000000002"])


@st.composite
def rules(draw: st.DrawFn) -> VarRule:
    kind = draw(st.sampled_from(["value", "secret", "bare"]))
    secret = draw(secrets) if kind == "secret" else None
    return VarRule(
        name=draw(st.sampled_from([NAME, "API_KEY"])),
        location=Location("p.yaml", 3),
        value=draw(texts) if kind == "value" else None,
        secret=secret,
        version=draw(versions) if secret else "latest",
        secret_project=draw(projects) if secret else "",
        optional=draw(st.booleans()),
        forbidden=draw(st.booleans()) if kind == "bare" else False,
        pattern=draw(st.sampled_from([None, None, "^h"])),
        min_length=draw(st.sampled_from([None, None, 3])),
        same_as=draw(st.sampled_from([None, None, ("auth", NAME)])),
    )


@st.composite
def lives(draw: st.DrawFn, rule: VarRule) -> EnvVar | None:
    """Often exactly what the rule states (the case the fast path decides), else anything."""
    if draw(st.booleans()) and (rule.value is not None or rule.ref is not None):
        return EnvVar(rule.name, value=rule.value, ref=rule.ref)
    if draw(st.booleans()):
        return None
    ref = draw(st.none() | st.builds(SecretRef, secrets, versions, projects))
    return EnvVar(rule.name, value=None if ref else draw(texts), ref=ref)


@st.composite
def cases(draw: st.DrawFn) -> tuple[VarRule, EnvVar | None]:
    rule = draw(rules())
    return rule, draw(lives(rule))


@settings(max_examples=500, deadline=None)
@given(cases())
def test_as_stated_means_no_finding(case: tuple[VarRule, EnvVar | None]) -> None:
    rule, live = case
    svc = service("api", [] if live is None else [live])
    state = LiveState(services={"api": svc})
    state.projects["600000000002"] = "other"
    profile = Profile("e", "p", "r", Location("p.yaml", 1))
    ctx = Context(profile, state, ServiceProfile("api", Location("p.yaml", 2)), svc)
    at = At(ctx, svc.serving[0])
    container = config([] if live is None else [live]).main
    if _as_stated(container, rule):
        assert list(_var(at, container, rule)) == []
