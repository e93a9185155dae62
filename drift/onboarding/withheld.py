"""Why `drift init --from-live` does not copy a plain value into the profile it writes (a file
meant for git), and what it says when it could not tell."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from drift import credentials, redact
from drift.errors import ApiError
from drift.live.model import ContainerConfig, LiveService
from drift.live.value_reads import KnownState
from drift.refs import SecretRef
from drift.textsafe import visible

CREDENTIAL = "looks like a credential"
NOT_READ = (
    "no secret value was read (--no-secret-values): a plain variable holding a copy of one is "
    "written as Cloud Run shows it; review the plain values before committing the profile"
)
PIECE = "holds the start or the end of a value kept in Secret Manager"
"""Why a plain value is not copied: it is a piece of a secret's value (`redact.is_piece`: the
secret pasted as two variables), as `check` masks it."""
SHARED = "holds a credential another variable holds"
"""Why a plain value is not copied: it holds a credential another plain variable holds
(`credentials_held`: `--db-password=PW` there, `PW` here), as `check` masks it there."""
RENAMED = "a password renamed"
"""Why a plain value is not copied: a variable named like a password held it in an older
revision (`moved_values`), as `check` masks it."""


@dataclass(frozen=True)
class Known:
    """What tells a workload's plain value not to copy: the variables some container reads
    from Secret Manager (`secret_readers`), the passwords renamed (`moved_in`), and how each
    project is named (`shown_project`)."""

    readers: Mapping[str, str]
    moved: frozenset[str]
    projects: Mapping[str, str]
    held: redact.Secrets | None = None
    """The credentials the workloads' plain values hold (`credentials_held`)."""

    def why(self, name: str, value: str) -> str:
        """Why the plain `value` of the variable `name` is not copied ("": it is): another
        container reads it from Secret Manager, a password renamed, a value a secret holds (8
        characters or more: `true` or `8080` is told from no ordinary value, and is no
        protection anyway: README, "Short and common values"), it looks like a credential
        (named like one, however short: `ADMIN_PASSWORD=hunter2`), or it holds one another
        variable holds (`held`)."""
        if reader := self.readers.get(name):
            return copies(reader)
        if value.strip() in self.moved:
            return RENAMED
        if redact.secret_pieces(value) is not None:
            return holds(value, self.projects)
        if redact.is_piece(value):
            return PIECE
        if credentials.hidden_plain(name, value):
            return CREDENTIAL
        return SHARED if self.held is not None and self.held.mask(value) != value else ""


def not_copied(why: str) -> str:
    """The profile's comment on a plain value not copied because of `why` (`Known.why`): what
    to do. A credential another variable holds has no secret to reference: it is moved to
    Secret Manager, or, if it is none (`-----BEGIN CERTIFICATE-----` beside a JSON key's cut
    `-----BEGIN`), the value is set by hand (helper-781 I1)."""
    if why == SHARED:
        return (
            f"{why}, not copied: move the credential to Secret Manager (if it is none, set the "
            "value here by hand)"
        )
    if why in (CREDENTIAL, RENAMED):
        return f"{why}, not copied: move it to Secret Manager"
    return f"{why}: not copied"


def credentials_held(workloads: Iterable[LiveService]) -> redact.Secrets:
    """The credentials the workloads' plain values hold (`credentials.credential_pieces`: of
    their template and each revision `check` reads), and each value holding one, as `check`
    remembers them wherever it shows a value
    (`drift.live.remember.remember_config`): a copy in another variable, which `check` masks
    there (helper-769: `-----BEGIN CERTIFICATE-----` shown `*** CERTIFICATE-----` beside a
    JSON's `"private_key": "-----BEGIN`), is not copied either."""
    held = redact.Secrets()
    configs = [c for w in workloads for c in (w.template, *(r.config for r in w.checked))]
    values = (v.value for c in configs for x in c.containers for v in x.env.values() if v.value)
    for value in values:
        pieces = credentials.credential_pieces(value)
        for text in [value, *pieces] if pieces else ():
            held.add(text)
    return held


def secret_readers(containers: Sequence[ContainerConfig]) -> dict[str, str]:
    """Each variable some container reads from Secret Manager, with the first such container."""
    refs = [(v.name, c.name) for c in containers for v in c.env.values() if v.ref is not None]
    return dict(reversed(refs))


def named_secret(name: str) -> bool:
    """A variable's name holds the value of a secret version init read (8 characters or
    more): no profile line can name it without showing it, so the variable is left out, and
    said (helper-595 F3): `check`, which reads that value only for a rule that compares it,
    shows the name (helper-598 F1), so the note says to rename it."""
    return redact.secret_pieces(name) is not None


def copies(reader: str) -> str:
    """Why a plain value is not copied: another container of the workload reads the same
    variable from Secret Manager, so the plain text is most likely that secret's value (withheld
    whether or not init could read that value; the profile is a file meant for git)."""
    return f"{reader} reads it from Secret Manager"


