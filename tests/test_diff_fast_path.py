"""The env rules' fast path (a variable holding exactly what its rule states is clean, decided
without evaluating the rule) never hides a finding: wherever it says "as stated", the full
evaluation finds nothing, over rules and live variables of every shape."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from drift.diff.context import At, Context
from drift.diff.env import _as_stated, _var
from drift.findings import Location
from drift.live.model import EnvVar
from drift.live.state import LiveState
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.refs import SecretRef
from tests.livestate import config, service

NAME = "VAR"
texts = st.sampled_from(["", "x", "hello", "sk_live_0123456789abcdefghij", "https://a:b@host"])
secrets = st.sampled_from(["s1", "s2"])
versions = st.sampled_from(["latest", "3"])
projects = st.sampled_from(["", "other", "600000000002"])


# Every strategy is built once: a strategy made inside a draw is made and validated anew for
# each example (most of this test's time); the draws, and so the examples, are the same.
kinds = st.sampled_from(["value", "secret", "bare"])
names = st.sampled_from([NAME, "API_KEY"])
patterns = st.sampled_from([None, None, "^h"])
lengths = st.sampled_from([None, None, 3])
sames = st.sampled_from([None, None, ("auth", NAME)])
refs = st.none() | st.builds(SecretRef, secrets, versions, projects)


@st.composite
def rules(draw: st.DrawFn) -> VarRule:
    kind = draw(kinds)
    secret = draw(secrets) if kind == "secret" else None
    return VarRule(
        name=draw(names),
        location=Location("p.yaml", 3),
        value=draw(texts) if kind == "value" else None,
        secret=secret,
        version=draw(versions) if secret else "latest",
        secret_project=draw(projects) if secret else "",
        optional=draw(st.booleans()),
        forbidden=draw(st.booleans()) if kind == "bare" else False,
        pattern=draw(patterns),
        min_length=draw(lengths),
        same_as=draw(sames),
    )


@functools.cache  # one strategy per rule, as above
@st.composite
def lives(draw: st.DrawFn, rule: VarRule) -> EnvVar | None:
    """Often exactly what the rule states (the case the fast path decides), else anything."""
    if draw(st.booleans()) and (rule.value is not None or rule.ref is not None):
        return EnvVar(rule.name, value=rule.value, ref=rule.ref)
    if draw(st.booleans()):
        return None
    ref = draw(refs)
    return EnvVar(rule.name, value=None if ref else draw(texts), ref=ref)


@st.composite
def cases(draw: st.DrawFn) -> tuple[VarRule, EnvVar | None]:
    rule = draw(RULES)
    return rule, draw(lives(rule))


RULES = rules()


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
