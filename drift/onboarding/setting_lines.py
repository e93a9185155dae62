"""How `drift init` writes the settings it read: a revision's, and a sidecar's own
(`containers: {NAME: {settings: …}}`), each as a line a profile takes, or as a comment saying
why it cannot."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal, get_args, get_origin

from drift import redact
from drift.fields import CONTAINER_SETTINGS, FIELDS, SettingValue, is_default_account, text
from drift.fields.base import UNTOLD
from drift.fields.cpu_floor import ONE_CPU
from drift.fields.cpu_memory import other_limits
from drift.fields.probe_headers import headless
from drift.live.model import ContainerConfig, RevisionConfig
from drift.onboarding.account import account_line
from drift.onboarding.yamltext import comment, scalar
from drift.units import parse_cpu


def commented(name: str, value: SettingValue) -> str:
    """A setting init writes as a comment: the image (every deploy changes it: a pin is the
    team's choice), or gen1 that Cloud Run chooses below one CPU (`chosen_gen1`)."""
    if name == "image":  # a tag may hold a secret drift read, as `check` masks it
        return f"# image: {scalar(redact.mask(str(value)))}   # or {{pattern: …}}"
    return comment(f"{name}: {value}   # what Cloud Run runs below one CPU, the revision sets none")


def withheld(name: str, value: SettingValue, shown: str) -> str:
    """A comment for a value shown masked (a container's `args` holding a secret drift read,
    a password moved there, or a credential's shape: `drift.fields.command.hiding`), never
    written to a file meant for git; "" for one written as it is."""
    if redact.MASK not in shown or redact.MASK in str(value):
        return ""
    return comment(f"{name}: {shown} (not written: it holds a value drift does not print)")


def chosen_gen1(name: str, value: SettingValue, config: RevisionConfig) -> bool:
    """Whether the execution environment read is gen1 on an instance below one CPU in all,
    where Cloud Run must run gen1 whether the revision sets it or not: a line stating it would
    become drift once the CPU is raised to one and Cloud Run chooses again (helper-550 F1)."""
    if name != "execution_environment" or value != "gen1":
        return False
    try:
        cpu = sum(parse_cpu(str(c.settings.get("cpu", "1000m"))) for c in config.containers)
    except ValueError:
        return False
    return bool(config.containers) and cpu < ONE_CPU


def refused(parse: Any, value: str) -> str:
    """Why a profile would refuse `value` ("" when it takes it)."""
    try:
        parse(value)
    except ValueError as exc:
        return str(exc)
    return ""


def in_all(config: RevisionConfig) -> dict[str, SettingValue]:
    """The settings read with the other containers' limits, which init writes too: what the
    cross-setting checks judge the instance by (`read_conflicts`; helper-647 O2: a sidecar's
    CPU lifts the instance to 1 CPU, where Cloud Run takes concurrency above 1)."""
    held = [(c.name, c.settings) for c in config.containers if c.name != config.primary]
    return {**config.settings, **other_limits(held)}


def sidecar_settings(container: ContainerConfig, hidden: Collection[str]) -> tuple[str, ...]:
    """`key: value` lines (or `# …` comments) for what a sidecar holds for itself: its limits
    as read (defaults included), and its image as a comment, as the main container's is (a
    pin, or a pattern, is the team's choice). `hidden`: the workload's values never shown
    (a password moved there from a variable, `moved_in`), withheld as `check` masks them."""
    lines = []
    for name in CONTAINER_SETTINGS:
        field = FIELDS[name]
        if name in container.unreadable:  # no value to write: a default would be a guess
            lines.append(
                comment(f"{name}: not written, drift cannot read it: {container.unreadable[name]}")
            )
            continue
        value, unsaid = headless(name, container.settings.get(name))
        if value is None or value == "":
            continue
        shown = field.shown(value, hidden)
        if kept := withheld(name, value, shown):
            lines.append(kept)
        elif name == "image":
            lines.append(commented(name, shown))
        elif why := refused(field.parse, shown):
            lines.append(comment(f"{name}: {shown} (a profile cannot state it: {why})"))
        else:
            lines.append(f"{name}: {scalar(shown)}")
        lines += [comment(unsaid)] if unsaid else []
    return tuple(lines)


def settings_lines(
    config: RevisionConfig, conflicts: Mapping[str, str], number: str, hidden: Collection[str]
) -> list[str]:
    """`key: value` lines (or `# …` comments) for what the revision holds for itself, each
    setting of the catalogue: as read, as a comment where a profile cannot state it (a
    value outside what it may state, one that conflicts with another, the image), nothing
    where there is nothing to state. `number`: the project's, for a default compute account
    left unnamed (`account_line`); `hidden`: as `sidecar_settings`."""
    lines: list[str] = []
    unread = said_unread(config.unreadable)
    for name, spec in FIELDS.items():
        if name in unread:  # no value to write: a default would be a guess
            lines.append(comment(f"{name}: not written, drift cannot read it: {unread[name]}"))
            continue
        value, unsaid = headless(name, config.settings.get(name))
        if value is None or value == "" or (spec.moot is not None and spec.moot(config.settings)):
            continue  # nothing to state, or a setting that means nothing here (no key, no GPU)
        if name == "service_account":
            if is_default_account(str(value)):
                lines.append(account_line(config.service_account or str(value), number))
                continue
            value = config.service_account or value
        if name == "image" or chosen_gen1(name, value, config):  # not a pin of what runs
            lines.append(commented(name, value))
            continue
        if spec.annotation is int and not isinstance(value, int):  # manual scaling's count
            lines.append(comment(f"{name}: {spec.show(value)} (a profile cannot state it)"))
            continue
        choices = get_args(spec.annotation) if get_origin(spec.annotation) is Literal else ()
        if choices and value not in choices:
            if name == "ingress":
                lines.append(comment(f"ingress: {value} (a profile cannot state it)"))
            continue
        shown = spec.shown(value, hidden)
        if kept := withheld(name, value, shown):
            lines.append(kept)
            continue
        why = conflicts.get(name) or isinstance(value, str) and refused(spec.parse, shown)
        if why:  # read exactly, but outside what a profile may state (a cpu of fields.limits,
            # a breakglass of fields.binauthz), or beside the others (what a server let be)
            lines.append(comment(f"{name}: {shown} (a profile cannot state it: {why})"))
            continue
        lines.append(f"{name}: {text(value) if isinstance(value, bool | int) else scalar(shown)}")
        lines += [comment(unsaid)] if unsaid else []
    return lines


def said_unread(unreadable: Mapping[str, str]) -> dict[str, str]:
    """The settings a profile cannot state because drift cannot read them, but those of a job's
    or pool's "main" container where none can be told to be it (each reason ends `UNTOLD`:
    `normalize.UNDESCRIBED`, a GPU type no container has yet): init writes each container's own
    under `containers:` instead (helper-624 F6)."""
    return {name: why for name, why in unreadable.items() if not why.endswith(UNTOLD)}
