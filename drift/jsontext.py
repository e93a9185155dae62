"""JSON documents drift is handed (a manifest, a saved plan, a baseline, a journal entry): every
way one can be malformed is a `json.JSONDecodeError` at its line, which each reader reports."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any


class _Refused(ValueError):
    def __init__(self, token: str, why: str) -> None:
        super().__init__(why)
        self.token, self.why = token, why


def _constant(token: str) -> Any:
    raise _Refused(token, f"{token} is not JSON (RFC 8259 section 6: no NaN or Infinity)")


def _float(token: str) -> float:
    if math.isinf(value := float(token)):
        raise _Refused(token, f"the number {token} is out of range")
    return value


class _Twice(ValueError):
    """An object with a name said twice (where: `_twice`)."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Twice
    return found


def loads(document: str | bytes, *, strict: bool = False, unique: bool = False) -> Any:
    """`json.loads`, where an integer longer than Python converts (`sys.get_int_max_str_digits`,
    4300 digits by default) is a JSONDecodeError at its line like any other malformed JSON,
    never a bare ValueError that tells a person to call `sys.set_int_max_str_digits()`.
    `strict`: so are `NaN`, `Infinity` (which Python's reader takes, RFC 8259 does not) and a
    number out of a double's range (`1e400`), which a reader of what others wrote would
    otherwise meet as a number (helper-544 F4).
    `unique` (what I-JSON, RFC 7493 sections 2.1 and 2.3, refuses): so are a name said twice
    in one object, whose value RFC 8259 section 4 leaves to the reader (Python and Go keep the
    last: a hand-edited or concatenated file read as half of it), and text with an unpaired
    surrogate (`"\\udc80"`, RFC 8259 section 8.2: "unpredictable"), which no output can
    write (helper-766); and bytes are UTF-8 (Python's reader takes UTF-16 and UTF-32 without
    a mark, and the UTF-8 of a lone surrogate): else a UnicodeDecodeError."""
    hooks: dict[str, Any] = {"parse_constant": _constant, "parse_float": _float} if strict else {}
    given = document  # text: may hold a surrogate itself; bytes: UTF-8, so never one
    if unique:
        hooks["object_pairs_hook"] = _unique
        if isinstance(document, bytes):
            document = document.decode("utf-8")
    try:
        data = json.loads(document, **hooks)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except _Twice:
        text = _text(document)
        at, path = _twice(text)
        name = f' "{_short(str(path[-1]))}" at {shown_path(path[:-1], parts=None)}' if path else ""
        said = f"duplicate key{name}"
        raise json.JSONDecodeError(said, text, at) from None
    except _Refused as exc:
        text = _text(document)
        raise json.JSONDecodeError(exc.why, text, _unquoted(text, exc.token)) from None
    except ValueError:
        limit = sys.get_int_max_str_digits()
        text = _text(document)
        found = re.search(rf"\d{{{limit + 1},}}", text) if limit else None
        if found is None:
            raise
        raise json.JSONDecodeError(
            f"a number of more than {limit} digits", text, found.start()
        ) from None
    if unique and isinstance(document, str):  # (bytes: decoded above)
        if (lone := _unpaired(document, isinstance(given, str))) is not None:
            where = shown_path(_twice(document, lone.at)[1], parts=None)
            said = f"text with an unpaired surrogate ({lone.shown}) at {where}"
            raise json.JSONDecodeError(said, document, lone.at)
    return data


def deeper_than(document: Any, limit: int) -> bool:
    """Whether a loaded document nests lists and objects more than `limit` levels deep, told
    without recursion: a reader that refuses it first never meets a RecursionError later
    (a `json.dumps` of a document `json.loads` could still read takes its own frame a level)."""
    return too_deep(document, limit) is not None


def too_deep(document: Any, limit: int, level: int = 1) -> tuple[str | int, ...] | None:
    """The JSON path (in `document`, itself at `level`) of the first list or object nested
    more than `limit` levels deep, None where none is; told without recursion, as
    `deeper_than`."""
    if not isinstance(document, dict | list):
        return None
    if level > limit:
        return ()
    path: list[str | int] = []  # of the value whose members the last iterator gives
    members = [_members(document)]
    while members:
        step = next(members[-1], None)
        if step is None:
            members.pop()
            if path:
                path.pop()
            continue
        name, value = step
        if isinstance(value, dict | list):
            if level + len(members) > limit:
                return (*path, name)
            path.append(name)
            members.append(_members(value))
    return None


