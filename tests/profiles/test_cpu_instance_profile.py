"""helper-647 F5, O2: a profile's `cpu` and `memory` are one container's, and its sidecars'
limits (`containers: {NAME: {settings: …}}`, as `drift init` writes them) were not counted.

F5: 1 CPU with 5Gi beside a sidecar stated at 1 CPU / 256Mi was noted at every load ("…, in one
container; unless the instance's other containers add up to it (not documented)") though the
profile states that they do (2 CPU, 5.25Gi in all). Where the sidecars' limits are stated the
instance's sums are judged: nothing said where the instance takes them, a note where the
instance's sums are refused though each container takes its own (the other reading); the note
stays for a profile that states no sidecar limits.

O2: a service's cpu below 1 beside a sidecar stated at 1 CPU was refused with concurrency 80
(and the rest of "If you use less than 1 CPU, the following requirements are enforced",
cloud.google.com/run/docs/configuring/services/cpu), though Cloud Run's refusal is about the
instance: "Total cpu < 1 is not supported with concurrency > 1" (drift/fields/cpu_floor.py).
The requirements are judged on the stated containers' CPU in all. helper-681: what they find is
a note, never an error (a memory both readings refuse too): containers the profile does not
name may bring the instance to 1 CPU; the plan judges the template it would write."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import Problem
from drift.profiles.loader import validate_directory
from tests.jobs.world import write_profile

KINDS = [("services", "api"), ("jobs", "job"), ("worker_pools", "pool")]


def _text(section: str, name: str, own: str, sidecar: str | None) -> str:
    text = f"project: p\nregion: us-central1\n{section}:\n  {name}:\n    settings:\n{own}"
    if sidecar is not None:
        text += f"    containers:\n      otel:\n        settings:\n{sidecar}"
    return text


def _lines(**settings: str) -> str:
    return "".join(f"      {key}: {value}\n" for key, value in settings.items())


def _sidecar(**settings: str) -> str:
    return "".join(f"          {key}: {value}\n" for key, value in settings.items())


def _validate(tmp_path: Path, text: str) -> tuple[list[Problem], list[Problem]]:
    notes: list[Problem] = []
    problems = validate_directory(write_profile(tmp_path / "profiles", text), notes)[1]
    return problems, notes


@pytest.mark.parametrize(("section", "name"), KINDS)
def test_a_pair_the_stated_sidecar_makes_valid_in_all_is_not_noted(
    tmp_path: Path, section: str, name: str
) -> None:
    own = _lines(cpu="'1'", memory="5Gi")
    text = _text(section, name, own, _sidecar(cpu="'1'", memory="256Mi"))
    assert _validate(tmp_path / "a", text) == ([], [])
    # 4 CPU with 1Gi beside a sidecar of 1 CPU with 1Gi: 5 CPU with 2Gi in all
    own = _lines(cpu="'4'", memory="1Gi")
    text = _text(section, name, own, _sidecar(cpu="'1'", memory="1Gi"))
    assert _validate(tmp_path / "b", text) == ([], [])


@pytest.mark.parametrize(("section", "name"), KINDS)
@pytest.mark.parametrize(
    "sidecar",
    [None, "          image: x\n", _sidecar(cpu="'1'"), _sidecar(memory="256Mi")],
    ids=["no-containers", "no-limits", "cpu-only", "memory-only"],
)
def test_without_the_sidecars_limits_the_note_stays(
    tmp_path: Path, section: str, name: str, sidecar: str | None
) -> None:
    text = _text(section, name, _lines(cpu="'1'", memory="5Gi"), sidecar)
    problems, (note,) = _validate(tmp_path, text)
    assert problems == []
    assert note.message.startswith(f"{name}: memory 5Gi with cpu 1 "), note
    assert "memory 5Gi needs at least 2 CPU" in note.message
    assert "unless the instance's other containers add up to it" in note.message


@pytest.mark.parametrize(("section", "name"), KINDS)
def test_a_sum_the_instance_reading_refuses_is_noted(
    tmp_path: Path, section: str, name: str
) -> None:
    """2 CPU with 1Gi and 2 CPU with 512Mi: each container takes its pair, the instance's
    4 CPU with 1.5Gi are refused ("4 vCPU 2 to 16 GiB") if Cloud Run pairs the sums."""
    text = _text(
        section, name, _lines(cpu="'2'", memory="1Gi"), _sidecar(cpu="'2'", memory="512Mi")
    )
    problems, (note,) = _validate(tmp_path, text)
    assert problems == []
    assert note.line == 7, note
    assert note.message.startswith(f"{name}: memory 1Gi with cpu 2 "), note
    assert "with otel as stated, 4 CPU and 1536Mi in all" in note.message, note.message
    assert "4 CPU need at least 2Gi of memory" in note.message
    assert "if Cloud Run pairs the instance's sums (not documented)" in note.message
    assert "each container alone takes its own pair" in note.message


def test_a_stated_sidecar_s_cpu_lifts_a_service_below_one_cpu_to_one(tmp_path: Path) -> None:
    """What `drift init` reads of a service at 0.5 CPU beside a 1-CPU collector: concurrency
    80, CPU always allocated, gen2, 2Gi: Cloud Run takes it (1.5 CPU, 2.25Gi in all)."""
    own = _lines(
        cpu="500m",
        memory="2Gi",
        concurrency="80",
        cpu_throttling="false",
        execution_environment="gen2",
    )
    text = _text("services", "api", own, _sidecar(cpu="'1'", memory="256Mi"))
    assert _validate(tmp_path / "a", text) == ([], [])
    # the sidecar's memory not stated: the requirements are still the instance's CPU's
    problems, notes = _validate(tmp_path / "b", _text("services", "api", own, _sidecar(cpu="1")))
    assert problems == []
    (note,) = notes  # the memory a 0.5-CPU container may hold alone: not decided in all
    assert note.message.startswith("api: memory 2Gi with cpu 500m "), note
    assert "unless the instance's other containers add up to it" in note.message


@pytest.mark.parametrize(
    "sidecar", [None, "          image: x\n", _sidecar(memory="256Mi")], ids=str
)
def test_without_a_stated_sidecar_cpu_below_one_is_noted(
    tmp_path: Path, sidecar: str | None
) -> None:
    """Containers the profile does not name may lift the instance to 1 CPU (helper-681:
    refused before; the plan judges the template, tests/fix/test_sidecar_cpu_profile_fix.py)."""
    text = _text("services", "api", _lines(cpu="500m", concurrency="80"), sidecar)
    problems, (note,) = _validate(tmp_path, text)
    assert problems == []
    assert "api: concurrency 80 with cpu 500m (" in str(note), note
    assert "prod.yaml:6): below 1 CPU Cloud Run requires concurrency 1" in str(note), note
    assert "said, not refused: containers the profile does not name" in note.message


def test_below_one_cpu_in_all_the_requirements_are_the_instance_s(tmp_path: Path) -> None:
    """0.25 CPU beside a sidecar at 0.5: 0.75 CPU in all as stated, still below one (noted:
    containers it does not name may add to it)."""
    own = _lines(cpu="250m", concurrency="80", memory="256Mi")
    text = _text("services", "api", own, _sidecar(cpu="500m", memory="256Mi"))
    problems, (note,) = _validate(tmp_path, text)
    said = str(note)
    assert "api: concurrency 80 with cpu 250m (" in said and "prod.yaml:6), with otel as" in said
    assert "750m CPU in all: below 1 CPU Cloud Run requires concurrency 1" in said, said
    assert problems == []


@pytest.mark.parametrize(
    ("own", "sidecar", "refused", "noted"),
    [
        # the container's own (0.25 CPU: 512Mi at most) and the instance's (0.5: 1Gi): both
        ("1536Mi", ("250m", "128Mi"), True, False),
        # the container's own refused, the instance's 0.5 CPU with 896Mi taken: not said
        ("768Mi", ("250m", "128Mi"), False, False),
        # the container's own taken (0.5 CPU: 1Gi), the instance's 0.75 with 1.25Gi refused
        ("1Gi", ("250m", "256Mi"), False, True),
    ],
)
def test_below_one_cpu_in_all_a_memory_is_refused_where_every_reading_refuses(
    tmp_path: Path, own: str, sidecar: tuple[str, str], refused: bool, noted: bool
) -> None:
    cpu = "250m" if own != "1Gi" else "500m"
    stated = _text(
        "services",
        "api",
        _lines(cpu=cpu, memory=own),
        _sidecar(cpu=sidecar[0], memory=sidecar[1]),
    )
    problems, notes = _validate(tmp_path, stated)
    assert problems == []  # containers the profile does not name may add CPU (helper-681)
    assert [n.line for n in notes] == ([7] if refused or noted else []), notes
    if refused:
        assert "below 1 CPU Cloud Run requires memory 1Gi at most" in str(notes[0])
        assert "said, not refused" in notes[0].message
    if noted:
        assert "if Cloud Run pairs the instance's sums" in notes[0].message, notes
