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
before it: for a `secret.no_access`, the secret's policy is read again (its project's was
read after it) and its etag compared; for a version's state asked for before the workload
was read (a secret the profile names is looked up as the check starts), the state is read
again and compared (an `env.constraint` on a value by `latest` or an alias alike: the value
judged is of the version that state read resolved). Another one → not verified, and so is a
read again that fails for now or finds the workload deleted; one refused outright
(PERMISSION_DENIED; for a workload, its kind's List too) keeps its finding with a note naming
the refusal. A run without such findings makes no call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from drift.errors import ApiError
from drift.fields import enum_name
from drift.findings import Finding, Unverified
from drift.kinds import Kind, label
from drift.live.api import Listing, attempt, short, written_since
from drift.live.calls import CallRunner
from drift.live.model import LiveService
from drift.live.normalize import raw
from drift.live.outages import Api
from drift.live.secret_state import SecretPolicy, SecretVersionInfo, VersionState
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
    async with Session(access, runner) as session:
        moved = await _all_again(session, [state.services[k] for k in keys])
        still = {
            id(f): (f, _secret_reads(profile, state, f))
            for f in doubted
            if not isinstance(moved[f.key], str) or not moved[f.key]
        }
        reads = {name: read for _, planned in still.values() for name, read in planned}
        answers = await asyncio.gather(*(read(session) for read in reads.values()))
        changed = dict(zip(reads, answers, strict=True))
    why: dict[int, tuple[Finding, str]] = {}
    refused: dict[int, tuple[Finding, list[Refused]]] = {}
    for f in doubted:
        planned = still[id(f)][1] if id(f) in still else []
        said = [moved[f.key], *(changed[name] for name, _ in planned)]
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


@dataclass(frozen=True)
class Refused:
    """A read again that was refused (PERMISSION_DENIED): no sign the reads were not of one
    moment, and none that they were. Its finding is kept, as read, with a note saying so
    (`_unconfirmed`): "run again" would meet the same refusal every run (a custom role with
    run.services.list but not run.services.get never saw a listed service's secret finding:
    helper-657 LOW/MEDIUM-3)."""

    said: str
    """What could not be read again, the refused call and the permission it needs."""


Said = str | Refused
"""Why a read cannot be taken to have held still ("" when it did), or its refusal."""


def _refused(exc: ApiError) -> bool:
    """A refusal for want of a permission (not an API disabled since, which is no permission)."""
    return exc.status == "PERMISSION_DENIED" and not exc.disabled


def _needs(exc: ApiError) -> str:
    """`exc`'s brief and the permission its call needs: Cloud Run's `run.services.get`,
    `run.jobs.list`, `run.workerpools.get` (cloud.google.com/run/docs/reference/iam/permissions),
    Secret Manager's `secretmanager.versions.get`, `secretmanager.secrets.getIamPolicy`
    (cloud.google.com/iam/docs/roles-permissions/secretmanager), Resource Manager's
    `resourcemanager.projects.getIamPolicy` (folders, organizations alike)."""
    call = exc.call
    if call == "GetIamPolicy":
        kind = exc.resource.split("/", 1)[0] if "/secrets/" not in exc.resource else "secrets"
        api = "secretmanager" if kind == "secrets" else "resourcemanager"
        return f"{exc.brief}, needs {api}.{kind}.getIamPolicy"
    if call == "GetSecretVersion":
        return f"{exc.brief}, needs secretmanager.versions.get"
    verb = "get" if call.startswith("Get") else "list"
    noun = call.removeprefix("Get").removeprefix("List").lower().removesuffix("s")
    return f"{exc.brief}, needs run.{noun}s.{verb}"


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
            if (policy := state.policies.get(ref.key)) is not None and policy.resource:
                again = partial(_policy_again, policy.resource, policy.etag, f"secret {secret}")
                out["GetIamPolicy", policy.resource] = again
            # the project's (and its ancestors') too: read once a run, it may have been read
            # before the workload's last read (a deploy waited for: helper-657 HIGH-2)
            for resource, etag in state.consulted.get(ref, {}).items():
                out["GetIamPolicy", resource] = partial(_policy_again, resource, etag, resource)
        return [(k, out[k]) for k in sorted(out)]
    for ref in mine:
        info = state.versions.get(ref)
        if info is None or _after(state, ref, live.key):
            continue
        if info.state is VersionState.ENABLED and not valued:
            continue
        name = ref.version_resource(profile.project)
        said = ref.key if valued else secret
        out["GetSecretVersion", name] = partial(_version_again, name, info, said)
    return [(k, out[k]) for k in sorted(out)]


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
            if not _refused(exc):
                return f"{again} ({exc.brief})"
            listing = await lists.of(live.kind, parent)
            if (now := listing.items.get(live.name)) is None and (failed := listing.error):
                if _refused(failed):
                    return Refused(f"{again} ({_needs(exc)}; {_needs(failed)})")
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


async def _policy_again(resource: str, etag: bytes, what: str, session: Session) -> Said:
    """Why a policy (`what`: the secret's, `secret s`, or a project's, folder's or
    organisation's a verdict consulted, its resource) cannot be taken to have held still since
    it was read: another etag now, or it cannot be read again; empty when it held still."""
    # as it was read (`drift.live.secrets`, `drift.live.iam`): conditional bindings come back
    # faithfully only with requested_policy_version 3 (google/iam/v1/options.proto)
    request = {"resource": resource, "options": {"requested_policy_version": 3}}
    api: Api = "secrets" if "/secrets/" in resource else "resources"
    if api == "secrets":
        client: Any = session.clients.secrets
    else:
        client = session.clients.resource_manager(resource.split("/", 1)[0])
    get = attempt(client.get_iam_policy, request=request)
    try:
        now = await session.runner.call(api, "GetIamPolicy", resource, get)
    except ApiError as exc:
        if _refused(exc):
            return Refused(f"the IAM policy of {what} could not be read again ({_needs(exc)})")
        return f"the IAM policy of {what} could not be read again ({exc.brief})"
    if SecretPolicy.stamp(now) == etag:
        return ""
    # Policy.etag "is used for optimistic concurrency control as a way to help prevent
    # simultaneous updates of a policy from overwriting each other" (google/iam/v1/policy.proto):
    # a policy written since the first read answers another one
    return f"the IAM policy of {what} changed while drift read it (another etag)"


async def _version_again(name: str, info: SecretVersionInfo, secret: str, session: Session) -> Said:
    """Why a version's state cannot be taken to have held still since it was read: another
    state (or version, for `latest` or an alias) now, or it cannot be read again; empty when
    it reads as before."""
    get = attempt(session.clients.secrets.get_secret_version, name=name)
    was = _said(info.state.value, info.resolved, info.ref.version)
    try:
        pb = raw(await session.runner.call("secrets", "GetSecretVersion", name, get))
    except ApiError as exc:
        if exc.status == "NOT_FOUND" and info.state in GONE:
            return ""  # not there before, not there now
        if _refused(exc):
            return Refused(
                f"version {info.ref.version} of {secret} could not be read again ({_needs(exc)})"
            )
        if exc.status != "NOT_FOUND":
            return f"version {info.ref.version} of {secret} could not be read again ({exc.brief})"
        now = "MISSING"
    else:
        now = _said(enum_name(pb, "state"), short(pb.name), info.ref.version)
        if now == was and info.etag and pb.etag and pb.etag != info.etag:
            # written since, back to the state read (enabled, then disabled again): the etag
            # is "of the currently stored SecretVersion" (resources.proto), and a write that
            # names an older one fails, so it changes with every write (`SecretVersionInfo`)
            return (
                f"version {info.ref.version} of {secret} was written while drift read it "
                f"({was} both times, another etag)"
            )
    if now == was:
        return ""
    return f"version {info.ref.version} of {secret} changed while drift read it ({was} → {now})"


GONE = frozenset({VersionState.MISSING, VersionState.SECRET_MISSING})


def _said(state: str, resolved: str | None, version: str) -> str:
    """A version's state as a read answered it: `DISABLED`, or `DISABLED (version 2)` where
    `latest` or an alias named it."""
    if state == VersionState.SECRET_MISSING.value:
        state = VersionState.MISSING.value
    return f"{state} (version {resolved})" if resolved and resolved != version else state


def _items(why: Iterable[tuple[Finding, str]]) -> Iterable[Unverified]:
    """One item per (workload, target), naming the rules it leaves unconfirmed."""
    grouped: dict[tuple[str, str], tuple[set[str], str]] = {}
    for f, reason in why:
        grouped.setdefault((f.key, f.target), (set(), reason))[0].add(f.rule)
    for (key, target), (rules, reason) in grouped.items():
        judged = ", ".join(sorted(rules))
        yield Unverified.at(key, target, f"{reason}: its {judged} is not verified, run again")


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
            f"{workload}: its {', '.join(sorted(rules))} on {target} is reported as read, not "
            f"confirmed: {'; '.join(said)}; a change landing between drift's reads of the "
            "workload and of the secret is not ruled out"
        )
