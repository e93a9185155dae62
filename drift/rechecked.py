"""Whether a run looked again where a baseline found a finding (README "Baselines": a finding
"counts as resolved only where this run looked again"): its workload checked and read, its
target verified, the revision it was found on read, the secrets it references read, the
service probed."""

from __future__ import annotations

from collections.abc import Callable

from drift.diff.inlined import ON_A_VALUE
from drift.findings import Finding
from drift.kinds import Kind
from drift.live.model import EnvVar, ServingRevision
from drift.live.state import LiveState, RevisionRecord
from drift.redact import MASK
from drift.report import Report
from drift.rules import RULES
from drift.secret_target import perhaps_same, secret_target
from drift.textsafe import plural

Uses = dict[tuple[str, str], set[str]]
"""(workload key, `env.NAME` or `mount.PATH`) -> the `secret.KEY` targets it references."""


def not_checked_again(
    finding: Finding,
    report: Report,
    gaps: dict[tuple[str, str], str],
    uses: Uses,
    state: LiveState | None = None,
) -> str | None:
    """Why this run did not look where the baseline found `finding`, or None when it did:
    its service was checked and read, its target verified, the revision it was found on
    read, the secrets its variable or mount references read, and (for a probe finding) the
    service probed (README "Baselines": "counts as resolved only where this run looked
    again"). A manifest run reads the files, never a deployed revision: a finding on one of
    those still stands until a deploy replaces it (a live run that no longer finds the
    revision serving has looked: a deploy did)."""
    key = finding.key
    if key not in report.services:
        return f"{finding.workload} was not checked this run"
    if finding.rule not in RULES:  # a newer drift's: this one never looks for it, nor finds it
        return f"{finding.rule} is no rule this drift checks (the baseline's drift is newer)"
    if "manifest" in report.scope and finding.revision is not None and state is not None:
        live = state.services.get(key)
        read = {r.name for r in live.checked} if live is not None else set()
        if finding.revision not in read:
            return (
                f"{finding.workload}: found on {finding.revision}, which a manifest run does "
                "not read (what the manifests deploy would replace it)"
            )
    if (left := _tag_left_out(finding, state)) is not None:
        return left
    # the rule too: a job's execution not read is said as `job.failed` (target `execution`)
    unread = [finding.kind.value, "service", finding.target, finding.rule]
    if finding.revision is not None:
        unread += [f"revision.{r}" for r in (finding.revision, *finding.also_on)]
    unread += sorted(uses.get((key, finding.target), set()))
    for target in unread:
        if (reason := gaps.get((key, target))) is not None:
            return f"{finding.workload}: {target} could not be verified: {reason}"
    maybe = _maybe(finding.target, report.project, state)
    for (workload, target), reason in sorted(gaps.items()):
        if workload == key and maybe(target):
            return f"{finding.workload}: {target} (maybe it) could not be verified: {reason}"
    # its secret's project named by number this run (GetProject refused): a finding of that
    # target may be this one, or another project's — neither resolved nor merged (helper-568 F2)
    for f in report.findings:
        if f.key == key and f.rule == finding.rule and maybe(f.target):
            return f"{finding.workload}: {f.target} (maybe it, its project known by number only)"
    if finding.rule.startswith("probe.") and not any(
        p.service == finding.service for p in report.probes
    ):
        return f"{finding.workload} was not probed this run"
    return None


def _maybe(target: str, own: str, state: LiveState | None) -> Callable[[str], bool]:
    """Whether a secret target this run names by its project's number (`secret.NUMBER/NAME`)
    may be `target` (`perhaps_same`: same name), unless what this run read tells that number
    is another project's (`ProjectNames.same_project` False: helper-569 F2, a repaired finding
    otherwise carried for as long as another project's stood)."""

    def maybe(unnamed: str) -> bool:
        if not perhaps_same(target, unnamed):
            return False
        mine = target.removeprefix("secret.").rpartition("/")[0] or own
        number = unnamed.removeprefix("secret.").rpartition("/")[0]
        return state is None or state.same_project(mine, number) is not False

    return maybe


def _tag_left_out(finding: Finding, state: LiveState | None) -> str | None:
    """Why a finding on a revision reached through a traffic tag was not looked at again: the
    tag is still in effect, but this run checked no revision by it (`check_tags` leaves it
    out: its URL still serves what the baseline found; helper-567 F1). A tag gone is looked
    at: nothing reaches it."""
    live = state.services.get(finding.key) if state is not None else None
    if live is None or not finding.tag:
        return None
    if MASK in finding.tag:  # a tag named by a secret, masked in the report: which is unknown
        if all(any(t in r.tags for r in live.checked) for t in live.tags):
            return None
        return (
            f"{finding.workload}: its tag (masked: it names a secret) may be one check_tags "
            "leaves out: the revision only it reaches may not have been checked"
        )
    if finding.tag not in live.tags or any(finding.tag in r.tags for r in live.checked):
        return None
    return (
        f"{finding.workload}: tag {finding.tag} is left out (check_tags): the revision only it "
        "reaches was not checked"
    )


def secret_uses(state: LiveState, own: str) -> Uses:
    """Which secrets each variable and mount of each workload references, in any
    configuration this run read (each by its one target, `own`: the project checked)."""
    uses: Uses = {}
    for key, live in state.services.items():
        for config in live.configs:
            for container, what, ref in config.secret_refs():
                target = f"mount.{what}" if what in container.mounts else f"env.{what}"
                uses.setdefault((key, target), set()).add(secret_target(ref, state, own))
    return uses


