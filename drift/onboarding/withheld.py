"""Why `drift init --from-live` does not copy a plain value into the profile it writes (a file
meant for git), and what it says when it could not tell."""

from __future__ import annotations

from collections.abc import Mapping

from drift import redact
from drift.errors import ApiError
from drift.refs import SecretRef
from drift.textsafe import visible

CREDENTIAL = "looks like a credential"
RENAMED = "a password renamed"
"""Why a plain value is not copied: a variable named like a password held it in an older
revision (`moved_values`), as `check` masks it."""


def copies(reader: str) -> str:
    """Why a plain value is not copied: another container of the workload reads the same
    variable from Secret Manager, so the plain text is most likely that secret's value (withheld
    whether or not init could read that value; the profile is a file meant for git)."""
    return f"{reader} reads it from Secret Manager"


def holds(value: str) -> str:
    """Why a plain value is not copied: it is (or holds) the value of a secret version init
    read (`drift.live.copies`), as `check` masks it; which one, when told."""
    versions = [p[0] for p in redact.secret_pieces(value) or () if isinstance(p, tuple)]
    if not versions:
        return "holds a value kept in Secret Manager"
    _, _, rest = versions[0].partition("/secrets/")
    secret, _, number = rest.partition("/versions/")
    return visible(f"holds the value of secret {secret} (version {number})")


def unread_values(unread: Mapping[SecretRef, ApiError]) -> tuple[str, ...]:
    """Said when a referenced value could not be read: a plain copy of it is not known."""
    if not unread:
        return ()
    ref, why = next(iter(unread.items()))
    more = f" and {len(unread) - 1} more" if len(unread) > 1 else ""
    return (
        visible(
            f"the value of {ref}{more} could not be read ({why.call}: {why.status}): a plain "
            "variable holding a copy of it is written as Cloud Run shows it; review the plain "
            "values before committing the profile"
        ),
    )
