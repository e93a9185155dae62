"""Whether a secret finding paired reads of one moment. A workload is read at one moment and its
secrets' version states and IAM policies at others (before it, for the secrets the profile
names; after it, for those it references), so a rotation (add a version, deploy a revision
pinned to it, disable the old one) or a runtime-account switch (grant the new account, deploy
as it, revoke the old one) landing in between pairs the workload's old read with the secret's
new state: a `secret.disabled` or `secret.no_access` that no single state had (helper-650 F1).
And the secret's policy and its project's are read at two moments: a grant moved from the
project to the secret in between is no grant in either read (helper-650 F2).

So once the diff is made, each workload with such a finding is read again (one GetService,
GetJob or GetWorkerPool, as the probe does: `drift.probe.moved`): its generation moved →
those findings are *not verified* ("run again"), never a false error and never clean. A
workload that held still from its read on still pairs with an older read of a secret made
before it: for a `secret.no_access`, the secret's policy is read again, and so are the
project's and ancestors' its verdict consulted but one asked for once every other read was
answered (`_last`), and their etags compared; for a version's state asked for before the
workload was read (a secret the profile names is looked up as the check starts), the state
is read again and compared (an `env.constraint` on a value by `latest` or an alias alike: the value
judged is of the version that state read resolved). Another one → not verified, and so is a
read again that fails for now or finds the workload deleted; one refused outright
(PERMISSION_DENIED; for a workload, its kind's List too) keeps its finding with a note naming
the refusal. All these reads again go out at once, every first read having ended: a read
again answering first brackets the same moments as in any order; but a version's state is read
again before its workloads are (a second round): a state read as before may have been written
and put back meanwhile, its etag not said to move then, so it counts only at the moment of its
read again, which the workload's reads bracket. A run without such findings makes no call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from functools import partial

from drift.errors import ApiError
from drift.findings import Finding, Unverified
from drift.kinds import Kind, label
from drift.live.api import Listing, written_since
from drift.live.calls import CallRunner
from drift.live.iam_policy import Policy
from drift.live.model import LiveService
from drift.live.normalize import raw
from drift.live.read_again import (
    Refused,
    Said,
    is_refusal,
    needs,
    policy_again,
    version_again,
)
from drift.live.secret_state import VersionState
from drift.live.session import Access, Session
from drift.live.state import LiveState
from drift.live.workloads import get_workload, list_kind
from drift.profiles.model import Profile
from drift.refs import SecretRef
from drift.secret_target import secret_target

PAIRED = frozenset({"secret.disabled", "secret.destroyed", "secret.missing", "secret.no_access"})
"""The rules judging a workload's read against a secret's read made at another moment."""
VALUED = frozenset({"env.constraint"})
"""The rules judging a variable's secret value: paired so where the reference names `latest`
or an alias, which the state read resolved at another moment than the workload's read (the
value read is of the version it resolved to); a version number's value never changes."""


async def held_still(
    profile: Profile,
    findings: list[Finding],
    state: LiveState,
    access: Access,
    runner: CallRunner | None = None,
) -> list[Finding]:
    """`findings` less those of `PAIRED` whose workload (or the secret's read their verdict
    pairs it with) changed while drift read it, or could not be read again for now (and the
    `secret.expiring` of the same workload and secret): each of those goes into
    `state.unverified` instead, naming what moved. One whose read again was refused outright
    stays, with a note in `state.notes`."""
    doubted = [f for f in findings if _doubted(state, f)]
    if not doubted:
        return findings
    keys = sorted({f.key for f in doubted})
    # every read again starts once every first read has ended, so a workload's and a secret's
    # read again bracket their first reads whichever answers first: all made at once (one
    # round, helper-663 H2), a secret's answer unused where its workload moved
    planned = {id(f): _secret_reads(profile, state, f) for f in doubted}
    reads = {name: read for each in planned.values() for name, read in each}
    async with Session(access, runner) as session:
        secrets = asyncio.gather(*(read(session) for read in reads.values()))
        lives = [state.services[k] for k in keys]
        if any(method == "GetSecretVersion" for method, _ in reads):
            # a version's state read again before its workload's: a version's etag need not
            # move on a write that puts its state back (resources.proto: only "Etag of the
            # currently stored SecretVersion"; sandbox `version_etag`), so the state read
            # again, as before, counts only at its own moment, which the workload's reads
            # then bracket: a second round
            answers = await secrets
            moved = await _all_again(session, lives)
        else:
            moved, answers = await asyncio.gather(_all_again(session, lives), secrets)
    changed = dict(zip(reads, answers, strict=True))
    still = {id(f) for f in doubted if not isinstance(moved[f.key], str) or not moved[f.key]}
    why: dict[int, tuple[Finding, str]] = {}
    refused: dict[int, tuple[Finding, list[Refused]]] = {}
    for f in doubted:
        mine = planned[id(f)] if id(f) in still else []
        said = [moved[f.key], *(changed[name] for name, _ in mine)]
        if reason := next((r for r in said if isinstance(r, str) and r), ""):
            why[id(f)] = (f, reason)
        elif kept := [r for r in said if isinstance(r, Refused)]:
            refused[id(f)] = (f, kept)
    # a version's scheduled destruction (`secret.expiring`) was read with its state: a version
    # scheduled is DISABLED ("The version is disabled … scheduled for permanent destruction",
    # Secret.version_destroy_ttl), so its warning rests on the reads its `secret.disabled`
    # does, and goes with it (the target is not verified either way)
    doubtful = {(f.key, f.target): reason for f, reason in why.values()}
    for f in findings:
        if f.rule == "secret.expiring" and not f.ignored and (f.key, f.target) in doubtful:
            why[id(f)] = (f, doubtful[f.key, f.target])
    state.unverified.extend(_items(why.values()))
    state.notes.extend(_unconfirmed(refused.values()))
    return [f for f in findings if id(f) not in why]


