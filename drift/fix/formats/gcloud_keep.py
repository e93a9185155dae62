"""What a gcloud update drift prints (the script's, a manual step's) gives again, so that it
changes nothing the plan does not name (SPEC invariant 2) where gcloud itself would.

- A Binary Authorization breakglass: gcloud's update deletes it before applying its flags
  ("Next update or deploy command will automatically clear existing breakglass
  justification", command_lib/run/flags.py `AddBinAuthzBreakglassFlag`; surface/run/services/
  update.py `_GetBaseChanges` and flags.py `GetJobConfigurationChanges` insert
  `DeleteAnnotationChange(BINAUTHZ_BREAKGLASS_ANNOTATION)` first; a worker pool's update does
  not: `breakglass_of`), then sets what `--breakglass` gives (flags.py
  `_GetConfigurationChanges`: `SetAnnotationChange(BINAUTHZ_BREAKGLASS_ANNOTATION,
  args.breakglass)`; v2 flags_parser.py `_GetBinaryAuthorizationChanges`). `drift fix` keeps
  it (a v2 write keeps what it is sent), unless the plan sets the policy itself: a profile's
  policy ends the bypass (`drift.fields.binauthz`), as gcloud's `--binary-authorization` does.
  `gcloud run services update-traffic` deletes it too and, on the GA and beta tracks, takes no
  `--breakglass` (surface/run/services/update_traffic.py: only `AlphaAdjustTraffic` adds it,
  and the alpha track sets the launch stage ALPHA besides): `traffic_note` says so.
- A worker pool's fixed revision name (`template.revision`, Terraform's
  `google_cloud_run_v2_worker_pool`): `worker-pools update` sends the template back with it
  (command_lib/run/v2/worker_pools_operations.py `ReleaseWorkerPool`; only
  `RevisionNameChange`, from `--revision-suffix`, touches it: v2 flags_parser.py
  `_GetTemplateConfigurationChanges`), and Cloud Run refuses a new configuration under an
  existing name (409 ALREADY_EXISTS). An empty `--revision-suffix=` clears it
  (`RevisionNameChange.Adjust`: "if not self.revision_suffix: resource.template.revision =
  ''"), and Cloud Run generates the name, as `drift fix` does (`ServicePlan.renamed`). A
  service needs none: gcloud's v1 path clears the name itself (serverless_operations.py
  `_UpdateOrCreateService`: "Revision names must be unique across the namespace").
- A worker pool's breakglass under a policy the plan sets: `--binary-authorization=POLICY` is
  `BinaryAuthorizationChange(policy=…)`, whose `Adjust` sets `use_default` and leaves the
  justification alone (v2 config_changes.py), so the pool keeps its bypass, and the new
  revision is deployed under it, where `drift fix` ends it (helper-615 F3). Only
  `--clear-binary-authorization` blanks it, and it may not go with `--binary-authorization`
  (command_lib/run/flags.py: a mutually exclusive group): the script runs it first, alone — a
  pool-level change, which makes no revision (`POOL_LEVEL`) — then the update
  (`clears_pool_breakglass`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from drift.blanks import Arg, blank, plain, word
from drift.credentials import credential_pieces, holds_secret
from drift.kinds import Kind

if TYPE_CHECKING:
    from drift.fix.model import ServicePlan

JUSTIFICATION = blank("BREAKGLASS_JUSTIFICATION")
"""What a manual step leaves to fill in when the justification is not printed."""

SETS_POLICY = frozenset({"binary-authorization", "clear-binary-authorization", "breakglass"})
"""Flags after which the update's breakglass is the flags' own: no `--breakglass` added."""

POOL_LEVEL = frozenset({"scaling", *SETS_POLICY, "description", "async"})
"""A worker pool's flags that leave its template as it is (v2 config_changes.py: their
changes are `NonTemplateConfigChanger`s): an update with these alone makes no revision, so
the fixed name stays."""

CLEAR_NAME = "--revision-suffix="
CLEAR_POLICY = "--clear-binary-authorization"


def _name(arg: Arg) -> str:
    return plain(arg).split("=", 1)[0].removeprefix("--").removeprefix("no-")


def breakglass_of(source: Any, kind: Kind = Kind.SERVICE) -> str:
    """The breakglass justification of the workload read that gcloud's update clears ("" when
    none, or not read). A worker pool's does not: its update and `update-instance-split`
    insert `BinaryAuthorizationChange(breakglass_justification=None)`, whose `Adjust` sets a
    justification only when one is given (command_lib/run/v2/config_changes.py), and send the
    pool read back whole (`ReleaseWorkerPool`): nothing to give again (helper-614 M2)."""
    return "" if kind is Kind.WORKER_POOL else _justification(source)


def _justification(source: Any) -> str:
    """The breakglass justification the workload read holds ("" when none, or not read)."""
    held = getattr(source, "binary_authorization", None)
    return str(getattr(held, "breakglass_justification", "") or "")


def printable(justification: str, hidden: Collection[str] = ()) -> bool:
    """Whether the justification may be printed: an operator's free text, never a secret drift
    read, a value the workload never shows (`ServicePlan.hidden`) or a credential's shape (the
    YAML masks such a text and is not appliable: `Conversion.sweep`)."""
    return not (
        holds_secret(justification)
        or justification.strip() in hidden
        or credential_pieces(justification)
    )


def fixed_revision(kind: Kind, source: Any) -> bool:
    """Whether `worker-pools update` would send back a revision name the template fixes."""
    return kind is Kind.WORKER_POOL and bool(
        getattr(getattr(source, "template", None), "revision", "")
    )


def kept(flags: Iterable[Arg], breakglass: Arg, fixed: bool) -> list[Arg]:
    """The flags an update with `flags` adds so that it clears nothing unasked: `--breakglass`
    (`breakglass`: the justification, `JUSTIFICATION` when not printed, "" when none) unless
    the flags set the policy; `--revision-suffix=` for a pool whose template fixes its
    revision name (`fixed`) when the update makes a revision (judged from the flags)."""
    names = [_name(f) for f in flags]
    out: list[Arg] = []
    if breakglass and not SETS_POLICY & set(names):
        out.append(word("--breakglass=", breakglass))
    makes = any(n not in POOL_LEVEL for n in names)
    if fixed and makes and "revision-suffix" not in names:
        out.append(CLEAR_NAME)
    return out


def clears_pool_breakglass(kind: Kind, source: Any, flags: Iterable[Arg]) -> bool:
    """Whether a worker pool's update with `flags` sets a policy while the pool read holds a
    breakglass, which gcloud would keep: the script clears it first (module docstring)."""
    if kind is not Kind.WORKER_POOL or not _justification(source):
        return False
    return "binary-authorization" in {_name(f) for f in flags}


def kept_note(lines: Iterable[str]) -> list[str]:
    """What the script says of the flags `kept` added to its command (`lines`, one flag a
    line after the first: `gcloud.py _command`)."""
    words = [line.strip().removesuffix("\\").strip() for line in lines]
    said = []
    if any(w.lstrip("$'").startswith("--breakglass=") for w in words):
        said.append(
            "--breakglass gives the Binary Authorization breakglass the workload holds again: "
            "gcloud's update clears it first (without it, a new revision is judged by the "
            "policy); drift fix keeps it"
        )
    if CLEAR_POLICY in words and any(w.startswith("--binary-authorization=") for w in words):
        said.append(
            "--clear-binary-authorization first ends the worker pool's Binary Authorization "
            "breakglass, as drift fix does: gcloud's --binary-authorization sets the policy and "
            "keeps the breakglass, and the two flags may not go together; the first command "
            "makes no revision, and the pool has no policy until the second sets it"
        )
    if CLEAR_NAME in words:
        said.append(
            "--revision-suffix= clears the revision name the template fixes (Cloud Run refuses "
            "a new configuration under an existing name: ALREADY_EXISTS) and Cloud Run "
            "generates one, as drift fix does"
        )
    return said


def traffic_note(sp: ServicePlan, runs: bool, *, steps: bool = True) -> str:
    """What a service's by-hand `update-traffic` (its `split_change`, when its command `runs`;
    a manual step's) does to its breakglass ("" when none is given or it holds none; a
    pool's `update-instance-split` keeps it: `breakglass_of`)."""
    lines = [sp.split_change] if runs else []
    lines += [c for step in sp.manual for c in step.commands] if steps else []
    moves = any("update-traffic" in line for line in lines)
    if sp.kind is not Kind.SERVICE or not moves or not breakglass_of(sp.live):
        return ""
    return (
        "`gcloud run services update-traffic` clears the service's Binary Authorization "
        "breakglass too (it takes no --breakglass on the GA and beta tracks); no revision is "
        "judged by it, but the next deploy is: give it --breakglass again. drift fix's "
        "promotion keeps it"
    )


def script_keeps(sp: ServicePlan, words: Sequence[object]) -> list[str] | None:
    """The flags the script's command with `words` (a value read from the environment: not a
    `str`, an `--update-env-vars`) adds (`kept`); None when the justification it would give
    may not be printed (the command is then left to a manual step: `gcloud_why.WITHHELD`)."""
    justification = breakglass_of(sp.live, sp.kind)
    if justification and not printable(justification, sp.hidden):
        return None
    names = [w if isinstance(w, str) else "--update-env-vars" for w in words]
    return [plain(a) for a in kept(names, justification, fixed_revision(sp.kind, sp.live))]


def commands_keep(kind: Kind, source: Any, hidden: Collection[str]) -> dict[str, Any]:
    """What a workload's `Commands` give again in every update (`breakglass`,
    `fixed_revision`): the justification as read, or a blank when it may not be printed; and
    `hidden`, the values its commands never print."""
    justification = breakglass_of(source, kind)
    shown: Arg = justification if printable(justification, hidden) else JUSTIFICATION
    return {
        "breakglass": shown if justification else "",
        "fixed_revision": fixed_revision(kind, source),
        "hidden": frozenset(hidden),
    }
