"""Descriptor facts that changed shape across the protobuf releases drift supports (>=5,<8)."""

from __future__ import annotations

from typing import Any


def is_repeated(field: Any) -> bool:
    """Whether a message field (a `FieldDescriptor`) is a repeated one, maps included.

    protobuf 6.31 added `FieldDescriptor.is_repeated` and deprecated `label` (editions have no
    labels); protobuf 7 removed `label`; protobuf 5.x and 6.30 have only `label`
    (`LABEL_REPEATED`). Every descriptor walk in drift asks this, never either attribute."""
    flag = getattr(field, "is_repeated", None)
    if flag is not None:
        return bool(flag)
    return bool(field.label == field.LABEL_REPEATED)


def nested(field: Any) -> bool:
    """A singular message field, taken field by field (compared, written): not a list or a
    map, nor a well-known type (a Duration: one value)."""
    message = field.message_type
    return (
        message is not None
        and not is_repeated(field)
        and not str(message.full_name).startswith("google.protobuf.")
    )


def field_value(message: Any, field: Any) -> Any:
    """`message`'s value of `field` as two messages' values are compared: None where the field
    has presence and is not set (an absent message is not an empty one, an unset `optional
    int32` is not 0), a map as a dict, a repeated field as a list."""
    name = field.name
    if is_repeated(field):
        value = getattr(message, name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            return dict(value)
        return list(value)
    if field.has_presence and not message.HasField(name):
        return None
    return getattr(message, name)
