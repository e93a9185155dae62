"""What `drift history` reports: per service, its revisions newest first, each with what it
changed against the one before (values already masked), who made it, and what it serves; per
job, the configurations its executions ran, newest first, each run of executions with one
configuration one entry (`JobEntry`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from drift.errors import ExitCode
from drift.findings import Scope
from drift.kinds import Kind as Workload
from drift.kinds import label
from drift.textsafe import plural

HISTORY_SCHEMA = "drift.history/v1"


class Action(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    """A plain value, a setting or an image now differs; so does a variable that switched
    between a plain value and a secret reference."""
    REPOINTED = "repointed"
    """A secret reference now names another secret or version."""
    UNDECIDED = "undecided"
    """A setting naming a project (a connector, a network, a CMEK key…) by its number on one
    side and by its id on the other, where no GetProject told whether the two are one project
    (`Change.why`): the same resource respelt (gcloud writes numbers, Terraform ids), or
    another one. Neither said changed nor left out."""


class Kind(StrEnum):
    ENV = "env"
    MOUNT = "mount"
    SETTING = "setting"
    IMAGE = "image"
    CONTAINER = "container"


@dataclass(frozen=True)
class Change:
    """One difference between a revision and the one before it. `before` and `after` are
    what a person may see: secret references by name and version, plain values masked as in
    findings (`***`, `*** (changed)`), settings as the catalogue shows them; None: absent."""

    kind: Kind
    action: Action
    target: str
    """`env.VAR`, `mount.PATH`, `setting.NAME`, `image`, `container.NAME`."""
    before: str | None
    after: str | None
    container: str | None = None
    """The container, when either revision runs more than one."""
    why: str = ""
    """Why an `undecided` change could not be told (the GetProject that failed)."""


@dataclass(frozen=True)
class RevisionEntry:
    name: str
    create_time: dt.datetime | None
    creator: str
    client: str | None
    """What the revision's annotations record (`gcloud 467.0.0`), else None: never guessed."""
    ready: bool
    percent: int
    """Its share of the service's traffic (what `traffic_statuses` says serves)."""
    tags: tuple[str, ...]
    changes: tuple[Change, ...] | None
    """Against the revision that served before it (`against`); None: nothing served before
    it among those listed."""
    deploying: bool = False
    """Not ready because its deploy is still in progress (not failed)."""
    never_served: str = ""
    """Why it never served ("" when it may have: `drift.diff.unserved`)."""
    against: str = ""
    """The revision `changes` are against, when not the one listed just before it (that one
    never served)."""
    unlisted: str = ""
    """Revisions not listed between it and the one `changes` are against (or before it, for
    the oldest), as the numbers in their names tell (`drift.diff.since.unlisted`): `changes`
    may then span several revisions."""
    deleted: dt.datetime | None = None
    """When it was deleted (`Revision.delete_time`), for a listed revision that says so (drift
    does not ask for deleted ones: `drift.live.history`): it serves nothing; what it changed is
    known. Who deleted it the Revision does not record."""

    @property
    def serving(self) -> bool:
        return self.percent > 0


@dataclass(frozen=True)
class ServiceHistory:
    service: str
    listed: int
    """How many revisions the service has (all were read); `revisions` may show fewer."""
    revisions: tuple[RevisionEntry, ...]
    kind: Workload = Workload.SERVICE
    """A service's, or a worker pool's (its instances' share where a service's is traffic)."""

    @property
    def label(self) -> str:
        return label(self.kind, self.service)

    @property
    def hidden(self) -> int:
        return self.listed - len(self.revisions)


