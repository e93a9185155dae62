"""What in a Terraform plan Cloud Run refuses to deploy, so that its `after` never runs: a
revision name an update keeps while it changes the template (`name_kept`: a finding,
`revision.rollout`), and a replace that creates first under the name the workload holds
(`created_first`: not verified); and a Knative template that fixes its revision's name
(`fixed_name`: not verified)."""

from __future__ import annotations

from typing import Any

from drift.kinds import Kind
from drift.manifest.deployable import quoted
from drift.manifest.model import Unknown
from drift.manifest.proto import WHERE, text
from drift.manifest.unknowns import value_at
from drift.textsafe import visible
from drift.yamldoc import Located


def created_first(
    where: str, kind: Kind, actions: list[Any], before: Any, after: dict[str, Any]
) -> tuple[Unknown, ...]:
    """A replace that creates while the old workload still holds the name, project and
    region (`before`) — `actions` ["create", "delete"] (`create_before_destroy`) or
    ["create", "forget"] (the old one left running, Terraform 1.7 `destroy = false`):
    Cloud Run refuses the create (409 "Resource already exists":
    terraform-provider-google#16591; a create of a name in use, google.aip.dev/133), so the
    apply fails and the workload keeps running as it is, which the plan does not say: not
    verified (the whole workload). One whose new name, project or region differs creates
    another (`terraform._replaced`); ["delete", "create"] deletes first."""
    if actions not in (["create", "delete"], ["create", "forget"]) or not isinstance(before, dict):
        return ()
    old, new = ({k: text(v, k) for k in WHERE} for v in (before, after))
    if not old["name"] or any(old[k] and new[k] and old[k] != new[k] for k in WHERE):
        return ()
    why = (
        f"{where} is replaced creating the new {kind.noun} while the old one holds its name "
        f"{visible(old['name'])} (actions {' then '.join(actions)}): Cloud Run refuses the "
        "create (Resource already exists), so the apply fails and it keeps running as it is"
    )
    return (Unknown("*", why),)


def protected(resource_type: str, before: Any) -> bool:
    """Whether the provider refuses to delete the workload `before` (its Terraform state)
    describes. google provider, google_cloud_run_v2_service (and _job, _worker_pool alike)
    `deletion_protection`: "Whether Terraform will be prevented from destroying the service.
    Defaults to true. [..] When the field is set to true or unset in Terraform state, a
    'terraform apply' or 'terraform destroy' that would delete the service will fail. When
    the field is set to false, deleting the service is allowed." Of the v1 resource
    (google_cloud_run_service) drift knows no such default: only an explicit true counts
    there (helper-600 F3). A state with no such key at all is of a provider without the field
    (google 6.0.0 added it), whose delete goes through; unset is null in a plan (helper-607
    F2)."""
    if not isinstance(before, dict) or "deletion_protection" not in before:
        return False
    value = before.get("deletion_protection")
    if resource_type.startswith("google_cloud_run_v2_"):
        return value is not False
    return value is True


def deleted_first(
    where: str, kind: Kind, resource_type: str, actions: list[Any], before: Any
) -> tuple[Unknown, ...]:
    """A replace that deletes first (`actions` ["delete", "create"]: `-replace`,
    `replace_triggered_by`, a change to a field that forces one) of a workload whose
    `deletion_protection` is not false in Terraform state (`protected`): the apply fails at
    the delete, the create never runs, and the old workload keeps running as it is, which
    the plan does not say: not verified (the whole workload), as `created_first` says of a
    create refused (helper-600 F3)."""
    if actions != ["delete", "create"] or not protected(resource_type, before):
        return ()
    name = visible(text(before, "name")) or "(its name is not in the plan)"
    why = (
        f"{where} is replaced deleting the old {kind.noun} {name} first, and its "
        "deletion_protection is not false in Terraform state: the apply fails at the delete, "
        "the new one is not created, and it keeps running as it is"
    )
    return (Unknown("*", why),)


def name_kept(actions: list[Any], before: Any, after: dict[str, Any], unknown: Any) -> str:
    """The revision name (`template.revision`) an update keeps while it changes the template
    in what it knows: the revision of that name exists, created from the template `before`
    holds (Terraform's state, refreshed), and Cloud Run refuses another configuration under
    it. `RevisionTemplate.revision` (google/cloud/run/v2/revision_template.proto; a worker
    pool's alike): "The unique name for the revision. If this field is omitted, it will be
    automatically generated"; the 409 "Revision named '…' with different configuration
    already exists" (`drift.fix.revision_name`). A template that differs only where
    `after_unknown` says it is not known yet may be the very same configuration, which Cloud
    Run may accept (the docs leave it open): not said. "" when none is kept."""
    if actions != ["update"] or not isinstance(before, dict):
        return ""
    old, new = value_at(before, ("template", 0)), value_at(after, ("template", 0))
    name = value_at(new, ("revision",))
    if not name or not isinstance(name, str) or value_at(old, ("revision",)) != name:
        return ""
    return name if _differs(old, new, value_at(unknown, ("template", 0))) else ""


