"""What a manifest says will run: each Cloud Run service or job it describes, as the v2 message
Cloud Run would hold once it is deployed, where it was written, and what it cannot tell yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drift.kinds import Kind
from drift.manifest.planned import Planned
from drift.manifest.removed import Removed

STDIN = "-"
STDIN_NAME = "<stdin>"
"""What messages call standard input (`--manifest -`); findings name it `manifest:-`, as given
(SPEC: `manifest:FILE`, `-` for stdin)."""


@dataclass(frozen=True)
class Unknown:
    """Something a manifest cannot tell before it is applied (Terraform's `after_unknown`):
    findings on it are withheld, and it is reported as not verified."""

    target: str
    """The finding targets it covers, as a glob: `env.REDIS_HOST`, `env.*`, `setting.image`,
    `mount.*`, `*` (the whole workload)."""
    why: str
    """Why, and where the manifest says so (a JSON path)."""
    container: str | None = None
    """Only in this container (None: any)."""
    rule: str | None = None
    """Only findings of this rule (None: any)."""
    value: bool = False
    """Only a plain variable's value is not known, not its name nor that it is plain: only
    the findings on its value (`VALUE_RULES`) are withheld, and it is not verified only where
    a rule judges that value (`judges_value`)."""


@dataclass(frozen=True)
class Workload:
    kind: Kind
    name: str
    file: str
    """The manifest as messages name it (`-` read as `<stdin>`)."""
    where: str
    """Where in the file: `service.yaml:3`, `plan.json: resource_changes[2]`."""
    resource: Any
    """The run_v2 Service, Job or WorkerPool the manifest describes (what Cloud Run would
    hold)."""
    project: str = ""
    """The project the manifest names ("" when it names none; may be a number)."""
    region: str = ""
    unknown: tuple[Unknown, ...] = ()
    sensitive: frozenset[tuple[int, str]] = frozenset()
    """The variables whose values the manifest marks sensitive (Terraform's
    `after_sensitive`), as (index of the container, name): never shown, whatever their
    length."""
    hidden: frozenset[str] = frozenset()
    """The settings whose values the manifest marks sensitive (`RevisionConfig.hidden`)."""
    taken: str = ""
    """The name of an existing revision that the template keeps while its configuration
    changes (Terraform's `template.revision`): Cloud Run refuses the deploy."""
    split_unknown: str = ""
    """Where the manifest says its traffic (a worker pool's instance split) is not known until
    apply, in part or whole (a plan's `after_unknown`): how much of it the checked revision
    gets is not said (`drift.manifest.serving.pinned`)."""

    @property
    def revision(self) -> str:
        return manifest_revision(self.file)


def manifest_revision(file: str) -> str:
    """What findings of a manifest's workload name as their revision: the file as the user
    gave it (`-`)."""
    return f"manifest:{STDIN if file == STDIN_NAME else file}"


@dataclass(frozen=True)
class Unread:
    """A Cloud Run workload the manifest deploys in a form drift does not read (Terraform's
    `google_cloud_run_service`, the v1 resource), or under a name not known until apply: if
    it is (or may be) the profile's, it is not verified, never clean."""

    name: str
    """"" when the name is not known until apply: any of the profile's workloads of its kind
    that the manifests do not otherwise describe."""
    where: str
    why: str
    project: str = ""
    region: str = ""
    kind: Kind = Kind.SERVICE
    later: bool = False
    """Deployed by a later plan and apply, not by this one (Terraform's `deferred_changes`):
    one of the same name this plan destroys is missing once it is applied."""


@dataclass(frozen=True)
class Destroyed:
    """A Cloud Run workload the plan destroys (Terraform `actions` ["delete"], or a replace that
    renames it or moves it to another project or region): one the profile
    expects is `service.missing` once applied, as the live check would say; created again under
    the same name, project and region at another address (a move without a `moved` block), it
    is that one that is checked."""

    kind: Kind
    name: str
    file: str
    address: str
    project: str = ""
    region: str = ""
    detail: str = ""
    """Said after the address: what replaces it (a replace that renames it or moves it to
    another project or region destroys it: " (replaced by frontend)")."""
    protected: bool = False
    """Its `deletion_protection` is not false in Terraform state: the apply fails at the
    delete, and it keeps running as it is (`drift.manifest.refused.protected`)."""

    @property
    def where(self) -> str:
        return f"{self.file}: {self.address}"


@dataclass(frozen=True)
class Manifest:
    file: str
    workloads: tuple[Workload, ...] = ()
    unread: tuple[Unread, ...] = ()
    planned: tuple[Planned, ...] = ()
    """The secrets and access to them the manifest creates (a check before apply cannot see
    them)."""
    notes: tuple[str, ...] = field(default=())
    """What the file holds that is not checked (a destroyed resource, another resource type)."""
    removed: tuple[Removed, ...] = ()
    """What the manifest removes that a secret reference may need (a check before apply still
    reads it there)."""
    destroyed: tuple[Destroyed, ...] = ()
    """The Cloud Run workloads the plan destroys (`ManifestSource.scope` decides what each
    is)."""
