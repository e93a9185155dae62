"""`drift plan --format gcloud`: a bash script that is safe to run as is. It holds only the
changes drift can make exactly (`gcloud run services update`, `gcloud run jobs update`,
`gcloud beta run worker-pools update`, with `--update-*`/`--remove-*`,
never `--set-*`, which replaces whole lists); every manual step is a comment with the command
to adapt; no credential is printed (a plain value that looks like one is read from the
environment, checked before anything runs); every value is quoted so nothing in it is
interpreted by the shell."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from drift.fields import FIELDS
from drift.fields.base import GcloudArg
from drift.fields.gpu_floor import WATCHED
from drift.fields.hardware import TOP_LEVEL_ONLY
from drift.fields.health import script_drops
from drift.fields.ports import ingress_name
from drift.fix.commands import update_command
from drift.fix.formats import gcloud_keep as keep
from drift.fix.formats.gcloud_why import (
    DIGEST,
    MOUNT_PATH,
    NO_DELIMITER,
    SECRET_TO_PLAIN,
    WITHHELD,
    made_summary,
    not_run,
)
from drift.fix.formats.text import GcloudItems, comment, gcloud_list, shell_line
from drift.fix.model import Action, EnvChange, Plan, ServicePlan
from drift.kinds import Kind
from drift.textsafe import shell_quote, visible

RUNTIME_DELIMITER = "|"
"""gcloud's list delimiter for a value only known when the script runs; the script refuses
to run if the value contains it."""


@dataclass(frozen=True)
class FromEnv:
    """An argv word with a value the script reads from the environment: `"PREFIX${VAR}"`."""

    prefix: str
    var: str

    def quoted(self) -> str:
        escaped = "".join("\\" + c if c in '\\"$`' else c for c in self.prefix)
        return f'"{escaped}${{{self.var}}}"'


Word = str | FromEnv


@dataclass
class _Flags:
    """The flags of one container (or of the only one)."""

    remove_env: GcloudItems = field(default_factory=GcloudItems)
    remove_secrets: GcloudItems = field(default_factory=GcloudItems)
    update_env: GcloudItems = field(default_factory=GcloudItems)
    update_secrets: GcloudItems = field(default_factory=GcloudItems)
    from_env: list[FromEnv] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)

    def words(self) -> list[Word]:
        out: list[Word] = []
        for flag, items in (
            ("--remove-env-vars", self.remove_env),
            ("--remove-secrets", self.remove_secrets),
            ("--update-env-vars", self.update_env),
            ("--update-secrets", self.update_secrets),
        ):
            if items:
                out.append(gcloud_list(flag, items))
        return [*out, *self.from_env, *self.settings]


@dataclass
class ServiceScript:
    """The runnable lines for one service, and what had to stay a comment."""

    lines: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Changes the script cannot make exactly, in words (shown as comments)."""
    variables: list[tuple[str, str]] = field(default_factory=list)
    """(shell variable, Cloud Run variable) the script reads from the environment."""
    left: list[object] = field(default_factory=list)
    """The changes (EnvChange, SettingChange) `skipped` speaks of: not in the command."""

    def made(self, change: object) -> bool:
        return all(change is not left for left in self.left)


def shell_var(name: str) -> str:
    """The shell variable the script reads a value it does not print from: `DRIFT_VALUE_`
    and the name, never the name alone — an operator's shell or a CI runner may hold a
    variable of the service's name for something else (`DATABASE_URL` of a local database,
    `AWS_SECRET_ACCESS_KEY` of their own account), which the script would write to the
    service unasked."""
    return "DRIFT_VALUE_" + "".join(c if c.isalnum() or c == "_" else "_" for c in name)


def _secret_word(change: EnvChange, numbers: Mapping[str, str]) -> str | None:
    """`NAME=SECRET:VERSION`; a secret of another project by number only (gcloud's
    `secrets_mapping.ReachableSecret` takes `projects/[0-9]{1,19}/secrets/…`): one named by
    id by the number the read learnt (`ServicePlan.numbers`), else None."""
    assert change.ref is not None
    ref = change.ref
    project = ref.project if ref.project.isdigit() else numbers.get(ref.project, "")
    if ref.project and not project:
        return None
    secret = f"projects/{project}/secrets/{ref.secret}" if project else ref.secret
    return f"{change.name}={secret}:{ref.version}"


