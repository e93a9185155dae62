"""A baseline whose one fault is a value this drift does not know — a finding's `kind` or
`severity` that a newer drift added (`drift.report/v1` grows by adding) — is refused saying so,
not as "not a drift.report/v1 report", which it is.

Refused (exit 2, as before), not carried `unchecked` as a finding of an unknown rule is
(`drift.rechecked`): an unchecked finding is shown in every format by its severity (SARIF's
level, an annotation's command, the exit code's rank) and its workload's kind (its key, its
noun, its collection), and this drift can say neither; shown under a value it knows, the
finding would be told otherwise than it is."""

from __future__ import annotations

import re

from pydantic import ValidationError

from drift.errors import UsageError
from drift.findings import Severity
from drift.jsontext import shown_path
from drift.kinds import Kind
from drift.report import REPORT_SCHEMA
from drift.textsafe import plural, visible

_KNOWN = {"kind": tuple(Kind), "severity": tuple(Severity)}
_WORD = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""How a newer drift's value would be spelled: shown; anything else is not quoted."""


def refusal(name: str, exc: ValidationError) -> UsageError:
    """The one error for a baseline `name` that does not validate: a value this drift does not
    know where that is all that is wrong, else "not a drift.report/v1 report" and the first
    problem."""
    errors = exc.errors(include_url=False)
    unknown = [e for e in errors if e["type"] == "enum" and e["loc"][-1] in _KNOWN]
    if not unknown or len(unknown) < len(errors):
        return UsageError(f"the baseline {name} is not a {REPORT_SCHEMA} report: {first(exc)}")
    error, field = unknown[0], str(unknown[0]["loc"][-1])
    value = error.get("input")
    said = f'"{value}"' if isinstance(value, str) and _WORD.fullmatch(value) else "a value"
    known = ", ".join(v.value for v in _KNOWN[field])
    more = f" (and {plural(len(unknown) - 1, 'more')})" if len(unknown) > 1 else ""
    return UsageError(
        f"the baseline {name}: {shown_path(tuple(error['loc']), parts=None)}: {said} is a "
        f"{field} this drift does not know ({known}){more}: the baseline was written by a "
        "newer drift",
        hint="upgrade drift to the version that wrote the baseline, or write the baseline "
        "again with this drift (drift check ENVIRONMENT --json FILE)",
    )


def first(exc: ValidationError) -> str:
    """The first problem of `exc` at its JSON path, and how many more there are."""
    errors = exc.errors(include_url=False, include_input=False)
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in errors[0]["loc"])
    more = f" (and {plural(len(errors) - 1, 'more problem')})" if len(errors) > 1 else ""
    return f"{path.lstrip('.') or 'the document'}: {short(errors[0]['msg'])}{more}"


def short(text: str, limit: int = 200) -> str:
    """`text` visible, cut to `limit` characters."""
    text = visible(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
