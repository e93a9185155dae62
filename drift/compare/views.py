"""One view for both sources: each service's variables and settings, from a profile or live."""

from __future__ import annotations

from collections.abc import Iterable

from drift.compare.model import ServiceView, Shape, VarView
from drift.diff.describe import describe_live, describe_rule
from drift.fields import FIELDS
from drift.live.model import LiveState
from drift.profiles.model import Profile, VarRule
from drift.refs import SecretRef


def profile_views(profile: Profile, names: Iterable[str]) -> dict[str, ServiceView]:
    return {
        n: ServiceView(
            n,
            {r.name: _rule_view(r) for r in profile.services[n].env.values()},
            {k: FIELDS[k].normalise(s.value) for k, s in profile.services[n].settings.items()},
        )
        for n in names
        if n in profile.services
    }


def _rule_view(rule: VarRule) -> VarView:
    if rule.forbidden:
        return VarView(rule.name, Shape.FORBIDDEN, False, "forbidden")
    shown = describe_rule(rule) + ("" if rule.must_exist else " (optional)")
    if rule.secret is not None:
        ref = SecretRef(rule.secret, rule.version)
        return VarView(rule.name, Shape.SECRET, rule.must_exist, shown, secret=ref)
    if rule.value is not None:
        return VarView(rule.name, Shape.PLAIN, rule.must_exist, shown, value=rule.value)
    return VarView(rule.name, Shape.CONSTRAINT, rule.must_exist, shown)


def live_views(state: LiveState) -> dict[str, ServiceView]:
    """Each service as its main serving revision runs it (the template if none serves)."""
    views = {}
    for name, live in state.services.items():
        config = live.serving[0].config if live.serving else live.template
        env = {
            v.name: VarView(
                v.name,
                Shape.SECRET if v.ref is not None else Shape.PLAIN,
                True,
                describe_live(v),
                value=v.value if v.ref is None else None,
                secret=v.ref,
            )
            for v in config.env.values()
        }
        views[name] = ServiceView(name, env, dict(config.settings))
    return views
