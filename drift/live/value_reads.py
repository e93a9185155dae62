"""The values `drift init --from-live` reads only to know them (`drift.live.copies`), each
started by the read as soon as the version its reference names has resolved: beside the
secret's and its project's IAM reads, not after the whole read (helper-633 F4). What no read
started (a reference only a template that serves nothing holds, one whose project's id the read
could not learn) is read once the read is over, as before. Either way each version's value is
read once, by the name `learn_values` alone gives it: by the version the read resolved the
reference to, in the project GetProject named. A version GetSecretVersion found DISABLED,
DESTROYED or not there is not asked for its value: what AccessSecretVersion answers it is known,
and said as that answer (helper-633 F7)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from drift.errors import ApiError
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.iam import IamReads
from drift.live.model import LiveService
from drift.live.secret_state import VersionState
from drift.live.secrets import SecretReads
from drift.live.state import LiveState
from drift.live.tasks import Tasks
from drift.refs import SecretRef


def as_stated(state: LiveState, ref: SecretRef) -> SecretRef:
    """`ref` by the version number the read resolved it to (`latest`, an alias): the version
    the workload referenced then, as `check` judges it, though a rotation lands before the
    value is read; and one version named by its number and by `latest`, read once
    (helper-597 F2, F3)."""
    info = state.versions.get(ref)
    if info is None or not info.resolved or info.resolved == ref.version:
        return ref
    return SecretRef(ref.secret, info.resolved, ref.project)


def referenced_values(state: LiveState, own: str = "", project: str = "") -> list[SecretRef]:
    """The secret versions any configuration `state` read of a workload references (its
    template, each revision a user can reach: whatever is shown or written of it may hold
    one, helper-595 F2, F4), by the version the read resolved each to
    (`as_stated`); a workload's own project's (`project`) named as another's when the
    `ValueReads` that reads them is `own`'s (`compare --live`: one for both sides)."""
    found = (
        as_stated(state, ref)
        for live in state.services.values()
        for c in live.configs
        for *_, ref in c.secret_refs()
    )
    if project == own:
        return list(found)
    return [r if r.project or r.unread else replace(r, project=project) for r in found]


class ValueReads:
    """`described` by the read for each workload it describes; `learn` once it is over."""

    def __init__(self, clients: Clients, runner: CallRunner, project: str) -> None:
        self.project = project
        self.tasks = Tasks()
        self._ids: Mapping[str, str] = {}
        self._reads = SecretReads(clients, runner, project, LiveState(), self.tasks, self._id)
        self._starts: list[asyncio.Task[None]] = []
        self._early: dict[SecretRef, Awaitable[ApiError | None]] = {}
        """The value read started for each reference as stated (`as_stated`)."""

    @property
    def learnt(self) -> dict[str, str]:
        """Project ids by the numbers the value reads' answers named them with (`learn_number`:
        a version asked for by its project's id is answered by its number)."""
        return self._reads.state.projects

    async def _id(self, number: str) -> str | None:
        return self._ids.get(number)

    def described(
        self, workload: LiveService, versions: Tasks, state: LiveState, iam: IamReads
    ) -> None:
        """The read (its `state`, its tasks `versions`, its `iam` lookups) described
        `workload`: each version it references whose state the read is reading has its value
        read once that state is in."""
        for config in workload.configs:
            for *_, ref in config.secret_refs():
                version = versions.get(("version", ref))
                if version is not None and ("start", ref) not in self.tasks:
                    start = partial(self._start, ref, version, state, iam)
                    self._starts.append(self.tasks.once(("start", ref), start))

    def unwatched(self, workloads: Iterable[LiveService], versions: Tasks) -> None:
        """Every workload is described: a reference whose state the read does not read (only
        a template that serves nothing holds it) is named as it is written, its value read
        now, not after the read's IAM reads; unless it names its project by a number, whose
        id `learn` is given."""
        for workload in workloads:
            for config in workload.configs:
                for *_, ref in config.secret_refs():
                    if not (ref.unread or ref.project.isdigit() or ("version", ref) in versions):
                        self._early.setdefault(ref, self._reads.read_pasted(ref))

    async def _start(
        self, ref: SecretRef, version: Awaitable[Any], state: LiveState, iam: IamReads
    ) -> None:
        await version
        stated = as_stated(state, ref)
        named = stated
        if stated.project.isdigit():  # by its id, as the read named it (GetProject's answer)
            info = iam.projects.get(stated.project)
            if info is None:
                return  # not learnt: read by `learn`, named as it names it
            project = "" if info.project_id == self.project else info.project_id
            named = SecretRef(stated.secret, stated.version, project)
        known = state.versions.get(ref)
        if known is not None and known.state is not VersionState.ENABLED:
            refused = _unreadable(named.version_resource(self.project), known.state)
            self._early.setdefault(stated, self.tasks.once(("known", stated), refused))
        else:
            self._early.setdefault(stated, self._reads.read_pasted(named))

    async def learn(
        self, refs: Iterable[SecretRef], ids: Mapping[str, str] = {}
    ) -> dict[SecretRef, ApiError]:
        """`learn_values`: each value `refs` name read (those the read started, awaited),
        remembered as a secret (`redact`); what could not be read, with why."""
        self._ids = ids
        await asyncio.gather(*self._starts)
        # `latest` (or an alias) first: a version it answers with is not read again by its
        # number (`SecretReads.value`); each read names its call before it first waits (a
        # project's id is `ids`'), and tasks start in the order they are made
        wanted = sorted(dict.fromkeys(r for r in refs if not r.unread), key=_by_number)
        answers = await asyncio.gather(
            *(self._early.get(r) or self._reads.read_pasted(r) for r in wanted)
        )
        return {r: a for r, a in zip(wanted, answers, strict=True) if a is not None}

    async def value(self, ref: SecretRef) -> bytes | ApiError:
        """The value `ref` names (a workload's in `project` unless it names another), read by
        the one call that reads it for `learn` (once a run, however many ask: compare's digest
        of a reference that differs): the bytes, never kept here."""
        name = (await self._reads.canonical(ref)).version_resource(self.project)
        answer = await self._reads.value(name)
        return answer if isinstance(answer, ApiError) else answer[1]

    def discard(self) -> None:
        """After the read was abandoned: nothing of it left running (`Tasks.discard`)."""
        self.tasks.discard()