MANIFEST = "manifest:"
"""What a finding of a manifest's workload names as its revision (`LiveService.manifest`)."""


class ValueMoved:
    """Whether a variable's value, shown masked in a finding of this run (whole, `***`, or in
    part, `6379 --password=***`), may not be one the baseline's finding of its id was found
    with: a password changed from one wrong value to another by a deploy compares alike
    masked (so does a credential pasted where a reference belongs, replaced by another:
    helper-529 F1), its `since` spans both (same rule and target), and a canary holding
    another one is merged into the known finding (`also_on`), where a plain value's `actual`
    would differ (revbase92 F2). Moved when one of its revisions (`revision`, `also_on`)
    holds a value no revision of the baseline's held (read this run, or for it:
    `drift.earlier_reads`); not when it is on those very revisions (a revision never
    changes), nor a job's of the same uid and generation. Where it cannot be told — a
    revision of the baseline's that could not be read (deleted, refused, `--offline`), a job
    written since or a baseline without its generation, a manifest's job — it is moved, on
    the safe side: a new failure is never hidden (helper-611 F1–F3), and `blind` says why."""

    def __init__(self, state: LiveState | None) -> None:
        self.state = state
        self.blind: dict[str, str] = {}

    def __call__(self, now: Finding, earlier: Finding) -> bool:
        state = self.state
        if state is None or now.rule not in ON_A_VALUE or MASK not in (now.actual or ""):
            return False
        live = state.services.get(now.key)
        if now.kind is Kind.JOB:
            if live is not None and live.manifest:
                return self._blind(now, f"{live.manifest} is compared, not the deployed job")
            if now.generation is not None and now.generation == earlier.generation:
                return False  # the same template
            return self._blind(now, _written_since(earlier.generation, now.generation))
        theirs_at = earlier.revisions
        if files := [r for r in theirs_at if r.startswith(MANIFEST)]:
            # a file is no revision: edited since, its value is not known (helper-614 H1)
            why = "a manifest is not read again: write the baseline with a live check"
            return self._blind(now, f"{files[0]} of the baseline: {why}")
        if same_revisions(now, earlier):
            return False
        theirs = [_variable(state, now, r) for r in theirs_at]
        if None in theirs or not theirs:
            unread = [r for r, v in zip(theirs_at, theirs, strict=True) if v is None]
            return self._blind(now, f"{', '.join(unread) or 'its revision'} not read this run")
        ours = {_variable(state, now, r) for r in now.revisions} - {None}
        return not ours <= set(theirs)

    def _blind(self, finding: Finding, why: str) -> bool:
        self.blind[finding.id] = f"{finding.workload} {finding.target} ({why})"
        return True

    def note(self, updated: set[str]) -> tuple[str, ...]:
        """Said of the findings counted updated because they could not be compared."""
        said = list(dict.fromkeys(why for key, why in self.blind.items() if key in updated))
        if not said:
            return ()
        more = f" and {len(said) - 3} more" if len(said) > 3 else ""
        return (  # two rules on one variable: one value, said once (helper-613 L1)
            f"{plural(len(said), 'value')} shown masked could not be compared with the "
            f"value the baseline found: {'; '.join(said[:3])}{more}: counted as updated, on "
            "the safe side (a masked value is compared by reading it again)",
        )


def same_revisions(now: Finding, earlier: Finding) -> bool:
    """Whether `now` is on the very revisions the baseline's `earlier` was found on, or some
    of them: a revision never changes, so each value is the one it was."""
    return set(now.revisions) <= set(earlier.revisions)


def read_revisions(state: LiveState, key: str) -> dict[str, ServingRevision | RevisionRecord]:
    """The revisions of the workload `key` this run read, by name: every one a user reaches
    (`ServingRevision`), then those of its history (`RevisionRecord`); each has a `config`."""
    live = state.services.get(key)
    reached = live.checked if live is not None else ()
    return {r.name: r for r in (*reached, *state.history.get(key, ()))}


def _written_since(before: str | None, now: str | None) -> str:
    """`Finding.generation`s, `UID/GENERATION`: why a job's template may not be the same."""
    if before is None or now is None:
        return f"the {'baseline' if before is None else 'run'} holds no generation of the job"
    (was_uid, was), (uid, then) = before.rpartition("/")[::2], now.rpartition("/")[::2]
    if was_uid != uid:
        return "the job was deleted and created again since"
    return f"the job was written since: generation {was}, now {then}"


def _variable(state: LiveState, finding: Finding, revision: str | None) -> EnvVar | None:
    """The variable `finding` is on, as `revision` holds it (None: not known)."""
    if finding.key not in state.services or revision is None:
        return None
    found = read_revisions(state, finding.key)
    earlier = state.earlier.get(finding.key, {})  # read for a baseline (`drift.earlier_reads`)
    config = found[revision].config if revision in found else earlier.get(revision)
    # no container named: the sidecar whose rules found it (`Finding.of_container`), else the
    # one the profile's `env` describes (`RevisionConfig.described`)
    container = finding.of_container or (config.described if config is not None else "")
    if config is None or not config.has(container):
        return None
    name = finding.target.removeprefix("env.")
    var = config.named(container).env.get(name)
    return None if var is None else EnvVar(name, var.value, var.ref)
