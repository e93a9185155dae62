"""Whether a workload read back holds what drift's update in place changed of its template, as
sent, whatever someone else's write changed besides (helper-809 F3): drift's update, its
answer lost, read back two generations past drift's read with a teammate's variable beside
drift's, was judged by its whole configuration (`restored.holds`: their variable made it
"not drift's update") and said "nothing changed" (exit 4) while drift's change ran.

Field by field, three ways: each field of the template that drift's update `sent` otherwise
than it read it (`source`) must be read back exactly as sent; a field it left as read may be
anything. A list of named things (containers, their variables, volumes and mounts, ports) is
compared by name, so a variable they added or changed beside drift's is theirs alone, and a
variable drift removed must be absent; any other list (a command's arguments) as a whole."""

from __future__ import annotations

from typing import Any

from drift.live.normalize import raw
from drift.protofield import field_value, is_repeated, nested


def template_held(source: Any, sent: Any, now: Any) -> bool:
    """Whether `now`'s template holds each field drift's update `sent` changed of `source`'s,
    as sent (`_held`)."""
    return _held(raw(source.template), raw(sent.template), raw(now.template))


def _held(was: Any, mine: Any, now: Any) -> bool:
    for field in mine.DESCRIPTOR.fields:
        old, new, held = (field_value(m, field) for m in (was, mine, now))
        if old == new:
            continue
        named = _named(field)
        if named:
            if not _held_by_name(old, new, held):
                return False
        elif nested(field) and old is not None and new is not None and held is not None:
            if not _held(old, new, held):
                return False
        elif held != new:
            return False
    return True


def _named(field: Any) -> bool:
    """A repeated message whose items carry a `name` (a container, a variable, a volume)."""
    message = field.message_type
    return (
        message is not None
        and is_repeated(field)
        and not message.GetOptions().map_entry
        and "name" in message.fields_by_name
    )


def _held_by_name(old: list[Any], new: list[Any], held: list[Any]) -> bool:
    """Each item drift's write added, changed or removed (by name) is in `held` as sent (or
    absent); an item it changed is compared field by field (`_held`)."""
    was, mine, now = ({item.name: item for item in items} for items in (old, new, held))
    for name in was.keys() | mine.keys():
        before, sent, read = was.get(name), mine.get(name), now.get(name)
        if before == sent:
            continue
        if sent is None or before is None or read is None:
            if read != sent:
                return False
        elif not _held(before, sent, read):
            return False
    return True
