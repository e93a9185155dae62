"""The words of what a setting's value may not be: the TOML type it should have been written
as (`[tool.drift] wait = true`), and a duration's bounds in seconds (`drift.settings` validates
the values with pydantic and says its errors here)."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

DAY = 86_400.0
"""The longest a deadline, a wait or a budget may be, in seconds: past about 7.5e9 s a gRPC
deadline overflows and every call fails as if it had timed out (a run never complete)."""


DURATIONS = ("call_timeout", "wait", "retry_budget", "quota_wait")
"""The settings in seconds, written as profiles write a duration: `60`, `60s`, `1m`, `1h30m`."""


def wrong_type(error: Any, data: dict[str, Any]) -> str:
    """Why a `[tool.drift]` value is not of its setting's TOML type: the type it should be and
    the one it is; a duration's string is of its type, but no duration (`"1e3"`: what
    `drift.settings._seconds` refuses, said as it says it of `DRIFT_WAIT=abc`) (revown62b F5)."""
    from drift.units import parse_duration

    given = data[error["loc"][0]]  # as TOML read it: a date is no string
    if error["loc"][0] in DURATIONS and isinstance(given, str):
        try:
            parse_duration(given, examples=EXAMPLES)
        except ValueError as exc:
            return str(exc)
    should = _EXPECTED.get(error["type"]) or error["msg"].removeprefix("Input should be ")
    text = given.isoformat() if type(given) in _TOML_DATES else json.dumps(given)[:40]
    return f"Input should be {should}, not {_TOML_TYPES[type(given)]} ({text})"


_TOML_TYPES = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
_TOML_DATES = {datetime: "a TOML date-time", date: "a TOML date", time: "a TOML time"}
_TOML_TYPES |= {list: "an array", dict: "a table", **_TOML_DATES}
EXAMPLES = "60, 60s or 1m"
DURATION = f"seconds or a duration ({EXAMPLES})"
_EXPECTED = {
    "float_type": DURATION,  # every float setting is a duration (`DURATIONS`)
    "bool_type": "a TOML boolean (true or false, without quotes)",
    "int_type": "a TOML integer (e.g. 16, without quotes)",
    "string_type": "a TOML string (in quotes)",
}
"""The TOML type a setting takes, by pydantic's error type of a value that is not of it."""


TOO_LONG = f"at most {DAY:.0f}s (a day)"
_DURATION_BOUNDS = {
    "less_than_equal": TOO_LONG,
    "greater_than": "more than {gt:g}s",
    "greater_than_equal": "{ge:g}s or more",
}
"""A duration setting's `BOUNDS`, said in seconds (pydantic's "Input should be less than or
equal to 86400" names no unit; a value past any Duration was "about 10,000 years")."""


def said(name: str, error: Any) -> str:
    """What is wrong with a setting's value, in the words of a validation error."""
    bound = _DURATION_BOUNDS.get(error["type"]) if name in DURATIONS else None
    if bound is not None:  # the value is a number then (seconds, or their text: `1e12`)
        return f"{bound.format(**error['ctx'])}, not {_seconds_shown(float(error['input']))}s"
    return str(error["msg"]).removeprefix("Value error, ")


def _seconds_shown(seconds: float) -> str:
    """Seconds as written, whole or not (`1234567`, `86400.0000001`), never rounded to `:g`'s
    six digits (`1.23457e+06`, or a value just past a day shown as the day itself)."""
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)