def unshared(plan: Plan) -> frozenset[str]:
    """The shell variables that would have to hold two different values: two masked changes
    (other services, other containers) set variables of one name to values drift does not
    print, and one exported variable cannot be both. Such changes stay manual steps."""
    values: dict[str, set[str | None]] = {}
    for sp in plan.services:
        for c in sp.env:
            if c.masked and c.action is not Action.REMOVE and c.action is not Action.SET_SECRET:
                values.setdefault(shell_var(c.name), set()).add(c.value)
    return frozenset(var for var, held in values.items() if len(held) > 1)


def service_script(sp: ServicePlan, clashing: frozenset[str] = frozenset()) -> ServiceScript:
    """The service's command; a masked value whose shell variable is in `clashing`
    (`unshared`) is left to a manual step."""
    out = ServiceScript()
    if not sp.has_patch:
        return out
    per_container: dict[str, _Flags] = {}
    for change in sp.env:
        container = sp.container_of(change)
        flags = per_container.setdefault(container, _Flags())
        problem = _add(flags, change, out, clashing, dict(sp.numbers))
        if problem:
            out.skipped.append(f"{change.name}: {problem}")
            out.left.append(change)
    service_flags: list[str] = []
    several = len(sp.containers) > 1
    gpu_left = several and any(  # the GPU stays: what only fits without it waits too
        s.name == "gpu_type"
        and any(f in TOP_LEVEL_ONLY for f, _ in FIELDS[s.name].flags(s.after, s.before))
        for s in sp.settings
    )
    for s in sp.settings:
        if gpu_left and s.name in WATCHED and s.name != "gpu_type":
            out.skipped.append(
                f"setting {s.name}: Cloud Run refuses it while the GPU is attached (its "
                "removal is left to drift fix); drift fix makes it"
            )
            out.left.append(s)
            continue
        why = FIELDS[s.name].lacks_flag(sp.kind, s.after, sp.hidden)  # the manual steps' too
        why = why or script_drops(s.name, sp.live, s.container or sp.primary, s.after)
        if why:
            out.skipped.append(
                f"setting {s.name}: {shell_line(update_command(sp.kind))} {why}; drift fix makes it"
            )
            out.left.append(s)
            continue
        field = FIELDS[s.name]
        on_service = field.service_gcloud if s.name in sp.at_once else None
        # where each flag goes is the row's (Field.per_container, Field.gcloud_args)
        args: tuple[GcloudArg, ...] = (
            ((on_service(s.after), "revision"),) if on_service else field.flags(s.after, s.before)
        )
        alone = [TOP_LEVEL_ONLY[f] for f, _ in args if f in TOP_LEVEL_ONLY] if several else []
        if alone:  # never a summary saying it is made when gcloud would not make it
            out.skipped.append(f"setting {s.name}: {alone[0]}; drift fix makes it")
            out.left.append(s)
            continue
        for flag, at in args:
            if at == "revision":
                service_flags.append(flag)
                continue
            # a sidecar's own setting: its container; a port's rows: the one with the port
            own = ((at == "ingress" and ingress_name(sp.live)) or s.container or sp.primary,)
            for container in sp.containers if at == "every" and sp.containers else own:
                per_container.setdefault(container, _Flags()).settings.append(flag)
        if on_service is not None and s.name in sp.both_levels:
            service_flags.append(field.gcloud(s.after))  # the revision's level as well
    flags_words: list[Word] = list(service_flags)
    for container, flags in per_container.items():
        container_words = flags.words()
        if not container_words:
            continue
        if several and not container:
            out.skipped.append("a container without a name cannot be named with --container")
            continue
        flags_words += (["--container", container] if several else []) + container_words
    if flags_words:  # and what gcloud would clear unasked, given again (`gcloud_keep`)
        keeps = keep.script_keeps(sp, flags_words)
        if keeps is None:
            out.skipped.append(WITHHELD)
            out.left += [*sp.env, *sp.settings]
            return out
        flags_words[:0] = keeps
        where = [f"--project={sp.project}", f"--region={sp.region}"]
        # a value from the environment names no flag
        # gcloud's own hold, a revision's flag: before any --container (the synopsis of
        # cloud.google.com/sdk/gcloud/reference/beta/run/worker-pools/update: [--no-promote])
        if sp.held_back:
            flags_words.insert(0, "--no-promote")
        named = [w for w in flags_words if isinstance(w, str)]
        head = [*update_command(sp.kind, *named), sp.service]
        out.lines = _command([*head, *where, *flags_words], len(head))
        if keep.clears_pool_breakglass(sp.kind, sp.live, named):
            first = [*update_command(sp.kind), sp.service]  # alone: it makes no revision
            out.lines[:0] = _command([*first, *where, keep.CLEAR_POLICY], len(first))
    return out


