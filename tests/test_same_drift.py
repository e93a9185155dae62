"""Ids of findings that share one (a traffic split between two wrong values): told apart by
what they say, ordered by the age of their revisions, never by their names (revown16 3, 4)."""

from __future__ import annotations

from dataclasses import replace

from drift.findings import BaselineState, Finding, Severity, Since, finding_id
from drift.same_drift import baseline_state, unique_ids

BASE = finding_id("prod", "api", "env.value", "env.TOKEN")


def _on(revision: str, actual: str = "***", also_on: tuple[str, ...] = ()) -> Finding:
    return Finding(
        BASE,
        "env.value",
        Severity.ERROR,
        "api",
        revision,
        "env.TOKEN",
        "m",
        "x",
        actual,
        None,
        also_on=also_on,
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


def test_the_oldest_drift_keeps_its_id_when_a_new_canary_carries_it_too() -> None:
    """revown19 F2: api-1 (oldest) holds `test`, api-2 `debug`; the next canary api-3 deploys
    `test` too, and the engine merges it with api-1's finding, naming the revision it met first
    in traffic order (api-3) or the template's, of no known age. The merged finding is ranked
    by its oldest revision: neither drift's id moves."""
    age = {"api-1": 1.0, "api-2": 2.0, "api-3": 3.0}
    before = {
        f.actual: f.id for f in unique_ids([_on("api-1", "test"), _on("api-2", "debug")], age)
    }
    assert before["test"] == BASE
    for first, *also in (["api-3", "api-1"], ["template-rev", "api-1"]):
        merged = _on(first, "test", also_on=tuple(also))
        after = unique_ids([merged, _on("api-2", "debug")], age)
        assert {f.actual: f.id for f in after} == before, first


def _since(revision: str | None, last_good: str | None, earlier: bool = False) -> Since:
    return Since(revision, None, "", None, last_good, earlier=earlier)


def test_a_drift_begun_again_is_updated_only_where_its_start_is_known() -> None:
    """revbase80 F1: a `since` naming another revision, with the good one right before it, is
    a drift repaired and put back. One as old as the oldest revision listed, or "or earlier",
    may only have moved with deleted revisions; a baseline that recorded none: the rest
    decides."""
    before = [replace(_on("api-1"), since=_since("api-1", None))]
    again = replace(_on("api-3"), since=_since("api-3", "api-2"))
    assert baseline_state(again, before) is BaselineState.UPDATED
    for since in (_since("api-1", None), _since("api-3", None), _since("api-3", "api-1", True)):
        assert baseline_state(replace(again, since=since), before) is BaselineState.UNCHANGED
    assert baseline_state(again, [_on("api-1")]) is BaselineState.UNCHANGED
