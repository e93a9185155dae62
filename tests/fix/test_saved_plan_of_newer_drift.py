"""`fix --plan` of a plan a newer drift saved, read by this (older) drift: the refusal says
which drift wrote it, which one reads it, and what to do (apply it with the drift that wrote
it, or plan again with this one), not "this is drift X, which plans it otherwise" alone, which
reads as if this drift were the upgrade. An older drift's plan keeps its words
(tests/fix/test_saved_plan_of_older_drift.py). In process: the words, not the CLI run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from drift import __version__
from drift.errors import Aborted, UsageError
from drift.findings import Location
from drift.fix.formats.json_plan import plan_data
from drift.fix.model import Plan
from drift.fix.saved import SavedPlan, changed_since, check_target, profile_digest, read_saved
from drift.profiles.model import Profile
from tests.fix.test_gcloud_script import service_plan

WHERE = {"environment": "prod", "project": "p-acme", "region": "us-central1"}


def _profile(tmp_path: Path) -> Profile:
    path = tmp_path / "prod.yaml"
    path.write_text("project: p-acme\nregion: us-central1\n")
    return Profile(**WHERE, location=Location(str(path), 0), files=(str(path),))


def _saved(profile: Profile, version: str, *, intact: bool = True) -> SavedPlan:
    change = {"id": "api/env.MODE", "kind": "set_value", "after": "test"}
    return SavedPlan(
        file="plan.json",
        **WHERE,
        services=(),
        from_template=False,
        profile_digest=profile_digest(profile),
        etags={},
        changes={"api/env.MODE": change},  # a change this drift does not plan (now: none)
        intact=intact,
        made_by=f"{version} at 2026-12-01T05:00:00Z",
        version=version,
    )


def test_a_plan_a_newer_drift_planned_otherwise_says_so_and_what_to_do(tmp_path: Path) -> None:
    """Was: "it was made by drift 9.0.0 at …, this is drift 0.2.0.dev0, which plans it
    otherwise; run `drift plan prod` again" (reproduced with `drift fix --plan` on a file
    whose `saved.drift_version` says 9.0.0)."""
    profile = _profile(tmp_path)
    said = changed_since(_saved(profile, "9.0.0"), profile, Plan(**WHERE))
    assert "in api/env.MODE" in said, said
    made = "made by drift 9.0.0 at 2026-12-01T05:00:00Z"
    assert f"{made}, newer than this drift {__version__}" in said, said
    assert "apply it with drift 9.0.0, or run `drift plan prod` again with this one" in said, said


@pytest.mark.parametrize("version", ["0.1.9", __version__])
def test_a_plan_of_an_older_or_this_drift_is_not_said_to_be_newer(
    tmp_path: Path, version: str
) -> None:
    profile = _profile(tmp_path)
    said = changed_since(_saved(profile, version), profile, Plan(**WHERE))
    assert "in api/env.MODE" in said and "run `drift plan prod` again" in said, said
    assert "newer" not in said and "apply it with" not in said, said


def test_a_newer_drifts_plan_whose_digest_differs_is_not_only_said_to_be_edited(
    tmp_path: Path,
) -> None:
    """A later drift may digest a plan otherwise (revown56 changed it once): was "plan.json
    was edited since `drift plan --out` saved it", exit 4 (kept)."""
    profile = _profile(tmp_path)
    with pytest.raises(Aborted) as raised:
        check_target(_saved(profile, "9.0.0", intact=False), profile)
    said = raised.value.message
    assert f"as this drift {__version__} computes it" in said, said
    assert "saved by drift 9.0.0 at 2026-12-01T05:00:00Z, newer than this one" in said, said
    assert "apply it with drift 9.0.0, or make a new plan with this one" in said, said
    with pytest.raises(Aborted, match="was edited since `drift plan --out` saved it"):
        check_target(_saved(profile, "0.1.9", intact=False), profile)


def test_a_plan_of_a_newer_schema_names_the_drift_that_saved_it(tmp_path: Path) -> None:
    """`drift.plan/v9` (exit 2, tests/fix/test_saved_plan.py BAD): was "written by a newer drift
    (drift.plan/v9; this drift reads drift.plan/v2): upgrade drift or write it again with this
    one (…)", naming neither drift's version; the file's `saved` block says which made it."""
    path = tmp_path / "plan.json"
    saved = {"drift_version": "9.0.0", "made_at": "2026-12-01T05:00:00Z"}
    path.write_text(json.dumps({"schema": "drift.plan/v9", "saved": saved}))
    with pytest.raises(UsageError) as raised:
        read_saved(path)
    said = raised.value.message
    assert "was written by a newer drift (drift.plan/v9; this drift reads " in said, said
    assert said.endswith(
        f"; it was saved by drift 9.0.0 at 2026-12-01T05:00:00Z, this is drift {__version__}"
    ), said
    path.write_text(json.dumps({"schema": "drift.plan/v9"}))  # no `saved` block: as before
    with pytest.raises(UsageError, match=r"\(`drift plan ENVIRONMENT --out FILE`\)$"):
        read_saved(path)


