"""Read YAML inputs (profiles, scenarios) keeping the line of every key, and report problems
as `file:line: message` — including pydantic validation errors mapped back to their lines."""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from drift import units
from drift.credentials import conceal
from drift.errors import Problem
from drift.files import not_a_file, not_regular, open_nonblocking
from drift.setting_words import BOUND_WORDS
from drift.textsafe import alike_escaped, look_alike, undecodable_line
from drift.yamldoc import MAX_BYTES, Integers, Located, Path_, YamlProblems, variable_name


def display_path(path: Path) -> str:
    """A path as a report names files (SPEC "Findings": `file` relative to the working
    directory): relative to it when it is below it, else as given (`--profiles
    ../deploy/profiles`). Annotations and SARIF name it from the repository's root instead
    (`drift.format.repo_root.repo_path`). A link that cannot be resolved (a loop: `ln -s
    old.yaml old.yaml`) is shown as it is named: reading it says what is wrong with it. A file
    that is a link is named as the link (its folders resolved): where it leads is not what the
    user named, and a broken one would be named by a file that is not there."""
    try:
        resolved = path.parent.resolve() / path.name
    except (RuntimeError, OSError):  # a symlink loop (RuntimeError before Python 3.13)
        resolved = Path(os.path.abspath(path))
    try:
        return str(resolved.relative_to(Path(os.getcwd()).resolve()))
    except ValueError:
        return str(path)


def load_located(path: Path, *, display: str | None = None) -> Located:
    """Parse one YAML file into plain data with line numbers; refuse what is unsafe to read."""
    name = display or display_path(path)
    return parse_located(read_regular(path, name), name)


