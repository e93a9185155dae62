"""The changes of what each sidecar holds for itself (`containers: {NAME: {settings: …}}`:
image, cpu, memory — gcloud's `--container NAME` group), written to that container alone; a
pattern, or a value drift cannot read there, is a manual step for that container."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from drift.fields import FIELDS
from drift.fields.cpu_floor import CPU_PAGE, required, template_values
from drift.fields.gpu_floor import gpu_needs
from drift.fix.commands import Commands
from drift.fix.gpu_floor import gpu_page
from drift.fix.manual import pattern_step, unread_steps
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.kinds import Kind
from drift.live.model import RevisionConfig
from drift.profiles.model import ServiceProfile, Setting

LIMITS = ("cpu", "memory")
"""What a sidecar's change adds to the instance's CPU and memory in all."""


def sidecar_changes(
    service: ServiceProfile,
    template: RevisionConfig,
    within: Callable[[str], Commands],
    kept: Callable[[tuple[str | None, str]], bool],
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The changes and manual steps for the sidecars' settings of `service` on `template` (what
    the patch builds on); `within`: the commands in a container; `kept`: whether the
    profile's ignore leaves a (container, setting) in the plan
    (`drift.fix.ignored.Silenced.kept`). A `containers:` entry naming the container `env`
    describes changes nothing the workload's own settings state. A sidecar the template
    lacks is `_env_changes`' step."""
    changes: list[SettingChange] = []
    steps: list[ManualStep] = []
    for rules in service.sidecars.values():
        name = rules.name or ""
        if not rules.settings or not template.has(name):
            continue
        held, cmd = template.named(name), within(name)
        sidecar = name if name != template.primary else None
        stated, said = dict(rules.settings), []
        if not sidecar:  # the one the workload's settings describe: stated there (helper-551 F3)
            said = twice(service, rules.settings)
            stated = {k: s for k, s in stated.items() if k not in service.settings}
        said += unread_steps(cmd, stated, held.unreadable)
        for key, setting in stated.items():
            read = held.settings.get(key)
            if key in held.unreadable or setting.satisfied_by(read):
                continue
            if not kept((sidecar, f"setting.{key}")):
                continue
            if setting.pattern is not None:
                said.append(pattern_step(cmd, setting, read))
            else:
                changes.append(SettingChange(key, read, setting.value, sidecar))
        steps += [replace(step, reason=f"container {name}: {step.reason}") for step in said]
    return changes, steps


def refused_limits(
    proposed: Proposed, side: list[SettingChange], within: Callable[[str], Commands]
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The sidecars' changes without the cpu or memory ones that would leave the instance (its
    CPU and memory in all, every container's) with what Cloud Run refuses — below one CPU
    (`cpu_floor.required`, a service's) or under a GPU (`gpu_floor.gpu_needs`) — when the
    workload's own changes (`proposed`) alone leave nothing refused: each a manual step saying
    what Cloud Run requires (helper-548 F1). Never a patch the server refuses."""
    limits = [c for c in side if c.name in LIMITS]
    if not limits:
        return side, []
    before = _refusals(proposed, [])  # the workload's own changes alone
    new = [n for n in _refusals(proposed, limits) if n not in before]
    if not new:
        return side, []
    page = gpu_page(proposed.live.kind) if any("GPU" in n for n in new) else CPU_PAGE
    steps = [
        ManualStep(
            f"setting.{c.name}",
            f"container {c.container}: {c.name} {FIELDS[c.name].show(c.after)} would leave the "
            f"instance without what Cloud Run requires ({'; '.join(new)}: {page}), so a patch "
            "would be refused; state the other containers' limits and the settings it needs "
            "in the profile beside it, then run drift fix again",
            (within(c.container or "").update(FIELDS[c.name].gcloud(c.after)),),
        )
        for c in limits
    ]
    return [c for c in side if c.name not in LIMITS], steps


def _refusals(proposed: Proposed, side: list[SettingChange]) -> list[str]:
    """What Cloud Run would refuse of the template the proposal makes with `side` too."""
    template = proposed.template([*proposed.settings, *side])
    serves = proposed.live.kind is Kind.SERVICE
    out = [f"with a GPU, {need}" for need in gpu_needs(template, serves=serves)]
    if serves:
        try:
            cpu, values = template_values(template)
        except ValueError:  # a quantity drift cannot read: the server judges it
            return out
        out += [f"below one CPU in all, {n.need} (it is {n.now})" for n in required(cpu, values)]
    return out


def twice(service: ServiceProfile, stated: Mapping[str, Setting]) -> list[ManualStep]:
    """A step for each setting of the container the workload's `settings` describe that its
    `containers:` entry states otherwise: no patch meets both (the patch follows the
    workload's), and each fix would leave the other a drift; the profile must say it once."""
    return [
        ManualStep(
            f"setting.{k}",
            f"{k} is stated twice for one container, {_said(s)} at {_at(s)} and {_said(own)} "
            f"at {_at(own)} (the workload's settings, which the patch follows): no patch meets "
            "both, so check reports one of them after every fix; state it once",
        )
        for k, s in stated.items()
        if (own := service.settings.get(k)) is not None and _said(own) != _said(s)
    ]


def _said(setting: Setting) -> str:
    if setting.pattern is not None:
        return f"{{pattern: {setting.pattern}}}"
    return FIELDS[setting.name].show(FIELDS[setting.name].normalise(setting.value))


def _at(setting: Setting) -> str:
    return f"{setting.location.file}:{setting.location.line}"
