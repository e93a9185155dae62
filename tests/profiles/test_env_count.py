"""A container a profile needs more than 1,000 variables set in is refused at load, at the line
of the first one over: Cloud Run sets at most 1000 in one container of a service or a job
(cloud.google.com/run/docs/configuring/services/environment-variables, …/jobs/environment-
variables), so no revision could pass the check and a fix would be refused. Only variables that
must be present count; the worker pools' page states no number."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.profiles.conftest import assert_refused

HEAD = "project: p\nregion: us-central1\n"


def variables(count: int, indent: int, first: int = 0) -> str:
    return "".join(f"{' ' * indent}V{n}: x\n" for n in range(first, first + count))


def over(where: str, line: int, container: str, count: int = 1001, noun: str = "service") -> str:
    return (
        f"profiles/prod.yaml:{line}: {where}: {count} environment variables must be set in "
        f"{container}, and Cloud Run sets at most 1000 in one container of a {noun} (it refuses "
        "such a revision); this line is the first over the limit"
    )


def test_a_service_needing_1001_variables_is_refused_at_the_one_over(profiles_dir: Path) -> None:
    """600 from the defaults and 401 of the service's own: the 1001st is the service's 401st
    (line 3 + 1 + 600 + 3 + 401)."""
    text = HEAD + "defaults:\n  env:\n" + variables(600, 4)
    text += "services:\n  api:\n    env:\n" + variables(401, 6, first=600)
    (profiles_dir / "prod.yaml").write_text(text)
    assert_refused(profiles_dir, "prod", over("api", 1008, "the ingress container"))


@pytest.mark.parametrize("spare", ["{optional: true}", "{forbidden: true}", "{required: false}"])
def test_variables_that_may_be_absent_do_not_count(profiles_dir: Path, spare: str) -> None:
    from drift.profiles.loader import load_profile

    text = HEAD + "services:\n  api:\n    env:\n" + variables(1000, 6)
    text += "".join(f"      S{n}: {spare}\n" for n in range(5))
    (profiles_dir / "prod.yaml").write_text(text)
    assert len(load_profile(profiles_dir, "prod").services["api"].env) == 1005


def test_each_container_is_counted_on_its_own(profiles_dir: Path) -> None:
    """1000 in the container `env` describes and 1000 in a sidecar pass; 1001 in the sidecar
    is refused, naming it."""
    side = "    containers:\n      side:\n        env:\n"
    text = HEAD + "services:\n  api:\n    env:\n" + variables(1000, 6)
    (profiles_dir / "prod.yaml").write_text(text + side + variables(1000, 10))
    from drift.profiles.loader import load_profile

    assert load_profile(profiles_dir, "prod").services["api"].sidecars["side"].env
    (profiles_dir / "prod.yaml").write_text(text + side + variables(1001, 10))
    assert_refused(profiles_dir, "prod", over("api", 2009, "container side"))


def test_the_named_container_and_a_job(profiles_dir: Path) -> None:
    text = HEAD + "services:\n  api:\n    container: app\n    env:\n" + variables(1001, 6)
    (profiles_dir / "prod.yaml").write_text(text)
    assert_refused(profiles_dir, "prod", over("api", 1007, "container app"))
    (profiles_dir / "prod.yaml").write_text(HEAD + "jobs:\n  etl:\n    env:\n" + variables(1001, 6))
    assert_refused(profiles_dir, "prod", over("etl", 1006, "the ingress container", noun="job"))


def test_a_worker_pool_is_not_refused(profiles_dir: Path) -> None:
    """Its environment-variables page states no limit: not refused on a guess."""
    from drift.profiles.loader import load_profile

    text = HEAD + "worker_pools:\n  pool:\n    env:\n" + variables(1001, 6)
    (profiles_dir / "prod.yaml").write_text(text)
    assert len(next(iter(load_profile(profiles_dir, "prod").services.values())).env) == 1001


@pytest.mark.parametrize("command", [("check", "prod"), ("plan", "prod")])
def test_a_command_exits_2_with_the_one_message(
    profiles_dir: Path, command: tuple[str, ...]
) -> None:
    text = HEAD + "services:\n  api:\n    env:\n" + variables(1001, 6)
    (profiles_dir / "prod.yaml").write_text(text)
    done = drift(*command, "--profiles", str(profiles_dir), cwd=profiles_dir.parent)
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert over("api", 1006, "the ingress container") in said
    assert "Traceback" not in said