SecretRead = Callable[[Session], Awaitable[Said]]
"""A secret's policy or version state read again: why it did not hold still since drift read
it ("" when it did)."""


def _secret_reads(
    profile: Profile, state: LiveState, finding: Finding
) -> list[tuple[tuple[str, str], SecretRead]]:
    """What to read again of the secret a finding of a workload that held still names (its
    target), by (method, resource): for `secret.no_access`, its policy (read once; its
    project's was read after it, so the two paired only if it held still); for a version's
    state, the state when drift had it before it described the workload (a secret the
    profile names is looked up as the check starts): from then on the generation compared
    tells nothing of the pairing. For a `VALUED` finding, the state of its variable's
    reference alike, ENABLED as it is (the value read is the version it resolved to)."""
    live = state.services[finding.key]
    valued = finding.rule in VALUED
    refs = sorted({ref for rev in live.checked for _, _, ref in rev.config.secret_refs()}, key=str)
    mine = [r for r in refs if secret_target(r, state, profile.project) == finding.target]
    if valued:  # a variable's value: its reference's, as its state read resolved it
        mine = _valued(state, finding)
    secret = finding.target.removeprefix("secret.")
    out: dict[tuple[str, str], SecretRead] = {}
    if finding.rule == "secret.no_access":
        for ref in mine:
            own = None  # when the secret's policy, read again, was answered
            if (policy := state.policies.get(ref.key)) is not None and policy.resource:
                again = partial(policy_again, policy.resource, policy.etag, f"secret {secret}")
                out["GetIamPolicy", policy.resource] = again
                own = state.read_at.get(("GetIamPolicy", policy.resource))
            # the project's (and its ancestors') too: read once a run, it may have been read
            # before the workload's last read (a deploy waited for: helper-657 HIGH-2)
            consulted = state.consulted.get(ref, {})
            last = _last(consulted, own, state.answered.get(live.key))
            for resource, level in consulted.items():
                if resource != last:
                    out["GetIamPolicy", resource] = partial(
                        policy_again, resource, level.etag, resource
                    )
        return [(k, out[k]) for k in sorted(out)]
    for ref in mine:
        info = state.versions.get(ref)
        if info is None or _after(state, ref, live.key):
            continue
        if info.state is VersionState.ENABLED and not valued:
            continue
        name = ref.version_resource(profile.project)
        said = ref.key if valued else secret
        out["GetSecretVersion", name] = partial(version_again, name, info, said)
    return [(k, out[k]) for k in sorted(out)]


def _last(consulted: dict[str, Policy], own: float | None, answered: float | None) -> str:
    """The policy a verdict consulted (`consulted`) needing no read again, "" if none: the one
    asked for once every other read the verdict pairs was answered (the workload's, by
    `answered`; the secret's own policy, by `own`, when read again; the other levels'), each
    of which is read again, once every first read has ended. Each of those held still from its
    first read to its read again (or is not verified), and the moment this one was read lies
    in between: one moment had them all as read (helper-663 H2)."""
    if not consulted or own is None or answered is None:
        return ""
    last = max(consulted.values(), key=lambda p: p.asked)
    others = [answered, own, *(p.answered for p in consulted.values() if p is not last)]
    return last.resource if last.asked > max(others) else ""


def _doubted(state: LiveState, f: Finding) -> bool:
    """Whether a finding pairs reads of two moments (`PAIRED`, `VALUED` on a moving name)."""
    if f.ignored or not _read(state, f.key):
        return False
    return f.rule in PAIRED or (f.rule in VALUED and bool(_valued(state, f)))


def _valued(state: LiveState, f: Finding) -> list[SecretRef]:
    """The references by `latest` or an alias whose value a `VALUED` finding judged: its
    variable's, in its container, on the revisions it is on."""
    var = f.target.removeprefix("env.")
    return sorted(
        {
            ref
            for rev in state.services[f.key].checked
            if f.on(rev.name)
            for container, what, ref in rev.config.secret_refs()
            if what == var and f.of_container in (None, container.name)
            if not ref.version.isdigit()
        },
        key=str,
    )


def _after(state: LiveState, ref: SecretRef, key: str) -> bool:
    """Whether the state of `ref` was asked for only once the workload's read was answered
    (which its generation compared covers); not known counts as before."""
    asked, answered = state.asked.get(ref), state.answered.get(key)
    return asked is not None and answered is not None and asked > answered


