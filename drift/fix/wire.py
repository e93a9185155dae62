"""A message as the journal keeps it beside its JSON: its serialized bytes, base64. JSON has no
place for the fields a client does not know (a newer Cloud Run's), which protobuf keeps on
parse and sends back on serialize ("unknown fields are retained during parsing and included in
the serialized output", protobuf.dev/programming-guides/proto3#unknowns): a rollback restored
from the JSON alone would silently drop a setting the workload ran with."""

from __future__ import annotations

import base64
import binascii
from typing import Any


def as_json(message: Any) -> dict[str, Any]:
    """A proto-plus message as the journal's JSON (what a reader of the journal sees; `packed`
    keeps beside it what JSON cannot hold): `to_json`'s options, its text never made (it
    was only read back: the same objects, made by protobuf's json_format as that text was)."""
    return dict(type(message).to_dict(message, preserving_proto_field_name=False))


def packed(message: Any) -> str:
    """A proto-plus message's serialized bytes, base64 (ASCII)."""
    return base64.b64encode(type(message).serialize(message)).decode("ascii")


def unpacked(message_type: Any, text: str) -> Any:
    """The proto-plus `message_type` message `packed` gave `text` (ValueError: not one)."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"not base64: {exc}") from exc
    try:
        return message_type.deserialize(data)
    except Exception as exc:  # google.protobuf.message.DecodeError
        raise ValueError(f"not a serialized {message_type.__name__}: {exc}") from exc


def unknown_bytes(message: Any) -> bytes:
    """The fields of a protobuf message (raw, not proto-plus) its client does not know,
    serialized: what is left of a copy once every known field is cleared."""
    rest = type(message)()
    rest.CopyFrom(message)
    for field, _ in rest.ListFields():
        rest.ClearField(field.name)
    return bytes(rest.SerializeToString())


def carry_unknown(target: Any, donor: Any) -> None:
    """Give `target` (raw protobuf) the unknown fields of `donor` (the same type), unless it
    has some of its own: a message rebuilt field by field from its known fields has none."""
    if not unknown_bytes(target):
        target.MergeFromString(unknown_bytes(donor))


def unknown_numbers(message: Any) -> tuple[int, ...]:
    """The numbers of the top-level fields of a protobuf message (raw) its client does not
    know, in wire order, each once (the wire format: a varint key, number << 3 | wire type,
    then the value; protobuf.dev/programming-guides/encoding)."""
    data, at, numbers = unknown_bytes(message), 0, dict[int, None]()
    depth = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, kind = key >> 3, key & 7
        if depth == 0 and kind != 4:
            numbers[number] = None
        if kind == 0:
            _, at = _varint(data, at)
        elif kind == 1:
            at += 8
        elif kind == 2:
            size, at = _varint(data, at)
            at += size
        elif kind == 5:
            at += 4
        else:  # 3/4: a group's start and end (proto2's, never proto3's: counted, not read)
            depth += 1 if kind == 3 else -1
    return tuple(numbers)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at
