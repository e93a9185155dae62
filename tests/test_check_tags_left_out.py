"""`check_tags: none` (or a list without it) leaves a tag's revision unchecked, as the profile
says; the report says which tag it left out, so that a drifted URL at 0 % is not passed over
in silence (helper-537 F4). A tag on a revision that serves traffic leaves nothing out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile

SERVICE = {
    "template": {"image": "x/api:2", "port": 8080, "env": {"LOG_LEVEL": "INFO"}},
    "history": [{"image": "x/api:1", "env": {"LOG_LEVEL": "DEBUG"}}],
    "traffic": [
        {"latest": True, "percent": 100, "tag": "live"},
        {"revision": 1, "percent": 0, "tag": "e2e"},
    ],
}
WORLD = {"projects": {"p": {"number": 5, "services": {"api": SERVICE}}}}


@pytest.mark.parametrize(
    ("tags", "left"),
    [("none", ["e2e"]), ("[live]", ["e2e"]), ("[e2e]", []), ("all", [])],
)
def test_a_tag_left_out_is_said(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tags: str,
    left: list[str],
) -> None:
    profile = (
        f"project: p\nregion: us-central1\ncheck_tags: {tags}\nservices:\n  api:\n"
        "    env:\n      LOG_LEVEL: INFO\n"
    )
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, profile)
    said = [n for n in result.report.notes if "is left out" in n]
    assert said == [
        f"check_tags: service api's tag {t} is left out: the revision only it reaches "
        "(its own URL) was not checked"
        for t in left
    ], result.report.notes
    # the drift there is found where the tag is checked
    assert bool(result.report.findings) is (not left), result.report.findings


def test_a_revision_checked_through_one_tag_is_not_said_unchecked_through_another(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-540 F1: two tags on one revision at 0 %, `check_tags: [e2e]`: the revision is
    checked (its drift found through e2e), and e2e-old leaves nothing unchecked."""
    service = {
        **SERVICE,
        "traffic": [*SERVICE["traffic"], {"revision": 1, "percent": 0, "tag": "e2e-old"}],
    }
    world = {"projects": {"p": {"number": 5, "services": {"api": service}}}}
    profile = (
        "project: p\nregion: us-central1\ncheck_tags: [e2e]\nservices:\n  api:\n"
        "    env:\n      LOG_LEVEL: INFO\n"
    )
    result = check_profile(make_sandbox, monkeypatch, tmp_path, world, profile)
    assert [n for n in result.report.notes if "is left out" in n] == []
    assert [f.tag for f in result.report.findings] == ["e2e"]
