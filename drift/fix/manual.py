"""The steps no patch can take, each with the command to adapt (values to fill in are
`<ANGLE_BRACKETS>`; every other word shell-quoted). A step never contradicts the patch it
accompanies and never recommends what would fail: it is judged against the configuration the
patch leaves, and against what Cloud Run does (LATEST is the latest *ready* revision). The
command templates: `drift.fix.commands`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from drift.blanks import Arg, blank, filled, word
from drift.diff.pinned import serving_words
from drift.diff.rollout import LATEST_READY, NOT_READY
from drift.diff.served import template_revision
from drift.fields import FIELDS, SettingValue
from drift.fields.base import UNPRINTED
from drift.findings import Finding
from drift.fix.canary_left import canary_left, running_rule
from drift.fix.commands import VALUE, VERSION, Commands, update_command
from drift.fix.formats.text import shell_line
from drift.fix.journal import Entry
from drift.fix.model import Action, EnvChange, ManualStep, SettingChange
from drift.kinds import Kind, misplaced, split_key
from drift.live.changeids import canaries
from drift.live.iam_policy import Grant
from drift.live.model import EnvVar, LiveService
from drift.live.secret_state import VersionState
from drift.live.state import LiveState
from drift.live.trap import UNKNOWN_PIN, canary_tags, own_pin, own_pin_words
from drift.profiles.model import Profile, Setting, VarRule
from drift.refs import SecretRef
from drift.secret_target import respelled, secret_target


def secret_blocker(
    state: LiveState, name: str, ref: SecretRef, account: str, cmd: Commands
) -> ManualStep | None:
    """Why a reference cannot be set (None: it can): only when the new revision will be able
    to read it."""
    info = state.versions.get(ref)
    target = secret_target(ref, state, cmd.project)  # the project the profile names
    if info is None:
        return ManualStep(
            target,
            f"{ref} could not be verified; set the reference by hand once it is",
            (cmd.repoint(name, ref, ref.version),),
        )
    if info.state is VersionState.SECRET_MISSING:
        reason = f"secret {ref.key} does not exist: create it, then run drift fix again"
        return secret_version_step(cmd, ref, state, [name], reason)
    if info.state is not VersionState.ENABLED:
        reason = f"{ref} is {info.state.value}: make it readable, then run drift fix again"
        return secret_version_step(cmd, ref, state, [name], reason)
    if state.grant(account, ref) is Grant.DENIED:
        return ManualStep(
            target,
            f"{account} cannot access {ref.key}: grant it, then run drift fix again",
            (cmd.grant(ref, account),),
        )
    return None


def same_subject(target: str, state: LiveState, own: str) -> str:
    """A step's target as it names its thing once: a secret of another project named by id
    in the profile and by number in the revision is one secret (the number's id, as the read
    learnt it: `LiveState.projects`), so its steps are one."""
    return respelled(target, state, own)


def secret_version_step(
    cmd: Commands, ref: SecretRef, state: LiveState, users: Iterable[str], reason: str
) -> ManualStep:
    """What to do about a referenced version that is not ENABLED: enable it when it can be
    enabled, add a version when the reference follows `latest`, else repoint (a pinned
    DESTROYED version never comes back)."""
    info = state.versions.get(ref)
    resolved = info.resolved if info is not None and info.resolved else ref.version
    target = secret_target(ref, state, cmd.project)
    names = sorted(users)
    if info is not None and info.state is VersionState.SECRET_MISSING:
        return ManualStep(target, reason, cmd.create_secret(ref))
    commands: list[str] = []
    if info is not None and info.state is VersionState.DISABLED:
        commands.append(cmd.enable(ref, resolved))
    if ref.version == "latest":
        commands.append(cmd.add_version(ref))
    else:
        commands += [cmd.repoint(n, ref, VERSION) for n in names]
    return ManualStep(target, reason, tuple(commands))


def constraint_step(cmd: Commands, rule: VarRule, live: EnvVar, message: str) -> ManualStep:
    """A value fails the profile's constraints. A secret-backed variable gets a new version
    of its secret (or a reference to another one): never a plain value."""
    target = f"env.{rule.name}"
    if live.ref is not None:
        return ManualStep(
            target,
            f"{message}: add a version of {live.ref.key} that satisfies the profile "
            f"(or reference another secret)",
            (cmd.add_version(live.ref), cmd.repoint(rule.name, live.ref, VERSION)),
        )
    return ManualStep(
        target, f"{message}: set a value that satisfies the profile", (cmd.set_plain(rule.name),)
    )


def missing_service_step(profile: Profile, key: str, state: LiveState) -> ManualStep:
    """`gcloud run deploy` (`run jobs deploy`, `beta run worker-pools deploy`) needs an image
    drift cannot know: a template only, and a hint when the name is close to a workload of
    the same kind that exists."""
    kind, name = split_key(key)
    other = state.other_kind(kind, name, profile.services)
    if other is not None:  # a job profiled under `services:`: nothing to deploy
        return ManualStep(
            kind.value, f"{kind.noun} {name} does not exist: " + misplaced(kind, name, other)
        )
    known = {s.name for s in state.services.values() if s.kind is kind}
    known |= state.listed_names(kind)
    close = difflib.get_close_matches(name, sorted(known - {name}), n=1, cutoff=0.75)
    reason = f"{kind.noun} {name} does not exist"
    reason += f": did you mean {close[0]}?" if close else ": deploy it first"
    deploy = {
        Kind.SERVICE: ["gcloud", "run", "deploy"],
        Kind.JOB: ["gcloud", "run", "jobs", "deploy"],
        Kind.WORKER_POOL: ["gcloud", "beta", "run", "worker-pools", "deploy"],
    }[kind]
    command = shell_line(
        [*deploy, name, word("--image=", blank("IMAGE"))]
        + [f"--project={profile.project}", f"--region={profile.region}"]
    )
    return ManualStep(kind.value, reason, (command,))


def rollout_step(
    cmd: Commands,
    live: LiveService,
    finding: Finding,
    state: LiveState,
    environment: str,
    key: str = "",
    entries: Sequence[Entry] = (),
) -> ManualStep:
    """A latest revision that is not ready cannot take traffic (LATEST is the latest *ready*
    revision, facts §1): never `--to-latest` then, only what to look at. Nor when it is a canary a
    fix left (stopped before its promotion): `--to-latest` would send all traffic to a revision
    nothing proved; `drift rollback` of its change removes it. What the canary is (held by
    `--no-promote`, left by a fix that stopped, made by a fix that may still be running) is judged
    as fix's stop judges it (`drift.fix.canary_left.canary_left`: the journal's `entries`, else the
    revision history of `key`). Nor when the pin beside drift's canary is the team's own, or not
    known to be drift's (`drift.live.trap.own_pin`): the revision it holds is held on purpose. A
    job has no revisions: its own conditions say what stops it."""
    target, message = finding.target, finding.message
    if live.kind is Kind.JOB:
        describe = shell_line(["gcloud", "run", "jobs", "describe", cmd.service, *cmd._where()])
        reason = f"{message}: fix what stops it (see its conditions), then deploy it again"
        return ManualStep(target, reason, (describe,))
    describe = cmd.describe_revision(target.removeprefix("revision."))
    if finding.actual == NOT_READY and finding.expected != LATEST_READY:  # drift.diff.health
        reason = f"{message}: see why in its conditions and logs, fix it, then deploy again"
        return ManualStep(target, reason, (describe,))
    change = canary_change(live, live.latest_created)
    running = running_rule(state, key)
    now = live.source  # changed since the change: no promotion as printed (`canary_left`)
    if change and (serves := serving_words(live, cmd.project, cmd.region)):  # routed there
        return ManualStep(target, f"{message} ({serves})", (describe,))
    if change and (
        left := canary_left(live.name, live.latest_created, change, entries, running, now)
    ):
        return ManualStep(target, f"{message} ({left}", (describe,))
    if change:
        return ManualStep(
            target,
            f"{message}: {live.latest_created} is drift's canary of change {change}, not "
            "promoted (held by `drift fix --no-promote`, or left by a fix that stopped before "
            f"its promotion): `drift rollback {change}` removes it and restores the "
            "routing where the change's journal is, `drift rollback "
            f"{change} --from-live {environment}` without it; `drift fix` there says how to "
            "promote one held by --no-promote (routing traffic to the latest revision would "
            "send it all to the canary)",
            (
                describe,
                shell_line(["drift", "rollback", change]),
                shell_line(["drift", "rollback", change, "--from-live", environment]),
            ),
        )
    if not live.latest_created_ready:
        return ManualStep(
            target,
            f"{message}: fix what stops {live.latest_created} (see its conditions), then deploy "
            "again",
            (describe,),
        )
    if live.latest_ready == live.latest_created and (held := _held(live, state)):
        return ManualStep(target, f"{message}: {held}", (describe,))
    if live.latest_ready == live.latest_created:
        # drift's canary left in the traffic (a fix killed): its tag goes too, and LATEST is
        # the revision released, newer than the canary (`drift.live.trap`)
        tags = canary_tags(live)
        remove = ["--remove-tags", ",".join(tags)] if tags else []
        commands: tuple[str, ...] = (describe, cmd.to_latest(*remove))
        own, old = live.latest_created, target.removeprefix("revision.")
        pin = f" (drift's canary {', '.join(live.canaries)} pins the traffic: the command also"
        pin = f"{pin} removes its tag; LATEST resolves to {own}, not to the canary)"
        pin = pin if live.canaries else ""
        reason = f"release the template's revision {own} if it is meant to serve, or deploy what"
        reason += " serves again"
        if rollout := template_revision(live):  # a gradual rollout: the template is released
            what = f"all {'instances' if live.kind is Kind.WORKER_POOL else 'traffic'} to"
            # a revision that runs the template serves beside its own (at 0 %: a template put
            # back as it was, `served.template_revision`, helper-811 F1): LATEST runs it too
            on = f"{own}, which {rollout} runs too," if rollout != own else own
            reason = f"a rollout to the template's revision {on} is under way: finish it "
            reason += f"({what} {own}) or undo it ({what} {old}), or deploy {old}'s configuration"
            reason, commands = f"{reason} fixed", (*commands, cmd.all_to(old))
        return ManualStep(target, f"{message}: {reason}{pin}", commands)
    return ManualStep(target, message, (describe,))


def project_numbers(refs: Iterable[SecretRef], state: LiveState) -> tuple[tuple[str, str], ...]:
    """(id, number) of each project a secret of `refs` (what the patched revision references)
    names by id, where the read learnt the number (`LiveState.projects`, number -> id, from
    the one GetProject per project `drift.live.access.name_projects` makes): gcloud's
    `--update-secrets` takes another project's secret as `projects/NUMBER/secrets/NAME` only
    (googlecloudsdk command_lib/run/secrets_mapping.py, `_REMOTE_SECRET_FLAG_VALUE`), and so
    does Knative YAML's `run.googleapis.com/secrets` annotation (the YAML reference:
    `projects/PROJECT_NUMBER/secrets/SECRET_NAME`)."""
    named = {ref.project for ref in refs if ref.project}
    return tuple(
        (token, number)
        for token in sorted(t for t in named if not t.isdigit())
        if (number := state.number_of(token))
    )


def rollout_repaired(
    finding: Finding,
    live: LiveService,
    patch: tuple[Sequence[EnvChange], Sequence[SettingChange]],
    stated: Mapping[str, Setting],
    where: tuple[str, str],
) -> bool:
    """Whether a revision serving traffic beside the template's own differs from the template
    only where the patch writes it back to what that revision runs: a hand change made during
    a canary rollout (LATEST at part of the traffic, an older revision pinned) makes the pinned
    one "differ" from the drifted template. The patch repairs that (the re-check is clean):
    no step, and never `--to-latest`, which before the fix would send all traffic onto the
    drift. Every change of the patch must leave the template as that revision runs, and every
    difference (`Finding.failed`: `env.NAME`, `env.SIDECAR:NAME`, `settings.NAME`) be one."""
    revision = next((r for r in live.serving if finding.target == f"revision.{r.name}"), None)
    if revision is None or not finding.failed or finding.actual == NOT_READY:
        return False
    env, settings = patch
    config, primary = revision.config, live.template.primary
    runs = {(c.container or primary, c.name): c for c in env}
    for c in env:
        var = config.named(c.container or primary).env.get(c.name)
        after = None if c.action is Action.REMOVE else (c.value, c.ref)
        if (None if var is None else (var.value, var.ref)) != after:
            return False
    if any(
        c.name not in stated or not stated[c.name].satisfied_by(config.settings.get(c.name), where)
        for c in settings
    ):
        return False
    for path in finding.failed:
        kind, _, key = path.partition(".")
        container, _, name = key.rpartition(":")
        if kind == "env" and (container or config.primary, name) in runs:
            continue
        if kind != "settings" or key not in {c.name for c in settings}:
            return False
    return True


def _held(live: LiveService, state: LiveState) -> str:
    """Why the latest revision, ready and serving nothing, is left where it is while drift's
    canary pins the traffic: the pin is the team's own, or not known to be drift's ("" when
    there is no such pin, or it is drift's canary write's)."""
    if not live.canaries or live.routes_latest:
        return ""
    serving = [s.name for s in live.serving]
    proof = own_pin(serving, live.canaries, state.history.get(live.key))
    if proof is None:
        return UNKNOWN_PIN
    if not proof:
        return ""
    return (
        f"{own_pin_words(serving, proof)}; {live.latest_created} is held at 0 % by it, as the "
        "team's hold keeps every deploy: drift names no command that sends it traffic"
    )


def canary_change(live: LiveService, revision: str) -> str:
    """The change whose canary `revision` is ("" when it is none: `canaries`)."""
    statuses = getattr(live.source, "traffic_statuses", ())
    return canaries(live.name, statuses, live.latest_created, live.latest_ready).get(revision, "")


def blocked_step(cmd: Commands, name: str, value: SettingValue, reason: str) -> ManualStep:
    """A setting no patch sets as the workload runs now (`Field.blocked` says why), with the
    gcloud commands that would: the row's own (`Field.blocked_commands`), each an update of
    the workload itself (no `--container`)."""
    service = replace(cmd, container="")  # its breakglass and fixed name kept (gcloud_keep)
    commands = FIELDS[name].unblocking(service.update, cmd.kind, value, reason)
    return ManualStep(f"setting.{name}", f"{name}: {reason}", commands)


def unread_steps(
    cmd: Commands, settings: Mapping[str, Setting], unreadable: Mapping[str, str]
) -> list[ManualStep]:
    """Each setting the profile states that drift cannot read as the workload runs now
    (`RevisionConfig.unreadable`, with why): `check` leaves it unverified, and no patch writes
    it over what drift cannot see (a worker pool that may scale automatically given a fixed
    count). A value holding one of the workload's never shown (`Commands.hidden`) gets no
    command."""
    steps = []
    for name in (n for n in settings if n in unreadable):
        value = settings[name].value
        # no command gcloud refuses (revown49 F2): the script's rule (`Field.lacks_flag`)
        lacking = FIELDS[name].lacks_flag(cmd.kind, _or_fill(value), cmd.hidden)
        commands = () if lacking else (cmd.update(_flag(name, value)),)
        said = f"; {shell_line(update_command(cmd.kind))} {lacking}" if lacking else ""
        if lacking == UNPRINTED:  # the value's, not gcloud's: a password moved there, say
            said = "; the profile's value holds what drift does not print: no command is given"
        steps.append(
            ManualStep(
                f"setting.{name}",
                f"{name} is not planned: drift cannot read it ({unreadable[name]}); if it "
                "should be as the profile says, set it yourself" + said,
                commands,
            )
        )
    return steps


def _or_fill(value: SettingValue | None) -> SettingValue:
    return str(VALUE) if value is None else value


def _flag(name: str, value: SettingValue | None) -> Arg:
    """The catalogue's flag for `value`, or (None) for a value to fill in."""
    flag = FIELDS[name].gcloud(_or_fill(value))
    return flag if value is not None else filled(flag, VALUE)


def pattern_step(cmd: Commands, setting: Setting, actual: SettingValue | None) -> ManualStep:
    """A setting the profile states as a pattern has no one value a patch could set."""
    shown = "unset" if actual is None else FIELDS[setting.name].show(actual)
    flag = word(f"--{setting.name.replace('_', '-')}=", blank(setting.name.upper()))
    return ManualStep(
        f"setting.{setting.name}",
        f"{setting.name} is {shown}; the profile says it matches {setting.pattern}: "
        "deploy a value that does",
        (cmd.update(flag),),
    )
