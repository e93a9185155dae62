"""The changes of what each sidecar holds for itself (`containers: {NAME: {settings: …}}`:
image, cpu, memory — gcloud's `--container NAME` group), written to that container alone; a
pattern, or a value drift cannot read there, is a manual step for that container."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from drift.fields import FIELDS
from drift.fields.cpu_floor import CPU_PAGE, required, template_values
from drift.fields.gpu_floor import gpu_needs
from drift.fix.below_one import floor_steps
from drift.fix.commands import Commands
from drift.fix.cpu_memory import floor_refusals, pair_refusals
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
            said = twice(service, rules.settings, cmd.hidden)
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


def limit_steps(
    cmd: Commands,
    proposed: Proposed,
    side: list[SettingChange],
    within: Callable[[str], Commands],
) -> tuple[list[SettingChange], list[SettingChange], list[ManualStep], list[ManualStep]]:
    """The workload's own changes (`proposed`) without what Cloud Run would refuse below one
    CPU or for the memory a CPU takes (`below_one.floor_steps`), and the sidecars' (`side`)
    without the limits that would leave the instance refused (`refused_limits`): the two kept
    and the manual steps of each. They are written in one update: a change of the workload's
    refused beside the sidecars as they run but taken beside the limits the same plan gives
    them (a cpu below one beside a sidecar raised to 1 CPU; limits each refused beside the
    other's as they run, whose sums together are taken) is planned with them, judged beside
    every limit the profile asks of the sidecars, when every one of those is planned too
    (helper-657 LOW-3, helper-669 F8); else each is judged as before."""
    settings, floor = floor_steps(cmd, proposed)
    kept, held = refused_limits(replace(proposed, settings=settings), side, within)
    # every limit the profile asks of the sidecars, those held beside the workload's kept
    # changes too: each alone may be refused where both together are taken (helper-669 F8:
    # app 6/16Gi -> 2/4Gi with otel 2/16Gi -> 6/256Mi, 8 CPU and 4.25Gi in all)
    limits = [c for c in side if c.name in LIMITS]
    if not floor or not limits:
        return settings, kept, floor, held
    joint, steps = floor_steps(cmd, proposed, limits)
    both, back = refused_limits(replace(proposed, settings=joint), side, within)
    if back or len(joint) <= len(settings) or any(c not in joint for c in settings):
        return settings, kept, floor, held
    return joint, both, steps, back


def refused_limits(
    proposed: Proposed, side: list[SettingChange], within: Callable[[str], Commands]
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The sidecars' changes without the cpu or memory ones that would leave the instance (its
    CPU and memory in all, every container's) with what Cloud Run refuses — below one CPU
    (`cpu_floor.required`, a service's), under a GPU (`gpu_floor.gpu_needs`), or a memory its
    CPU cannot take by every reading, a container's pair and the instance's sums, any kind's
    (`cpu_memory.pair_refusals`, helper-657 MEDIUM-2), or below a job's or pool's floor in
    all (`cpu_memory.floor_refusals`) — when the workload's own changes (`proposed`) alone
    leave nothing refused: each a manual step saying what Cloud Run requires (helper-548 F1).
    Never a patch the server refuses."""
    limits = [c for c in side if c.name in LIMITS]
    if not limits:
        return side, []
    before = _refusals(proposed, [])  # the workload's own changes alone
    new = [n for n in _refusals(proposed, limits) if n not in before]
    if not new:
        return side, []
    pages = dict.fromkeys(page for _, page in new)
    said = "; ".join(
        "; ".join(w for w, p in new if p == page) + (f": {page}" if page else "") for page in pages
    )
    steps = [
        ManualStep(
            f"setting.{c.name}",
            f"container {c.container}: {c.name} {FIELDS[c.name].show(c.after)} would leave the "
            f"instance without what Cloud Run requires ({said}), so a patch would be refused; "
            "state the other containers' limits and the settings it needs in the profile "
            "beside it, then run drift fix again",
            (within(c.container or "").update(FIELDS[c.name].gcloud(c.after)),),
        )
        for c in limits
    ]
    return [c for c in side if c.name not in LIMITS], steps


def _refusals(proposed: Proposed, side: list[SettingChange]) -> list[tuple[str, str]]:
    """What Cloud Run would refuse of the template the proposal makes with `side` too: each in
    words with the page saying so ("": the words name it)."""
    template = proposed.template([*proposed.settings, *side])
    kind = proposed.live.kind
    serves = kind is Kind.SERVICE
    gpu = gpu_page(kind)
    out = [(f"with a GPU, {need}", gpu) for need in gpu_needs(template, serves=serves)]
    try:
        out += [
            (said, "") for said in pair_refusals(template, kind) + floor_refusals(template, kind)
        ]
        if serves:
            cpu, values = template_values(template)
            out += [
                (f"below one CPU in all, {n.need} (it is {n.now})", CPU_PAGE)
                for n in required(cpu, values)
            ]
    except ValueError:  # a quantity drift cannot read: the server judges it
        pass
    return out


def twice(
    service: ServiceProfile, stated: Mapping[str, Setting], hidden: Collection[str] = ()
) -> list[ManualStep]:
    """A step for each setting of the container the workload's `settings` describe that its
    `containers:` entry states otherwise: no patch meets both (the patch follows the
    workload's), and each fix would leave the other a drift; the profile must say it once.
    `hidden`: the workload's values never shown (`Context.hidden`)."""
    return [
        ManualStep(
            f"setting.{k}",
            f"{k} is stated twice for one container, {_said(s, hidden)} at {_at(s)} and "
            f"{_said(own, hidden)} at {_at(own)} (the workload's settings, which the patch "
            "follows): no patch meets both, so check reports one of them after every fix; "
            "state it once",
        )
        for k, s in stated.items()
        if (own := service.settings.get(k)) is not None and _said(own) != _said(s)
    ]


def _said(setting: Setting, hidden: Collection[str] = ()) -> str:
    if setting.pattern is not None:
        return f"{{pattern: {setting.pattern}}}"
    return FIELDS[setting.name].shown(FIELDS[setting.name].normalise(setting.value), hidden)


def _at(setting: Setting) -> str:
    return f"{setting.location.file}:{setting.location.line}"
