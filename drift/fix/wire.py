"""A message as the journal keeps it beside its JSON: its serialized bytes, base64. JSON has no
place for the fields a client does not know (a newer Cloud Run's), which protobuf keeps on
parse and sends back on serialize ("unknown fields are retained during parsing and included in
the serialized output", protobuf.dev/programming-guides/proto3#unknowns): a rollback restored
from the JSON alone would silently drop a setting the workload ran with."""

from __future__ import annotations

import base64
import binascii
from typing import Any


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
