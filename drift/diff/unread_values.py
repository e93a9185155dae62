"""A rule that compares a secret's value (`min_length`, `pattern`, `one_of`, `not`) whose value
the read left without, and nothing else says why: not verified, never clean.

A value read fails aloud (its secret is then unverified, `drift.live.secrets`), and a version
that is not enabled has its own finding. A value simply not there — a read that was never
made, as when two reads shared one task key (revsecret90 F1) — left the rule unjudged and the
check clean. This is the backstop for any such path: SPEC, "an incomplete read never exits 0"."""

from __future__ import annotations

from collections.abc import Sequence

from drift.diff.env import stated_vars
from drift.findings import Unverified
from drift.live.secret_state import VersionState
from drift.live.state import LiveState
from drift.profiles.model import Profile
from drift.secret_target import secret_key


def unread_values(profile: Profile, names: Sequence[str], state: LiveState) -> list[Unverified]:
    out: dict[tuple[str, str], Unverified] = {}
    said = {(u.key, u.target) for u in state.unverified}
    for name, rule, var in stated_vars(profile, names, state):
        ref = var.ref
        if not rule.constrained or ref is None or ref in state.values:
            continue
        info = state.versions.get(ref)
        if info is None or info.state is not VersionState.ENABLED:
            continue  # its version's own finding, or its read's unverified item
        target = f"secret.{secret_key(ref, state, profile.project)}"
        if (name, target) in said or (name, f"env.{rule.name}") in said:
            continue
        why = f"the value of {ref} was not read: the rule's constraints are not judged"
        out.setdefault((name, rule.name), Unverified.at(name, f"env.{rule.name}", why))
    return list(out.values())
