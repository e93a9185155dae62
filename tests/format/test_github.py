"""`--format github`: workflow commands escaped as the runner parses them, within GitHub's caps."""

from __future__ import annotations

import dataclasses

import pytest

from drift.findings import BaselineState, Finding, Location, Severity, Unverified
from drift.format import OutputFormat, formatter_for
from drift.format.github import ANNOTATIONS_PER_LEVEL, command, escape_data, escape_property
from drift.report import Report
from drift.textsafe import visible
from tests.format.conftest import (
    CLOSE_1011,
    CONSTRAINT,
    DRIFT_REPORT,
    IGNORED,
    ROLLOUT,
    Golden,
    make_finding,
    make_report,
)
from tests.runner_commands import commands


def render(report: Report) -> str:
    return formatter_for(OutputFormat.GITHUB).render(report)


def test_exact_output(named_report: tuple[str, Report], golden: Golden) -> None:
    name, report = named_report
    golden(f"{name}.github", render(report))


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_command_puts_properties_before_the_message() -> None:
    assert command("error", "m:1,2", file="a,b:c.yaml", line="3") == (
        "::error file=a%2Cb%3Ac.yaml,line=3::m:1,2"
    )
    assert command("notice", "x") == "::notice::x"


def test_finding_with_odd_file_name_and_message() -> None:
    line = render(make_report((CONSTRAINT,))).splitlines()[0]
    assert line == (
        "::warning file=profiles/odd%2Cname%3Av2.yaml,line=12,title=env.constraint (api)::"
        "AUTH_SERVICE_URL fails 100%25 of: pattern ^https://, not [localhost]\\nsee OPS-7"
        "%0Aexpected: pattern ^https://%0Aactual: http://localhost:8081"
    )


def test_finding_without_location_has_no_file_or_line() -> None:
    line = render(make_report((ROLLOUT,))).splitlines()[0]
    assert line.startswith("::warning title=revision.rollout (web)::")


def test_unverified_item_is_annotated_at_its_workload_entry() -> None:
    """On a PR, an annotation without file/line shows only on the run page: an item that could
    not be verified points at its workload's entry in the profile (revci F8)."""
    item = Unverified("api", "service", "PERMISSION_DENIED", location=Location("p/s.yaml", 7))
    line = render(dataclasses.replace(make_report(), unverified=(item,))).splitlines()[0]
    assert line == (
        "::warning file=p/s.yaml,line=7,title=drift incomplete::"
        "api: service could not be verified: PERMISSION_DENIED"
    )


def test_ignored_findings_are_not_annotated() -> None:
    assert IGNORED.target.split(".")[1] not in render(make_report((IGNORED,)))


def _many(severity: Severity, count: int) -> tuple[Finding, ...]:
    return tuple(
        make_finding(
            "env.value",
            severity,
            "api",
            f"env.V{i:02}",
            f"V{i:02} differs",
            location=Location("profiles/staging.yaml", i + 1),
        )
        for i in range(count)
    )


def test_each_level_is_capped_most_severe_first_then_one_plain_line() -> None:
    errors = _many(Severity.ERROR, 13)
    gaps = tuple(Unverified("api", f"secret.s{i}", "UNAVAILABLE") for i in range(4))
    report = make_report(
        (*errors, *_many(Severity.WARNING, 8), *_many(Severity.INFO, 11)), unverified=gaps
    )
    lines = render(report).splitlines()
    errors_shown = [x for x in lines if x.startswith("::error ")]
    assert len(errors_shown) == ANNOTATIONS_PER_LEVEL
    assert errors_shown[0].startswith("::error file=profiles/staging.yaml,line=1,")
    # The four gaps come before the warning findings and share their cap of 10.
    warnings = [x for x in lines if x.startswith("::warning ")]
    assert len(warnings) == ANNOTATIONS_PER_LEVEL
    assert all("title=drift incomplete" in x for x in warnings[:4])
    assert sum(x.startswith("::notice ") for x in lines) == ANNOTATIONS_PER_LEVEL
    assert lines[-2] == (
        "drift: 6 more findings are not annotated (GitHub shows 10 per level); "
        "--format json lists them all"  # no step summary written beside them: L5
    )
    assert not lines[-2].startswith("::") and not lines[-1].startswith("::")
    assert lines[-1].startswith("staging: 13 errors, 8 warnings, 11 infos in 3 services")


def test_dropped_unverified_items_are_counted_too() -> None:
    gaps = tuple(Unverified("api", f"secret.s{i:02}", "UNAVAILABLE") for i in range(11))
    lines = render(make_report(_many(Severity.WARNING, 1), unverified=gaps)).splitlines()
    assert lines[-2] == (
        "drift: 1 more finding and 1 more unverified item are not annotated "
        "(GitHub shows 10 per level); --format json lists them all"
    )


def test_no_trailing_note_when_nothing_is_dropped() -> None:
    assert "not annotated" not in render(DRIFT_REPORT)


