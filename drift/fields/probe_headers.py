"""A probe's HTTP headers where a finding and `drift init` meet them (`drift.fields.health`'s
rows, `probe_text`'s `header NAME=VALUE`): a header's value may be a token, so no output shows
it (`probe_text.shown`: `NAME=***`) and init writes none; these say what the masked texts do
not."""

from __future__ import annotations

from dataclasses import replace

from drift.credentials import masked_text
from drift.fields.base import SettingValue
from drift.fields.health import PROBE_ROWS
from drift.fields.probe_text import header_note, parse_check


def told(name: str, expected: SettingValue, actual: SettingValue | None) -> str:
    """What a finding of the probe row `name` adds to the texts it shows: the headers that
    differ, which `shown` masks alike ("": none, or no probe row)."""
    if name not in PROBE_ROWS or actual is None:
        return ""
    try:
        said = header_note(parse_check(expected), parse_check(actual))
    except ValueError:
        return ""
    return f" ({said})" if said else ""


def headless(name: str, value: SettingValue | None) -> tuple[SettingValue | None, str]:
    """What `drift init` writes of the probe `value` read: its text without its headers (a
    line stating none compares none), and what a comment says of them ("": none, or no probe
    row). A header's value may be a token, and the profile is a file meant for git: drift
    writes no value it does not show (`setting_lines.withheld`), so the team states it."""
    if name not in PROBE_ROWS or value is None:
        return value, ""
    try:
        check = parse_check(value)
    except ValueError:
        return value, ""
    if not check.headers:
        return value, ""
    names = ", ".join(masked_text(n) for n, _ in check.headers)
    return replace(check, headers=()).text(), (
        f"{name}: sends headers {names}, not written (a header's value may be a token); to "
        "compare them, add `header NAME=VALUE` for each to the line"
    )
