"""A Cloud Run v2 message from the JSON Terraform plans hold for it (`terraform show -json`),
driven by the message's own descriptor: the provider's attributes are the proto fields in
snake_case (magic-modules `mmv1/products/cloudrunv2/{Service,Job}.yaml`), every nested
message is a list of at most one block (`template[0]`, `value_source[0].secret_key_ref[0]`),
enums are their value names, durations strings (`300s`), maps objects of strings.

Attributes the installed protos do not have (the provider's virtual fields, `project`,
`location`, `effective_labels`, newer fields) are skipped; an enum value they do not know is
left unset (the plan passed the provider's validation: drift's protos are older) and told
(`Odd`), so that the setting it is read as is not verified rather than read as its default."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drift.protofield import is_repeated
from drift.units import shown

log = logging.getLogger(__name__)

_DURATION = "google.protobuf.Duration"
_DECIMAL = re.compile(r"-?[0-9]+")
_DIGITS = 40
"""More digits than any integer field holds (an int64 has 19, a uint64 20)."""
_RANGES = {1: (-(2**31), 2**31 - 1), 2: (-(2**63), 2**63 - 1), 3: (0, 2**32 - 1), 4: (0, 2**64 - 1)}
"""The values of each integer `FieldDescriptor.cpp_type` (CPPTYPE_INT32, _INT64, _UINT32,
_UINT64: drift.fields.bounds)."""
_TIMESTAMP = "google.protobuf.Timestamp"


class PathProblem(Exception):
    """Something in the plan that is not what its schema says, at a JSON path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class OutOfRange(PathProblem):
    """A whole number out of its field's range (`given`: as the plan holds it): `message`
    quotes it (shortened), `bound` says what the field takes without it (a value marked
    sensitive: helper-778 F4)."""

    def __init__(self, path: str, bound: str, number: int | None, given: Any) -> None:
        super().__init__(path, f"expected {bound}, not {shown(number if number else given)}")
        self.bound, self.given = f"expected {bound}", given


def key(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def kind_of(value: Any) -> str:
    """A JSON value's type as the JSON text would call it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


WHERE = ("name", "project", "location")
"""What names a Terraform Cloud Run resource and where it runs (its `after` or `before`)."""


def text(value: Any, name: str) -> str:
    """`value[name]` when `value` is an object holding text there, else ""."""
    found = value.get(name) if isinstance(value, dict) else None
    return found if isinstance(found, str) else ""


def expect(value: Any, kind: type, path: str, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PathProblem(path, f"expected {what}, found {kind_of(value)}")
    return value


def placed(value: Any, path: str) -> dict[str, Any]:
    """A change's `after` (or a delete's `before`): an object whose name, project and location
    are text where they are given (absent or null: known at apply). A number is no name: it
    was read as one not known (helper-740 F3), and a delete's as no name, a note (helper-766)."""
    found: dict[str, Any] = expect(value, dict, path, "an object")
    for k in (k for k in WHERE if found.get(k) is not None):
        expect(found[k], str, key(path, k), "a string")
    return found


Odd = list[tuple[str, str]]
"""Each enum value the installed protos do not know, by its JSON path: (path, the value)."""


def message(cls: Any, value: Any, path: str, *, skip: frozenset[str] = frozenset()) -> Any:
    """The proto-plus message of class `cls` that the Terraform object `value` describes, and
    each enum value in it left unset because the protos do not know it (`Odd`)."""
    pb, odd = cls.pb()(), list[tuple[str, str]]()
    fill(pb, expect(value, dict, path, "an object"), path, skip, odd)
    return cls.wrap(pb), odd


