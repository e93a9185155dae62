"""The round trip every row of the settings catalogue must survive: a live workload described by
`drift init --from-live` is checked clean (exit 0, no finding, nothing unverified), planned
with nothing to change and fixed (`--dry-run`) with nothing to do, for each row on every kind
it applies to, with the live values `round_trip_shapes.SHAPES` gives (a row added to the
catalogue fails here until it has some). One sandbox world holds every workload (one per shape
and kind, and a baseline per kind at the API's defaults): one init, one check, one plan, one
fix."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from drift.fields.catalogue import FIELDS
from drift.kinds import Kind
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.fields.round_trip_shapes import (
    HEADER_VALUE,
    KINDS,
    NUMBER,
    PROJECT,
    SHAPES,
    Shape,
    workload,
)

SECTIONS = {"service": "services", "job": "jobs", "worker_pool": "worker_pools"}
BASELINE = Shape(frozenset(KINDS))


def _name(kind: str, row: str, index: int) -> str:
    return f"{kind[0]}-{row.replace('_', '-')}-{index}"


def _world() -> dict[str, Any]:
    project: dict[str, Any] = {"number": NUMBER, **{s: {} for s in SECTIONS.values()}}
    for kind, section in SECTIONS.items():
        project[section][f"{kind[0]}-baseline"] = workload(kind, BASELINE)
        for row, shapes in SHAPES.items():
            for index, shape in enumerate(shapes):
                if kind in shape.kinds:
                    project[section][_name(kind, row, index)] = workload(kind, shape)
    return {"options": {"seed": 7}, "projects": {PROJECT: project}}


@dataclass(frozen=True)
class RoundTrip:
    profile: str
    findings: dict[str, list[Any]]
    """Each workload's findings (`drift check --format json`), and "" for the run's own
    (its exit code, what it left unverified)."""
    changes: dict[str, list[Any]]
    """What `drift plan --format json` would change of each workload."""
    fixed: tuple[int, list[str], bool]
    """`drift fix --dry-run`: its exit code, its last line, whether a journal was written."""

    def block(self, name: str) -> str:
        """The profile's lines describing workload `name`."""
        found = self._blocks.get(name)
        assert found, f"init wrote no {name}:\n{self.profile}"
        return found

    @functools.cached_property
    def _blocks(self) -> dict[str, str]:
        """Each entry of the profile at indent 2 (a workload's), by its name, from its line
        to the next line at indent 2 or less: found once, not searched for in the whole
        profile of 423 workloads by each of the 94 tests."""
        found: dict[str, str] = {}
        for entry in re.finditer(r"^  ([^\s:]+):.*?(?=^  \S|^\S|\Z)", self.profile, re.M | re.S):
            found.setdefault(entry.group(1), entry.group(0))
        return found


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoundTrip]:
    where = tmp_path_factory.mktemp("round_trip")
    with Sandbox(_world()) as sandbox:
        env = {
            **sandbox.environ(),
            "DRIFT_PROFILES_DIR": str(where / "profiles"),
            "DRIFT_JOURNAL_DIR": str(where / "journal"),
        }
        read = ("--project", PROJECT, "--region", "us-central1")
        done = drift("init", "prod", "--from-live", *read, env=env, cwd=where, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        checked = drift("check", "prod", "--format", "json", "--no-history", env=env, cwd=where)
        planned = drift("plan", "prod", "--format", "json", env=env, cwd=where)
        dry = drift("fix", "prod", "--dry-run", env=env, cwd=where)
    assert "Traceback" not in checked.stderr + planned.stderr, checked.stderr + planned.stderr
    report, plan = json.loads(checked.stdout), json.loads(planned.stdout)
    findings: dict[str, list[Any]] = {"": [report["exit_code"], report["unverified"]]}
    fixed = (dry.returncode, dry.stdout.splitlines()[-1:], (where / "journal").exists())
    for finding in report["findings"]:
        findings.setdefault(finding["service"], []).append(finding)
    changes = {
        entry["service"]: [
            entry[part]
            for part in ("settings", "env", "manual", "fixes", "at_once", "template_differences")
            if entry[part]
        ]
        for entry in plan["services"]
    }
    yield RoundTrip((where / "profiles" / "prod.yaml").read_text(), findings, changes, fixed)


CASES = [
    (row, kind) for row, field in FIELDS.items() for kind in KINDS if field.applies(Kind(kind))
]


def test_init_checks_clean_and_plans_nothing(round_trip: RoundTrip) -> None:
    """Every workload of the world, the baselines too: no finding, nothing to change, a
    dry run of fix that has nothing to do (and writes no journal)."""
    assert HEADER_VALUE not in round_trip.profile  # a probe header's value: never written
    assert round_trip.findings.pop("", None) == [0, []]
    assert round_trip.findings == {}
    assert {name: change for name, change in round_trip.changes.items() if change} == {}
    code, (last,), journal = round_trip.fixed
    assert (code, last.endswith("— no drift (exit 0)"), journal) == (0, True, False), last


@pytest.mark.parametrize(("row", "kind"), CASES, ids=[f"{r}-{k}" for r, k in CASES])
def test_each_row_is_written_as_it_runs(row: str, kind: str, round_trip: RoundTrip) -> None:
    """Each live value of the row is stated by the profile init wrote (or the comment its
    shape expects says why not), and checks clean."""
    shapes = [(i, s) for i, s in enumerate(SHAPES.get(row, ())) if kind in s.kinds]
    assert shapes, f"no live value of {row} on a {kind}: give it some in round_trip_shapes"
    for index, shape in shapes:
        name = _name(kind, row, index)
        block = round_trip.block(name)
        if shape.said is None:
            assert re.search(rf"^ +{row}: ", block, re.M), (
                f"{name}: no {row} line: {_said(row, block)}"
            )
        elif not shape.said:  # unset: nothing to state
            assert _said(row, block) == "nothing", f"{name}: {_said(row, block)}"
        else:
            said = re.search(rf"^ +# {row}: .*", block, re.M)
            assert said and shape.said in said.group(0), f"{name}: {_said(row, block)}"
        if shape.noted:  # beside its line
            noted = re.search(rf"^ +# {row}: .*", block, re.M)
            assert noted and shape.noted in noted.group(0), f"{name}: {_said(row, block)}"
        assert name not in round_trip.findings, (round_trip.findings[name], block)
        assert not round_trip.changes.get(name), (round_trip.changes[name], block)


def _said(row: str, block: str) -> str:
    """What a workload's block says of `row` (its lines, commented or not)."""
    return " | ".join(re.findall(rf"^ +#? ?{row}: .*", block, re.M)) or "nothing"
