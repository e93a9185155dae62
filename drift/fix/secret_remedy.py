"""What makes one secret use pass Cloud Run's deploy-time check again ("During service
deployment, all secrets used, whether as environment variable or mounted as a volume, are
checked to ensure the service account used to run the container has access to them. If any
check fails, the service deployment fails", cloud.google.com/run/docs/configuring/services/
secrets), said for each use `drift.fix.changes.doomed` names, in its words: a fix that stops
for them says the remedy of each (helper-632 F5), not one fixed list — a use of a template no
check read (`--from-template`) has no finding, so no manual step of the plan, behind it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from drift.textsafe import shell_quote

REMEDIES = (
    # `drift.fix.changes.doomed`'s words for each state, and what makes the use pass again:
    # only an ENABLED version can be accessed (Secret Manager's AccessSecretVersion)
    (
        "which is a secret that does not exist",
        "create the secret {user} uses (`gcloud secrets create`)",
    ),
    (
        "which is a version that does not exist",
        "add the version {user} uses (`gcloud secrets versions add`), or name one that exists",
    ),
    ("which is DISABLED", "enable the version {user} uses (`gcloud secrets versions enable`)"),
    (
        "which is DESTROYED",
        "name a version that exists for {user} (a destroyed version never comes back)",
    ),
    (
        "cannot access",
        "grant the service account roles/secretmanager.secretAccessor on the secret {user} uses",
    ),
)

_DISABLED = re.compile(
    r" uses secret (?:(?P<project>[^\s/:]+)/)?(?P<secret>[^\s/:]+):(?P<version>[^\s,]+), which "
    r"is DISABLED(?: \(version (?P<number>[0-9]+)\))?"
)
"""A use of a DISABLED version as `doomed` says it (`SecretRef.__str__`: `secret [P/]NAME:V`,
then the number `latest` or an alias resolved to, where it did)."""


def remedy(use: str, project: str = "") -> str:
    """What makes `use` (`SIGNING_KEY uses secret signing-key:latest, which is a secret
    that does not exist`) pass the check; "" for words none of `REMEDIES` knows. A disabled
    version is named with the command that enables it, as the plan's manual step gives it
    (`drift.fix.manual.secret_version_step`): its number, the secret and its project (the
    secret's own, else `project`, the workload's; helper-848 F6)."""
    user = use.partition(" uses ")[0]
    if (found := _DISABLED.search(use)) and (where := found["project"] or project):
        number = found["number"] or found["version"]
        known = number.isdigit()  # else a note of a drift before: `latest` not resolved
        words = [f"--secret={found['secret']}", f"--project={where}"]
        line = " ".join(map(shell_quote, [number if known else "VERSION", *words]))
        what = f"version {number} of the secret" if known else "the version"
        return f"enable {what} {user} uses (`gcloud secrets versions enable {line}`)"
    for said, step in REMEDIES:
        if said in use:
            return step.format(user=user)
    return ""


def remedies(uses: Iterable[str], project: str = "") -> str:
    """The remedy of each use, one after the other (`; `), each once; "" when none is known."""
    return "; ".join(dict.fromkeys(r for use in uses if (r := remedy(use, project))))
