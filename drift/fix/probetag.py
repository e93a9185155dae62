"""The traffic tag a profile probes (`probe: {tag: T}`), when a fix leaves it on the unpatched
revision: a REVISION-type tag on the revision the canary replaces stays there, at 0 %
(`drift.fix.patch.promoted_traffic`), while a LATEST-type tag follows the canary. Drift does
not move it (the tag may be what an E2E suite pins on purpose); the plan says so before the
"yes", and the fix's result gives the command with the canary's name, known only then
(gcloud reference, `run services update-traffic`: `--update-tags=[TAG=REVISION,…]`)."""

from __future__ import annotations

from typing import Any

from drift.blanks import blank, word
from drift.fix.commands import Commands
from drift.fix.model import ManualStep, ServicePlan
from drift.fix.patch import is_latest
from drift.kinds import Kind
from drift.live.api import short
from drift.profiles.model import Profile, ServiceProfile

CANARY = blank("CANARY")


def left_tag(service: ServiceProfile, source: Any, base: str) -> str | None:
    """The tag the profile probes when it is a REVISION-type tag on `base` (None otherwise)."""
    tag = service.probe.tag if service.probe is not None else None
    if not tag or not base or source is None:
        return None
    on_base = (
        t.tag == tag and not is_latest(t) and short(t.revision) == base for t in source.traffic
    )
    return tag if any(on_base) else None


def probe_tag_steps(
    cmd: Commands, service: ServiceProfile, source: Any, sp: ServicePlan, base: str
) -> tuple[ManualStep, ...]:
    """A step `tag.T` when the fix makes a canary and the probed tag T stays on `base`."""
    tag = left_tag(service, source, base)
    if sp.kind is not Kind.SERVICE or not sp.changes_template or tag is None:
        return ()
    if f"tag.{tag}" in {m.target for m in sp.manual}:
        return ()
    reason = (
        f"tag {tag}, which the profile probes, points at {base} (a REVISION tag): the fix "
        f"moves the traffic to its canary and leaves the tag on {base}, unpatched (a revision "
        "never changes), so the probe of the tag and whatever uses its URL (E2E) keep failing "
        "until it is moved; drift does not move it. Once the fix is promoted, point it at the "
        "canary: its name is known only when the fix runs, and `drift fix` prints this "
        "command with it. Moving it is a change of the service drift did not make: `drift "
        "rollback` of the fix then refuses until given --force (which puts the tag back too)"
    )
    return (
        ManualStep(f"tag.{tag}", reason, (cmd.traffic(word(f"--update-tags={tag}=", CANARY)),)),
    )


def moved_tag_steps(
    cmd: Commands, service: ServiceProfile, source: Any, sp: ServicePlan, base: str
) -> tuple[ManualStep, ...]:
    """A step `tag.T` for each other REVISION-type tag on `base` with traffic (`cur` at 100 %)
    when the fix makes a canary: the promotion moves the tag's share to the canary and leaves
    the tag on `base` at 0 % (`drift.fix.patch.promotion_tags`), unpatched, where the next
    check still finds this drift through it. What the probed tag's step says
    (`probe_tag_steps`), without the probe."""
    if sp.kind is not Kind.SERVICE or not sp.changes_template or not base or source is None:
        return ()
    probed = left_tag(service, source, base)
    said = {m.target for m in sp.manual}
    steps = []
    for t in source.traffic:
        if not t.tag or not t.percent or is_latest(t) or short(t.revision) != base:
            continue
        if t.tag == probed or f"tag.{t.tag}" in said:
            continue
        said.add(f"tag.{t.tag}")
        reason = (
            f"tag {t.tag} points at {base} with {t.percent}% of the traffic: the promotion moves "
            f"that share to the canary and leaves the tag on {base} at 0%, unpatched (a "
            "revision never changes), so its URL keeps reaching this drift and the next check "
            "finds it there; drift does not move it. Once the fix is promoted, point it at the "
            "canary (its name is known only when the fix runs), or remove it. Moving it is a "
            "change of the service drift did not make: `drift rollback` of the fix then "
            "refuses until given --force"
        )
        commands = (
            cmd.traffic(word(f"--update-tags={t.tag}=", CANARY)),
            cmd.traffic(f"--remove-tags={t.tag}"),
        )
        steps.append(ManualStep(f"tag.{t.tag}", reason, commands))
    return tuple(steps)


def probe_tag_note(profile: Profile, name: str, source: Any, base: str, canary: str) -> str:
    """For the fix's result once promoted: the probed tag still on `base`, and the command
    that moves it to the canary ("" when the tag follows the canary, or there is none)."""
    tag = left_tag(profile.services[name], source, base)
    if tag is None:
        return ""
    move = Commands(profile.project, profile.region, name).traffic(f"--update-tags={tag}={canary}")
    return (
        f"; tag {tag}, which the profile probes, stays on {base} (unpatched): its probe keeps "
        f"failing until it is moved to the canary (drift does not move it; once moved, "
        f"`drift rollback` of this change needs --force: the tag changed since): {move}"
    )
