"""A revision name for a template that names its revision (Terraform `template.revision`,
gcloud `--revision-suffix`) when the template changes: Cloud Run refuses an existing name with
another configuration (409 "Revision named '…' with different configuration already exists",
facts §4), and names are DNS-1035 labels of at most 63 characters that start with
`SERVICE-` (Knative `validateRevisionName`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from drift.fix.patch import canary_name
from drift.kinds import Kind
from drift.live.changeids import named_change
from drift.live.normalize import raw
from drift.revision_names import number

if TYPE_CHECKING:
    from drift.fix.model import ServicePlan

MAX_LENGTH = 63
_OURS = re.compile(r"-drift-[0-9a-f]{6}$")
_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


def fresh_revision_name(service: str, current: str, template: Any, *, salt: str = "") -> str:
    """`current` with `-drift-XXXXXX` (from the configuration `template` will create, so the
    same plan always gets the same name, and another configuration another name; `salt`, a
    change id, makes it one change's own); a previous drift suffix is replaced, not stacked;
    cut to fit 63 characters."""
    kind = type(template)  # a service's RevisionTemplate, a pool's WorkerPoolRevisionTemplate
    unnamed = kind.deserialize(kind.serialize(template))
    unnamed.revision = ""
    content = raw(unnamed).SerializeToString(deterministic=True) + salt.encode()
    return _named(service, current, hashlib.sha256(content).hexdigest()[:6])


def drift_name(service: str, current: str) -> str:
    """The shape of the name `fresh_revision_name` gives, before its configuration is known
    (the plan's): `current` (or `service`) with `-drift-XXXXXX`."""
    return _named(service, current, "XXXXXX")


def _named(service: str, current: str, digest: str) -> str:
    suffix = f"-drift-{digest}"
    base = _OURS.sub("", current)
    if not base.startswith(f"{service}-") or not _LABEL.fullmatch(base):
        base = service
    base = base[: MAX_LENGTH - len(suffix)].rstrip("-")
    return base + suffix


def drifts_own(service: str, name: str) -> bool:
    """Whether a revision name is one drift gave (a canary's `SERVICE-drift-CHANGE`, or a
    `fresh_revision_name`), not one a team fixed in its template."""
    return bool(_OURS.search(name)) or named_change(service, name) is not None


def cleared_names(service: str, names: Iterable[str], which: str, named: str = "") -> str:
    """The sentence a plan or a rollback prompt says when its write clears the revision name a
    team fixed in the template (Terraform `template.revision`, gcloud `--revision-suffix`;
    drift's own names are not theirs): "" when none is. A revision name is unique, so a new
    revision cannot keep it ("The unique name for the revision. If this field is omitted, it
    will be automatically generated", RevisionTemplate.revision, run/v2/revision.proto;
    WorkerPoolRevisionTemplate.revision alike, run/v2/worker_pool_revision_template.proto).
    `which`: the revision the write creates ("the new revision"); `named`: the name drift
    gives it ("" when Cloud Run generates one). A name of Cloud Run's generated form
    (`SERVICE-00003-amy`, `drift.live.history.number`: gcloud's deploy writes it into the
    template) was fixed by nobody: Terraform's next plan is said only of a name a writer chose
    (revreal61 F3)."""
    fixed = [n for n in dict.fromkeys(names) if n and not drifts_own(service, n)]
    if not fixed:
        return ""
    one = len(fixed) == 1
    chosen = any(number(service, n) is None for n in fixed)
    gets = f"drift's name {named}" if named else "a generated name"
    then = "; Terraform's next plan will show it" if chosen else ""
    return (
        f"the template's {'fixed ' if chosen else ''}revision name{'' if one else 's'} "
        f"{' and '.join(fixed)} {'is' if one else 'are'} cleared: {which} gets {gets} "
        f"(a revision name is unique{then})"
    )


def renamed_note(sp: ServicePlan, source: Any, moves: bool, canary: bool) -> str:
    """The plan's sentence when `drift fix` clears the template's fixed revision name (a name
    is unique): a service's `canary` takes drift's name (`patch.canary_name`), the template's
    once promoted; a pool's update in place of a template clears it (`patch.patched_template`),
    and instances the fix moves go to a revision drift names (`workload._place`)."""
    if sp.kind is Kind.JOB or not sp.changes_template or (sp.kind is Kind.SERVICE and not canary):
        return ""
    current = source.template.revision
    if sp.kind is Kind.SERVICE:
        return cleared_names(sp.service, [current], "the canary", canary_name(sp.service))
    named = drift_name(sp.service, current) if moves else ""
    return cleared_names(sp.service, [current], "the new revision", named)
