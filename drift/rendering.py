"""What every command's renderer shares: one format-to-renderer dispatch and the JSON text."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Protocol, TypeVar

from drift.textsafe import json_inert

F = TypeVar("F", bound=Enum)
T = TypeVar("T")


def render_as(fmt: F, value: T, renderers: Mapping[F, Callable[[T], str]]) -> str:
    """`value` in the format `fmt`, by the renderer the command's table names for it (a
    format without one is a programming error, never a user's)."""
    if fmt not in renderers:
        raise AssertionError(f"no renderer for {fmt!r}")
    return renderers[fmt](value)


class Environment(Protocol):
    @property
    def environment(self) -> str: ...
    @property
    def project(self) -> str: ...
    @property
    def region(self) -> str: ...


def document_head(schema: str, of: Environment, status: str, exit_code: int) -> dict[str, Any]:
    """The keys a command's JSON document about one environment opens with, in this order."""
    return {
        "schema": schema,
        "environment": of.environment,
        "project": of.project,
        "region": of.region,
        "status": status,
        "exit_code": exit_code,
    }


def json_text(document: Mapping[str, Any]) -> str:
    """A command's JSON document as printed: indented by two, one final newline, no legacy
    workflow command for a runner that reads it in a log (`json_inert`: lossless)."""
    return json_inert(json.dumps(document, indent=2)) + "\n"