def _differs(before: Any, after: Any, unknown: Any) -> bool:
    """Whether two JSON values differ where `unknown` (`after_unknown`) does not mark `after`
    as not known yet."""
    if unknown is True:
        return False
    if isinstance(before, dict) and isinstance(after, dict):
        marked = unknown if isinstance(unknown, dict) else {}
        return any(_differs(before.get(k), after.get(k), marked.get(k)) for k in {*before, *after})
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        listed = unknown if isinstance(unknown, list) else []
        return any(
            _differs(b, a, listed[i] if i < len(listed) else None)
            for i, (b, a) in enumerate(zip(before, after, strict=True))
        )
    return bool(before != after)


def _fixed(kind: Kind, template: Any) -> str:
    metadata = template.get("metadata") if isinstance(template, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if kind is not Kind.JOB and isinstance(name, str) else ""


def fixed_name(doc: Located, kind: Kind, service: str, template: Any) -> list[Unknown]:
    """A Knative Service's or WorkerPool's `spec.template.metadata.name` that does not start
    with the name of its workload and "-": Knative refuses it (knative/serving
    pkg/apis/serving, RevisionTemplateSpec.Validate: "%q must have prefix %q"); Cloud Run's
    docs do not say it refuses it too (`gcloud run deploy --revision-suffix`: "Revision names
    always start with the service name"), so the deploy may be refused: nothing it would run
    is verified."""
    line = doc.line(("spec", "template", "metadata", "name"))
    return unprefixed(f"{doc.file}:{line}", kind, service, _fixed(kind, template))


def unprefixed(where: str, kind: Kind, service: str, name: Any) -> list[Unknown]:
    """`fixed_name`'s rule on a revision name (a plan's `template.revision` alike)."""
    if kind is Kind.JOB or not isinstance(name, str) or not name:
        return []
    if name.startswith(f"{service}-"):
        return []
    why = (
        f"{where}: the revision name {quoted(name, visible(name))} does not start with "
        f"{visible(service + '-')}: Knative refuses such a name (it must have the prefix of its "
        f"{kind.noun}), and Cloud Run may refuse the deploy"
    )
    return [Unknown("*", why)]


def fixed_name_note(doc: Located, kind: Kind, template: Any) -> tuple[str, ...]:
    """A template that fixes the name of the revision its deploy creates: Cloud Run refuses a
    name a revision of the workload already has with another configuration
    (RevisionTemplate.revision: "The unique name for the revision", run v2
    revision_template.proto; ALREADY_EXISTS, googleapis/google-cloud-python #11870, #14259:
    CLOUD_RUN_FACTS), and a manifest check reads no Cloud Run service (SPEC `--manifest`):
    said in a note, not left unsaid (a name new for each deploy is the blue/green way, so it
    does not make the run incomplete)."""
    name = _fixed(kind, template)
    if not name:
        return ()
    line = doc.line(("spec", "template", "metadata", "name"))
    return (
        f"{doc.file}:{line}: the template fixes the revision name {visible(name)}: Cloud Run "
        "refuses the deploy if a revision of that name exists with another configuration "
        "(a manifest check reads no Cloud Run service: not checked); give each deploy a new "
        "name, or drop it",
    )


def no_ingress(kind: Kind, where: str, resource: Any) -> tuple[Unknown, ...]:
    """A service's template of several containers where not exactly one declares a port:
    Cloud Run refuses it (one container, the ingress container, receives the requests and
    declares the port: cloud.google.com/run/docs/deploying#sidecars; the sandbox's
    `validate_containers`), so it never runs, and which container `env` describes cannot be
    told: not verified (the whole workload), never clean."""
    if kind is not Kind.SERVICE:
        return ()
    containers = list(resource.template.containers)
    ported = [c.name for c in containers if c.ports]
    if len(containers) < 2 or len(ported) == 1:
        return ()
    said = f"{len(ported)} of them ({', '.join(ported)}) declare" if ported else "none declares"
    why = (
        f"{where}: its template has {len(containers)} containers and {visible(said)} "
        "a port: Cloud Run refuses it (exactly one, the ingress container, must), so it would "
        "not deploy"
    )
    return (Unknown("*", why),)
