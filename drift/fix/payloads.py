"""The payload of every secret version a journal entry's configurations reference, read before
the entry is first written (SPEC safety invariant 1: no secret value into any file or journal).
`drift.fix.withheld` withholds a plain copy only of a payload drift read, and the check reads a
value only where a rule compares it or a plain variable stands where the profile expects the
secret: a copy of any other version (a sidecar's `DSN_COPY` of what its app reads as a secret,
an argument, a command, a probe's header, an annotation, the description) was journaled in the
clear unless an unrelated rule (a `min_length`) made the check read it (helper-848 F3).

So `fix`, before its question and its first journal write (`before_fix`), reads the versions
the configurations its entries record reference — the workload as read and what the fix builds
on: every container's variables and secret volumes, a job's and a pool's, another project's
secret too — each once a run, concurrently, in memory (AccessSecretVersion, as `init
--from-live` reads them): by the version its check resolved `latest` to (`as_stated`: the one
the configuration ran with), none its check read already (`LiveState.value_reads`), none its
check's state read found DISABLED, DESTROYED or missing (`KnownState`: that answer is known).
`rollback --from-live` does the same for the entries it rebuilds from the live services
(`rebuilt_reads`); an entry a fix journaled is written back as that fix withheld it.

The versions drift cannot read (access refused, disabled, destroyed, a form drift does not
read) are said in one line a run, before `fix`'s question: each once (the secret, the version,
its project), grouped by the answer, what that leaves in the journal once (task 855: a line of
~330 characters each, before); one the check found disabled or destroyed that a step of the
plan names so already is referred to by its secret. The write goes on: a plain copy of one, if
there is one, stays in the entry as Cloud Run returns it (mode 0600), as `init`, `check` and
`compare --live` show such a copy as Cloud Run shows it. Withheld without a version to read it
back from, the rollback could not put it back (`withheld.fill`: "set it by hand"); a stop would
refuse every fix by an account that may deploy a workload without reading its secrets (Cloud
Run checks the revision's service account, not the deployer's); and that account reads the
text on the workload anyway (`run.services.get`, which every fix needs). The line comes before
`fix`'s question: the operator decides on it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drift.errors import ApiError
from drift.live.secret_state import VersionState, registered
from drift.live.secrets import SecretReads, Tasks
from drift.live.state import LiveState
from drift.live.value_reads import KnownState, as_stated
from drift.refs import SecretRef
from drift.secret_target import secret_target
from drift.textsafe import visible

if TYPE_CHECKING:
    from drift.fix.journal import Entry
    from drift.fix.model import ManualStep, ServicePlan
    from drift.fix.plan import Planned
    from drift.live.session import Access, Session

Why = ApiError | str
"""Why a version could not be read: the call's answer, or why drift does not read it."""


def refs_in(doc: Any) -> Iterator[SecretRef]:
    """Every secret reference of a configuration's JSON (run/v2's JSON names, as an entry holds
    it): a variable's `valueSource.secretKeyRef`, and a volume's `secret` by each item's version,
    or `latest` with no item ("If unspecified, the volume will expose a file whose name is the
    secret": SecretVolumeSource.items, run v2 k8s.min.proto), as `drift.live.normalize` reads
    them (`SecretRef.parse`)."""
    if isinstance(doc, dict):
        key = doc.get("secretKeyRef")
        if isinstance(key, dict) and isinstance(key.get("secret"), str):
            yield SecretRef.parse(key["secret"], str(key.get("version") or "latest"))
        volume = doc.get("secret")
        if isinstance(volume, dict) and isinstance(volume.get("secret"), str):
            items = [i for i in volume.get("items") or () if isinstance(i, dict)]
            for item in items or [{}]:
                yield SecretRef.parse(volume["secret"], str(item.get("version") or "latest"))
        for item in doc.values():
            yield from refs_in(item)
    elif isinstance(doc, list):
        for item in doc:
            yield from refs_in(item)


