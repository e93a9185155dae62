"""The changes of what each sidecar holds for itself (`containers: {NAME: {settings: …}}`:
image, cpu, memory — gcloud's `--container NAME` group), written to that container alone; a
pattern, or a value drift cannot read there, is a manual step for that container."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from drift.fix.commands import Commands
from drift.fix.manual import pattern_step, unread_steps
from drift.fix.model import ManualStep, SettingChange
from drift.live.model import RevisionConfig
from drift.profiles.model import ServiceProfile


def sidecar_changes(
    service: ServiceProfile,
    template: RevisionConfig,
    within: Callable[[str], Commands],
    planned: set[str],
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The changes and manual steps for the sidecars' settings of `service` on `template` (what
    the patch builds on); `within`: the commands in a container; `planned`: the workload's own
    setting changes (a `containers:` entry naming the container `env` describes changes
    nothing they change). A sidecar the template lacks is `_env_changes`' step."""
    changes: list[SettingChange] = []
    steps: list[ManualStep] = []
    for rules in service.sidecars.values():
        name = rules.name or ""
        if not rules.settings or not template.has(name):
            continue
        held, cmd = template.named(name), within(name)
        sidecar = name if name != template.primary else None
        stated = {k: s for k, s in rules.settings.items() if sidecar or k not in planned}
        said = unread_steps(cmd, stated, held.unreadable)
        for key, setting in stated.items():
            read = held.settings.get(key)
            if key in held.unreadable or setting.satisfied_by(read):
                continue
            if setting.pattern is not None:
                said.append(pattern_step(cmd, setting, read))
            else:
                changes.append(SettingChange(key, read, setting.value, sidecar))
        steps += [replace(step, reason=f"container {name}: {step.reason}") for step in said]
    return changes, steps
