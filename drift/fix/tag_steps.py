"""The steps for drift on a revision reached only through a traffic tag, which no patch
reaches: point the tag elsewhere or remove it. drift's own canary tag is not one of them: while
a change holds it (pinned by `--no-promote`, or left by a fix that did not finish) the only
ways out are the change's own (promote it, or `drift rollback CHANGE`), which the pinned or
held finding's step says (`drift.fix.stops`); removing the tag by hand leaves the traffic
pinned and the journal's change open (helper-700 F8)."""

from __future__ import annotations

from collections.abc import Iterable

from drift.blanks import Arg, blank, word
from drift.credentials import holds_secret
from drift.findings import Finding
from drift.fix.commands import Commands
from drift.fix.model import ManualStep
from drift.live.model import LiveService
from drift.live.trap import canary_tags
from drift.redact import MASK


def tag_steps(cmd: Commands, live: LiveService, findings: Iterable[Finding]) -> list[ManualStep]:
    """Drift on a revision reached only through a traffic tag: no patch reaches it. A
    revision never changes ("A Revision is an immutable snapshot of code and configuration",
    google/cloud/run/v2/revision.proto) and a tag names one revision (`TrafficTarget.revision`
    and `tag`, traffic_target.proto): a fix writes the template, which makes a new revision,
    and the tag still points at the old one. What repairs it acts on the tag (gcloud
    reference, `run services update-traffic`: `--update-tags=[TAG=REVISION,…]`,
    `--remove-tags=[TAG,…]`); a secret it uses that is not usable (`secret.*`) may be
    repaired instead, in Secret Manager. One step per tag (`tag.TAG`), naming what it has;
    none for the tags of drift's canaries on `live` (`canary_tags`: the module's docstring)."""
    own = set(canary_tags(live))
    by_tag: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.tag and f.tag not in own:
            by_tag.setdefault((f.tag, f.revision or ""), []).append(f)
    steps = []
    for (named, revision), found in by_tag.items():
        # a tag named by a secret drift read: `***`, and a blank in the commands, on the data
        # (the scrub after rendering passes over a one-word secret: helper-582 F2)
        hidden = holds_secret(named)
        tag: Arg = blank("TAG") if hidden else named
        shown = MASK if hidden else named
        drifts = _listed(f for f in found if not f.rule.startswith("secret."))
        secrets = _listed(f for f in found if f.rule.startswith("secret."))
        said = [f"it runs with {drifts}"] if drifts else []
        if secrets:
            said.append(f"it uses {secrets}: what repairs a secret repairs it here too")
        reason = (
            f"tag {shown} points at {revision} (no traffic, its own URL), which no patch of the "
            f"service reaches (a revision never changes): {'; '.join(said)}; point the tag at "
            "a revision without this drift (once fixed, the one that serves), or remove the tag"
        )
        commands = (
            cmd.traffic(word("--update-tags=", tag, "=", blank("REVISION"))),
            cmd.traffic(word("--remove-tags=", tag)),
        )
        steps.append(ManualStep(f"tag.{shown}", reason, commands))
    return steps


def _listed(findings: Iterable[Finding]) -> str:
    """`env.TESTING (env.forbidden), …`"""
    return ", ".join(dict.fromkeys(f"{f.target} ({f.rule})" for f in findings))
