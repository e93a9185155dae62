"""The older side of a gradual rollout (SPEC invariant 8): a fix writes one revision's share —
the template's own revision when it serves a share, by name or through LATEST, else the one
with the most traffic (`drift.diff.served.rollout_target`) — and every other revision serving
keeps its share and its configuration. A finding on such a revision is not fixed by the patch
(`kept_revisions`), whatever the patch changes for the same target; what its step says
(`kept_step`). A worker pool's write keeps no share of the template's configuration: it moves
each one pinned to such a revision with it (`drift.fix.instances.moved_splits`), so only a
revision running another configuration (where its fix stops) has a step."""

from __future__ import annotations

from drift.blanks import word
from drift.diff.served import written_differences
from drift.findings import Finding
from drift.fix.commands import Commands
from drift.fix.model import ManualStep
from drift.fix.probetag import CANARY
from drift.kinds import Kind
from drift.live.model import LiveService, RevisionConfig, ServingRevision
from drift.textsafe import visible


def kept_revisions(live: LiveService, f: Finding, written: str) -> list[ServingRevision]:
    """The revisions serving a share (a pool's: running instances) that `f` is on (its own and
    its `also_on`) other than `written`, the one the fix writes ([] when no revision is
    written: a job's, a pool whose template does not run)."""
    on = (f.revision, *f.also_on)
    if not written or f.revision is None:
        return []
    return [r for r in live.serving if r.name in on and r.percent and r.name != written]


def fixed_there(live: LiveService, f: Finding, written: str) -> bool:
    """Whether a change for `f`'s target fixes `f`: every revision it is on is the one the fix
    writes. A worker pool's write moves every pinned share with it, or stops when one runs
    another configuration (`drift.fix.instances.moved_splits`): it leaves no share behind."""
    return live.kind is Kind.WORKER_POOL or not kept_revisions(live, f, written)


def kept_step(
    cmd: Commands,
    live: LiveService,
    f: Finding,
    built_on: tuple[str, RevisionConfig, bool],
    new: bool,
    stops: bool = False,
) -> ManualStep | None:
    """A finding on a revision the fix does not write (not a rollout's own, `revision.*`),
    with what to do: finish the rollout to the revision the fix writes (`--to-revisions`:
    gcloud's update-traffic and update-instance-split; the revision the fix makes, `CANARY`,
    when `new`, which fix does not make when it `stops` before any write: the plan's blocked
    line), naming the image that move runs where it is another, or deploy that revision's
    configuration fixed; None otherwise. `built_on`: the revision the fix writes, the
    configuration it builds on, and whether that is the template (`--from-template`, which
    differs from what that revision runs: `drift.fix.base.fix_base`). The planner gives it
    to a revision's configuration (`rules.HISTORY`); a secret's own step (a grant, a version:
    it repairs every revision) comes first."""
    name, config, on_template = built_on
    source = "the template" if on_template else name
    kept = kept_revisions(live, f, name)
    pool = live.kind is Kind.WORKER_POOL
    if pool and new:  # its write moves each share pinned to the template's configuration
        kept = [r for r in kept if written_differences(live, r)]  # (`instances.moved_splits`)
    if not kept or f.rule.startswith("revision."):
        return None
    new = new and not pool  # a pool's fix goes with every share, or stops (`fixed_there`)
    move = cmd.all_to(word(CANARY) if new else name)
    names = ", ".join(r.name for r in kept)
    shares = "; ".join(f"{r.name} keeps its {r.percent}%" for r in kept)
    there = f"the revision {'a' if stops else 'the'} fix makes from {source}" if new else name
    once = "it is fixed"
    if new:
        once = (
            "one is made (drift fix stops here before any write, so this fix makes none)"
            if stops
            else "the fix has made it"
        )
    images = _images(kept, config)
    writes = (
        f"the template (--from-template) in {name}'s place"
        if on_template
        else f"what {name} runs, the revision it builds on"
    )
    return ManualStep(
        f.target,
        f"{f.message}: {shares} of {'instances' if pool else 'traffic'} and its configuration "
        f"(a fix writes {writes}): finish the rollout to {there} once {once}"
        + (f" (moving that share runs {source}'s image there: {images})" if images else "")
        + f", or deploy {names}'s configuration fixed",
        (*(cmd.describe_revision(r.name) for r in kept), move),
    )


def _images(kept: list[ServingRevision], config: RevisionConfig) -> str:
    """How each kept revision's images differ from `config`'s, what serves → what a move of its
    share would run (`REVISION: IMAGE → IMAGE`); "" when they run the same."""
    written = {c.name: c.image for c in config.containers}
    return "; ".join(
        visible(f"{r.name}: {c.image} → {written[c.name]}")
        for r in kept
        for c in r.config.containers
        if written.get(c.name, c.image) != c.image
    )
