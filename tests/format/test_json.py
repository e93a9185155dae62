"""`--format json`: exact output, valid against tests/data/report.schema.json, deterministic."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import jsonschema
import pytest

from drift.format import OutputFormat, formatter_for
from drift.report import Report
from tests.format.conftest import (
    DATA,
    DRIFT_REPORT,
    FINDINGS,
    IGNORED,
    MISSING,
    Golden,
    make_report,
)

SCHEMA: dict[str, Any] = json.loads((DATA / "report.schema.json").read_text())


def render(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(formatter_for(OutputFormat.JSON).render(report))
    return data


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_exact_output(named_report: tuple[str, Report], golden: Golden) -> None:
    name, report = named_report
    golden(f"{name}.json", formatter_for(OutputFormat.JSON).render(report))


def test_valid_against_the_schema(named_report: tuple[str, Report]) -> None:
    _, report = named_report
    jsonschema.Draft202012Validator(SCHEMA).validate(render(report))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(extra=1),
        lambda d: d["summary"].update(extra=1),
        lambda d: d["findings"][0].update(extra=1),
        lambda d: d["findings"][0].update(rule="env.nope"),
        lambda d: d["findings"][0].update(severity="fatal"),
        lambda d: d["findings"][0].update(ignore_reason="x"),
        lambda d: _ignored(d).pop("ignore_reason"),
        lambda d: _ignored(d).update(ignored=False),
        lambda d: d["probes"][0].update(outcome="weird"),
        lambda d: d.update(status="clean"),
        lambda d: d.update(status="fine"),
        lambda d: d["unverified"][0].update(extra=1),
    ],
)
def test_schema_is_strict(mutate: Any) -> None:
    data = copy.deepcopy(render(DRIFT_REPORT))
    mutate(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(data)


def _ignored(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in data["findings"] if f["ignored"])
    return found


def test_order_does_not_depend_on_input_order() -> None:
    forward = formatter_for(OutputFormat.JSON).render(DRIFT_REPORT)
    backward = dataclasses.replace(
        DRIFT_REPORT,
        findings=tuple(reversed(FINDINGS)),
        probes=tuple(reversed(DRIFT_REPORT.probes)),
    )
    assert formatter_for(OutputFormat.JSON).render(backward) == forward


def test_ignore_reason_only_on_ignored_findings() -> None:
    findings = {f["id"]: f for f in render(make_report((MISSING, IGNORED)))["findings"]}
    assert findings[IGNORED.id]["ignored"] is True
    assert findings[IGNORED.id]["ignore_reason"] == "tracked in OPS-42"
    assert "ignore_reason" not in findings[MISSING.id]


def test_ignored_findings_count_toward_nothing() -> None:
    data = render(make_report((IGNORED,)))
    assert data["status"] == "clean" and data["exit_code"] == 0
    assert data["summary"]["warnings"] == 0 and data["summary"]["ignored"] == 1


def test_notes_are_an_additive_list() -> None:
    """The report's notes reach whoever reads only the JSON (the scheduled issue; revgh bug 7):
    a `notes` list, empty when there are none, valid against the v1 schema."""
    assert render(DRIFT_REPORT)["notes"] == []
    note = "1 finding of the baseline could not be checked again"
    data = render(dataclasses.replace(DRIFT_REPORT, notes=(note,)))
    assert data["notes"] == [note]
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_since_or_earlier_is_in_the_json_as_in_every_format() -> None:
    """Revisions not listed right before `since.revision`: the other formats say "or earlier",
    and the JSON said nothing of it (revhist62 F2): `since.earlier`, true, only then."""
    from drift.findings import Since

    gap = "revision 00004 is not listed (deleted, or a number Cloud Run skipped)"
    since = Since("api-00005-a05", None, "bob@acme.example", None, "api-00003-a03", note=gap)
    for earlier in (True, False):
        finding = dataclasses.replace(
            FINDINGS[0], since=dataclasses.replace(since, earlier=earlier)
        )
        report = make_report((finding,))
        data = render(report)
        jsonschema.Draft202012Validator(SCHEMA).validate(data)
        assert data["findings"][0]["since"].get("earlier", False) is earlier
        for fmt in (
            OutputFormat.TABLE,
            OutputFormat.MARKDOWN,
            OutputFormat.GITHUB,
            OutputFormat.SARIF,
        ):
            said = "since api-00005-a05 or earlier" in formatter_for(fmt).render(report)
            assert said is earlier, fmt
    data["findings"][0]["since"]["earlier"] = False  # present: true, else absent
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_an_unverified_item_carries_its_location_when_known() -> None:
    """revformats 4: the github annotation placed an unverified item at its profile entry;
    the JSON entry had only service, target and reason. `location` is additive: absent
    when drift knows no place, valid against the v1 schema either way."""
    from drift.findings import Location, Unverified

    placed = Unverified(
        "web", "revision", "a deploy is in progress", location=Location("p.yaml", 4)
    )
    unplaced = Unverified("api", "secret.x", "PERMISSION_DENIED")
    data = render(make_report(FINDINGS, unverified=(placed, unplaced)))
    by_service = {u["service"]: u for u in data["unverified"]}
    assert by_service["web"]["location"] == {"file": "p.yaml", "line": 4}
    assert "location" not in by_service["api"]
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
