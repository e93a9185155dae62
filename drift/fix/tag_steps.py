"""The steps for drift on a revision reached only through a traffic tag, which no patch
reaches: point the tag elsewhere or remove it. drift's own canary tag is not one of them: while
a change holds it (pinned by `--no-promote`, or left by a fix that did not finish) the only
ways out are the change's own (promote it, or `drift rollback CHANGE`), which the pinned or
held finding's step says (`drift.fix.stops`); removing the tag by hand leaves the traffic
pinned and the journal's change open (helper-700 F8)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from drift.blanks import Arg, blank, word
from drift.credentials import holds_secret
from drift.findings import Finding
from drift.fix.commands import Commands
from drift.fix.model import ManualStep
from drift.live.model import LiveService
from drift.live.trap import canary_tags
from drift.redact import MASK


def tag_steps(
    cmd: Commands,
    live: LiveService,
    findings: Iterable[Finding],
    checks: Callable[[str], bool] = lambda _: True,
) -> list[ManualStep]:
    """Drift on a revision reached only through a traffic tag: no patch reaches it. A
    revision never changes ("A Revision is an immutable snapshot of code and configuration",
    google/cloud/run/v2/revision.proto) and a tag names one revision (`TrafficTarget.revision`
    and `tag`, traffic_target.proto): a fix writes the template, which makes a new revision,
    and the tag still points at the old one. What repairs it acts on the tag (gcloud
    reference, `run services update-traffic`: `--update-tags=[TAG=REVISION,…]`,
    `--remove-tags=[TAG,…]`); a secret it uses that is not usable (`secret.*`) may be
    repaired instead, in Secret Manager. One step per tag findings carry (`tag.TAG`), naming
    what it has, and every other tag `checks` selects (the profile's `check_tags`) that points
    at that revision too: each URL serves it (helper-739 F3); none for the tags of drift's
    canaries on `live` (`canary_tags`: the module's docstring)."""
    own = set(canary_tags(live))
    reached = {r.name: r.tags for r in live.tagged}
    by_tag: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.tag and f.tag not in own:
            by_tag.setdefault((f.tag, f.revision or ""), []).append(f)
    steps = []
    for (named, revision), found in by_tag.items():
        others = (t for t in reached.get(revision, ()) if t not in (named, *own) and checks(t))
        # a tag named by a secret drift read: `***`, and a blank in the commands, on the data
        # (the scrub after rendering passes over a one-word secret: helper-582 F2)
        tags = [(blank("TAG"), MASK) if holds_secret(t) else (t, t) for t in (named, *others)]
        shown = ", ".join(s for _, s in tags)
        drifts = _listed(f for f in found if not f.rule.startswith("secret."))
        secrets = _listed(f for f in found if f.rule.startswith("secret."))
        said = [f"it runs with {drifts}"] if drifts else []
        if secrets:
            said.append(f"it uses {secrets}: what repairs a secret repairs it here too")
        one = len(tags) == 1
        reason = (
            f"{'tag' if one else 'tags'} {shown} {'points' if one else 'point'} at {revision} "
            f"(no traffic, {'its own URL' if one else 'each its own URL'}), which no patch of the "
            f"service reaches (a revision never changes): {'; '.join(said)}; point "
            f"{'the tag' if one else 'each'} at a revision without this drift (once fixed, the "
            f"one that serves), or remove {'the tag' if one else 'them'}"
        )
        update = _joined([word(tag, "=", blank("REVISION")) for tag, _ in tags])
        commands = (
            cmd.traffic(word("--update-tags=", update)),
            cmd.traffic(word("--remove-tags=", _joined([tag for tag, _ in tags]))),
        )
        steps.append(ManualStep(f"tag.{tags[0][1]}", reason, commands))
    return steps


def _joined(args: list[Arg]) -> Arg:
    """Arguments as one comma-separated word (gcloud's `--update-tags=A=R,B=R`)."""
    pieces: list[Arg] = []
    for arg in args:
        pieces += [",", arg] if pieces else [arg]
    return word(*pieces)


def _listed(findings: Iterable[Finding]) -> str:
    """`env.TESTING (env.forbidden), …`"""
    return ", ".join(dict.fromkeys(f"{f.target} ({f.rule})" for f in findings))
