"""Why a change of `drift plan --format gcloud` stays a manual step: what gcloud's flags
cannot say exactly, each with the source of the rule; and, in words, what its command makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.fix.formats.knative_yaml import REPLACE, replaces_failed
from drift.fix.model import Action, EnvChange, ServicePlan
from drift.kinds import Kind

MOUNT_PATH = (
    "a name starting with / is a mount path to gcloud's --update-secrets and --remove-secrets"
    " (\"Keys starting with a forward slash '/' are mount paths\"), not a variable: change it"
    " by hand (gcloud run services replace)"
)
"""Why a variable named `/…` stays a manual step: gcloud would mount a secret (or remove a
mount) at that path instead; `--update-env-vars` is left out too, so that no flag of the
script names it."""


SECRET_TO_PLAIN = (
    "it is read from Secret Manager, and gcloud refuses to make it a plain value in one "
    'command: it applies --update-env-vars before --remove-secrets ("Cannot update '
    "environment variable [NAME] to string literal because it has already been set with a "
    'different type"), and removing the reference first would deploy a revision without '
    "the variable; drift fix makes it, or change it by hand (describe --format export, then "
    "replace)"
)
"""Why a secret made a plain value stays a manual step (helper-530 F1): gcloud's
`command_lib/run/flags.py` `_GetConfigurationChanges` (and its per-container and worker-pool
forms) builds the variables' change before the secrets' (`_GetEnvChanges`, then
`_GetSecretsChanges`), and `config_changes.EnvVarLiteralChanges.AdjustContainer` raises
`ConfigurationError` for a name still held by a secret reference. The other way (a plain
value made a secret: `--remove-env-vars`, then `--update-secrets`) is made in one command."""


NO_DELIMITER = (
    "no character is left to separate it from the rest of gcloud's list (between them they "
    "hold every one): change it by hand, or run drift fix"
)


WITHHELD = (
    "every change: the workload runs under a Binary Authorization breakglass, which gcloud's "
    "update clears unless --breakglass gives its justification again, and the justification "
    "holds a value drift does not print; drift fix keeps it, or give it by hand"
)
"""Why a workload's whole command stays a manual step (`drift.fix.formats.gcloud_keep`): the
command that changes nothing unasked would print the justification."""


DIGEST = (
    "`gcloud run services update` writes the ingress container's image by the digest its "
    "template's revision runs (tag kept only in client.knative.dev/user-image; a sidecar's "
    "stays as written); drift fix keeps the tag as written."
)
"""helper-609 F5: gcloud's update "Avoid[s] changing the running code by making the new
revision by digest" (api_lib/run/serverless_operations.py `_UpdateOrCreateService` ->
`_EnsureImageDigest`: `_SwitchToDigestChange(base_revision)` for an image not by digest; its
`Adjust` sets `template.image`, the single or ingress container's: helper-614 L4), so an image
Terraform writes by tag reads as changed to Terraform after the script."""


def not_run(sp: ServicePlan, update: str) -> str:
    """Why the update of a workload whose template does not serve (`sp.unreleased`) stays a
    comment: `update` (`gcloud run services update`, `… worker-pools update`) builds on the
    template. A template whose revision failed is that revision's spec: the update would
    deploy it again with the patch, its image and variables included, where `drift fix`
    builds on what serves (SPEC invariant 8) — and so does the YAML document, which
    `replace` applies (`drift.fix.plan.written_on`); gcloud's update has no flag to build on
    a revision. Any other template would be released, which `drift fix` refuses unless
    `--from-template`."""
    if replaces_failed(sp) and not (sp.blocked or sp.lost):
        runs = "its instances run" if sp.kind is Kind.WORKER_POOL else "serves"
        return (
            f"not run: {sp.unreleased}; `{update}` builds on the template, the spec of that "
            "failed revision, and would deploy it again with the patch. `drift fix` builds on "
            f"what {runs} ({sp.built_on}), as does `drift plan --format yaml` (a file for "
            f"`{REPLACE[sp.kind]}`). The command:"
        )
    then = f"{sp.blocked}." if sp.blocked else "`drift fix` builds on what serves."
    if sp.lost and not sp.blocked:  # where it would drop fields this client does not know
        then = f"drift fix stops here: {sp.lost}."
    return (
        f"not run: {sp.unreleased}; `{update}` builds on the template and would release it "
        f"too. {then} The command:"
    )


def made_summary(sp: ServicePlan, made: Callable[[Any], bool]) -> str:
    """What the command makes, in words: the changes `made` says it makes (a change left to
    a manual step is not named)."""
    said = [_summary(c) for c in sp.env if made(c)]
    settings = [
        s.name + (f" in {s.container}" if s.container else "") for s in sp.settings if made(s)
    ]
    return "; ".join([*said, *([f"settings {', '.join(settings)}"] if settings else [])])


def _summary(c: EnvChange) -> str:
    verb = {Action.REMOVE: "remove", Action.SET_SECRET: "reference", Action.SET_VALUE: "set"}
    where = f" in {c.container}" if c.container else ""
    return f"{verb[c.action]} {c.name}{where}" + (f" -> {c.ref}" if c.ref else "")
