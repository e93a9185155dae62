"""How `drift init` writes a setting it read: whether a profile would take the value, and a
sidecar's own settings (`containers: {NAME: {settings: …}}`)."""

from __future__ import annotations

from typing import Any

from drift.fields import CONTAINER_SETTINGS, FIELDS
from drift.live.model import ContainerConfig
from drift.onboarding.yamltext import scalar


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
            lines.append(f"# image: {scalar(shown)}   # or {{pattern: …}}")
        elif why := refused(field.parse, shown):
            lines.append(f"# {name}: {shown} (a profile cannot state it: {why})")
        else:
            lines.append(f"{name}: {scalar(shown)}")
    return tuple(lines)