@dataclass(frozen=True)
class JobEntry:
    """Executions one after another that ran one configuration (`Execution.template`, task
    count, parallelism: execution.proto): the first of them named, with who started it."""

    name: str
    """The first execution that ran it; `template` for the job's template no execution ran
    yet (`count` 0)."""
    last: str
    """The last one that ran it (`name` when one did)."""
    count: int
    create_time: dt.datetime | None
    last_time: dt.datetime | None
    creator: str
    client: str | None
    outcomes: tuple[tuple[str, int], ...]
    """How its executions ended: (`succeeded`, 3), (`failed`, 1)…"""
    changes: tuple[Change, ...] | None
    """Against the configuration that ran before it; None: none read before it."""
    failures: tuple[tuple[str, str], ...] = ()
    """Each failed execution's name and why it failed (its failed condition's message, a
    server's text: masked as `job.failed` masks it, `drift.diff.jobs.masked_reason`)."""


@dataclass(frozen=True)
class JobHistory:
    job: str
    read: int
    """How many executions were read (the newest, at most `--limit`)."""
    created: int
    """How many executions the job has had (`Job.execution_count`), kept or not."""
    entries: tuple[JobEntry, ...]

    @property
    def label(self) -> str:
        return label(Workload.JOB, self.job)

    @property
    def older(self) -> int:
        """Executions before those read: beyond `--limit`, or no longer kept by Cloud Run."""
        return max(0, self.created - self.read)


@dataclass(frozen=True)
class Unread:
    service: str
    reason: str


@dataclass(frozen=True)
class HistoryResult(Scope):
    services: tuple[ServiceHistory, ...]
    unread: tuple[Unread, ...] = ()
    limit: int | None = None
    notes: tuple[str, ...] = ()
    """What was not listed, and why; the values read only to mask their plain copies that
    could not be read (`unread_values_note`: a copy shown as it is)."""
    jobs: tuple[JobHistory, ...] = ()
    """Each job's configurations, as its executions ran them."""
    lacking: tuple[str, ...] = ()
    """The services a revision serves that their listing does not have (a note says which):
    the history shown is not all of what serves (helper-576 F3: exit 0 and "complete")."""

    @property
    def undecided(self) -> int:
        """How many changes shown could not be told from a respelling (`Action.UNDECIDED`)."""
        entries: list[RevisionEntry | JobEntry] = [r for s in self.services for r in s.revisions]
        entries += [e for j in self.jobs for e in j.entries]
        return sum(c.action is Action.UNDECIDED for e in entries for c in e.changes or ())

    @property
    def complete(self) -> bool:
        """Every service's history read, with what serves, and every change shown told (none
        `undecided`)."""
        return not self.unread and not self.undecided and not self.lacking

    @property
    def exit_code(self) -> ExitCode:
        """0 when every service's history was read and every change told; 3 when one could
        not be read or lacks a revision that serves, or a change could not be told from a
        respelling (never looks complete)."""
        return ExitCode.OK if self.complete else ExitCode.INCOMPLETE

    def summary(self) -> str:
        """One line: what was read, and what could not be."""
        shown = sum(len(s.revisions) for s in self.services)
        listed = sum(s.listed for s in self.services)
        kinds = [s.kind for s in self.services]
        where = " and ".join(plural(kinds.count(k), k.noun) for k in Workload if k in kinds)
        said = [f"{shown} of {listed} revisions shown in {where or '0 services'}"]
        if not self.services and not self.jobs and self.unread:  # not "in 0 services"
            said = ["no history shown"]
        if self.jobs:  # a job alone is not "0 of 0 revisions shown in 0 services"
            runs = sum(j.read for j in self.jobs)
            configs = sum(len(j.entries) for j in self.jobs)
            said = said[: bool(self.services)] + [
                f"{plural(configs, 'configuration')} of {plural(runs, 'execution')} read in "
                f"{plural(len(self.jobs), 'job')}"
            ]
        text = f"{self.environment}: {'; '.join(said)}"
        if self.complete:
            return f"{text} (exit 0)"
        said = (
            [f"could not read {', '.join(u.service for u in self.unread)}"] if self.unread else []
        )
        if self.lacking:
            said.append(f"{', '.join(self.lacking)}: a revision that serves is not listed")
        if n := self.undecided:
            said.append(
                f"{plural(n, 'setting change')} could not be told from a project respelt "
                "(GetProject did not answer)"
            )
        return f"{text}; incomplete: {'; '.join(said)} (exit 3)"