def parse_located(raw: bytes, name: str, integers: Integers = "canonical") -> Located:
    """`load_located` for bytes already read (standard input), `name` showing where from;
    `integers`: see `drift.yamldoc.Rules.integer`."""
    if len(raw) > MAX_BYTES:
        raise YamlProblems(
            [Problem(name, 1, f"input is {len(raw)} bytes; the limit is {MAX_BYTES} bytes")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblems([Problem(name, undecodable_line(exc), "not UTF-8 text")]) from exc
    return parse_text(text, name, integers)


def read_regular(path: Path, name: str) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES: its type and size are checked before
    anything is read (a FIFO would block, `/dev/zero` never ends), and the read stops at the
    limit even if the file grows meanwhile."""

    def refuse(message: str) -> YamlProblems:
        return YamlProblems([Problem(name, 1, message)])

    try:
        info = os.stat(path)  # follows symlinks: what matters is what they point at
        if (kind := not_regular(info)) is not None:
            raise refuse(f"not a regular file ({kind})")
        if info.st_size > MAX_BYTES:
            raise refuse(f"file is {info.st_size} bytes; the limit is {MAX_BYTES} bytes")
        fd = open_nonblocking(path)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the check above
                raise refuse("not a regular file")
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_BYTES:
                chunk = os.read(fd, MAX_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        what = not_a_file(path)  # a broken link, a link loop: what it is
        if what is not None and not what.startswith("unreadable"):
            raise refuse(f"cannot read: it is {what}") from exc
        raise refuse(f"cannot read: {exc.strerror or exc}") from exc
    if size > MAX_BYTES:
        raise refuse(f"file is more than {MAX_BYTES} bytes; the limit is {MAX_BYTES} bytes")
    return b"".join(chunks)


def parse_text(text: str, name: str, integers: Integers = "canonical") -> Located:
    """Parse YAML text into plain data with line numbers: libyaml (C, through PyYAML) when it
    is installed and reads this document exactly as the YAML 1.2 reference path would, else
    that reference path (pure-Python ruamel.yaml). Both give the same data, lines and errors."""
    from drift import yamlfast, yamlruamel

    if yamlfast.available():
        try:
            return yamlfast.parse(text, name, integers)
        except yamlfast.Fallback:
            pass
    return yamlruamel.parse(text, name, integers)


def validation_problems(
    exc: ValidationError, doc: Located, model: type[BaseModel], *, prefix: Path_ = ()
) -> list[Problem]:
    """Turn pydantic errors into `file:line: message`, with "did you mean" for unknown keys: at
    the path the document writes (pydantic's names of a union's members, `list[…]`,
    `literal[…]`, left out), one line for a value that none of a union's members takes."""
    found: dict[Any, list[tuple[Path_, Any]]] = {}
    inside: set[Path_] = set()
    for n, err in enumerate(exc.errors(include_url=False)):
        parts = [p for p in err["loc"] if isinstance(p, str | int) and p != "[key]"]
        named = parts[:-1] if err["type"] == "missing" else parts  # its last: the key missing
        members = _members(named, _at(doc.data, prefix))
        member = min(members, default=None)
        loc = (*prefix, *(p for i, p in enumerate(parts) if i not in members))
        if member is None:
            found[n] = [(loc, err)]
        elif member + 1 < len(parts):  # of that member's type (`check_tags: [E2E]`, a list):
            inside.add((*prefix, *parts[:member]))  # what is wrong inside it says it all
            found[n] = [(loc, err)]
        else:  # of none of the members' types: one line at the field (`_expected`)
            found.setdefault((*prefix, *parts[:member]), []).append((loc, err))
    problems: list[Problem] = []
    for key, errs in found.items():
        if key in inside:
            continue
        said = None if isinstance(key, int) else _expected([e for _, e in errs])
        if said is not None:
            problems.append(doc.problem(key, f"{'.'.join(str(p) for p in key)}: {said}"))
            continue
        problems.extend(_problem(doc, model, prefix, loc, err) for loc, err in errs)
    return problems


_MEMBER = re.compile(r"(?:list|literal|function-(?:after|before|wrap|plain)|nullable|union)\[")
"""How pydantic names a union's member in an error's location (`list[function-after[check_tag(),
str]]`, `literal['all','none']`): never a document's own key, which may hold a `[` too (a key
with a terminal escape, `x\\e[2J`, is said back as the key it is)."""


def _member(part: Any) -> bool:
    return isinstance(part, str) and _MEMBER.match(part) is not None


def _members(parts: list[str | int], data: Any) -> set[int]:
    """Which parts of an error's location name a union's member, not a key of the document:
    pydantic's own names (`_MEMBER`), and a model's or a type's name (`_TYPE_NAME`: `str`,
    `PatternSpec` in `image: str | PatternSpec`) where the document holds no such key
    (`image: {pattern: …}` has no key `str`). A key the document holds is its own."""
    found: set[int] = set()
    for i, part in enumerate(parts):
        if _member(part):
            found.add(i)
        elif (inner := _step(data, part)) is not _GONE:
            data = inner
        elif (
            isinstance(part, str)
            and _TYPE_NAME.fullmatch(part)
            and (data is not _GONE or i == len(parts) - 1)
        ):  # a type's name where the document has no such key: a member (past where the
            found.add(i)  # model's data and the document part, only as the last part)
        else:  # where they part (a key a validator moved): no later key of the document is
            data = _GONE  # taken for a member on its name alone
    return found


_TYPE_NAME = re.compile(r"str|int|float|bool|(?:[A-Z][a-z0-9]+){2,}")
"""How pydantic names a union's member of a plain type or a model (`str`, `PatternSpec`): a
key the document lacks that is named so (a key a validator put there, `value`, is not)."""


_GONE = object()
"""Where the document has nothing (a missing key's error: not a member)."""


def _step(data: Any, part: str | int) -> Any:
    """`data[part]` in the document, or `_GONE`."""
    if isinstance(data, dict) and part in data:
        return data[part]
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return _GONE


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        data = _step(data, part)
    return data


def document_path(loc: tuple[Any, ...]) -> Path_:
    """A pydantic error's location as the document's path: without the names of a union's
    members and of a key's own check (`[key]`)."""
    return tuple(p for p in loc if isinstance(p, str | int) and p != "[key]" and not _member(p))


def _expected(errors: list[Any]) -> str | None:
    """One sentence for a value that none of a union's members takes, each of which said only
    what it expected (`_TYPES`, a `Literal`'s values): None when one said more."""
    expected, kinds = [], []
    for err in errors:
        if err["type"] == "literal_error":
            expected.append(err["ctx"]["expected"])
        elif err["type"] in _TYPES:
            expected.append(_TYPES[err["type"]][0])
            kinds.append(_TYPES[err["type"]][1])
        else:
            return None
    kind = kinds[0] if len(kinds) == 1 else None
    return wrong_type(" or ".join(expected), kind, errors[0]["input"])


def _problem(doc: Located, model: type[BaseModel], prefix: Path_, loc: Path_, err: Any) -> Problem:
    """One pydantic error as `file:line: message`, at `loc`."""
    where = ".".join(str(p) for p in loc) or "document"
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(model, loc[len(prefix) : -1])
        # what a screen shows like another key, or like nothing, escaped (helper-602 F3)
        msg = f"unknown key '{alike_escaped(key)}'"
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        alike = next((name for name in allowed if look_alike(key, name)), None)
        if alike is not None:
            msg += (
                f" (did you mean '{alike}'? the names differ only in characters that look "
                "alike, shown escaped)"
            )
        elif key[:1].isspace():  # indentation pasted from a page: no-break spaces, a tab
            msg += " (it begins with white space that is not a space: YAML indents with spaces)"
        elif close:
            msg += f" (did you mean '{close[0]}'?)"
        elif allowed:
            msg += f"; expected one of: {', '.join(sorted(allowed))}"
        where_parent = ".".join(str(p) for p in loc[:-1])
        if where_parent:
            msg += f" in {where_parent}"
    elif kind == "missing":
        msg = f"{where}: required key is missing"
    elif kind in _TYPES:
        # `ADMIN_PASSWORD: 31415926535`: a variable's value of another type, only its kind
        hidden = variable_name(loc) is not None
        msg = f"{where}: {wrong_type(*_TYPES[kind], err['input'], hidden=hidden)}"
    elif kind in ("literal_error", "enum"):  # `Input should be 'ignore', 'warn' or 'error'`
        msg = f"{where}: expected {err['ctx']['expected']}, not {_said(err['input'], loc)}"
    elif kind in BOUND_WORDS:  # `Input should be greater than or equal to 0`
        word, bound = BOUND_WORDS[kind]
        msg = f"{where}: expected {word} {err['ctx'][bound]}, not {_said(err['input'], loc)}"
    else:
        text = err["msg"]
        if text.startswith("Value error, "):
            text = text[len("Value error, ") :]
        msg = f"{where}: {text}"
    return doc.problem(loc, msg)


def _said(value: Any, loc: Path_) -> str:
    """A value as a message quotes it: a variable's never (it may be a credential)."""
    if variable_name(loc) is not None:
        return "the value given"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # one that looks like an allowed value, escaped (helper-606 F5)
        return repr(value)[:40] if (shown := alike_escaped(value)) == value else f"'{shown}'"[:40]
    if isinstance(value, int):  # its first 40 digits read as the number (helper-766)
        return units.shown(value)
    return str(value)[:40]


_TYPES: dict[str, tuple[str, type]] = {
    "bool_type": ("a boolean (true or false)", bool),
    "int_type": ("an integer", int),
    "string_type": ("a string", str),
    "list_type": ("a list", list),
    "dict_type": ("a mapping", dict),
    "model_type": ("a mapping", dict),  # of a model's keys (`image: {pattern: …}`)
}
"""The type a value should be, by pydantic's (strict) error type of one that is not of it: a
profile's models are strict (`drift.profiles.parts.Strict`), as its JSON Schema is. In a
union, with the values a `Literal` member takes (`'all' or 'none' or a list`)."""


_KINDS = {"list": "a list", "dict": "a mapping", "NoneType": "null (an empty value)"}


def wrong_type(expected: str, kind: type | None, value: Any, *, hidden: bool = False) -> str:
    """The one wording of a YAML value of the wrong type: what was expected and what was given;
    a quoted scalar that unquoted would be of the type `kind` (`'false'` for a boolean, as this
    module reads YAML) says to write it without quotes. A credential in the value is masked
    before it is cut and quoted (`DATABASE_URL=postgres://app:***@db…`: revown71 F3);
    `hidden` (a variable's value): one not text is said by its kind alone (`a number`)."""
    if isinstance(value, str):
        said = f"the string {conceal('', value, by_name=False)[:40]!r}"
        try:
            unquoted = parse_text(value, "<value>").data if "\n" not in value else None
        except YamlProblems:
            unquoted = None
        if kind is not None and type(unquoted) is kind:
            said += ": write it without quotes"
    elif isinstance(value, bool):
        said = "true" if value else "false"
    else:
        shown = "a number" if hidden else repr(value)[:40]
        said = _KINDS.get(type(value).__name__, shown)
    return f"expected {expected}, not {said}"


def _allowed_keys(model: type[BaseModel], path: Path_) -> list[str]:
    """The keys a nested model accepts at `path`, to suggest a correction."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None:
            break
        field = _field_by_key(fields, part)
        if field is None:
            continue  # a key of a free-form mapping (service or variable name)
        current = _inner_model(field.annotation)
    fields = getattr(current, "model_fields", None)
    if not fields:
        return []
    return [f.alias or name for name, f in fields.items() if not f.exclude]


def _field_by_key(fields: Mapping[str, Any], key: str) -> Any:
    for name, f in fields.items():
        if key in (name, f.alias):
            return f
    return None


def _inner_model(annotation: Any) -> Any:
    """Find the BaseModel inside Optional[...], dict[str, ...], list[...] and Annotated."""
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(get_args(annotation)):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
