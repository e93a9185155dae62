"""The words of what a setting's value may not be: the TOML type it should have been written
as (`[tool.drift] wait = true`), and a duration's bounds in seconds (`drift.settings` validates
the values with pydantic and says its errors here)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from drift.textsafe import visible

DAY = 86_400.0
"""The longest a deadline, a wait or a budget may be, in seconds: past about 7.5e9 s a gRPC
deadline overflows and every call fails as if it had timed out (a run never complete)."""


DURATIONS = ("call_timeout", "wait", "retry_budget", "quota_wait", "write_wait")
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
    return f"expected {should}, not {_TOML_TYPES[type(given)]} ({text})"


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


def at_most(limit: float) -> str:
    """A duration setting's upper bound in words: its own (`write_wait`'s 1200 s is no day,
    helper-686 M1), in seconds and as a person reads it (`at most 1200s (20 minutes)`)."""
    if limit == DAY:
        return f"at most {limit:g}s (a day)"
    if limit % 60 == 0:
        return f"at most {limit:g}s ({limit / 60:g} minutes)"
    return f"at most {limit:g}s"


_DURATION_BOUNDS = {
    "less_than_equal": "{le}",  # `at_most` says it
    "greater_than": "more than {gt:g}s",
    "greater_than_equal": "{ge:g}s or more",
}
"""A duration setting's `BOUNDS`, said in seconds (pydantic's "Input should be less than or
equal to 86400" names no unit; a value past any Duration was "about 10,000 years")."""


BOUND_WORDS = {
    "greater_than_equal": ("at least", "ge"),
    "less_than_equal": ("at most", "le"),
    "greater_than": ("more than", "gt"),
    "less_than": ("less than", "lt"),
}
"""pydantic's bound errors in drift's words (`expected at least 1, not 0`): a setting's, and a
profile's (`drift.yamlfile`)."""
WHOLE = "a whole number (e.g. 16)"
_PARSING = {"int_parsing": WHOLE, "int_from_float": WHOLE, "bool_parsing": "true or false"}
_PARSING |= {"finite_number": "a finite number"}  # `DRIFT_WAIT=nan`, `--wait inf`
"""What a `DRIFT_*` variable's text should have been, by pydantic's error of one it could not
read as its setting's type (its "Input should be a valid integer, unable to parse string as an
integer" named neither the value nor an example)."""


def said(name: str, error: Any) -> str:
    """What is wrong with a setting's value, in the words of a validation error: what was
    expected and what was given (a setting holds no secret; its text made visible and cut)."""
    kind = error["type"]
    bound = _DURATION_BOUNDS.get(kind) if name in DURATIONS else None
    if bound is not None:  # the value is a number then (seconds, or their text: `1e12`)
        ctx = dict(error["ctx"])
        ctx |= {"le": at_most(ctx["le"])} if "le" in ctx else {}
        return f"{bound.format(**ctx)}, not {_seconds_shown(float(error['input']))}s"
    if kind in BOUND_WORDS:
        word, key = BOUND_WORDS[kind]
        return f"expected {word} {error['ctx'][key]}, not {_given(error['input'])}"
    if kind in ("enum", "literal_error"):  # `Input should be 'error', 'warning' or 'never'`
        return f"expected {error['ctx']['expected']}, not {_given(error['input'])}"
    if kind in _PARSING:
        return f"expected {_PARSING[kind]}, not {_given(error['input'])}"
    return str(error["msg"]).removeprefix("Value error, ")


def whole(value: Any) -> Any:
    """A `DRIFT_*` variable's text of a whole-number setting, as digits alone (an optional
    sign, white space around): `1_6`, `16.0`, `0x10` and `1e1`, which Python or pydantic
    would read as 16 or 10, are refused (helper-527 F9), as TOML refuses them. What is not
    text (an option's int, a TOML integer) is left to the type check."""
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value) is None:
        raise ValueError(f"expected {WHOLE}, not {_given(value)}")
    return value


def _given(value: Any) -> str:
    """A setting's value as a message quotes it: text quoted, made visible and cut."""
    if isinstance(value, str):
        return f"'{visible(value)[:40]}'"
    return str(value)[:40]


def _seconds_shown(seconds: float) -> str:
    """Seconds as written, whole or not (`1234567`, `86400.0000001`), never rounded to `:g`'s
    six digits (`1.23457e+06`, or a value just past a day shown as the day itself)."""
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)
