"""The plain values a fix's plan never shows although neither their variable's name nor
their shape says they are secret (`ServicePlan.hidden`: a password renamed, `DB_PASSWORD` in
an older revision and `PGPASS` now), recorded in the fix's journal entry by the variables
that hold them, never by value, so that `drift rollback`, which reads no older revision,
masks them where it shows what it puts back (helper-588 L1)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from drift.live.normalize import raw


def containers(message: Any) -> Any:
    """A template's containers, or those of a workload's template, down to the task
    template of a Job (`template_of`), raw or not."""
    message = raw(message)
    while "containers" not in message.DESCRIPTOR.fields_by_name:
        message = message.template
    return message.containers


def holders(templates: Iterable[Any], hidden: Collection[str]) -> list[str]:
    """`CONTAINER/VARIABLE` of each plain variable of `templates` (or workloads) that holds
    one of `hidden`, sorted: what a journal entry records (`Entry.hidden`)."""
    return sorted(
        {
            f"{c.name}/{var.name}"
            for template in templates
            for c in containers(template)
            for var in c.env
            if not var.HasField("value_source") and var.value.strip() in hidden
        }
    )


def held_by(template: Any, names: Collection[str]) -> frozenset[str]:
    """The values the variables `names` (`holders`) hold in `template` (or a workload's)."""
    return frozenset(
        var.value.strip()
        for c in containers(template)
        for var in c.env
        if f"{c.name}/{var.name}" in names
        and not var.HasField("value_source")
        and var.value.strip()
    )
