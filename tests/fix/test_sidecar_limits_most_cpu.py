"""helper-669 F8: the plan judged a template whose instance sums are above the 8 CPU Cloud Run
takes at most (without a GPU) as taken (`fields.cpu_memory.judged`: a GPU's machine), so a
job's cpu raise was planned with sidecar limits that push the instance to 10 CPU, and a
container's pair refused beside such sums was written: the container reading refuses the
pair, the instance reading the sums, and `fix` ended on the server's INVALID_ARGUMENT (exit 4).
The sums' maximum is judged with the pairs: each such change is a manual step, the rest is
written. The cases are those h669's random grid of 300 app/otel profiles found (both readings
refused what fix sent, with a live template one of them takes)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import SECTION, otel_of, profile, run, world

READINGS = ("container", "instance")


def _world(kind: str, live: tuple[str, str, str, str]) -> dict[str, Any]:
    """app and otel at the `live` cpu / memory pairs (a service: concurrency 1)."""
    scenario = world(kind)
    (body,) = scenario["projects"].values()
    template = body[SECTION[kind]]["app"]["template"]
    template["containers"][0]["resources"] = {"limits": {"cpu": live[0], "memory": live[1]}}
    template["containers"][1]["resources"] = {"limits": {"cpu": live[2], "memory": live[3]}}
    if kind == "service":
        template["maxInstanceRequestConcurrency"] = 1
    return scenario


def _text(kind: str, want: tuple[str | None, ...]) -> str:
    app = "".join(
        f"      {k}: {v}\n" for k, v in zip(("cpu", "memory"), want[:2], strict=True) if v
    )
    otel = "".join(
        f"          {k}: {v}\n" for k, v in zip(("cpu", "memory"), want[2:], strict=True) if v
    )
    return profile("        settings:\n" + otel, kind, "    settings:\n" + app if app else "")


def _task(sandbox: Sandbox) -> Any:
    return sandbox.job(LAB, "app").template.template


@pytest.mark.parametrize("reading", READINGS)
def test_a_cpu_raise_beside_sidecar_limits_above_eight_cpu_in_all_is_a_manual_step(
    reseedable: Sandbox, tmp_path: Path, reading: str
) -> None:
    """The reviewer's job: app 2 CPU / 512Mi beside otel 250m / 128Mi; the profile wants app
    cpu 6 and otel 4 / 4Gi. 6 CPU with 512Mi is refused in one container, and with otel's
    limits the instance holds 10 CPU: both readings refuse the joint write. The app's cpu is
    a step (judged beside otel as it runs too: 6.25 CPU need 4Gi), otel's limits are written."""
    scenario = _world("job", ("2", "512Mi", "250m", "128Mi"))
    scenario["options"]["max_size_of"] = reading
    reseedable.reset(scenario)
    text = _text("job", ("6", "512Mi", "4", "4Gi"))
    planned = run(reseedable, tmp_path, text, "plan", "lab", "--format", "json")
    assert planned.returncode == 1, planned.stdout + planned.stderr
    (sp,) = json.loads(planned.stdout)["services"]
    assert [(s.get("container"), s["name"], s["after"]) for s in sp["settings"]] == [
        ("otel", "cpu", "4"),
        ("otel", "memory", "4Gi"),
    ]
    (step,) = sp["manual"]
    assert step["target"] == "setting.cpu", step
    assert step["reason"].startswith("app: 6 CPU need at least 4Gi of memory"), step

    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 1, said  # the step left (was 4: the server refused the write)
    assert "INVALID_ARGUMENT: " not in said, said  # the server's refusal
    task = _task(reseedable)
    assert task.containers[0].resources.limits["cpu"] == "2"
    assert dict(otel_of(task).resources.limits) == {"cpu": "4", "memory": "4Gi"}


