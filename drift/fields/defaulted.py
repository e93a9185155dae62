"""A setting's value that no read gave: Cloud Run's documented default for what a container
leaves unset, inferred (the default TCP startup probe of a service's ingress container,
`drift.fields.health`). It is judged, compared, digested and written as its text, like a value
read; what shows it says it is the default (helper-739 F4)."""

from __future__ import annotations

DEFAULT_SAID = " (Cloud Run's default: none set)"
"""What a finding's message and `actual`, and a history's change, add to a `Defaulted` value
they show: text, so a JSON consumer can tell, and no type of the schema changes."""


class Defaulted(str):
    """Cloud Run's documented default where a container sets none, inferred, not read."""


def said_default(value: object) -> str:
    """`DEFAULT_SAID` for a `Defaulted` value, "" for one read."""
    return DEFAULT_SAID if isinstance(value, Defaulted) else ""
