"""Live values are hostile data: terminal escapes (`\\e[1A\\e[2K` erasing the line above, OSC
52 writing the clipboard), carriage returns, bidi overrides and newlines reach every format
through findings, probe answers and gaps. The human formats show them escaped, visibly, and no
newline forges a row; JSON and SARIF stay valid and carry them faithfully."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from typing import Any

import jsonschema
import pytest

from drift.findings import Unverified
from drift.format import OutputFormat, formatter_for
from drift.report import Report
from drift.textsafe import github_data, md_text, visible, visible_lines
from tests.format.conftest import (
    CONSTRAINT,
    DATA,
    FAILED_PROBE,
    MISSING,
    PLAINTEXT,
    SETTING,
    make_report,
)
from tests.format.sarif_reader import shown

HOSTILE = {
    "erase-line": "ok\x1b[1A\x1b[2K",
    "osc52-clipboard": "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07",
    "carriage-return": "visible\rHIDDEN",
    "bidi-override": "abc\u202edcba\u202c",
    "newline-row": "x\n  error  env.REMOVE_ME  forged row",
    "c1-csi": "\x9b2J",
    "null-and-bell": "a\x00b\x07",
    "line-separator": "one\u2028two",
}
HUMAN = (OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB)
SCHEMAS: dict[OutputFormat, dict[str, Any]] = {
    OutputFormat.JSON: json.loads((DATA / "report.schema.json").read_text()),
    OutputFormat.SARIF: json.loads((DATA / "sarif-schema-2.1.0.json").read_text()),
}


def raw_controls(text: str) -> list[str]:
    """Characters a terminal or a renderer would act on, other than the format's own line
    breaks."""
    return [
        repr(c) for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
    ]


def hostile_report(value: str) -> Report:
    findings = (
        dataclasses.replace(MISSING, message=f"E2E key is {value}", expected=value),
        dataclasses.replace(PLAINTEXT, actual=value),
        dataclasses.replace(CONSTRAINT, message=f"AUTH_SERVICE_URL is {value}", actual=value),
        dataclasses.replace(SETTING, actual=value),
        # a live variable's name is the server's too (its target: `env.NAME`)
        dataclasses.replace(MISSING, rule="env.unexpected", target=f"env.LIVE_{value}"),
    )
    probe = dataclasses.replace(FAILED_PROBE, close_reason=value, detail=f"closed: {value}")
    gap = Unverified("auth", "secret.fernet-key-staging", f"PERMISSION_DENIED: {value}")
    report = make_report(findings, probes=(probe,), unverified=(gap,))
    return dataclasses.replace(report, environment=f"staging{value}", notes=(value,))


@pytest.mark.parametrize("fmt", HUMAN)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_human_formats_show_control_characters_escaped(fmt: OutputFormat, name: str) -> None:
    value = HOSTILE[name]
    plain = formatter_for(fmt, width=200).render(hostile_report("harmless"))
    text = formatter_for(fmt, width=200).render(hostile_report(value))
    assert raw_controls(text) == []
    # the escape is there for a person to see, and no newline made an extra line (a row)
    shown = {
        OutputFormat.TABLE: visible(value),
        OutputFormat.MARKDOWN: md_text(value),
        OutputFormat.GITHUB: github_data(visible(value)),
    }
    assert shown[fmt] in text
    assert len(text.splitlines()) == len(plain.splitlines())


def test_the_colored_table_escapes_values_too() -> None:
    text = formatter_for(OutputFormat.TABLE, color=True, width=200).render(
        hostile_report(HOSTILE["erase-line"])
    )
    # rich's own color codes remain; the value's cursor movements do not
    assert "\x1b[1A" not in text and "\x1b[2K" not in text
    assert "\\x1b[1A\\x1b[2K" in text


@pytest.mark.parametrize("fmt", list(SCHEMAS))
@pytest.mark.parametrize("name", list(HOSTILE))
def test_json_and_sarif_stay_valid_and_faithful(fmt: OutputFormat, name: str) -> None:
    value = HOSTILE[name]
    text = formatter_for(fmt).render(hostile_report(value))
    data = json.loads(text)
    jsonschema.Draft202012Validator(SCHEMAS[fmt]).validate(data)
    assert raw_controls(text) == []  # JSON escapes them
    if fmt is OutputFormat.JSON:
        finding = next(f for f in data["findings"] if f["rule"] == "env.plaintext_secret")
        assert finding["actual"] == value
        assert data["probes"][0]["close_reason"] == value
        assert data["unverified"][0]["reason"] == f"PERMISSION_DENIED: {value}"
    else:
        # the alert's text shows what a value hides, as the table does (helper-662 F5)
        messages = [shown(r["message"]["text"]) for r in data["runs"][0]["results"]]
        assert any(visible(value) in m for m in messages)
        assert not any(value in m for m in messages) or visible(value) == value


def test_visible() -> None:
    assert visible("a\x1b[2Kb") == "a\\x1b[2Kb"
    assert visible("x\ny\r\tz") == "x\\ny\\r\\tz"
    assert visible("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert visible("\x9b\x7f\x00") == "\\x9b\\x7f\\x00"
    assert visible("\U000e0041") == "\\U000e0041"  # a tag character: invisible text
    assert visible("Grüße, 👩‍👩‍👧 ok") == "Grüße, 👩‍👩‍👧 ok"  # the joiner stays
    assert visible_lines("one\x1b\ntwo") == "one\\x1b\ntwo"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_compare_table_shows_control_characters_escaped(name: str) -> None:
    from drift.compare.formats import CompareFormat
    from drift.compare.model import Comparison, Difference, Kind
    from drift.compare.render import render_comparison
    from drift.findings import Scope

    value = HOSTILE[name]
    a, b = Scope("staging", "p1", "r"), Scope("prod", "p2", "r")

    def comparison(shown: str) -> Comparison:
        difference = Difference(
            Kind.VALUE_SHARED, "api", "env.MODE", f"MODE differs: {shown}", shown, "x"
        )
        return Comparison("live", a, b, ("api",), (difference,), notes=(shown,))

    text = render_comparison(comparison(value), CompareFormat.TABLE)
    plain = render_comparison(comparison("harmless"), CompareFormat.TABLE)
    assert raw_controls(text) == [] and visible(value) in text
    assert len(text.splitlines()) == len(plain.splitlines())
