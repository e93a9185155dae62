"""A message's texts masked where each is, before the message is put as text: the masker asks
whether a value is a secret drift read, or such a secret's start or end (`holds_secret`), of
the value itself, never of a line it was joined into, quoted or escaped (SPEC Safety
invariant 1: masked on the data)."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from drift.credentials import holds_secret
from drift.protofield import is_repeated
from drift.redact import MASK


def words_masked(words: list[Any]) -> list[str]:
    """Each word of a repeated field (a container's `args`) as text, `***` where it is, or
    holds, a secret drift read, as `check` masks a command line's words
    (`fields.command.hiding`)."""
    return [MASK if holds_secret(str(w)) else str(w) for w in words]


def texts_masked(message: Any) -> Any:
    """A copy of `message` (a protobuf message), each of its text fields (nested, repeated
    and map values included) `***` where it is, or holds, a secret drift read."""
    copy = type(message)()
    copy.CopyFrom(message)
    _mask(copy)
    return copy


def _mask(message: Any) -> None:
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            entry = field.message_type
            if entry.GetOptions().map_entry:
                texts = entry.fields_by_name["value"].type == FieldDescriptor.TYPE_STRING
                for key in list(value):
                    if not texts:
                        _mask(value[key])
                    elif holds_secret(value[key]):
                        value[key] = MASK
                continue
            for item in value if is_repeated(field) else [value]:
                _mask(item)
        elif field.type == FieldDescriptor.TYPE_STRING:
            if is_repeated(field):
                value[:] = words_masked(list(value))
            elif holds_secret(value):
                setattr(message, field.name, MASK)
