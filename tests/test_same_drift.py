"""Ids of findings that share one (a traffic split between two wrong values): told apart by
what they say, ordered by the age of their revisions, never by their names (revown16 3, 4)."""

from __future__ import annotations

from drift.findings import Finding, Severity, finding_id
from drift.same_drift import unique_ids

BASE = finding_id("prod", "api", "env.value", "env.TOKEN")


def _on(revision: str, actual: str = "***") -> Finding:
    return Finding(
        BASE, "env.value", Severity.ERROR, "api", revision, "env.TOKEN", "m", "x", actual, None
    )


def test_findings_alike_in_all_they_say_keep_their_ids_by_age_not_name() -> None:
    """Two secret values, both shown masked: alike in all a report keeps. The older revision
    (api-v9, created first) keeps the bare id whatever the names' order and the list's."""
    age = {"api-v9": 1.0, "api-v10": 2.0}
    ids = {f.revision: f.id for f in unique_ids([_on("api-v10"), _on("api-v9")], age)}
    assert ids["api-v9"] == BASE and ids["api-v10"] != BASE
    again = {f.revision: f.id for f in unique_ids([_on("api-v9"), _on("api-v10")], age)}
    assert again == ids


def test_an_id_told_apart_names_no_revision() -> None:
    """The same drift on the next canary keeps the id the one before it had."""
    first = unique_ids([_on("api-1", "test"), _on("api-2", "debug")], {"api-1": 1, "api-2": 2})
    next_ = unique_ids([_on("api-1", "test"), _on("api-3", "debug")], {"api-1": 1, "api-3": 3})
    assert [f.id for f in first] == [f.id for f in next_]
    assert first[0].id == BASE
