"""The repair script a check's report carries (`fix_commands`: the JSON report, the markdown
summary) is `drift plan --format gcloud`'s, line for line. The check plans only the workloads
it has something to say about (a finding, ignored or not, an item it could not read, a
workload missing), not every one of a large fleet: on a fleet where some workloads are as
their profile wants them, one drifts only in what `ignore` silences and one is missing, that
must leave out nothing the plan says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cliutil import REPO, drift

SHIPPED = REPO / "drift" / "examples" / "profiles"
IGNORED = (
    "  - {service: api, env: TESTING, reason: tracked in OPS-7, until: 2099-12-31}\n"
    "  - {service: web, env: NEXT_PUBLIC_WS_URL, reason: tracked in OPS-8, until: 2099-12-31}\n"
)
MISSING = "  ghost:\n    env:\n      MODE: live\n"


def _profiles(tmp_path: Path, shape: str) -> Path:
    profiles = tmp_path / "profiles"
    shutil.copytree(SHIPPED, profiles)
    staging = profiles / "staging.yaml"
    text = staging.read_text()
    if shape != "as shipped":
        text = text.replace("services:\n", "services:\n" + MISSING, 1)
    if shape == "ignored, missing and drifting":
        text += IGNORED[: IGNORED.index("\n") + 1]  # api ignored; web still drifts
    elif shape == "ignored and missing":
        text += IGNORED
    staging.write_text(text)
    return profiles


@pytest.mark.parametrize(
    "shape", ["as shipped", "ignored, missing and drifting", "ignored and missing"]
)
def test_the_reports_repair_script_is_the_plans(
    sandbox_env: dict[str, str], tmp_path: Path, shape: str
) -> None:
    where = ("--profiles", str(_profiles(tmp_path, shape)))
    checked = drift("check", "staging", *where, "--format", "json", env=sandbox_env)
    assert checked.returncode in (0, 1), checked.stderr
    report = json.loads(checked.stdout)
    planned = drift("plan", "staging", *where, "--format", "gcloud", env=sandbox_env)
    assert planned.returncode in (0, 1), planned.stderr
    script = planned.stdout.splitlines()
    assert report["fix_commands"] == script
    if shape == "as shipped":
        return
    assert any("ghost" in line for line in script), script  # the missing one's step
    ignored = {f["service"] for f in report["findings"] if f.get("ignored")}
    assert "api" in ignored, report["findings"]
    if shape == "ignored, missing and drifting":
        assert any("NEXT_PUBLIC_WS_URL" in line for line in script), script
