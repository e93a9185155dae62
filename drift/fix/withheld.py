"""The plain copies of a secret that a journal entry does not hold (SPEC safety invariant 1: no
secret value into any file or journal). A workload's plain variable, or any other text of its
configuration (an argument, a command, a probe's header, an annotation), that holds the
payload of a secret version drift read, whole or encoded (`redact.secret_pieces`: a sidecar's
`COPY=…` of the value its app reads as a secret, a URL around it, its base64) is recorded as
`{field, path, pieces}`, each payload in it by its version's name and form, that text
left empty in `service_before`/`base_template` and in their bytes (`…_pb`); a rollback reads
that version again (AccessSecretVersion) and puts the exact value back before it sends
anything, or says what it cannot restore and writes nothing (`fill`, `require_filled`).

`path` names the variable's place in the message (the `env` item), or the text's own, the same
in its JSON and in its protobuf (`template`, `containers`, `env`: the field names and indexes
of run/v2; a map's keys as they are)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from drift import redact
from drift.errors import ApiError, JournalError, SecretUnrecordable
from drift.fix.wire import packed, unpacked
from drift.respaced import drifts, respaced_parts
from drift.secretforms import payload_form
from drift.textsafe import visible

_FIELDS = ("service_before", "base_template")


def _message(field: str, kind: str) -> Any:
    from google.cloud import run_v2

    if field == "base_template":  # a pool's WorkerPoolRevisionTemplate (`recorded.base_message`)
        return (
            run_v2.WorkerPoolRevisionTemplate if kind == "worker_pool" else run_v2.RevisionTemplate
        )
    return {"job": run_v2.Job, "worker_pool": run_v2.WorkerPool}.get(kind, run_v2.Service)


_OUTPUT_ONLY = frozenset(
    {
        "uri", "urls", "trafficStatuses", "instanceSplitStatuses", "conditions",
        "terminalCondition", "etag", "uid", "name", "creator", "lastModifier",
        "latestReadyRevision", "latestCreatedRevision", "latestCreatedExecution",
        "observedGeneration", "createTime", "updateTime", "deleteTime", "expireTime",
    }
)  # fmt: skip
"""What Cloud Run writes itself at a workload's top level (OUTPUT_ONLY in service.proto,
job.proto, worker_pool.proto) or names it by: no configuration copies a secret there, and a
rollback never sends it; a payload that happens to equal one (a secret holding the service's
URL) would otherwise make the rollback need that version again (helper-540 F7)."""


def _texts(
    doc: Any, path: list[str | int], top: bool = True
) -> Iterator[tuple[list[str | int], str]]:
    """Every text of a message's JSON with its path: a plain variable (an `env` item with a
    `value`) by the item's path, any other string (an argument, a command, a probe's header, an
    annotation: wherever an app's configuration may copy a secret) by its own; not what Cloud
    Run writes itself (`_OUTPUT_ONLY`, at the top)."""
    if isinstance(doc, dict):
        env = doc.get("env")
        if isinstance(env, list):
            for i, var in enumerate(env):
                if isinstance(var, dict) and isinstance(var.get("value"), str):
                    yield [*path, "env", i], var["value"]
        for key, item in doc.items():
            if top and key in _OUTPUT_ONLY:
                continue
            if isinstance(item, str):
                yield [*path, key], item
            elif key != "env":
                yield from _texts(item, [*path, key], False)
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            if isinstance(item, str):
                yield [*path, i], item
            else:
                yield from _texts(item, [*path, i], False)


def _at(doc: Any, path: list[str | int]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _pb_at(message: Any, path: list[str | int]) -> Any:
    """The protobuf field at a JSON path (its camelCase names as the proto's snake_case; a
    map's keys as they are)."""
    for step in path:
        if isinstance(step, int) or isinstance(message, Mapping):
            message = message[step]
        else:
            message = getattr(message, _CAMEL.sub(lambda m: "_" + m[0].lower(), step))
    return message


_CAMEL = re.compile(r"[A-Z]")


def _put(doc: Any, message: Any, path: list[str | int], value: str) -> None:
    """Write `value` at `path` of a message's JSON `doc` and of its protobuf `message` (None:
    the JSON only): a variable's value (`path` names an `env` item), else the text there."""
    if isinstance(_at(doc, path), dict):
        _at(doc, path)["value"] = value
        if message is not None:
            _pb_at(message, path).value = value
        return
    *up, last = path
    _at(doc, up)[last] = value
    if message is None:
        return
    holder = _pb_at(message, up)
    if isinstance(last, int) or isinstance(holder, Mapping):
        holder[last] = value
    else:
        setattr(holder, _CAMEL.sub(lambda m: "_" + m[0].lower(), last), value)


def _set(data: dict[str, Any], field: str, paths: list[tuple[list[str | int], str]]) -> None:
    """Write each value at its path of the entry's `field`, JSON and bytes."""
    if not data.get(f"{field}_pb"):
        for path, value in paths:
            _put(data[field], None, path, value)
        return
    message = _message(field, data.get("kind", "service"))
    decoded = unpacked(message, data[f"{field}_pb"])
    for path, value in paths:
        _put(data[field], message.pb(decoded), path, value)
    data[f"{field}_pb"] = packed(decoded)


def _keys(doc: Any, keys: set[str]) -> set[str]:
    """Every key of a message's JSON (a label's, an annotation's name among them), into `keys`."""
    if isinstance(doc, dict):
        keys.update(doc)
    for item in doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else ():
        if isinstance(item, (dict, list)):
            _keys(item, keys)
    return keys


PARTS = ("kind", *_FIELDS, *(f"{f}_pb" for f in _FIELDS), "withheld")
"""What `withhold` reads of an entry: with the payloads drift read, all its result depends on."""
_IN_ORDER = json.JSONEncoder(separators=(",", ":")).encode
"""The C encoder, each object's keys in their order (what `withhold` walks them in), `1`,
`1.0` and `true` apart: an entry's parts as a text that is their content, exact."""
KEPT = 16
"""The most results kept (the oldest let go first): a fix writes one or two entries at once."""
_kept: dict[tuple[Any, int, bytes], str] = {}
_kept_lock = threading.Lock()


def withhold(data: dict[str, Any]) -> None:
    """An entry's JSON (`Entry.to_json`) without the value of any plain copy of a secret it
    holds: those it already refers to (`withheld`), and each one whose value holds a payload
    drift read (`redact.secret_pieces`), added to them. A payload in a key (a label's or an
    annotation's name) has no place a record could name: JournalError, so the entry is never
    written and nothing is changed (helper-541 F2).
    `data`'s parts (`PARTS`) are replaced, never changed in place (`Entry.to_json` hands in the
    entry's own). A journal writes an entry again at each step of a fix, its configurations
    unchanged: their withheld form is worked out once and kept, by the SHA-256 of their text
    (never a secret's value kept) and the payloads drift had read then (`Versions.added`: a
    payload read since is looked for again); one refused is refused each time."""
    versions = redact._known.versions
    added = versions.added  # read first: a payload added while this runs is not counted
    text = _IN_ORDER({part: data[part] for part in PARTS if part in data})  # not JSON: raises
    key = (versions, added, hashlib.sha256(text.encode()).digest())
    kept = _kept.get(key)
    if kept is None:
        work = {**data, **json.loads(text)}  # its parts a copy, which `_withhold` changes
        _withhold(work)
        kept = _IN_ORDER({part: work[part] for part in PARTS[1:] if part in work})
        with _kept_lock:
            while len(_kept) >= KEPT:
                del _kept[next(iter(_kept))]
            _kept[key] = kept
    data.update(json.loads(kept))


def _withhold(data: dict[str, Any]) -> None:
    """`withhold`, worked out: `data`'s parts changed in place."""
    keys: set[str] = set()  # each name once
    for field in _FIELDS:
        _keys(data.get(field), keys)
    if any(redact.secret_pieces(key) is not None for key in keys):
        raise SecretUnrecordable(
            "a label or annotation name holds the value of a secret drift read, which the "
            "journal cannot record without writing it: rename it, then run drift again"
        )
    records: list[dict[str, Any]] = data.setdefault("withheld", [])
    known = {(r["field"], json.dumps(r["path"])) for r in records}
    found_in: dict[str, list[str | tuple[str, str]] | None] = {}  # both fields hold the same
    for field in _FIELDS:
        for path, text in list(_texts(data.get(field), [])):
            if known and (field, json.dumps(path)) in known:
                continue
            if text not in found_in:
                found_in[text] = redact.secret_pieces(text, cut=True) if text else None
            found = found_in[text]
            if found == []:  # a payload whose whitespace changed: withheld, never put back
                records.append({"field": field, "path": path, "pieces": [], "unrecorded": True})
            elif found is not None:
                pieces = [
                    p if isinstance(p, str) else {"version": p[0], "form": p[1]} for p in found
                ]
                records.append({"field": field, "path": path, "pieces": pieces})
    by_field: dict[str, list[list[str | int]]] = {}
    for r in records:
        by_field.setdefault(r["field"], []).append(r["path"])
    for field, paths in by_field.items():
        _set(data, field, [(path, "") for path in paths])


async def fill(
    entry: Any,
    read: Callable[[str], Awaitable[bytes]],
    payloads: dict[str, bytes | str] | None = None,
) -> list[str]:
    """Put back into `entry` (read from its file) the value of each plain copy it refers to,
    read again from its secret versions (`payloads`: those read already, by version, shared by
    the entries of one rollback so that each is read once); what cannot be, each in words, a
    variable once (nothing put back then: the rollback must not run on part of it)."""
    if entry.filled or not entry.withheld:
        return []
    payloads = {} if payloads is None else payloads
    problems: list[str] = []
    unread: list[str] = []  # the versions that could not be read (`_unreadable`)
    filled: list[tuple[dict[str, Any], str]] = []
    for record in entry.withheld:
        text: list[str] = []
        if record.get("unrecorded"):
            problems.append(f"{_where(entry, record)}: {_UNRECORDED}")
            continue
        for piece in record["pieces"]:
            if isinstance(piece, str):
                text.append(piece)
                continue
            version = piece["version"]
            if version not in payloads:
                try:
                    payloads[version] = await read(version)
                except ApiError as exc:
                    payloads[version] = exc.message
            data = payloads[version]
            if isinstance(data, str):
                problems.append(f"{_where(entry, record)}: cannot read {version} again ({data})")
                unread.append(version)
                break
            redact.register_payload(data, version)  # a secret's value: never shown
            value = payload_form(data, piece["form"])
            if value is None:
                problems.append(f"{_where(entry, record)}: {_unformed(version, data, piece)}")
                break
            text.append(value)
        else:
            filled.append((record, "".join(text)))
    if problems:  # a variable of both messages said once; what to do, once a version
        return list(dict.fromkeys(problems + [_unreadable(version) for version in unread]))
    held = {"kind": entry.kind, **{f: getattr(entry, f) for f in _FIELDS}}
    held |= {f"{f}_pb": getattr(entry, f"{f}_pb") for f in _FIELDS}
    for record, value in filled:
        try:
            _set(held, record["field"], [(record["path"], value)])
        except (LookupError, TypeError, AttributeError, ValueError):
            return [f"{_where(entry, record)}: no such variable in the entry"]
    for f in _FIELDS:
        setattr(entry, f"{f}_pb", held[f"{f}_pb"])
    entry.filled = True
    return []


_UNRECORDED = (
    "its value held a secret drift read in a form the journal cannot name (its whitespace "
    "changed), so the journal did not record it: set that variable by hand"
)


_VERSION = re.compile(r"projects/([^/]+)/secrets/([^/]+)/versions/([0-9]+)")


def _unreadable(version: str) -> str:
    """What to do where `version` gives no value back (helper-746 F2: a routine rotation
    disables or destroys the version a value the journal recorded by it was read from): a
    disabled version enabled again restores it; a destroyed one is gone, its value set by hand."""
    named = _VERSION.fullmatch(version)
    project, secret, number = (visible(p) for p in named.groups()) if named else ("", "", "")
    enable = f"`gcloud secrets versions enable {number} --secret={secret} --project={project}`"
    return (
        f"to restore them, enable {version} again ({enable if named else 'in Secret Manager'}) "
        "and run the rollback again; a destroyed version cannot be read again: set those "
        "variables by hand"
    )


def _unformed(version: str, data: bytes, piece: dict[str, Any]) -> str:
    """Why `version`'s payload `data` gives no value in the form the journal names: a text's
    form of a payload that is no text; else a form drift does not write (a journal edited by
    hand, `whole@<5000 digits>:n`, was "no longer holds text", or an internal error: helper-686
    L1); a start or end with its runs of white space recorded that the version's text does not
    fit (`drift.respaced`: never a guess). A version's payload never changes, and a form drift
    wrote of it gives it back."""
    if not str(piece["form"]).startswith("bytes/"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return f"{version} no longer holds text"
    parts = respaced_parts(str(piece["form"]))
    if parts is not None and drifts(parts[1]):  # its runs do not fit the version's text
        return (
            f"{version} does not give back the value the journal recorded by it (a start or an "
            "end of it with its white space changed): nothing was guessed; set it by hand"
        )
    return f"the journal names its copy of {version} in a form drift does not write"


def _where(entry: Any, record: dict[str, Any]) -> str:
    """`DB_URL` (container `app`): the variable a record stands for, by the names its message
    gives it (the same in `service_before` and `base_template`)."""
    path = record["path"]
    try:
        name = _at(getattr(entry, record["field"]), path).get("name")
        container = _at(getattr(entry, record["field"]), path[:-2]).get("name")
    except (LookupError, TypeError, AttributeError):
        name = container = None
    if not isinstance(name, str) or not name:
        text = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
        return f"`{record['field']}{text}`"
    named = container if isinstance(container, str) and container else ""
    return f"`{visible(name)}`" + (f" (container `{visible(named)}`)" if named else "")


def require_filled(entry: Any) -> None:
    """Refuse to build a write from an entry whose withheld values were not put back (`fill`):
    never an empty value sent in place of a secret's copy."""
    if entry.withheld and not entry.filled:
        raise JournalError(
            f"{entry.full_name}: the journal entry refers to secret versions for "
            f"{len(entry.withheld)} plain value(s) that were not read again: nothing was changed"
        )
