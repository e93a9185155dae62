"""Whether `since` can judge a finding's drift on an older revision, and why not, in words:
what the finding judges is not known there. Such a revision is neither where the drift went on
nor a good one: the run `since` walks back stops before it, and `since` names the earliest
revision the drift is known to hold on, "or earlier" (`Since.earlier`, `Since.unjudged`),
never one older than what was judged, never none at all (an operator reading no `since` reads
a drift as new).

What cannot be known on an older revision:
- a `setting.value` finding's setting that could not be read there (`RevisionConfig.unreadable`:
  a container's own limit where its containers cannot be told apart, a project's number no
  GetProject matched), or one naming a project by number where the profile names it by id (or
  the other way round) that no GetProject matched (`respelt`: a history read after the read
  named its values one way);
- the variable an `env.inconsistent` or `env.constraint` finding judges by value, taken there
  from a secret version this check did not read (a version only an older revision names);
- a finding of the main rules (`env`, its mounts: no sidecar's) where the revision ran several
  containers, none with a port, and none can be told the one the profile's `env` describes
  (`RevisionConfig.undescribed`: a worker pool's; a service's containers have exactly one with
  a port, https://cloud.google.com/run/docs/deploying#sidecars, and a job has no revisions),
  unless the revision read as if each container (but the sidecars `containers:` names) were
  that one agrees: the same drift in every reading, or nothing wrong on its target in any
  (`drift.diff.judged.Judged.readings`, said by `either`).

A plain value is read whether or not it is shown masked: the comparison is on the data, and no
value is ever put in the words (secrets and versions by name only)."""

from __future__ import annotations

from collections.abc import Sequence

from drift.diff.context import Context
from drift.fields import FIELDS
from drift.findings import Finding
from drift.live.model import EnvVar, RevisionConfig

VALUE_RULES = ("env.inconsistent", "env.constraint")
"""The rules judged on a variable's value (a secret's, where it names one): `since` judges an
older revision by the value it would hold today."""
MAIN = ("env.", "mount.")
"""The families of rules a container's rule set judges (`drift.diff.context.judged`)."""


def unjudged(ctx: Context, config: RevisionConfig, finding: Finding) -> str:
    """Why the drift of `finding` cannot be judged on a revision of `config`, in words ("" where
    it can: then the revision has it or does not)."""
    if config.undescribed and finding.scope is None and finding.rule.startswith(MAIN):
        return (
            f"it ran containers {' and '.join(config.undescribed)}, none with a port: which one "
            "the profile's `env` describes cannot be told"
        )
    if finding.rule == "setting.value":
        name = finding.target.removeprefix("setting.")
        if name in config.unreadable:
            return f"its {name} could not be read: {config.unreadable[name]}"
        if respelt(ctx, config, name) is None:
            return (
                f"whether its {name} is the profile's is not known: one names the project by "
                "number, the other by id, and no GetProject matched them"
            )
        return ""
    for var in judged(ctx, finding, config):
        if var is not None and ctx.value(var) is None:
            source = f"takes {var.ref}, which this check did not read" if var.ref else "is unread"
            return f"{var.name} there {source}"
    return ""


def either(name: str, config: RevisionConfig, read: Sequence[str], *, had: bool) -> str:
    """Said of a revision `since` begins on or names last good where it ran containers none of
    which can be told the one the profile's `env` describes (`RevisionConfig.undescribed`),
    judged as if each of `read` were that one (those `containers:` names no sidecar)."""
    what = "had the drift" if had else "had nothing wrong there"
    ran = f"{name} ran containers {' and '.join(config.undescribed)}, none with a port"
    if len(read) == len(config.undescribed):
        return f"{ran}: it {what} whichever of them the profile's `env` describes"
    if len(read) == 1:
        return f"{ran}: it {what} in {read[0]}, the only one not a sidecar under `containers:`"
    mains = " and ".join(read)
    return (
        f"{ran}: it {what} whichever of {mains} (not sidecars under `containers:`) the "
        "profile's `env` describes"
    )


def judged(ctx: Context, finding: Finding, config: RevisionConfig) -> list[EnvVar | None]:
    """The variables of `config` whose values an `env.inconsistent` or `env.constraint`
    finding judges (None: one it lacks); none for any other rule."""
    if finding.rule not in VALUE_RULES:
        return []
    # the container whose rules found it (a sidecar's, even where `container` names none)
    container = finding.of_container or config.primary
    names = [finding.target.removeprefix("env.")]
    # an env.constraint is judged by its own value alone (plain or the secret's)
    other = same_as(ctx, finding) if finding.rule == "env.inconsistent" else None
    if other is not None and other[0] == ctx.service.key:
        names.append(other[1])  # judged by its own other variable: that one's value too
    return [config.named(container).env.get(name) for name in names]


def same_as(ctx: Context, finding: Finding) -> tuple[str, str] | None:
    """The workload and variable an `env.inconsistent` finding's variable is compared with."""
    name = finding.target.removeprefix("env.")
    rules = [c.env.get(name) for c in ctx.service.containers]
    return next((r.same_as for r in rules if r is not None and r.same_as), None)


def respelt(ctx: Context, config: RevisionConfig, name: str) -> bool | None:
    """Whether a value of a row naming a project (`Field.names_project`) is the profile's,
    its project named by number on one side and by id on the other; None when no
    GetProject matched them (a history read after the read named its values one way:
    `check`'s late histories), False when it is not the profile's or needs no project."""
    field, stated = FIELDS[name], ctx.service.settings.get(name)
    value = config.settings.get(name)
    if not field.names_project or stated is None or stated.pattern is not None:
        return False
    if value is None:
        return False
    where = (ctx.profile.project, ctx.profile.region)
    return ctx.state.same_setting(field, value, field.normalise(stated.value), *where)