def test_what_is_new_is_annotated_first_within_its_level() -> None:
    """With a baseline, the new finding that fails a --fail-on-new run is among the annotations,
    however many unchanged errors there are (revgh bug 4)."""
    old = [
        dataclasses.replace(f, baseline=BaselineState.UNCHANGED) for f in _many(Severity.ERROR, 12)
    ]
    new = dataclasses.replace(
        make_finding("env.value", Severity.ERROR, "web", "env.NEW_ONE", "new drift"),
        baseline=BaselineState.NEW,
    )
    report = dataclasses.replace(make_report((*old, new)), baseline="last.json", fail_on_new=True)
    errors = [x for x in render(report).splitlines() if x.startswith("::error ")]
    assert len(errors) == ANNOTATIONS_PER_LEVEL
    assert "title=env.value (web%2C new)::new drift" in errors[0]


def test_notes_are_plain_lines_before_the_summary() -> None:
    """What the table and the step summary say under "note:" reaches the action's log too, as a
    line the runner runs nothing from (revgh bug 7)."""
    notes = ("1 finding of the baseline could not be checked again", "##[add-mask]x\n::error::y")
    lines = render(dataclasses.replace(DRIFT_REPORT, notes=notes)).splitlines()
    assert lines[-3:-1] == [
        "drift: note: 1 finding of the baseline could not be checked again",
        "drift: note: ##\\[add-mask]x\\n::error::y",
    ]


def _long(expected: str | None, actual: str | None) -> Finding:
    from drift.findings import Since

    finding = make_finding(
        "env.changed", Severity.WARNING, "api", "env.CERT", "CERT differs from the profile",
        expected=expected, actual=actual, location=Location("profiles/prod.yaml", 7),
    )  # fmt: skip
    since = Since("api-00038-xiz", None, "deployer@acme.example", "gcloud", "api-00037-pof")
    return dataclasses.replace(finding, since=since)


def _message(finding: Finding) -> str:
    (annotation,) = commands(render(make_report([finding])))
    return annotation[2]


@pytest.mark.parametrize(
    ("expected", "actual"),
    [("E" * 5000, "A" * 5000), ("E" * 9000, "A" * 40), ("e", "A" * 32768), (None, "😀" * 5000)],
)
def test_an_annotation_fits_the_4096_characters_the_runner_keeps(
    expected: str | None, actual: str | None
) -> None:
    """actions/runner src/Runner.Worker/ExecutionContext.cs AddIssue: `_maxIssueMessageLength =
    4096` (UTF-16 units), a longer message is cut there unmarked. On main a profile value over
    ~4 KB pushed `actual:` and `since` out (revgha F2): each long value is cut, marked and
    counted, so that the message, expected, actual and since all show; a short value is whole."""
    message = _message(_long(expected, actual))
    assert len(message.encode("utf-16-le")) // 2 <= 4096
    lines = message.split("\n")
    assert lines[0] == "CERT differs from the profile"
    assert lines[1].startswith("expected: ") and lines[2].startswith("actual: ")
    assert lines[3].startswith("since api-00038-xiz")
    for line, value in zip(lines[1:3], (expected, actual), strict=True):
        if value is None:
            assert line.endswith("(not set)")
        elif len(value) < 100:
            assert line.endswith(f": {value}")  # the short one whole
        else:
            shown = len(line.split(": ", 1)[1].split("…")[0])
            assert line.endswith(
                f"… ({len(value) - shown:,} more characters; the JSON report has it whole)"
            )
            assert shown > 1000


def test_an_annotation_within_the_limit_is_whole() -> None:
    assert _message(_long("E" * 1900, "A" * 1900)).count("…") == 0


def test_a_file_with_control_characters_is_annotated_by_its_real_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The runner unescapes `file=` and looks the file up by that name: the real path escaped
    # for a property, not made visible (`\n` written as backslash-n names no file).
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    name = "we,ird:d%0Air\n::warning::x/prod.yaml"
    finding = make_finding(
        "env.missing",
        Severity.ERROR,
        "api",
        "env.A",
        "A is missing",
        location=Location(name, 3),
    )
    out = render(make_report((finding,)))
    ran = commands(out)
    assert [(c[0], c[1].get("file"), c[1].get("line")) for c in ran][0] == ("error", name, "3")
    assert all(c[0] in {"error", "warning", "notice"} for c in ran)


@pytest.mark.parametrize(
    "name", ["a\tb/prod.yaml", "##[error]forged/prod.yaml", "x\x1b[31m/p.yaml"]
)
def test_a_file_with_other_invisible_characters_stays_visible(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Only line breaks are escaped for the runner to undo: any other invisible character, or
    # the legacy `##[`, is written visibly (the annotation then names no file, but the log
    # shows what it is and runs nothing).
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    finding = make_finding(
        "env.missing", Severity.ERROR, "api", "env.A", "A is missing", location=Location(name, 3)
    )
    out = render(make_report((finding,)))
    assert "##[" not in out and "\t" not in out and "\x1b" not in out
    assert commands(out)[0][1]["file"] == visible(name)


def test_a_failed_probe_is_annotated_first_among_its_level() -> None:
    """Twelve errors of services before it in the report's order: the 1011 is the symptom the
    run is about, and keeps its annotation (helper-603 F4)."""
    probe = dataclasses.replace(CLOSE_1011, service="zz-last")
    lines = render(make_report((*_many(Severity.ERROR, 12), probe))).splitlines()
    errors_shown = [x for x in lines if x.startswith("::error ")]
    assert len(errors_shown) == ANNOTATIONS_PER_LEVEL
    assert "1011" in errors_shown[0], errors_shown[0]
