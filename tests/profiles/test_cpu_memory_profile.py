"""helper-631 F1, F2: a profile stating a cpu and a memory Cloud Run refuses together (1 CPU
with 8Gi; 4 CPU with 1Gi; a job at 0.5 CPU with 2Gi) validated in silence. The memory-limits
pages' "Required minimum CPUs" (more than 4 GiB: 2; 8: 4; 16: 6; 24: 8) and the CPU pages' "4
vCPU 2 to 16 GiB; 6 vCPU 4 to 24 GiB" are said at the memory's line, for every kind
(drift/fields/cpu_memory.py) — as a note, not a refusal (helper-642 F2): whether Cloud Run pairs
each container's limits or the instance's sums is not documented, and sidecars the profile
cannot know may make the pair valid; `check` of a profile `fix` just wrote beside a sidecar
exited 2. The plan, which reads the containers, blocks what both readings refuse
(tests/fix/test_cpu_memory_plan.py). Below one CPU drift says only what every reading of the
pages refuses (the CPU pages' rule): 0.5 CPU with 1Gi is left to Cloud Run."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import Problem
from drift.profiles.loader import validate_directory
from tests.cliutil import drift
from tests.jobs.world import write_profile

PROFILE = """\
project: p
region: us-central1
{section}:
  {name}:
    settings:
      cpu: '{cpu}'
      memory: {memory}
"""
KINDS = [("services", "api"), ("jobs", "job"), ("worker_pools", "pool")]


@pytest.mark.parametrize(("section", "name"), KINDS)
@pytest.mark.parametrize(
    ("cpu", "memory", "said"),
    [
        ("1", "8Gi", "memory 8Gi needs at least 2 CPU; Cloud Run takes 4Gi at most with 1 CPU"),
        ("2", "16Gi", "memory 16Gi needs at least 4 CPU; Cloud Run takes 8Gi at most with 2 CPU"),
        ("6", "32Gi", "memory 32Gi needs at least 8 CPU"),
        ("4", "1Gi", "4 CPU need at least 2Gi of memory"),
        ("8", "2Gi", "8 CPU need at least 4Gi of memory"),
    ],
)
def test_a_pair_one_container_cannot_take_is_noted_at_the_memory_line(
    tmp_path: Path, section: str, name: str, cpu: str, memory: str, said: str
) -> None:
    text = PROFILE.format(section=section, name=name, cpu=cpu, memory=memory)
    notes: list[Problem] = []
    assert validate_directory(write_profile(tmp_path / "profiles", text), notes)[1] == []
    (problem,) = notes
    assert problem.line == 7, problem
    assert problem.message.startswith(f"{name}: memory {memory} with cpu {cpu} "), problem
    assert "(profiles/prod.yaml:6)" in problem.message or "prod.yaml:6)" in problem.message
    assert said in problem.message, problem.message
    assert "unless the instance's other containers add up to it" in problem.message


@pytest.mark.parametrize(("section", "name"), KINDS)
@pytest.mark.parametrize(
    ("cpu", "memory"), [("1", "4Gi"), ("2", "8Gi"), ("4", "2Gi"), ("4", "16Gi"), ("8", "32Gi")]
)
def test_a_pair_cloud_run_takes_is_valid(
    tmp_path: Path, section: str, name: str, cpu: str, memory: str
) -> None:
    text = PROFILE.format(section=section, name=name, cpu=cpu, memory=memory)
    notes: list[Problem] = []
    assert validate_directory(write_profile(tmp_path / "profiles", text), notes)[1] == []
    assert notes == [], notes


def test_a_job_below_one_cpu_is_held_to_what_every_reading_refuses(tmp_path: Path) -> None:
    """The jobs CPU page: "A minimum of 1 vCPU is needed to set a memory limit greater than
    1GiB" (an older copy: "a minimum of 1 CPU" at all): 2Gi at 0.5 CPU is refused by both."""
    text = PROFILE.format(section="jobs", name="job", cpu="0.5", memory="2Gi")
    notes: list[Problem] = []
    assert validate_directory(write_profile(tmp_path / "bad", text), notes)[1] == []
    (problem,) = notes
    assert problem.message.startswith("job: memory 2Gi with cpu 500m"), problem
    assert "below 1 CPU Cloud Run requires memory 1Gi at most" in problem.message
    assert "jobs/cpu" in problem.message
    # 0.5 CPU with 1Gi: the CPU page's rule takes it, a newer memory-limits copy does not
    text = PROFILE.format(section="jobs", name="job", cpu="0.5", memory="1Gi")
    notes = []
    assert validate_directory(write_profile(tmp_path / "open", text), notes)[1] == []
    assert notes == [], notes


def test_validate_says_it_and_exits_0(tmp_path: Path) -> None:
    folder = write_profile(
        tmp_path / "profiles", PROFILE.format(section="services", name="api", cpu=1, memory="8Gi")
    )
    done = drift("profiles", "validate", env={"DRIFT_PROFILES_DIR": str(folder)}, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "prod.yaml:7: note: api: memory 8Gi with cpu 1" in done.stdout + done.stderr
