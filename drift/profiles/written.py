"""A boolean written other than `true`/`false` where a profile takes text: the text written.

YAML 1.2 reads `True`, `TRUE`, `False` and `FALSE` as booleans (and YAML 1.1, under a `%YAML
1.1` directive, `yes`, `off` and the like), and a variable's value takes a boolean as its text
(`drift.profiles.rules_spec.Text`). Made `true` from the boolean, `DEBUG: True` was drift from
a service that runs with `DEBUG=True` (Django's spelling), and `fix` would have set `true`: the
text is what the operator wrote (revyaml87 F1). Where the profile takes a boolean
(`cpu_throttling: True`, `required: TRUE`), it stays one: the model says which (it refuses
a string there)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from drift.yamldoc import Located, Path_
from drift.yamlfile import document_path


def as_written(doc: Located, model: type[BaseModel]) -> Located:
    """`doc` with each of its `spelled` booleans that `model` takes as a boolean and as text
    made that text; one it refuses as either is left as it is, for the model to say so (a
    setting that takes text alone refuses a bare boolean, as its JSON Schema does)."""
    spelled = {p: text for p, text in doc.spelled.items() if type(_at(doc.data, p)) is bool}
    if not spelled:
        return doc
    trial = _replaced(doc.data, spelled)
    refused = _refused(model, doc.data) + _refused(model, trial)
    kept = {p: t for p, t in spelled.items() if not any(at[: len(p)] == p for at in refused)}
    return Located(doc.file, _replaced(doc.data, kept), doc.lines, doc.spelled)


def _refused(model: type[BaseModel], data: Any) -> list[Path_]:
    """The paths at which `model` refuses something of `data` (and those below them)."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [document_path(err["loc"]) for err in exc.errors(include_url=False)]
    return []


def _at(data: Any, path: Path_) -> Any:
    """What `data` holds at `path` (None: nothing)."""
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _replaced(data: Any, texts: Mapping[Path_, str]) -> Any:
    """A copy of `data` with the text of `texts` at their paths; `data` itself, and whatever it
    shares (an alias's value), left as it is: each mapping and list on the way is copied."""
    copies: dict[Path_, Any] = {(): _copy(data)}
    for path, text in texts.items():
        holder = copies[()]
        for depth in range(1, len(path)):
            here = path[:depth]
            if here not in copies:
                copies[here] = holder[path[depth - 1]] = _copy(holder[path[depth - 1]])
            holder = copies[here]
        holder[path[-1]] = text
    return copies[()]


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value)