def _members(value: dict[str, Any] | list[Any]) -> Iterator[tuple[str | int, Any]]:
    return iter(value.items()) if isinstance(value, dict) else enumerate(value)


def shown_path(path: tuple[str | int, ...], within: str = "", parts: int | None = 4) -> str:
    """`path` as drift's messages write a JSON path (`resource_changes[1].change.after`), after
    `within` (the path of where it starts), of at most `parts` parts (then `...`: the path to a
    list 100 levels deep; None: all)."""
    cut = path if parts is None else path[:parts]
    said = "".join(f"[{p}]" if isinstance(p, int) else f".{_short(p)}" for p in cut)
    said = (within + said).removeprefix(".") or "the top level"
    return said + ("..." if len(cut) < len(path) else "")


def _text(document: str | bytes) -> str:
    return document if isinstance(document, str) else document.decode("utf-8", "replace")


def _unquoted(text: str, token: str) -> int:
    """Where `token` first stands outside a string of the JSON `text` (0 when nowhere)."""
    quoted = escaped = False
    for i, char in enumerate(text):
        if quoted:
            escaped, quoted = (not escaped and char == "\\"), quoted and (escaped or char != '"')
        elif char == '"':
            quoted = True
        elif text.startswith(token, i):
            return i
    return 0


_SURROGATE = re.compile(
    r"(?<!\\)(?:\\\\)*(?:\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|(?P<lone>\\u[dD][89a-fA-F][0-9a-fA-F]{2}))|(?P<raw>[\ud800-\udfff])"
)
"""A surrogate's escape (after an even run of backslashes: not an escaped backslash's `u`),
a pair of them (high, then low: one character), or a surrogate itself."""
_ESCAPED = re.compile(r"\\u[dD][89a-fA-F]")
"""Where a surrogate's escape may be: looked for first, as a string is searched, where
`_SURROGATE` is tried at every character (seconds for a plan of 50 MB)."""
_RAW = re.compile("[\ud800-\udfff]")
_STRUCTURE = re.compile(r'[{}\[\],"]')


class _Lone:
    def __init__(self, at: int, shown: str) -> None:
        self.at, self.shown = at, shown


def _unpaired(text: str, raw: bool) -> _Lone | None:
    """Where the first surrogate in `text` that is not half of a pair is (once `text` is read
    as JSON: its backslashes are all in strings); `raw`: a surrogate itself too."""
    first = [f.start() for f in (_ESCAPED.search(text), raw and _RAW.search(text)) if f]
    if not first:
        return None
    start = min(first)
    while start and text[start - 1] == "\\":  # from the start of its run of backslashes
        start -= 1
    for found in _SURROGATE.finditer(text, start):
        if found["lone"]:
            return _Lone(found.start("lone"), found["lone"])
        if found["raw"]:
            return _Lone(found.start(), f"\\u{ord(found['raw']):04x}")
    return None


def _twice(text: str, within: int = -1) -> tuple[int, tuple[str | int, ...]]:
    """Where the first name said twice in one object of the JSON `text` is, and its path; with
    `within`, where the string that holds that place starts and its path (a name's: the path
    of its value). Told without recursion, as `deeper_than`."""
    path: list[str | int] = []
    names: list[set[str] | None] = []  # each open object's names so far (None: a list)
    naming = False  # the next string in this object is a name
    at = 0
    while (found := _STRUCTURE.search(text, at)) is not None:
        at = found.start()
        char = text[at]
        if char == '"':
            value, end = scanstring(text, at + 1, True)
            if naming:
                seen = names[-1]
                assert seen is not None  # names are said in objects
                if within < 0 and value in seen:
                    return at, (*path[:-1], value)
                seen.add(value)
                path[-1], naming = value, False
            if at <= within < end:
                return at, tuple(path)
            at = end
            continue
        if char in "{[":
            names.append(set() if char == "{" else None)
            path.append(0)
            naming = char == "{"
        elif char in "}]":
            names.pop()
            path.pop()
        elif names[-1] is None:  # a comma in a list
            path[-1] = int(path[-1]) + 1
        else:
            naming = True
        at += 1
    return 0, tuple(path)


def _short(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "..."
