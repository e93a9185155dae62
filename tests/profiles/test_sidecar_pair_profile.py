"""helper-657 LOW-2: a sidecar's own stated pair (`containers: {NAME: {settings: {cpu,
memory}}}`) was never judged at load, so a service profile Cloud Run refuses by every reading
(app 500m / 1Gi beside otel 250m / 1Gi: otel's 0.25 CPU takes 512Mi at most in one container,
the instance's 0.75 CPU with 2Gi takes 1Gi at most) loaded, its plan could never be met, and the
note said the opposite ("the container alone takes its pair"). Each stated sidecar's pair is
judged as the app container's is where its sums are not known: noted where the containers the
profile does not state may still add up to it (never refused: helper-669 F4), nothing where the
stated sums are taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import Problem
from drift.profiles.loader import validate_directory
from tests.jobs.world import write_profile

KINDS = [("services", "api"), ("jobs", "job"), ("worker_pools", "pool")]
SIDECAR_CPU_LINE, SIDECAR_MEMORY_LINE = 11, 12  # with two lines of the app's own settings


def _text(section: str, name: str, own: dict[str, str], sidecar: dict[str, str]) -> str:
    text = f"project: p\nregion: us-central1\n{section}:\n  {name}:\n"
    if own:
        text += "    settings:\n" + "".join(f"      {k}: {v}\n" for k, v in own.items())
    text += "    containers:\n      otel:\n        settings:\n"
    return text + "".join(f"          {k}: {v}\n" for k, v in sidecar.items())


def _validate(tmp_path: Path, text: str) -> tuple[list[Problem], list[Problem]]:
    notes: list[Problem] = []
    problems = validate_directory(write_profile(tmp_path / "profiles", text), notes)[1]
    return problems, notes


def test_a_service_sidecar_pair_refused_as_stated_is_noted_not_refused(tmp_path: Path) -> None:
    """helper-669 F4: the profile does not say it names every container, and one it does not
    name (a proxy at 1 CPU) lifts the instance to 1 CPU or more, where Cloud Run pairs no
    container below one: not every reading refuses it, so a note, never exit 2."""
    own = {"cpu": "500m", "memory": "1Gi"}
    text = _text("services", "api", own, {"cpu": "250m", "memory": "1Gi"})
    problems, (note,) = _validate(tmp_path, text)
    assert problems == []
    assert note.line == SIDECAR_MEMORY_LINE, note
    said = note.message
    assert said.startswith("api: container otel: memory 1Gi with cpu 250m ("), said
    assert f"prod.yaml:{SIDECAR_CPU_LINE}): below 1 CPU Cloud Run requires memory 512Mi" in said
    assert (
        "the instance, 750m CPU and 2Gi in all as stated: below 1 CPU Cloud Run requires " in said
    )
    assert said.endswith("; unless containers not stated add up to it"), said
    assert "alone takes" not in said, said


@pytest.mark.parametrize(("section", "name"), KINDS)
def test_a_sidecar_pair_both_readings_refuse_at_one_cpu_is_noted_on_the_sidecar(
    tmp_path: Path, section: str, name: str
) -> None:
    """1 CPU with 8Gi beside the app's 1 CPU with 512Mi: refused in one container (4Gi at
    most) and in all (2 CPU with 8.5Gi, 8Gi at most); an unstated container may add up to it."""
    own = {"cpu": "'1'", "memory": "512Mi"}
    problems, (note,) = _validate(
        tmp_path, _text(section, name, own, {"cpu": "'1'", "memory": "8Gi"})
    )
    assert problems == []
    assert note.line == SIDECAR_MEMORY_LINE, note
    assert note.message.startswith(f"{name}: container otel: memory 8Gi with cpu 1 ("), note
    assert "memory 8Gi needs at least 2 CPU" in note.message
    assert "the instance, 2 CPU and 8704Mi in all as stated: memory 8704Mi needs" in note.message
    assert "unless containers not stated add up to it" in note.message
    assert "alone takes" not in note.message


@pytest.mark.parametrize(("section", "name"), KINDS)
def test_a_sidecar_pair_the_instance_takes_in_all_is_not_said(
    tmp_path: Path, section: str, name: str
) -> None:
    """1 CPU with 5Gi beside the app's 4 CPU with 4Gi: 5 CPU with 9Gi in all."""
    own = {"cpu": "'4'", "memory": "4Gi"}
    text = _text(section, name, own, {"cpu": "'1'", "memory": "5Gi"})
    assert _validate(tmp_path, text) == ([], [])


@pytest.mark.parametrize(("section", "name"), KINDS)
def test_a_sidecar_pair_beside_an_app_whose_limits_are_not_stated_is_noted(
    tmp_path: Path, section: str, name: str
) -> None:
    text = _text(section, name, {}, {"cpu": "'1'", "memory": "8Gi"})
    problems, (note,) = _validate(tmp_path, text)
    assert problems == []
    assert note.line == 9, note  # the sidecar's memory
    assert note.message.startswith(f"{name}: container otel: memory 8Gi with cpu 1 ("), note
    assert "in one container; unless the instance's other containers add up to it" in note.message


@pytest.mark.parametrize(("section", "name"), KINDS)
def test_the_instance_note_says_each_container_takes_its_own_pair(
    tmp_path: Path, section: str, name: str
) -> None:
    """2 CPU with 1Gi beside 2 CPU with 512Mi: each container takes its pair, the instance's
    4 CPU with 1.5Gi are refused if Cloud Run pairs the sums: one note, on the app's memory."""
    own = {"cpu": "'2'", "memory": "1Gi"}
    text = _text(section, name, own, {"cpu": "'2'", "memory": "512Mi"})
    problems, (note,) = _validate(tmp_path, text)
    assert problems == [] and note.line == 7, note
    assert note.message.endswith("each container alone takes its own pair"), note.message
