"""What a journal entry read back must be: each field's type and shape, its writes' too."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from drift.schemas import NEWER, OLDER, other_version
from drift.textsafe import visible

Check = Callable[[Any, str], None]


class Malformed(Exception):
    """A field that is not what drift writes; the message names it (`writes[0].landed`)."""


def _found(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, list):
        return f"a list of {len(value)} item" + ("" if len(value) == 1 else "s")
    for kind, name in ((str, "a string"), (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    return "an object"


def _wrong(where: str, wanted: str, value: Any) -> Malformed:
    return Malformed(f"field `{where}` must be {wanted} (it is {_found(value)})")


def _is(wanted: str, test: Callable[[Any], bool]) -> Check:
    def check(value: Any, where: str) -> None:
        if not test(value):
            raise _wrong(where, wanted, value)

    return check


_STRING = _is("a string", lambda v: isinstance(v, str))
_INTEGER = _is("an integer", lambda v: type(v) is int)
_BOOLEAN = _is("true or false", lambda v: isinstance(v, bool))
_OBJECT = _is("an object", lambda v: isinstance(v, dict))


def _list_of(item: Check, length: int | None = None) -> Check:
    wanted = "a list" if length is None else f"a list of {length} items"

    def check(value: Any, where: str) -> None:
        if not isinstance(value, list) or length not in (None, len(value)):
            raise _wrong(where, wanted, value)
        for i, one in enumerate(value):
            item(one, f"{where}[{i}]")

    return check


def _one_of(choices: Collection[str], wanted: str = "") -> Check:
    names = sorted(choices)
    wanted = wanted or "one of " + ", ".join(names)
    return _is(wanted, lambda v: isinstance(v, str) and v in names)


def _any(value: Any, where: str) -> None:
    del value, where


def _row(value: Any, where: str) -> None:
    """A traffic target as `traffic_key` writes it: (type, revision, percent, tag)."""
    _list_of(_any, 4)(value, where)
    for i, check in enumerate((_STRING, _STRING, _INTEGER, _STRING)):
        check(value[i], f"{where}[{i}]")


def _record(shape: Mapping[str, Check], required: Collection[str], *, extra: bool = False) -> Check:
    """An object with these fields (`required` ones present; others only when `extra`)."""

    def check(value: Any, where: str) -> None:
        _OBJECT(value, where)
        prefix = f"{where}." if where else ""
        for name in sorted(set(required) - value.keys()):
            raise Malformed(f"field `{prefix}{name}` is missing")
        for name in sorted(value.keys() - shape.keys()) if not extra else ():
            raise Malformed(f"field `{prefix}{name}` is not one drift writes")
        for name, item in shape.items():
            if name in value:
                item(value[name], prefix + name)

    return check


_BY_TYPE: dict[str, Check] = {
    "str": _STRING,
    "int": _INTEGER,
    "bool": _BOOLEAN,
    "bool | None": _is("true, false or null", lambda v: v is None or isinstance(v, bool)),
    "dict[str, Any]": _OBJECT,
    "list[str]": _list_of(_STRING),
}


def _dataclass(
    cls: type, special: Mapping[str, Check], skip: Collection[str] = (), *, extra: bool = False
) -> Check:
    """The shape of `cls` as JSON: a check per field from its annotation (or `special`)."""
    own = [f for f in fields(cls) if f.name not in skip]
    shape = {f.name: special.get(f.name) or _BY_TYPE[str(f.type)] for f in own}
    required = [f.name for f in own if f.default is MISSING and f.default_factory is MISSING]
    return _record(shape, required, extra=extra)


def foreign(data: Any, schema: str) -> str:
    """Why valid JSON that is not an entry of `schema` cannot be read: one of another (newer)
    drift (`drift.journal/v2`), or not an entry at all ("" when it is of `schema`)."""
    theirs = data.get("schema") if isinstance(data, dict) else None
    if theirs == schema:
        return ""
    if why := other_version(theirs, schema):
        return why
    return f"not a drift journal entry (no `schema: {schema}`; it is {_found(data)})"


def unsummed(name: str, checksum: str, data: dict[str, Any]) -> str:
    """Why an entry without its checksum file is refused. A drift before 5cd6b4d (2026-11-29)
    recorded no checksum, nor `writes` or `client_version`: its entries are known by that,
    and said to be; this drift cannot verify them, so it rolls nothing back from them."""
    if "writes" in data or "client_version" in data:
        return f"{name} has no checksum ({checksum}): drift did not write it"
    return (
        f"{name} was {OLDER} that recorded no checksum, so this drift "
        "cannot verify it and rolls nothing back from it (not even with --force); roll the "
        "change back with the drift that made it, or by hand: check that the service is as "
        "the change left it, then restore the routing the entry's `service_before.traffic` "
        "records (gcloud run services update-traffic)"
    )


def entry_check(entry: type, write: type, states: Collection[str], kinds: Collection[str]) -> Check:
    """The check of an entry (`Entry` and `Write` given by drift.fix.journal): unknown
    top-level fields are passed over here (drift.fix.journal refuses the entry then, naming
    them: a newer drift's); a write has only its own."""
    keys = ("at", "state", "note")
    history = _record(dict.fromkeys(keys, _STRING), keys)
    writes = _list_of(_dataclass(write, {"traffic": _list_of(_row)}))
    special = {
        "state": _one_of(states, "a state drift records, such as promoted or rolled-back"),
        "kind": _one_of(kinds),
        "history": _list_of(history),
        "writes": writes,
        "withheld": _list_of(_withheld),  # a plain copy of a secret: drift.fix.withheld
    }
    skip = ("filled", "problem", "unreadable", "source", "read_as", "keys")
    fields_check = _dataclass(entry, special, skip=skip, extra=True)

    def check(value: Any, where: str) -> None:
        fields_check(value, where)
        _messages(value)

    return check


_PAYLOAD = _record({"version": _STRING, "form": _STRING}, ("version", "form"))
_withheld = _record(
    {
        "field": _one_of(("service_before", "base_template")),
        "path": _list_of(_is("a name or an index", lambda v: isinstance(v, (str, int)))),
        "pieces": _list_of(lambda v, w: _STRING(v, w) if isinstance(v, str) else _PAYLOAD(v, w)),
        "unrecorded": _BY_TYPE["bool"],  # no pieces: not put back (`withheld._unrecorded`)
    },
    ("field", "path", "pieces"),
)


def _messages(data: dict[str, Any]) -> None:
    """`service_before` and `base_template` must read as the run_v2 messages restore reads:
    their bytes (`…_pb`, `drift.fix.wire`) where the entry has them, which is what restore
    reads then (`drift.fix.recorded.before_service`); else their JSON. The JSON beside bytes
    is read only as a mapping (its `uid`, `generation`, `client`, `updateTime`): what is read
    of it as numbers and names must be what the bytes hold (`_agrees`); parsing it as a
    message too cost about 2 ms an entry, for every entry of the journal, at every command
    that reads it."""
    from google.cloud import run_v2

    kind = data.get("kind", "service")
    before = {"job": run_v2.Job, "worker_pool": run_v2.WorkerPool}.get(kind, run_v2.Service)
    messages: tuple[tuple[str, Any], ...] = (
        ("service_before", before),
        # a worker pool's is its own template (`drift.fix.pool_base`)
        ("base_template", _base_template(kind)),
    )
    for name, message in messages:
        if data.get(f"{name}_pb"):
            packed = _packed(data[f"{name}_pb"], f"{name}_pb", message)
            if name == "service_before":
                _agrees(data[name], packed, name)
            continue
        if name not in data:
            continue
        try:
            message.from_json(json.dumps(data[name]), ignore_unknown_fields=True)
        except Exception as exc:  # json_format.ParseError, and what a crafted value raises
            what = f"a run_v2.{message.__name__} as JSON"
            raise Malformed(f"field `{name}` must be {what} ({str(exc)[:200]})") from exc


def _base_template(kind: str) -> Any:
    from google.cloud import run_v2

    pool = kind == "worker_pool"
    return run_v2.WorkerPoolRevisionTemplate if pool else run_v2.RevisionTemplate


def _agrees(mapping: Any, packed: Any, where: str) -> None:
    """The workload's `uid` and `generation` in the JSON (`Entry.generation_before`, what
    `since` and restore compare) are the bytes' own: a JSON edited apart from its bytes, or
    one whose generation is no number, is not an entry as drift wrote it."""
    generation = mapping.get("generation", 0) or 0
    uid = mapping.get("uid", "") or ""
    number = str(generation).isdecimal() and int(generation) == int(packed.generation)
    if not (isinstance(generation, (int, str)) and number and uid == packed.uid):
        raise Malformed(f"field `{where}` does not hold its bytes' uid and generation")


def _packed(value: Any, where: str, message: Any) -> Any:
    from drift.fix.wire import unpacked

    _STRING(value, where)
    try:
        return unpacked(message, value)
    except ValueError as exc:
        what = f"a serialized run_v2.{message.__name__}, base64"
        raise Malformed(f"field `{where}` must be {what} ({str(exc)[:200]})") from exc


def named(data: Any) -> str:
    """The resource name (`full_name`) an entry this drift cannot read holds as text, where
    its JSON parsed ("" else): what tells a later change of another project's or region's
    same-named workload from one of this workload's (`drift.fix.since.unread_later`). Only
    compared, never said nor written from."""
    name = data.get("full_name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


def newer(path: Path, unknown: list[str]) -> str:
    """An entry with a top-level field this drift does not know: one a newer drift recorded
    (`drift.journal/v1` grows by adding fields, and `writes`, `base_template`, `on_template`,
    `kind`, `undone_by` each changed what rollback does). Never read as if it were not there
    (a rollback that restores less than recorded), nor written again without it: refused,
    and the file left as it is (revupgrade F2)."""
    names = ", ".join(f"`{visible(k)}`" for k in unknown[:5])
    return (
        f"journal file {path} was {NEWER} (field {names}, which this drift does not know): "
        "this drift neither rolls it back nor records in it; use that drift version"
    )