def project_names(ids: Mapping[str, str], own: str, number: str) -> dict[str, str]:
    """How init names each project (`shown_project`): by its id (`ids`: by the numbers and
    ids names hold, as GetProject told), the workloads' own (its id `own`, its `number`) by
    nothing: by every name the read learnt it by too (its number, as Secret Manager's names or
    GetProject told: Terraform's `google_secret_manager_secret.x.name` names the own project's
    secret by number; helper-618 F2)."""
    named = {token: "" if shown == own else shown for token, shown in ids.items()}
    return {**named, own: "", **({number: ""} if number else {})}


def shown_project(token: str, projects: Mapping[str, str]) -> str:
    """A project as init names it (`projects`: the shown name by the id or number a name
    holds, "" for the workloads' own): by its id where known (helper-597 F4)."""
    return projects.get(token, token) if token else ""


def reference_project(ref: SecretRef, projects: Mapping[str, str]) -> tuple[str, str]:
    """The project a reference's line names (`shown_project`: by its id where the read learnt
    it, nothing for the workloads' own), and what to say of it: a number whose id the read
    could not learn (GetProject refused) is kept, and said (a `compare` of two profiles does
    not look it up: helper-618 F2)."""
    shown = shown_project(ref.project, projects)
    if shown.isdigit() and shown not in projects:
        return shown, f"project {shown}: its id could not be learnt (GetProject), kept by number"
    return shown, ""


def _secret(project: str, secret: str, projects: Mapping[str, str]) -> str:
    shown = shown_project(project, projects)
    return f"{shown}/{secret}" if shown else secret


def holds(value: str, projects: Mapping[str, str] | None = None) -> str:
    """Why a plain value is not copied: it is (or holds) the value of a secret version init
    read (`drift.live.copies`), as `check` masks it; which one (another project's with that
    project, `shown_project`)."""
    versions = [p[0] for p in redact.secret_pieces(value) or () if isinstance(p, tuple)]
    if not versions:
        return "holds a value kept in Secret Manager"
    project, _, rest = versions[0].removeprefix("projects/").partition("/secrets/")
    secret, _, number = rest.partition("/versions/")
    named = _secret(project, secret, projects or {})
    return visible(f"holds the value of secret {named} (version {number})")


FOR_GOOD = frozenset({"PERMISSION_DENIED", "NOT_FOUND", "FAILED_PRECONDITION"})
"""The statuses of a value init may not read again: refused, or a version that is not there
or not enabled (Secret Manager's FAILED_PRECONDITION for a DISABLED or DESTROYED version)."""


def unread_values(
    unread: Mapping[SecretRef, ApiError], projects: Mapping[str, str], again: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Said when a referenced value could not be read, a plain copy of it not known: (a note
    for those refused, the account's least privilege; an incomplete item for those that
    failed for now, an outage or a quota, naming `again`, the command that reads them once
    it has passed: until then the profile may hold a plain copy, exit 3, never a quiet 0)."""
    # what no retry reads: the account's refusal, a version gone or not enabled; any other
    # status (an outage, a quota, INTERNAL, UNKNOWN, ABORTED) may pass (helper-613 M6)
    passing = {ref: why for ref, why in unread.items() if why.status not in FOR_GOOD}
    refused = {ref: why for ref, why in unread.items() if ref not in passing}
    return _unread(refused, projects, ""), _unread(passing, projects, again)


def _answered(why: ApiError) -> str:
    """The call that told drift a value cannot be read, and its answer."""
    return why.answered if isinstance(why, KnownState) else f"{why.call}: {why.status}"


def _unread(
    unread: Mapping[SecretRef, ApiError], projects: Mapping[str, str], again: str
) -> tuple[str, ...]:
    """The first three named (sorted, not in the reads' order: the same every run; helper-647
    O1), each with why (helper-595 F7); one version spelt two ways, once."""
    said = {
        f"secret {_secret(ref.project, ref.secret, projects)}:{ref.version}": why
        for ref, why in sorted(unread.items())
    }
    if not said:
        return ()
    named = [f"{label} ({_answered(why)})" for label, why in list(said.items())[:3]]
    more = f" and {len(said) - 3} more" if len(said) > 3 else ""
    then = f"run `{again}` once Secret Manager answers, or review" if again else "review"
    return (
        visible(
            f"could not read the value of {', '.join(named)}{more}: a plain variable holding "
            f"a copy of one is written as Cloud Run shows it; {then} the plain values before "
            "committing the profile"
        ),
    )


def unnamed_notes(counts: Iterable[tuple[str, int]]) -> tuple[str, ...]:
    """Said of each workload (`(label, count)`) whose variables `named_secret` left out."""
    return tuple(
        f"{label}: {count} variable{'s' * (count > 1)} left out: the name holds a value kept in "
        "Secret Manager; `drift check` shows live names as Cloud Run shows them to anyone who "
        "can read the service, so it will show that one (unexpected_env): rename the variable"
        for label, count in counts
        if count
    )