GRID = [
    ("service", ("4", "512Mi", "2", "16Gi"), (None, "128Mi", "6", "2Gi")),
    ("service", ("2", "256Mi", "2", "4Gi"), ("6", "512Mi", "6", "1Gi")),
    ("job", ("6", "8Gi", "500m", "8Gi"), ("6", None, "4", "128Mi")),
    ("job", ("2", "8Gi", "6", "512Mi"), ("4", "1Gi", "6", "8Gi")),
    ("service", ("6", "2Gi", "80m", "8Gi"), ("80m", "128Mi", "6", "512Mi")),
    ("service", ("1", "4Gi", "4", "2Gi"), ("6", "512Mi", "250m", "1Gi")),
    ("service", ("1", "1Gi", "80m", "256Mi"), ("6", None, "4", "4Gi")),
    ("service", ("1", "16Gi", "6", "128Mi"), ("6", "128Mi", "1", None)),
    ("service", ("1", "16Gi", "6", "128Mi"), ("250m", "256Mi", "80m", "256Mi")),
    ("job", ("2", "512Mi", "250m", "128Mi"), ("6", "512Mi", "4", "4Gi")),
    ("job", ("4", "4Gi", "4", "128Mi"), ("6", "512Mi", "500m", "128Mi")),
    ("job", ("4", "1Gi", "500m", "4Gi"), ("250m", "512Mi", "6", "256Mi")),
]


@pytest.mark.parametrize(("kind", "live", "want"), GRID, ids=[str(i) for i in range(len(GRID))])
def test_fix_never_sends_what_both_readings_refuse(
    reseedable: Sandbox,
    tmp_path: Path,
    kind: str,
    live: tuple[str, str, str, str],
    want: tuple[str | None, ...],
) -> None:
    """Under each reading, `fix --yes` writes the plan or leaves manual steps; the server
    refusing its write under both (exit 4, INVALID_ARGUMENT) is what the plan must never
    reach (a reading that refuses the live template may still refuse the write alone)."""
    refused = []
    for reading in READINGS:
        scenario = _world(kind, live)
        scenario["options"]["max_size_of"] = reading
        reseedable.reset(copy.deepcopy(scenario))
        where = tmp_path / reading
        where.mkdir()
        done = run(reseedable, where, _text(kind, want), "fix", "lab", "--yes")
        said = done.stdout + done.stderr
        assert "Traceback" not in said, said
        refused.append(done.returncode == 4 and "INVALID_ARGUMENT: " in said)
    assert not all(refused), refused


TOGETHER = [
    # app 6/16Gi -> 2/4Gi beside otel 2/16Gi -> 6/256Mi: 8 CPU with 4.25Gi in all
    ("job", ("6", "16Gi", "2", "16Gi"), ("2", "4Gi", "6", "256Mi")),
    # app 2/1Gi -> 2/16Gi beside otel 500m/512Mi -> 6/256Mi: 8 CPU with 16.25Gi in all
    ("service", ("2", "1Gi", "500m", "512Mi"), ("2", "16Gi", "6", "256Mi")),
]


@pytest.mark.parametrize(("kind", "live", "want"), TOGETHER, ids=["job", "service"])
def test_changes_each_refused_beside_the_other_as_it_runs_are_written_together(
    reseedable: Sandbox,
    tmp_path: Path,
    kind: str,
    live: tuple[str, str, str, str],
    want: tuple[str, str, str, str],
) -> None:
    """The app's limits beside otel as it runs, and otel's beside the app's, are each refused
    by both readings (a pair refused, and sums out of the table or above 8 CPU); the update
    writes both, whose sums the instance reading takes: planned together (helper-657 LOW-3's
    joint judgement, with every sidecar limit the profile asks), and the sandbox pairing the
    sums takes the write."""
    scenario = _world(kind, live)
    scenario["options"]["max_size_of"] = "instance"
    reseedable.reset(scenario)
    text = _text(kind, want)
    planned = run(reseedable, tmp_path, text, "plan", "lab", "--format", "json")
    (sp,) = json.loads(planned.stdout)["services"]
    assert sp["manual"] == [], sp["manual"]
    changed = sum(w != now for w, now in zip(want, live, strict=True))
    assert len(sp["settings"]) == changed, sp["settings"]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    template = _task(reseedable) if kind == "job" else reseedable.service(LAB, "app").template
    assert dict(template.containers[0].resources.limits) == {"cpu": want[0], "memory": want[1]}
    assert dict(otel_of(template).resources.limits) == {"cpu": want[2], "memory": want[3]}
