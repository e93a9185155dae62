"""Read YAML inputs (profiles, scenarios) keeping the line of every key, and report problems
as `file:line: message` — including pydantic validation errors mapped back to their lines."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from drift.errors import Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """A YAML document as plain Python data, with the 1-based line of every path in it."""

    file: str
    data: Any
    lines: dict[Path_, int]

    def line(self, path: Iterable[str | int]) -> int:
        """Line of the longest prefix of `path` that the document has (1 when none)."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return 1

    def problem(self, path: Iterable[str | int], message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


class YamlProblems(Exception):
    """Raised with the problems found while reading one file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def display_path(path: Path) -> str:
    """A path relative to the working directory when it is below it (as annotations need)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_located(path: Path, *, display: str | None = None) -> Located:
    """Parse one YAML file into plain data with line numbers; refuse what is unsafe to read."""
    name = display or display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlProblems(
                [Problem(name, 1, f"file is {size} bytes; the limit is {MAX_BYTES} bytes")]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlProblems([Problem(name, 1, f"cannot read: {exc.strerror or exc}")]) from exc
    return parse_located(raw, name)


def parse_located(raw: bytes, name: str) -> Located:
    """`load_located` for bytes already read (standard input), `name` showing where from."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if len(raw) > MAX_BYTES:
        raise YamlProblems(
            [Problem(name, 1, f"input is {len(raw)} bytes; the limit is {MAX_BYTES} bytes")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblems([Problem(name, 1, "not UTF-8 text")]) from exc
    # Compose (the pure YAML 1.2 parser: libyaml reads some documents differently) and build
    # the data ourselves:
    # nodes carry their line, and that is all drift needs from the YAML library.
    yaml = YAML(typ="safe", pure=True)
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "<stream end>" in str(exc.problem):
            mark = exc.context_mark  # point at what was left open, not at the end of file
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlProblems([Problem(name, line, f"invalid YAML: {what}")]) from None
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlProblems([Problem(name, 1, f"invalid YAML: {_oneline(exc)}")]) from None
    lines: dict[Path_, int] = {}
    walker = _Walker(name, lines, yaml.constructor)
    data = None if node is None else walker.walk(node, (), 0)
    return Located(name, data, lines)


def _oneline(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# plain mappings and lists only: `!!set`, `!!omap`, `!!python/...` and the like are refused
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Walker:
    """Composed nodes -> plain data, recording the line of every key and item."""

    def __init__(self, file: str, lines: dict[Path_, int], constructor: Any) -> None:
        self.file = file
        self.lines = lines
        self.constructor = constructor
        self.nodes = 0

    def fail(self, node: Any, message: str) -> YamlProblems:
        return YamlProblems([Problem(self.file, node.start_mark.line + 1, message)])

    def walk(self, node: Any, path: Path_, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.nodes += 1
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels")
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"more than {MAX_NODES} YAML nodes")
        if isinstance(node, MappingNode | SequenceNode) and node.tag not in _COLLECTION_TAGS:
            raise self.fail(node, f"unsupported YAML tag {node.tag}")
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or str(key_node.tag).endswith(":merge"):
                    raise self.fail(key_node, "unsupported key (a plain name is expected)")
                key = self.scalar(key_node)
                if not isinstance(key, str | int | bool) or isinstance(key, float):
                    raise self.fail(key_node, f"unsupported key {key_node.value!r}")
                skey = _scalar_text(key)
                if skey in out:
                    raise self.fail(key_node, f'invalid YAML: duplicate key "{skey}"')
                self.lines[(*path, skey)] = key_node.start_mark.line + 1
                out[skey] = self.walk(value_node, (*path, skey), depth + 1)
            return out
        if isinstance(node, SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1
                items.append(self.walk(item, (*path, i), depth + 1))
            return items
        return self.scalar(node)

    def scalar(self, node: Any) -> Any:
        if node.tag == _TIMESTAMP:
            return str(node.value)  # dates stay text: the models parse them, with a line
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, f"unsupported YAML tag {node.tag}")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError) as exc:
            raise self.fail(node, f"invalid YAML: {_oneline(exc)}") from None
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # "\ud800" escapes: no API, file or terminal takes it
                raise self.fail(node, "invalid YAML: text with an unpaired surrogate") from None
        return value


def _scalar_text(key: Any) -> str:
    if isinstance(key, bool) or type(key).__name__ == "ScalarBoolean":
        return "true" if key else "false"
    return str(key)


def validation_problems(
    exc: ValidationError, doc: Located, model: type[BaseModel], *, prefix: Path_ = ()
) -> list[Problem]:
    """Turn pydantic errors into `file:line: message`, with "did you mean" for unknown keys."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *(p for p in err["loc"] if isinstance(p, str | int) and p != "[key]"))
        where = ".".join(str(p) for p in loc) or "document"
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(model, loc[len(prefix) : -1])
            msg = f"unknown key '{key}'"
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if close:
                msg += f" (did you mean '{close[0]}'?)"
            elif allowed:
                msg += f"; expected one of: {', '.join(sorted(allowed))}"
            where_parent = ".".join(str(p) for p in loc[:-1])
            if where_parent:
                msg += f" in {where_parent}"
        elif kind == "missing":
            msg = f"{where}: required key is missing"
        else:
            text = err["msg"]
            if text.startswith("Value error, "):
                text = text[len("Value error, ") :]
            msg = f"{where}: {text}"
        problems.append(doc.problem(loc, msg))
    return problems


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
    return [f.alias or name for name, f in fields.items()]


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