class Payloads:
    """The value reads of one command in `project` (a reference naming none is its); `known`:
    what the command's check read (its value reads, version states and project ids)."""

    def __init__(self, session: Session, project: str, known: LiveState | None = None) -> None:
        self.project, self.known = project, known
        self._reads = SecretReads(session.clients, session.runner, project, LiveState(), Tasks())

    async def read(
        self, held: Mapping[SecretRef, Iterable[str]], plan: Iterable[ManualStep] = ()
    ) -> list[str]:
        """Read the versions `held` names (each with the workloads that reference it), each
        once, all at once; what could not be read, in one line (`unread_line`), or none."""
        refs = list(dict.fromkeys(held))
        answers = await asyncio.gather(*(self._one(ref) for ref in refs))
        unread = [(stated, why) for stated, why in answers if why is not None]
        return [self.unread_line(unread, tuple(plan))] if unread else []

    async def _one(self, ref: SecretRef) -> tuple[SecretRef, Why | None]:
        """Read and register the value of `ref` (by the version the check resolved it to):
        None when it is known, or why it cannot be."""
        if ref.unread:  # never another secret's value (`SecretRef.parse`)
            return ref, ref.unreadable
        stated = ref if self.known is None else as_stated(self.known, ref)
        known, why = self._done(ref, stated)
        if known:
            return stated, why
        name = stated.version_resource(self.project)
        answer = await self._reads.value(name)
        if isinstance(answer, ApiError):
            return stated, answer
        registered(name, answer)  # a secret's value: masked, and withheld from the journal
        if self.known is not None:  # read, as the check's reads: its echo masker's (`prove`)
            for read in {name, ref.version_resource(self.project)}:
                self.known.value_reads.setdefault(read, None)
        return stated, None

    def _done(self, ref: SecretRef, stated: SecretRef) -> tuple[bool, Why | None]:
        """Whether the check knows `ref`'s value, and why it cannot be read (None: it was read,
        and registered): a read it made, or the version's state."""
        if self.known is None:
            return False, None
        reads = self.known.value_reads
        for name in (*self._names(stated), *self._names(ref)):  # the version read, first
            if name in reads:
                why = reads[name]
                return True, why if why is None or isinstance(why, ApiError) else str(why)
        info = self.known.versions.get(ref)
        if info is None or info.state is VersionState.ENABLED:
            return False, None
        name = stated.version_resource(self.project)
        gone = info.state in (VersionState.MISSING, VersionState.SECRET_MISSING)
        said = "was not found" if gone else f"is in {info.state.value} state"
        status = "NOT_FOUND" if gone else "FAILED_PRECONDITION"
        return True, KnownState(name, status, f"Secret Version [{name}] {said}", info.state)

    def _names(self, ref: SecretRef) -> list[str]:
        """The names a read of `ref` was made by: as written, and by its project's id where
        it names a number the check learnt (`SecretReads.canonical`)."""
        names = [ref.version_resource(self.project)]
        if self.known is not None and (found := self.known.projects.get(ref.project)):
            names.append(f"projects/{found}/secrets/{ref.secret}/versions/{ref.version}")
        return names

    def unread_line(
        self, unread: Sequence[tuple[SecretRef, Why]], plan: Sequence[ManualStep]
    ) -> str:
        """`could not read secret versions: db version 3 of project acme (AccessSecretVersion:
        PERMISSION_DENIED), …: …`: each version once, grouped by the answer, and once what that
        leaves in the journal. A version the check found DISABLED, DESTROYED or missing that a
        step of the `plan` already names so (`_in_plan`) is referred to by that step's secret."""
        groups: dict[str, list[str]] = {}
        named: dict[str, set[str]] = {}  # the plan's secret targets, and the states it names
        for ref, why in unread:
            if isinstance(why, str):
                groups.setdefault("not read", []).append(why)
                continue
            if isinstance(why, KnownState):
                target = secret_target(ref, self.known, self.project)
                if _in_plan(target, why.state, plan):
                    named.setdefault(target, set()).add(why.state.value)
                    continue
            answer = why.answered if isinstance(why, KnownState) else f"{why.call}: {why.status}"
            groups.setdefault(answer, []).append(self._version(ref))
        said = [f"{', '.join(dict.fromkeys(vs))} ({answer})" for answer, vs in groups.items()]
        if named:
            states = " or ".join(sorted({s for states in named.values() for s in states}))
            said.append(f"those of {', '.join(named)}, which the plan names {states}")
        what = "versions" if len(unread) > 1 else "version"
        return visible(
            f"could not read secret {what}: {'; '.join(said)}: a plain copy of one in a "
            "configuration, if any, stays in the journal entry as Cloud Run returns it (file "
            "mode 0600)"
        )

    def _version(self, ref: SecretRef) -> str:
        """`db version 3 of project acme`: the project by its id where the check learnt it."""
        project = ref.project or self.project
        if self.known is not None and project.isdigit():
            project = self.known.projects.get(project, project)
        return f"{ref.secret} version {ref.version} of project {project}"


def _in_plan(target: str, state: VersionState, plan: Sequence[ManualStep]) -> bool:
    """Whether a step of the plan already names the secret `target`'s version in `state`: its
    own step ("version 2 of tok is DISABLED …": `manual.secret_version_step`), or a tag's that
    lists the secret's finding ("it uses secret.tok (secret.disabled)")."""
    finding = f"{target} (secret.{state.value.lower()})"
    return any(
        (m.target == target and state.value in m.reason) or finding in m.reason for m in plan
    )


def held_by(messages: Iterable[tuple[str, str, Any]], own: str) -> dict[SecretRef, list[str]]:
    """The references of each (workload, its project, a configuration's JSON), with the
    workloads that hold each; one of a project other than `own` (the reads') named by it."""
    held: dict[SecretRef, list[str]] = {}
    for who, project, doc in messages:
        for ref in refs_in(doc):
            if not ref.project and project and project != own:
                ref = replace(ref, project=project)
            held.setdefault(ref, []).append(who)
    return held


async def before_fix(
    access: Access, project: str, planned: Planned, todo: Iterable[ServicePlan]
) -> list[str]:
    """`fix`'s reads (`Payloads.read`) of what each workload it patches references, in the
    configurations its entry records: the workload as read and what the fix builds on."""
    from drift.fix.wire import as_json
    from drift.live.session import Session

    state = planned.check.state
    messages = []
    for sp in todo:
        messages.append((sp.label, project, as_json(state.services[sp.key].source)))
        if (base := planned.bases.get(sp.key)) is not None and base.template is not None:
            messages.append((sp.label, project, as_json(base.template)))
    held = held_by(messages, project)
    if not held:
        return []
    plan = [m for sp in todo for m in sp.manual]
    async with Session(access) as session:
        return await Payloads(session, project, state).read(held, plan)


async def rebuilt_reads(session: Session, project: str, entries: Sequence[Entry]) -> list[str]:
    """`rollback --from-live`'s reads (`Payloads.read`) of what the entries it rebuilt from
    the live services reference, before it journals them. An entry a fix journaled holds no
    copy of a version that fix could read (it read them all: `before_fix`), and a rollback
    writes it back as it is: its versions are not read again, but those it withheld
    (`withheld.fill`)."""
    fields = ("service_before", "base_template")
    held = held_by(
        ((e.service, e.project, getattr(e, f)) for e in entries for f in fields), project
    )
    return await Payloads(session, project).read(held)
