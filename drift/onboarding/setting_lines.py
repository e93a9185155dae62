"""How `drift init` writes a setting it read: whether a profile would take the value, and a
sidecar's own settings (`containers: {NAME: {settings: …}}`)."""

from __future__ import annotations

from typing import Any

from drift.fields import CONTAINER_SETTINGS, FIELDS, SettingValue
from drift.fields.cpu_floor import ONE_CPU
from drift.live.model import ContainerConfig, RevisionConfig
from drift.onboarding.yamltext import scalar
from drift.units import parse_cpu


def commented(name: str, value: SettingValue) -> str:
    """A setting init writes as a comment: the image (every deploy changes it: a pin is the
    team's choice), or gen1 that Cloud Run chooses below one CPU (`chosen_gen1`)."""
    if name == "image":
        return f"# image: {scalar(str(value))}   # or {{pattern: …}}"
    return f"# {name}: {value}   # what Cloud Run runs below one CPU, the revision sets none"


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


def sidecar_settings(container: ContainerConfig) -> tuple[str, ...]:
    """`key: value` lines (or `# …` comments) for what a sidecar holds for itself: its limits
    as read (defaults included), and its image as a comment, as the main container's is (a
    pin, or a pattern, is the team's choice)."""
    lines = []
    for name in CONTAINER_SETTINGS:
        field = FIELDS[name]
        if name in container.unreadable:  # no value to write: a default would be a guess
            lines.append(
                f"# {name}: not written, drift cannot read it: {container.unreadable[name]}"
            )
            continue
        value = container.settings.get(name)
        if value is None or value == "":
            continue
        shown = field.show(value)
        if name == "image":
            lines.append(commented(name, shown))
        elif why := refused(field.parse, shown):
            lines.append(f"# {name}: {shown} (a profile cannot state it: {why})")
        else:
            lines.append(f"{name}: {scalar(shown)}")
    return tuple(lines)
