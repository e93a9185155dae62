"""SARIF 2.1.0 §3.11.5 ("Messages with placeholders"): a message string's `{n}` is a
placeholder that a consumer replaces with `arguments[n]`, and "Within both plain text and
formatted message strings, the characters "{" and "}" SHALL be represented by the character
sequences "{{" and "}}" respectively". Values quoted in drift's messages hold braces (a JSON
variable, a Helm or Go template `{{ .Values.x }}`, a pattern `^[a-z]{3}$`): a conforming viewer
must show each message as drift wrote it, not a value with half its braces, nor a placeholder
that has no argument."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from drift.findings import Location, Unverified
from drift.format import OutputFormat, formatter_for
from drift.format.summary import finding_text
from drift.report import Unchecked
from drift.textsafe import visible
from tests.format.conftest import CONSTRAINT, PLAINTEXT, make_report
from tests.format.sarif_reader import shown

VALUES = {
    "placeholder": "{0}",
    "json": '{"mode": "live", "ids": {1: 2}}',
    "template": "{{ .Values.key }}",
    "pattern": "^[a-z]{3}$",
    "lone": "}{",
}


def sarif(report: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(formatter_for(OutputFormat.SARIF).render(report))
    return data


@pytest.mark.parametrize("name", list(VALUES))
def test_braces_in_a_result_message_are_doubled(name: str) -> None:
    value = VALUES[name]
    finding = replace(CONSTRAINT, expected=f"pattern {value}", actual=value)
    carried = replace(PLAINTEXT, message=f"JWT_SECRET_KEY {value}")
    report = replace(
        make_report((finding,)), unchecked=(Unchecked(carried, f"could not read {value}"),)
    )
    run = sarif(report)["runs"][0]
    by_rule = {r["ruleId"]: r["message"]["text"] for r in run["results"]}
    assert "arguments" not in run["results"][0]["message"]
    assert shown(by_rule["env.constraint"]) == finding_text(finding, visible)
    assert shown(by_rule["env.plaintext_secret"]).startswith(finding_text(carried, visible))
    assert shown(by_rule["env.plaintext_secret"]).endswith(f"could not read {value})")


@pytest.mark.parametrize("name", list(VALUES))
def test_braces_in_a_notification_are_doubled(name: str) -> None:
    value = VALUES[name]
    gap = Unverified(
        "auth", "secret.x", f"PERMISSION_DENIED: {value}", location=Location("p.yaml", 2)
    )
    run = sarif(make_report(unverified=(gap,)))["runs"][0]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert shown(note["message"]["text"]) == f"could not be verified: PERMISSION_DENIED: {value}"
