"""Why `drift init --from-live` does not copy a plain value into the profile it writes (a file
meant for git), and what it says when it could not tell."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from drift import redact
from drift.errors import ApiError
from drift.live.model import ContainerConfig
from drift.refs import SecretRef
from drift.textsafe import visible

CREDENTIAL = "looks like a credential"
RENAMED = "a password renamed"
"""Why a plain value is not copied: a variable named like a password held it in an older
revision (`moved_values`), as `check` masks it."""


@dataclass(frozen=True)
class Known:
    """What tells a workload's plain value not to copy: the variables some container reads
    from Secret Manager (`secret_readers`), the passwords renamed (`moved_in`), and the
    project's id and number (a secret of its own is named without them)."""

    readers: Mapping[str, str]
    moved: frozenset[str]
    own: frozenset[str]


def secret_readers(containers: Sequence[ContainerConfig]) -> dict[str, str]:
    """Each variable some container reads from Secret Manager, with the first such container."""
    refs = [(v.name, c.name) for c in containers for v in c.env.values() if v.ref is not None]
    return dict(reversed(refs))


def named_secret(name: str) -> bool:
    """A variable's name holds the value of a secret version init read (8 characters or
    more): no profile line can name it without showing it, so the variable is left out, and
    said (helper-595 F3); `check` masks the name as it reports it."""
    return redact.secret_pieces(name) is not None


def copies(reader: str) -> str:
    """Why a plain value is not copied: another container of the workload reads the same
    variable from Secret Manager, so the plain text is most likely that secret's value (withheld
    whether or not init could read that value; the profile is a file meant for git)."""
    return f"{reader} reads it from Secret Manager"


def holds(value: str, own: Collection[str] = ()) -> str:
    """Why a plain value is not copied: it is (or holds) the value of a secret version init
    read (`drift.live.copies`), as `check` masks it; which one (of another project than
    `own`'s, by its id or number: with that project)."""
    versions = [p[0] for p in redact.secret_pieces(value) or () if isinstance(p, tuple)]
    if not versions:
        return "holds a value kept in Secret Manager"
    project, _, rest = versions[0].removeprefix("projects/").partition("/secrets/")
    secret, _, number = rest.partition("/versions/")
    named = secret if project in own else f"{project}/{secret}"
    return visible(f"holds the value of secret {named} (version {number})")


def unread_values(unread: Mapping[SecretRef, ApiError]) -> tuple[str, ...]:
    """Said when a referenced value could not be read: a plain copy of it is not known. The
    first three named, each with why (helper-595 F7)."""
    if not unread:
        return ()
    named = [f"{ref} ({why.call}: {why.status})" for ref, why in list(unread.items())[:3]]
    more = f" and {len(unread) - 3} more" if len(unread) > 3 else ""
    return (
        visible(
            f"could not read the value of {', '.join(named)}{more}: a plain variable holding "
            "a copy of one is written as Cloud Run shows it; review the plain values before "
            "committing the profile"
        ),
    )


def unnamed_notes(counts: Iterable[tuple[str, int]]) -> tuple[str, ...]:
    """Said of each workload (`(label, count)`) whose variables `named_secret` left out."""
    return tuple(
        f"{label}: {count} variable{'s' * (count > 1)} left out: the name holds a value kept in "
        "Secret Manager (`drift check` reports it, its name masked)"
        for label, count in counts
        if count
    )
