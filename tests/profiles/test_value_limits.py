"""A variable's value a container could never be given is refused at its line, and never
quoted (it may be a credential): a NUL, at which a process environment (and bash, running
`drift plan --format gcloud`) ends it — the script set the text before it and dropped the
variables after it in the same list (helper-530 F2) — and more than Cloud Run's 32768 bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.profiles.conftest import the_problem

HEAD = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
NUL = (
    "a variable's value cannot hold a NUL character (\\x00): a process environment ends a "
    "value at one, so no container is given what follows it"
)


@pytest.mark.parametrize(
    "line", ['      A: "hunter2\\0tail"\n', '      A: {value: "hunter2\\0"}\n']
)
def test_a_nul_in_a_value_is_refused(profiles_dir: Path, line: str) -> None:
    problem = the_problem(profiles_dir, HEAD + line)
    assert problem == f"profiles/prod.yaml:6: services.api.env.A.value: {NUL}"
    assert "hunter2" not in problem


def test_a_nul_in_a_name_is_refused(profiles_dir: Path) -> None:
    problem = the_problem(profiles_dir, HEAD + '      "A\\0B": x\n')
    assert problem.startswith("profiles/prod.yaml:6: services.api.env.A\\x00B: not an environment")


@pytest.mark.parametrize(("size", "refused"), [(32768, False), (32769, True)])
def test_a_value_over_cloud_runs_limit_is_refused(
    profiles_dir: Path, size: int, refused: bool
) -> None:
    """32768 bytes, not characters: `é` is two."""
    value = "é" * (size // 2) + "x" * (size % 2)
    text = HEAD + f"      BIG: {value}\n"
    if not refused:
        from drift.profiles.loader import load_profile

        (profiles_dir / "prod.yaml").write_text(text)
        assert load_profile(profiles_dir, "prod").services["api"].env["BIG"].value == value
        return
    problem = the_problem(profiles_dir, text)
    assert problem == (
        "profiles/prod.yaml:6: services.api.env.BIG.value: a variable's value is 32769 bytes; "
        "Cloud Run takes at most 32768 bytes (EnvVar.value)"
    )
