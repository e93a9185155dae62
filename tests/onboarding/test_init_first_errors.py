"""The first errors a new user meets in `drift init ENV --from-live`, each with what to do next
(revinit91 F1): a read that fails says which role it needs or to run again, as `check` says it
(drift.next_steps), not only the server's words; a project nobody can read says it may not
exist, also when the workloads are named (`--service`, which needs no list); a workload named
that is not there says the region may be the wrong one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.errors import DriftError, ExitCode
from drift.onboarding.init import init_from_live
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from drift.sandbox.scenario import default_scenario_path
from drift.settings import load_settings

SHAPES = default_scenario_path().with_name("real-shapes.yaml")


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


@pytest.fixture
def live(shapes: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DRIFT_CALL_TIMEOUT", "2")
    shapes.clear_faults()
    yield shapes
    shapes.clear_faults()


def _init_error(tmp_path: Path, *services: str, project: str = "acme-prod") -> DriftError:
    settings = load_settings(profiles_dir=tmp_path, project=project, region="us-central1", wait=0)
    with pytest.raises(DriftError) as caught:
        asyncio.run(
            init_from_live(
                "st",
                settings,
                services=list(services) or None,
                project_from="--project",
                region_from="--region",
            )
        )
    assert list(tmp_path.iterdir()) == []  # nothing was written
    return caught.value


def test_a_denied_read_names_the_role_it_needs(live: Sandbox, tmp_path: Path) -> None:
    # the List `--service` makes beside the read refused too: billing is read with its Get
    live.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    live.inject(Fault(method="GetService", code="PERMISSION_DENIED"))
    error = _init_error(tmp_path, "billing")
    assert error.exit_code == ExitCode.INCOMPLETE
    text = error.diagnostics()
    assert "could not read billing: nothing was written" in text
    assert "hint: PERMISSION_DENIED: the caller needs roles/run.viewer for GetService" in text


@pytest.mark.parametrize(
    ("method", "code", "step"),
    [
        ("GetService", "DEADLINE_EXCEEDED", "raise DRIFT_CALL_TIMEOUT"),
        ("ListServices", "UNAVAILABLE", "unavailable after retries: run again"),
        ("ListServices", "RESOURCE_EXHAUSTED", "lower DRIFT_CONCURRENCY"),
    ],
)
def test_a_failed_read_says_what_to_do(
    live: Sandbox, tmp_path: Path, method: str, code: str, step: str
) -> None:
    # a quota's retries wait as long as the server's RetryInfo says: a short one here
    live.inject(Fault(method=method, code=code, retry_delay_ms=1))
    if method == "GetService":  # the List made beside `--service` refused: read with its Get
        live.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    error = _init_error(tmp_path, *(["billing"] if method == "GetService" else []))
    assert error.exit_code == ExitCode.INCOMPLETE
    assert f"hint: {code}: " in error.diagnostics() and step in error.diagnostics()


def test_a_named_workload_in_a_project_nobody_can_read(live: Sandbox, tmp_path: Path) -> None:
    """`--service` needs no list: the refused GetService is the answer, and it is how a
    project that does not exist answers too (AIP-211), as for the lists."""
    error = _init_error(tmp_path, "billing", project="acme-prd")
    assert error.exit_code == ExitCode.INCOMPLETE
    text = error.diagnostics()
    assert "the project may not exist or be mistyped; is acme-prd (set by --project)" in text


def test_a_named_workload_that_is_not_there_says_the_region_may_be_wrong(
    live: Sandbox, tmp_path: Path
) -> None:
    error = _init_error(tmp_path, "biling")
    assert error.exit_code == ExitCode.USAGE
    text = error.diagnostics()
    assert "no service biling in acme-prod/us-central1: nothing was written" in text
    assert "hint: is the region (set by --region) right?" in text
    assert "gcloud run services list --project acme-prod lists where they are" in text


def test_a_named_job_that_is_not_there_names_the_list_of_jobs(
    live: Sandbox, tmp_path: Path
) -> None:
    text = _init_error(tmp_path, "job/migrate").diagnostics()
    assert "no job migrate in acme-prod/us-central1: nothing was written" in text
    assert text.endswith("gcloud run jobs list --project acme-prod lists where they are"), text


def test_a_named_worker_pool_that_is_not_there_names_the_beta_list(
    live: Sandbox, tmp_path: Path
) -> None:
    """Every worker-pool command drift prints is the beta track's; gcloud has no GA
    `run worker-pools` group before 565 ("Invalid choice: 'worker-pools'", helper-557 G6)."""
    text = _init_error(tmp_path, "worker_pool/nope").diagnostics()
    assert "gcloud beta run worker-pools list --project acme-prod" in text, text