def test_a_newer_drifts_plan_that_lacks_a_key_is_not_said_to_be_an_older_drifts(
    tmp_path: Path,
) -> None:
    """A saved service without a key this drift's plan states reads as an older drift's plan
    (`_older`, revupgrade F5) only when its drift is not a newer one (a later drift may leave
    a key out): was "plan.json was saved by an older drift: its plan does not state what this
    drift's does (api: gcloud_skipped)" for drift 9.0.0's plan."""
    profile = _profile(tmp_path)
    sp = service_plan(
        full_name="projects/p-acme/locations/us-central1/services/api",
        etag="e1",
        project="p-acme",
        revision="api-00001",
    )
    plan = Plan(**WHERE, services=(sp,))
    [body] = plan_data(plan)["services"]
    del body["gcloud_skipped"]

    def said(version: str) -> str:
        saved = replace(_saved(profile, version), changes={}, digest="0" * 64)
        return changed_since(replace(saved, bodies={"api": body}), profile, plan)

    newer = said("9.0.0")
    assert "older" not in newer and "in api (gcloud_skipped)" in newer, newer
    assert "made by drift 9.0.0 at 2026-12-01T05:00:00Z, newer than this drift" in newer, newer
    assert "was saved by an older drift" in said("0.1.9")  # kept


@pytest.mark.parametrize(
    ("version", "is_newer"),
    [
        ("9.0.0", True),
        ("0.2.0", True),  # the release after 0.2.0.dev0
        ("0.2", True),  # 0.2 is 0.2.0
        ("0.2.0.post1", True),
        ("0.2.1.dev0", True),
        ("0.2.0.dev0", False),
        ("0.2.0.dev3", True),  # a later dev build (PEP 440: by its number; revown58 F2)
        ("0.2.0a1", True),  # .devN < aN < bN < rcN < the release
        ("0.2.0rc1", True),
        ("1" * 5000, False),  # not a version: was ValueError, an internal error (revown58 F1)
        ("\uff19.0.0", False),  # a full-width 9: not an ASCII digit
        ("0.1.9", False),
        ("", False),
        ("unknown", False),
    ],
)
def test_which_versions_are_newer(version: str, is_newer: bool) -> None:
    from drift.schemas import newer

    assert newer(version, than="0.2.0.dev0") is is_newer


def test_pre_releases_are_ordered_by_stage_then_number() -> None:
    from drift.schemas import newer

    order = ["1.0.dev0", "1.0.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.post1"]
    for earlier, later in zip(order, order[1:], strict=False):
        assert newer(later, than=earlier) and not newer(earlier, than=later), (earlier, later)


def test_a_number_python_will_not_convert_is_not_a_saved_plan(tmp_path: Path) -> None:
    """revinput60 F3: "internal error: ValueError: Exceeds the limit (4300 digits)…"."""
    plan = tmp_path / "plan.json"
    plan.write_text('{"schema": ' + "9" * 5000 + "}")
    with pytest.raises(UsageError) as caught:
        read_saved(plan)
    said = str(caught.value)
    assert said.startswith(f"{plan} is not a saved plan (not JSON: a number of more than 4300 "), (
        said
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"schema": "drift.plan/v2", "saved": {}, "services": "x"}', "not of the type drift"),
        ('{"schema": "drift.plan/v2", "saved": {}}', "it has no 'services'"),
    ],
)
def test_a_plan_of_another_shape_is_said_without_python_words(
    tmp_path: Path, text: str, said: str
) -> None:
    """revinput60 F5: "…: TypeError string indices must be integers, not 'str'"."""
    plan = tmp_path / "plan.json"
    plan.write_text(text)
    with pytest.raises(UsageError) as caught:
        read_saved(plan)
    assert said in str(caught.value) and "Error" not in str(caught.value), caught.value


def test_a_schema_this_very_drift_never_wrote_is_an_edit(tmp_path: Path) -> None:
    """revinput60 F5: "written by a newer drift (drift.plan/v9…)… saved by drift X, this is
    drift X": the same drift wrote it, so the schema was edited."""
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps({"schema": "drift.plan/v9", "saved": {"drift_version": __version__}})
    )
    with pytest.raises(UsageError) as caught:
        read_saved(plan)
    said = str(caught.value)
    assert "it was edited since it was saved" in said and "newer drift" not in said, said