def _add(
    flags: _Flags,
    c: EnvChange,
    out: ServiceScript,
    clashing: frozenset[str],
    numbers: Mapping[str, str],
) -> str:
    """Add one change's flags; the reason it cannot be made exactly, or ""."""
    was_secret = c.before is not None and c.before.ref is not None
    was_plain = c.before is not None and c.before.ref is None
    if c.name.startswith("/") and (c.action is not Action.REMOVE or was_secret):
        return MOUNT_PATH
    if c.action is Action.REMOVE:
        return _append(flags.remove_secrets if was_secret else flags.remove_env, c.name)
    if c.action is Action.SET_SECRET:
        word = _secret_word(c, numbers)
        if word is None:
            ref = c.ref
            assert ref is not None
            return (
                "gcloud names a secret of another project by project number only, and the "
                f"number of {ref.project} could not be read (GetProject): set it with "
                f"--update-secrets={c.name}=projects/<NUMBER>/secrets/{ref.secret}:{ref.version}"
            )
        if not flags.update_secrets.fits(word):
            return NO_DELIMITER
        if was_plain and not flags.remove_env.fits(c.name):  # both flags or neither
            return NO_DELIMITER
        if was_plain:
            flags.remove_env.add(c.name)
        return _append(flags.update_secrets, word)
    var = shell_var(c.name)
    if c.masked and var in clashing:  # before any flag: nothing half-done
        return (
            f"the plan sets {c.name} to different values elsewhere, which drift does not "
            f"print: one exported {var} cannot hold them all"
        )
    if was_secret:
        return SECRET_TO_PLAIN
    if c.masked:
        out.variables.append((var, c.name))
        flags.from_env.append(FromEnv(f"--update-env-vars=^{RUNTIME_DELIMITER}^{c.name}=", var))
        return ""
    return _append(flags.update_env, f"{c.name}={c.value or ''}")


def _append(items: GcloudItems, item: str) -> str:
    """`item` added to one of gcloud's lists, or why it cannot be."""
    return "" if items.add(item) else NO_DELIMITER


def _command(words: list[Word], head: int) -> list[str]:
    """One word per line after `gcloud run services update NAME` (the first `head` words;
    `--container NAME` kept together), continued with backslashes."""
    quoted = [w.quoted() if isinstance(w, FromEnv) else shell_quote(w) for w in words]
    lines, rest = [" ".join(quoted[:head])], quoted[head:]
    while rest:
        take = 2 if rest[0] == "--container" else 1
        lines.append("  " + " ".join(rest[:take]))
        rest = rest[take:]
    return [line + " \\" for line in lines[:-1]] + lines[-1:]


def _guards(variables: list[tuple[str, str]]) -> list[str]:
    """Stop before any command when a value the script reads is not there, or holds the
    list delimiter (gcloud would split it)."""
    out = []
    for var, name in dict.fromkeys(variables):  # once each, however many changes read it
        what = var if var == name else f"{var} (the value of {name})"
        message = f"export {what} first: drift does not print credentials"
        quoted = "".join("\\" + c if c in '\\"$`}' else c for c in message)
        out.append(f': "${{{var}:?{quoted}}}"')
        refuse = f"{var} contains {RUNTIME_DELIMITER}, the list delimiter here: set {name} by hand"
        out.append(
            f'case "${{{var}}}" in *{shell_quote(RUNTIME_DELIMITER)}*) '
            f"echo {shell_quote(refuse)} >&2; exit 1 ;; esac"
        )
    return out


def plan_script(plan: Plan) -> str:
    """The whole script (what `--format gcloud` prints and the step summary shows; no blank
    line, so each line is a non-empty entry of the report's `fix_commands`)."""
    return "\n".join(script_lines(plan)) + "\n"


def script_lines(plan: Plan) -> list[str]:
    header = [
        "#!/usr/bin/env bash",
        *comment(
            f"drift plan {plan.environment} ({plan.where}): the changes drift "
            "can make exactly. Review, then run it."
        ),
        "# Manual steps are comments: adapt each command (fill in <...>) and run it yourself.",
        "set -euo pipefail",
    ]
    clashing = unshared(plan)
    scripts = {sp.key: service_script(sp, clashing) for sp in plan.services}
    runnable = [sp.key for sp in plan.services if scripts[sp.key].lines and not sp.stops_gcloud]
    guards = _guards([v for name in runnable for v in scripts[name].variables])
    if any(sp.kind is Kind.SERVICE and sp.key in runnable for sp in plan.services):
        header[-1:-1] = comment(DIGEST)  # before `set -euo pipefail`
    body: list[str] = []
    for sp in plan.services:
        body += _service_block(sp, scripts[sp.key])
    if plan.unverified:
        body += comment(plan.incomplete())
    if not body:
        body = ["# nothing to change"]
    return [*header, *guards, *body]


