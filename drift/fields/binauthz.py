"""The `binary_authorization` row: the Binary Authorization policy a workload (a Service, Job
or WorkerPool) deploys under — the project's default, a named policy, or none — and whether a
breakglass bypasses it. run v2 BinaryAuthorization: `use_default` ("If True, indicates to use
the default project's binary authorization policy. If False, binary authorization will be
disabled") or `policy` ("projects/{project}/platforms/cloudRun/{policy-name}"), and
`breakglass_justification` ("If present, indicates to use Breakglass using this
justification"). Breakglass is how one deploys "an image on Cloud Run when the image violates
the Binary Authorization policy" (binary-authorization/docs/run/using-breakglass-cloud-run),
and it stays on the workload until a write leaves it out: gcloud's update and deploy delete it
first ("Next update or deploy command will automatically clear existing breakglass
justification", command_lib/run/flags.py AddBinAuthzBreakglassFlag; surface/run/services/
update.py), the v2 API keeps what it is sent (a Terraform `breakglass_justification`, a
client's read-modify-write). A workload holding one runs what was deployed bypassing the
policy: it reads as such (`default (breakglass)`), never as the policy a profile states
(revfields90 F2). drift fix writes the profile's policy without it, as gcloud would."""

from __future__ import annotations

from typing import Any

from drift.fields import access as a
from drift.fields.base import EVERY_KIND, Field, SettingValue, Source

BREAKGLASS = " (breakglass)"
"""What the value read says after the policy where a breakglass bypasses it (the justification
itself is an operator's free text: never shown, compared or written from a profile)."""


def _read(source: Source) -> str:
    service = source.service
    if "binary_authorization" not in service.DESCRIPTOR.fields_by_name:
        return ""
    held = service.binary_authorization
    policy = "default" if held.use_default else str(held.policy)
    if held.breakglass_justification:
        return f"{policy or 'none'}{BREAKGLASS}"
    return policy


def _write(service: Any, container: Any, value: SettingValue) -> None:
    """The policy `value` names. A value as read with a breakglass (a rollback's, a by-hand
    comparison's) keeps the justification the workload holds; a profile's (which never has
    one) ends the bypass."""
    run_v2 = a.run_v2()
    text = str(value)
    kept = ""
    if text.endswith(BREAKGLASS):
        text = text.removesuffix(BREAKGLASS)
        kept = service.binary_authorization.breakglass_justification
    if text in ("", "none"):
        held = run_v2.BinaryAuthorization()
    elif text == "default":
        held = run_v2.BinaryAuthorization(use_default=True)
    else:
        held = run_v2.BinaryAuthorization(policy=text)
    if kept:
        held.breakglass_justification = kept
    service.binary_authorization = held


def _parse(value: Any) -> str:
    text = str(value).strip()
    if text.endswith(BREAKGLASS.strip()):
        raise ValueError(
            "a breakglass bypasses Binary Authorization (it deploys images the policy refuses): "
            "a profile states the policy to enforce (default, none or a policy's name), and a "
            "workload under breakglass is drift until the bypass is gone"
        )
    return text


BINAUTHZ_FIELD = Field(
    "binary_authorization",
    "Binary Authorization: default, none, or a policy's name (the workload's setting); a "
    "breakglass bypassing it is drift.",
    str,
    level="service",
    terraform=(("binary_authorization",),),
    read=_read,
    write=_write,
    gcloud=lambda v: (
        "--clear-binary-authorization" if v in ("", "none") else f"--binary-authorization={v}"
    ),
    parse=a.scalar(_parse),
    normalise=lambda v: "" if v == "none" else v,
    show=lambda v: str(v) or "none",
    kinds=EVERY_KIND,
    # BinaryAuthorization.policy's format: projects/{project}/platforms/cloudRun/{name}
    names_project=True,
)