def _by_number(ref: SecretRef) -> bool:
    return ref.version.isdigit()


SHOWN = "a plain variable holding a copy or a part of one is shown as Cloud Run shows it"
"""What is left unmasked of a secret's value not read (`compare --live --no-secret-values`)."""


def unread_values_note(unread: Mapping[SecretRef, ApiError]) -> list[str]:
    """One note naming the versions whose value was to be read only to mask it and could not
    be (the first three, sorted: the same every run), each with the call's answer: a plain
    copy or part of one is shown as it is, as `--no-secret-values` says (helper-781 C1: a
    refusal said nothing). Not a finding nor an unverified item: the exit code is unchanged."""
    said = {why.resource: why for _, why in sorted(unread.items())}  # one version, once
    named = [
        f"{name} ({why.answered if isinstance(why, KnownState) else f'{why.call}: {why.status}'})"
        for name, why in sorted(said.items())[:3]
    ]
    more = f" and {len(said) - 3} more" if len(said) > 3 else ""
    the = "the values" if len(said) > 1 else "the value"
    return [f"could not read {the} of {', '.join(named)}{more}: {SHOWN}"] if said else []


class KnownState(ApiError):
    """What AccessSecretVersion would answer for a version GetSecretVersion found in `state`,
    never asked: said as GetSecretVersion's answer, the call drift made (helper-656 LOW-2:
    a note named an AccessSecretVersion that was never sent, and audit logs have none)."""

    def __init__(self, name: str, status: str, detail: str, state: VersionState) -> None:
        super().__init__("AccessSecretVersion", name, status, detail)
        self.state = state

    @property
    def answered(self) -> str:
        """`GetSecretVersion: DISABLED, not read`."""
        said = "NOT_FOUND" if self.status == "NOT_FOUND" else self.state.value
        return f"GetSecretVersion: {said}, not read"


def _unreadable(name: str, state: VersionState) -> Callable[[], Awaitable[ApiError]]:
    """What AccessSecretVersion answers for the version `name`, which GetSecretVersion found
    in `state` (not ENABLED), and so is not asked (helper-633 F7): a version DISABLED or
    DESTROYED "can't be accessed" (cloud.google.com/secret-manager/docs/disable-secret-version;
    Secret Manager's status for it is FAILED_PRECONDITION, "Secret Version [NAME] is in
    DISABLED state."), and one not found, NOT_FOUND, as its GetSecretVersion was. Said as that
    call's answer would be (`drift.onboarding.withheld.unread_values` names the call and
    status)."""
    gone = state in (VersionState.MISSING, VersionState.SECRET_MISSING)
    status = "NOT_FOUND" if gone else "FAILED_PRECONDITION"
    why = "was not found" if gone else f"is in {state.value} state"
    error = KnownState(
        name,
        status,
        f"Secret Version [{name}] {why} (as GetSecretVersion answered: its value is not asked)",
        state,
    )

    async def answer() -> ApiError:
        return error

    return answer