def _read(state: LiveState, key: str) -> bool:
    live = state.services.get(key)
    return live is not None and live.source is not None


MANY = 3
"""More workloads of one kind and location than this are read again by one List (its pages),
not a Get each: 30 services of a project whose IAM is not set up yet were 30 Gets, a minute
under a read quota (helper-657 LOW-4)."""


async def _all_again(session: Session, lives: list[LiveService]) -> dict[str, Said]:
    """`_again` of each workload, by key: a List where there are many of a kind, a Get for
    the others and for any the List did not bring."""
    lists = _Lists(session)
    groups: dict[tuple[Kind, str], list[LiveService]] = {}
    for live in lives:
        groups.setdefault((live.kind, _parent(live)), []).append(live)
    for (kind, parent), group in groups.items():
        if len(group) > MANY:
            lists.of(kind, parent)
    said = await asyncio.gather(*(_again(session, lists, live) for live in lives))
    return {live.key: why for live, why in zip(lives, said, strict=True)}


def _parent(live: LiveService) -> str:
    return str(raw(live.source).name.rsplit("/", 2)[0])


class _Lists:
    """The List of each kind and location, made once a confirmation whoever asks: for many
    workloads of a kind, and for one whose Get was refused."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.made: dict[tuple[Kind, str], asyncio.Future[Listing]] = {}

    def of(self, kind: Kind, parent: str) -> asyncio.Future[Listing]:
        if (kind, parent) not in self.made:
            clients, runner = self.session.clients, self.session.runner
            self.made[kind, parent] = asyncio.ensure_future(
                list_kind(clients, runner, parent, kind)
            )
        return self.made[kind, parent]


async def _again(session: Session, lists: _Lists, live: LiveService) -> Said:
    """Why the workload cannot be taken to have held still since it was read: it reads with
    another generation now (as a List brought it, or its Get), was deleted, or cannot be read
    again; empty when it held still. A Get refused (PERMISSION_DENIED) asks the List of its
    kind (a caller may hold run.services.list without run.services.get, and a workload of
    many was read by that List); refused too, `Refused`."""
    before = raw(live.source)
    what = label(live.kind, live.name)
    parent = _parent(live)
    now = None
    if (live.kind, parent) in lists.made:
        now = (await lists.of(live.kind, parent)).items.get(live.name)
    if now is None:
        try:
            now = await get_workload(session.clients, session.runner, live.kind, before.name)
        except ApiError as exc:
            again = f"{what} could not be read again after its secrets"
            if exc.status == "NOT_FOUND":
                return f"{what} was deleted while drift read its secrets ({exc.brief})"
            if not is_refusal(exc):
                return f"{again} ({exc.brief})"
            listing = await lists.of(live.kind, parent)
            if (now := listing.items.get(live.name)) is None and (failed := listing.error):
                if is_refusal(failed):
                    return Refused(f"{again} ({needs(exc)}; {needs(failed)})")
                return f"{again} ({exc.brief}; {failed.brief})"
            if now is None:
                return f"{again} ({exc.brief}), nor listed by its List now (deleted since?)"
    now = raw(now)
    if now.generation == before.generation:
        return ""
    # Service.generation (Job's, WorkerPool's alike) "monotonically increases every time the
    # user modifies the desired state" (google/cloud/run/v2/service.proto)
    since = written_since(int(before.generation), now)
    return f"{what} changed while drift read its secrets ({since})"


def _items(why: Iterable[tuple[Finding, str]]) -> Iterable[Unverified]:
    """One item per (workload, target), naming the rules it leaves unconfirmed."""
    grouped: dict[tuple[str, str], tuple[set[str], str]] = {}
    for f, reason in why:
        grouped.setdefault((f.key, f.target), (set(), reason))[0].add(f.rule)
    for (key, target), (rules, reason) in grouped.items():
        judged = ", ".join(sorted(rules))
        yield Unverified.at(key, target, f"{reason}: its {judged} is not verified, run again")


UNCONFIRMED = "is reported as read, not confirmed"
"""What a note of `_unconfirmed` says of its finding: `drift plan` says those notes too, of the
findings it plans on (`drift.fix.plan.unconfirmed_notes`)."""


def _unconfirmed(refused: Iterable[tuple[Finding, list[Refused]]]) -> Iterable[str]:
    """One note per (workload, target) whose finding is kept though a read again was refused,
    naming what was refused (a report note, as a history not read is: the finding stands)."""
    grouped: dict[tuple[str, str], tuple[str, set[str], list[str]]] = {}
    for f, why in refused:
        entry = grouped.setdefault((f.key, f.target), (f.workload, set(), []))
        entry[1].add(f.rule)
        entry[2].extend(r.said for r in why if r.said not in entry[2])
    for (_, target), (workload, rules, said) in sorted(grouped.items()):
        yield (
            f"{workload}: its {', '.join(sorted(rules))} on {target} {UNCONFIRMED}: "
            f"{'; '.join(said)}; a change landing between drift's reads of the "
            "workload and of the secret is not ruled out"
        )
