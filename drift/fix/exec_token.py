"""What drift's write of a job does with its execution token, in the words every place says it
(the plan in each format, the fix's outcome, the rollback): one source.

`start_execution_token` / `run_execution_token` (oneof `create_execution`) are "A unique string
used as a suffix [for] creating a new execution" (googleapis google/cloud/run/v2/job.proto,
Job). A GetJob answers the token that created the job's current generation; sent back it is
refused ("Resource 'job-token' already exists"), and a token of no existing execution starts
one (GoogleCloudPlatform/magic-modules#19060, observed on the real API;
hashicorp/terraform-provider-google#24451). So drift's UpdateJob never sends it
(`drift.fix.update.without_execution_token`), and, UpdateJob having no update mask, the job's
new generation has none: a change of the job's configuration that the plan names.

Terraform (`google_cloud_run_v2_job.start_execution_token`, the released provider) reads the
missing token as a change and plans to set it again: that apply is refused, or starts an
execution. `lifecycle { ignore_changes = [...] }` keeps Terraform from doing it."""

from __future__ import annotations

from typing import Any

from drift.live.normalize import raw

SOURCE = "magic-modules#19060"

TERRAFORM_LABEL = "goog-terraform-provisioned"
"""The label the Google provider puts on what it creates (hashicorp/terraform-provider-google
#17331, `add_terraform_attribution_label`)."""


def execution_token(job: Any) -> tuple[str, str] | None:
    """(`start_execution_token` or `run_execution_token`, its value) of a run_v2 Job (or its
    protobuf); None when it has none, or is not a job."""
    message = raw(job)
    if message is None or "create_execution" not in message.DESCRIPTOR.oneofs_by_name:
        return None
    field = message.WhichOneof("create_execution")
    return (field, getattr(message, field)) if field else None


def by_terraform(job: Any) -> bool:
    """Whether the job carries Terraform's marks: the provider's attribution label, a label or
    annotation whose value is `terraform` (`managed-by: terraform`), or client `terraform`."""
    message = raw(job)
    labels, annotations = dict(message.labels), dict(message.annotations)
    values = [*labels.values(), *annotations.values(), message.client]
    return TERRAFORM_LABEL in labels or any(v.strip().lower() == "terraform" for v in values)


def _named(job: Any) -> tuple[str, str] | None:
    token = execution_token(job)
    return (token[0], f"{token[0]} {token[1]!r}") if token else None


def left_out(job: Any) -> str:
    """What a plan and a fix say of a job carrying a token ("" when it carries none): drift's
    write leaves it out, and why; with Terraform's marks, what its next plan does and how to
    keep it from doing it."""
    named = _named(job)
    if named is None:
        return ""
    field, token = named
    said = (
        f"the job's {token} is left out: a resent token fails ALREADY_EXISTS or starts an "
        f"execution ({SOURCE})"
    )
    return said + _terraform(job, field)


def _terraform(job: Any, field: str) -> str:
    """With Terraform's marks: what its next plan does with the token left out, and how to
    keep it from doing it."""
    if not by_terraform(job):
        return ""
    return (
        "; Terraform's next plan sets it again (refused, or an execution): "
        f"`lifecycle {{ ignore_changes = [{field}] }}` keeps it from doing so"
    )


def not_restored(job: Any) -> str:
    """What a rollback says of the token the job had before the fix ("" when none): it cannot
    put it back."""
    named = _named(job)
    if named is None:
        return ""
    return (
        f"the job's {named[1]} (before the fix) is not put back: resent, a token fails "
        f"ALREADY_EXISTS or starts an execution ({SOURCE})"
    )


def gcloud_resends(job: Any) -> str:
    """Why `gcloud run jobs update` of a job carrying a token is no runnable line ("" when it
    carries none): gcloud 528's UpdateJob reads the whole job (v1 GetJob), applies its flags and
    writes it all back with ReplaceJob (command_lib/run/serverless_operations.py UpdateJob),
    the v1 JobSpec's startExecutionToken / runExecutionToken included (never cleared)."""
    named = _named(job)
    if named is None:
        return ""
    field, token = named
    return (
        f"not run: `gcloud run jobs update` writes back the whole job it reads, its {token} "
        f"included: refused ALREADY_EXISTS, or an execution starts ({SOURCE}). `drift fix` "
        f"leaves the token out{_terraform(job, field)}. The command, which resends it:"
    )