def _service_block(sp: ServicePlan, script: ServiceScript) -> list[str]:
    if not (sp.has_patch or sp.manual or sp.unread):
        return []
    out = comment(f"--- {sp.label}" + (f" (serving {sp.revision})" if sp.revision else ""))
    out += comment(sp.incomplete()) if sp.unread else []  # the plan's `incomplete`: at the end
    if script.lines and sp.unreleased and not sp.from_template:
        out += comment(not_run(sp, shell_line(update_command(sp.kind))))
        out += [f"#   {visible(line)}" for line in script.lines]
    elif script.lines and (sp.doomed_stop or sp.releases_unasked):  # drift fix stops too
        out += comment(f"not run: {sp.blocked}. The command:")
        out += [f"#   {visible(line)}" for line in script.lines]
    elif script.lines and sp.resent:  # gcloud writes back the job's execution token
        out += comment(sp.resent) + [f"#   {visible(line)}" for line in script.lines]
    elif script.lines:
        out += comment(visible(made_summary(sp, script.made)))  # one line: a name's `\n` escaped
        if sp.from_template and sp.template_differences and sp.changes_template:  # asked
            rolled = "; ".join(sp.template_differences)
            out += comment(f"built on the template (--from-template); these roll out: {rolled}")
        out += script.lines
    if script.lines:  # what the changes do beyond themselves, as every format says it
        notes = [*sp.notes, *keep.kept_note(script.lines)]
        out += [line for n in notes for line in comment(f"note: {n}")]
    if sp.tags and sp.has_patch:  # what `drift fix` does, which the command above does not
        out += comment(f"drift fix (a canary, then its promotion): {sp.tags}")
    if script.lines and sp.held_back:  # `drift plan --no-promote` (`plan_hold.held_plan`)
        out += comment(
            f"drift fix {sp.held_back}. The command above holds its new revision the same way "
            "(--no-promote, gcloud 528: LATEST's instances pinned to the revision bound to it), "
            "under a generated name: finish with that name in place of drift's"
        )
    if script.lines and sp.instances and sp.has_patch:
        # `worker-pools update` leaves the split as it is (gcloud 528 config_changes.py:
        # only NoPromoteChange and InstanceSplitChange touch it): the pinned instances stay
        out += comment(
            f"instance split: {sp.instances}. The command above leaves the split as it is, so "
            "those instances keep the unpatched configuration"
            + (
                ": after it, move them as drift fix does (fill in the revision it created: "
                "latestCreatedRevision of `gcloud beta run worker-pools describe`):"
                if sp.split_change
                else "."
            )
        )
        if sp.split_change:
            out += [f"#   {visible(sp.split_change)}"]
    if script.lines and sp.split_change and sp.kind is Kind.SERVICE:
        # `services update` leaves every target naming a revision as it is (`traffic_change`)
        out += comment(
            f"traffic: {sp.revision} is pinned by name (a new revision gets only what goes to "
            "LATEST), so the revision the command above creates gets no traffic from it until "
            "it is moved. drift fix moves it (its canary's promotion); by hand, after the "
            "command (fill in the revision it created: status.latestCreatedRevisionName of "
            "`gcloud run services describe`):"
        )
        out += [f"#   {visible(sp.split_change)}"]
    if sp.renamed:  # what `drift fix` does with the template's revision name
        out += comment(f"drift fix: {sp.renamed}")
    for skipped in script.skipped:  # no command at all: nothing "above"
        where = "the command above" if script.lines else "a command"
        out += comment(visible(f"not in {where}: {skipped}"))  # a name's `\n` escaped
    for step in sp.manual:
        # one line: a live name's line break in its reason shown escaped (helper-591 F2)
        out += comment(visible(f"manual ({sp.label} {step.target}): {step.reason}"))
        out += [f"#   {visible(c)}" for c in step.commands]
    if cleared := keep.traffic_note(sp, bool(script.lines)):
        out += comment(f"note: {cleared}")
    return out
