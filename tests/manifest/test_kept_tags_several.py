"""helper-739 F3 in a manifest's words: a revision the plan keeps at 0 % through two tags
(`old` and `qa`, each its own URL once deployed) is named with both, in its findings, the
manifest's note and, offline, its unverified reason; its findings carry `old` (the first by
name), whichever order the traffic lists the tags in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.manifest.plans import API_ONLY, check_live, check_offline
from tests.manifest.test_kept_tags import OLD, PROFILE, _plan

ORDERS = pytest.mark.parametrize(
    "tags", [("old", "qa"), ("qa", "old")], ids=["old-first", "qa-first"]
)


def _two_tags(tags: tuple[str, str]) -> dict[str, Any]:
    """`_plan` with `OLD` kept at 0 % through both `tags`, listed in that order."""
    data = _plan()
    after = data["resource_changes"][0]["change"]["after"]
    kept = after["traffic"].pop()
    after["traffic"] += [{**kept, "tag": tag} for tag in tags]
    return data


@ORDERS
def test_a_revision_kept_through_two_tags_is_named_with_both(
    sandbox: Sandbox, tmp_path: Path, tags: tuple[str, str]
) -> None:
    done = check_live(sandbox, tmp_path, _two_tags(tags), profile=PROFILE)
    doc = json.loads(done.stdout)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert doc["findings"], doc
    for finding in doc["findings"]:
        assert finding["tag"] == "old", finding
        assert f"{OLD} (tags old, qa)" in finding["message"], finding
    said = " ".join(" ".join(doc["notes"]).split())
    assert f"the traffic keeps {OLD} (tags old, qa) reachable at 0 %" in said, said


@ORDERS
def test_offline_a_revision_kept_through_two_tags_is_named_with_both(
    tmp_path: Path, tags: tuple[str, str]
) -> None:
    done = check_offline(tmp_path, _two_tags(tags), API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)
    reasons = {u["target"]: u["reason"] for u in doc["unverified"]}
    assert reasons[f"revision.{OLD}"].startswith(
        "reachable through tags old, qa once deployed (the manifest keeps it, at 0 %)"
    ), reasons
