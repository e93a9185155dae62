"""The two kinds of part a profile is made of, as pydantic models: `Strict`, every part (no
key it does not name, no value of another type), and `Whole`, a part `extends` replaces as a
whole (a variable's rule, a mount's, an `ignore` entry), where no key takes null."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

if TYPE_CHECKING:
    from pydantic.config import JsonDict


class Strict(BaseModel):
    """A part of a profile: no key it does not name, and no value of another type than its
    own. Strict as its JSON Schema is (`drift profiles schema`): a quoted `'false'` or `'3'` is
    a string, not the boolean or integer a key takes; a key whose form is text (a quantity, a
    duration, a variable's value) takes text by its own type or parser."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


def whole_schema(extra: JsonDict | None = None) -> Callable[[JsonDict], None]:
    """A `Whole` model's `json_schema_extra`: `extra` added, and null taken by no key."""

    def amend(schema: JsonDict) -> None:
        schema.update(extra or {})
        _no_null_in_schema(schema)

    return amend


def _no_null_in_schema(schema: JsonDict) -> None:
    """No key of `schema` takes null (pydantic writes `X | None` as `anyOf: [X, {type:
    null}]`, with a null default)."""
    for prop in schema.get("properties", {}).values():  # type: ignore[union-attr]
        assert isinstance(prop, dict)
        options = prop.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            kept = [o for o in options if o != {"type": "null"}]
            del prop["anyOf"]
            if len(kept) == 1 and isinstance(kept[0], dict):
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class Whole(Strict):
    """A part of a profile that `extends` replaces as a whole (a variable's rule, a mount's,
    an `ignore` entry): a null in it deletes nothing, and taken as the key left out it turned
    a rule into another (`{forbidden: }`, a value a template left empty, made the variable
    required; `{secret: }` took any plain value; `{until: }` never expired: helper-527 F1),
    so every key it holds has a value."""

    model_config = ConfigDict(json_schema_extra=whole_schema())

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            name = str(info.field_name)
            key = cls.model_fields[name].alias or name
            raise ValueError(
                f"an empty value (null): give {key} a value, or leave the key out (null "
                "deletes only in what extends merges, never in a rule or an ignore entry)"
            )
        return value
