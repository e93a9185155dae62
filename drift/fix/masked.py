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
    """Where each of `hidden` stands in `templates` (or workloads), sorted: what a journal
    entry records (`Entry.hidden`). `CONTAINER/VARIABLE` for a plain variable, and for a word
    of a container's command line (`--pg PASSWORD`, `--pg=PASSWORD`: `moved_values` counts
    it) `CONTAINER/args[I]` or `CONTAINER/command[I]`, `=` after it where the value is the
    word's flag value (helper-593 F4)."""
    found = set()
    for template in templates:
        for c in containers(template):
            for var in c.env:
                if not var.HasField("value_source") and var.value.strip() in hidden:
                    found.add(f"{c.name}/{var.name}")
            for place, word in _words(c):
                if word.strip() in hidden:
                    found.add(f"{c.name}/{place}")
                elif "=" in word and word.split("=", 1)[1].strip() in hidden:
                    found.add(f"{c.name}/{place}=")
    return sorted(found)


def held_by(template: Any, names: Collection[str]) -> frozenset[str]:
    """The values the places `names` (`holders`) hold in `template` (or a workload's)."""
    out = set()
    for c in containers(template):
        for var in c.env:
            if f"{c.name}/{var.name}" in names and not var.HasField("value_source"):
                out.add(var.value.strip())
        for place, word in _words(c):
            if f"{c.name}/{place}" in names:
                out.add(word.strip())
            elif f"{c.name}/{place}=" in names and "=" in word:
                out.add(word.split("=", 1)[1].strip())
    return frozenset(v for v in out if v)


def _words(container: Any) -> list[tuple[str, str]]:
    """Each word of a container's command line, with its place (`args[2]`)."""
    return [
        (f"{field}[{i}]", word)
        for field in ("command", "args")
        for i, word in enumerate(getattr(container, field))
    ]