def fill(
    msg: Any,
    obj: dict[str, Any],
    path: str,
    skip: frozenset[str] = frozenset(),
    odd: Odd | None = None,
) -> None:
    """Set the fields of the raw protobuf `msg` from the Terraform object `obj`. Terraform's
    JSON gives every attribute of a block, the unset ones as zero values: a member of a oneof
    (`policy` / `use_default` of BinaryAuthorization) that is empty is not set when another
    member of it has a value — setting it would clear that one, whatever the keys' order; two
    members with values are refused (`PathProblem`)."""
    fields = msg.DESCRIPTOR.fields_by_name
    members: dict[str, list[str]] = {}
    for attribute, value in obj.items():
        field = fields.get(attribute) or fields.get(f"{attribute}_")
        if value in (None, "", False, 0, [], {}) or field is None or attribute in skip:
            continue
        if field.containing_oneof is not None:
            members.setdefault(field.containing_oneof.name, []).append(attribute)
    for oneof, both in members.items():
        if len(both) > 1:
            # the one set last was kept, the other passed over in silence (an EnvVar's plain
            # `value` beside its `value_source`: revman85 F4); the API takes one member
            raise PathProblem(
                path,
                f"{' and '.join(both)} are both set: the API takes one of them (oneof {oneof}) "
                "and refuses the apply: keep one",
            )
    chosen = set(members)
    for attribute, value in obj.items():
        # proto-plus names a field that is a Python keyword or builtin with a trailing
        # underscore, in the descriptor too (`type_` of TrafficTarget and InstanceSplit)
        field = fields.get(attribute) or fields.get(f"{attribute}_")
        if value is None or field is None or attribute in skip:
            continue  # unknown until apply (null), not a field of the message, or output
        name = field.name
        here = key(path, attribute)
        if field.message_type is not None:
            _message_field(msg, field, value, here, odd)
        elif is_repeated(field):
            items = enumerate(expect(value, list, here, "a list"))
            scalars = [_scalar(field, v, index(here, i), odd) for i, v in items if v is not None]
            with _assigning(here):
                getattr(msg, name).extend(s for s in scalars if s is not None)
        else:
            scalar = _scalar(field, value, here, odd)
            oneof = field.containing_oneof
            if not scalar and oneof is not None and oneof.name in chosen:
                continue  # another member of its oneof has the value
            if scalar is not None and (scalar or field.has_presence):
                with _assigning(here):
                    setattr(msg, name, scalar)


@contextmanager
def _assigning(path: str) -> Iterator[None]:
    try:
        yield
    except (ValueError, TypeError) as exc:  # e.g. a number out of the field's range
        raise PathProblem(path, str(exc)) from None


def _message_field(msg: Any, field: Any, value: Any, path: str, odd: Odd | None) -> None:
    name = field.name
    kind = field.message_type
    if kind.GetOptions().map_entry:
        target = getattr(msg, name)
        value_field = kind.fields_by_name["value"]
        for k, v in expect(value, dict, path, "an object").items():
            scalar = None if v is None else _scalar(value_field, v, key(path, k), odd)
            if scalar is not None:
                with _assigning(key(path, k)):
                    target[k] = scalar
        return
    if kind.full_name == _TIMESTAMP:
        return  # only output fields are times
    if kind.full_name == _DURATION:
        text = expect(value, str, path, "a duration such as 300s")
        if text:
            try:
                getattr(msg, name).FromJsonString(text)
            except ValueError:
                raise PathProblem(path, f"{shown(text)} is not a duration such as 300s") from None
        return
    if is_repeated(field):
        items = getattr(msg, name)
        for i, item in enumerate(expect(value, list, path, "a list")):
            if item is not None:
                item = expect(item, dict, index(path, i), "an object")
                fill(items.add(), item, index(path, i), odd=odd)
        return
    # A nested block: a list of at most one object.
    blocks = expect(value, list, path, "a list of one block")
    if len(blocks) > 1:
        raise PathProblem(path, f"expected at most one block, found {len(blocks)}")
    if blocks and blocks[0] is not None:
        inner = getattr(msg, name)
        inner.SetInParent()  # a block that is there is set, even with every value a default
        fill(inner, expect(blocks[0], dict, index(path, 0), "an object"), index(path, 0), odd=odd)


def _scalar(field: Any, value: Any, path: str, odd: Odd | None = None) -> Any:
    """A scalar of the field's type, or None for an enum value the protos do not know (added
    to `odd`)."""
    if field.enum_type is not None:
        text = expect(value, str, path, "an enum value name")
        if not text:
            return 0
        known = field.enum_type.values_by_name.get(text)
        if known is None:
            log.debug("%s: %s is not a value of %s: left unset", path, text, field.enum_type.name)
            if odd is not None:
                odd.append((path, text))
            return None
        return known.number
    kind = field.cpp_type
    if kind == field.CPPTYPE_STRING:
        return expect(value, str, path, "a string")
    if kind == field.CPPTYPE_BOOL:
        return expect(value, bool, path, "true or false")
    if kind in (field.CPPTYPE_FLOAT, field.CPPTYPE_DOUBLE):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PathProblem(path, f"expected a number, found {kind_of(value)}")
        return float(value)
    # integers: numbers, or the decimal strings int64 values are written as (ASCII digits:
    # `str.isdigit` takes "²", which `int` refuses, and "١٢", which Go's reader refuses)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = int(value) if len(value) <= _DIGITS else None
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        number = expect(value, int, path, "a whole number")
    low, high = _RANGES[kind]
    if number is not None and low <= number <= high:
        return number
    # helper-766: protobuf said "Value out of range: " and every digit of it, Python's `int`
    # of more digits than it converts an internal error
    below = number < low if number is not None else value.startswith("-")
    bound = f"at least {low}" if below else f"at most {high}"
    raise OutOfRange(path, bound, number, value)
