"""helper-739 F3: a drifted revision that two tags reach at 0 % (`e2e` and `qa`, each its own
URL) was one finding naming only the tag the traffic listed first (`tag e2e`), and its id
followed that order: listed `qa` first, the same drift had another id. The finding still
carries one `tag` (SPEC), the first by name of those `check_tags` selects, whatever the
traffic's order; its message names every selected tag that reaches the revision, in every
format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import check_every_format, drift_on
from tests.conftest import MakeSandbox

REVISION = "api-00001-abc"


def _world(tags: list[str]) -> dict[str, Any]:
    """Service api serving its template (LOG_LEVEL=INFO); its older revision, with DEBUG,
    reached at 0 % through `tags`, listed in that order."""
    targets = [{"revision": REVISION, "percent": 0, "tag": t} for t in tags]
    service = {
        "template": {"image": "us-docker.pkg.dev/p-acme/r/api:2", "env": {"LOG_LEVEL": "INFO"}},
        "history": [{"name": REVISION, "env": {"LOG_LEVEL": "DEBUG"}}],
        "traffic": [{"latest": True, "percent": 100}, *targets],
    }
    return {"projects": {"p-acme": {"number": 5, "services": {"api": service}}}}


def _profile(check_tags: str) -> str:
    return (
        f"project: p-acme\nregion: us-central1\ncheck_tags: {check_tags}\nservices:\n"
        "  api:\n    env:\n      LOG_LEVEL: INFO\n"
    )


def _checked(tmp_path: Path, sandbox: Sandbox, check_tags: str) -> dict[str, str]:
    """`drift check lab` in every format, by format (its output; exit 1 each time)."""
    done = check_every_format(sandbox, tmp_path, ("lab", _profile(check_tags)))
    for run in done.values():
        assert run.returncode == 1, run.stdout + run.stderr
    return {fmt: run.stdout for fmt, run in done.items()}


@pytest.mark.parametrize(
    ("check_tags", "named", "tag"),
    [("all", "tags e2e, qa", "e2e"), ("[qa]", "tag qa", "qa")],
    ids=["all", "qa-only"],
)
@pytest.mark.parametrize("tags", [["e2e", "qa"], ["qa", "e2e"]], ids=["e2e-first", "qa-first"])
def test_every_checked_tag_that_reaches_the_revision_is_named(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    tags: list[str],
    check_tags: str,
    named: str,
    tag: str,
) -> None:
    out = _checked(tmp_path, make_sandbox(_world(tags)), check_tags)
    for fmt, text in out.items():
        assert f"{REVISION} ({named})" in text, (fmt, text)
        if check_tags != "all":  # a tag check_tags leaves out is named nowhere
            assert "e2e" not in text, (fmt, text)
    (found,) = json.loads(out["json"])["findings"]
    assert found["tag"] == tag, found
    # one id whatever the traffic's order: under `all`, the one it had listing e2e first
    assert found["id"] == {"e2e": "3c6eec2a319d0add", "qa": "4cc4088767644da6"}[tag], found


def test_a_baseline_naming_the_other_tag_holds_the_same_drift(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A report written before, with traffic listing qa first (its id under `~qa`, `tag`
    qa), is the same drift as this run's under e2e (`drift.diff.older._retagged`)."""
    sandbox = make_sandbox(_world(["qa", "e2e"]))
    base, profile = tmp_path / "base.json", ("lab", _profile("all"))
    written = drift_on(sandbox, tmp_path, profile, "check", "lab", "-f", "json", "-o", str(base))
    assert written.returncode == 1, written.stdout + written.stderr
    report = json.loads(base.read_text())
    (finding,) = report["findings"]
    finding.update(id="4cc4088767644da6", tag="qa")
    finding["message"] = finding["message"].replace("(tags e2e, qa)", "(tag qa)")
    base.write_text(json.dumps(report))
    args = ("check", "lab", "-f", "json", "--baseline", str(base), "--fail-on-new")
    done = drift_on(sandbox, tmp_path, profile, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert [(f["tag"], f["baseline"]) for f in doc["findings"]] == [("e2e", "unchanged")], doc
    assert not doc.get("resolved"), doc


@pytest.mark.parametrize("tags", [["e2e", "qa"], ["qa", "e2e"]], ids=["e2e-first", "qa-first"])
def test_an_ignore_naming_either_tag_silences_the_drift(
    make_sandbox: MakeSandbox, tmp_path: Path, tags: list[str]
) -> None:
    """An entry naming `qa` fits the finding that carries `e2e`: qa reaches that revision too
    (before, it fitted only where the traffic listed qa first; elsewhere the check failed and
    said the entry matched no finding)."""
    ignore = "ignore:\n  - {service: api, env: LOG_LEVEL, tag: qa, reason: known}\n"
    profile = ("lab", _profile("all") + ignore)
    done = drift_on(make_sandbox(_world(tags)), tmp_path, profile, "check", "lab", "-f", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert [(f["tag"], f["ignored"]) for f in doc["findings"]] == [("e2e", True)], doc
    assert not [n for n in doc["notes"] if "matched no finding" in n], doc["notes"]


CANARY = "drift-20261101-120000-abcde"
"""Drift's own canary tag (`drift-CHANGE`), as a fix left it on the revision."""


def test_drifts_own_canary_tag_is_neither_named_nor_fitted_beside_a_teams(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-778 F2: the revision e2e reaches carries drift's canary tag too. The message
    named it (`tags e2e, drift-…`) where the plan's manual step leaves it out, and an entry
    naming it silenced the drift e2e's URL serves. Now named only where it is the only tag."""
    ignore = f"ignore:\n  - {{service: api, env: LOG_LEVEL, tag: {CANARY}, reason: known}}\n"
    sandbox = make_sandbox(_world([CANARY, "e2e"]))
    done = drift_on(
        sandbox, tmp_path, ("lab", _profile("all") + ignore), "check", "lab", "-f", "json"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    (found,) = json.loads(done.stdout)["findings"]
    assert (found["tag"], found["ignored"]) == ("e2e", False), found
    assert f"{REVISION} (tag e2e)" in found["message"], found
    alone = make_sandbox(_world([CANARY]))
    done = drift_on(alone, tmp_path, ("lab", _profile("all")), "check", "lab", "-f", "json")
    (found,) = json.loads(done.stdout)["findings"]
    assert f"{REVISION} (tag {CANARY})" in found["message"], found
