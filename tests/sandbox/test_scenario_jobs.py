"""Scenario `jobs:` and `worker_pools:`: a good one loads, and what is wrong is reported as
`file:line: message` — keys a worker pool's or a job's template has not, bad names, bad
instance splits, execution names."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from google.api import launch_stage_pb2
from google.cloud import run_v2

from drift.errors import InputError
from drift.sandbox import Sandbox, load_scenario
from drift.sandbox.seed import build_world

GOOD = """\
projects:
  demo:
    number: 123
    jobs:
      migrate:
        template:
          image: us-docker.pkg.dev/example/migrate:1
          task_count: 2
          max_retries: 1
          timeout: 900s
        executions:
          - {name: migrate-aaaaa, created: 2d}
          - {created: 1h, outcome: failed, message: boom}
    worker_pools:
      consumer:
        instances: 2
        template:
          image: us-docker.pkg.dev/example/consumer:2
          env: {QUEUE: events}
        history:
          - {name: consumer-v1, image: us-docker.pkg.dev/example/consumer:1}
        instance_splits:
          - {latest: true, percent: 80}
          - {revision: consumer-v1, percent: 20}
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(InputError) as raised:
        load_scenario(path)
    return [str(p)[len(f"{path}:") :] for p in raised.value.problems]


def test_a_good_scenario_loads(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(GOOD)
    with Sandbox(load_scenario(path)) as sandbox:
        job = sandbox.job("demo", "migrate")
        assert job.template.task_count == 2 and job.template.template.max_retries == 1
        assert job.execution_count == 2
        assert sandbox.execution("demo", "migrate", "migrate-aaaaa").succeeded_count == 2
        assert sandbox.execution("demo", "migrate").conditions[-1].message == "boom"
        pool = sandbox.worker_pool("demo", "consumer")
        assert [s.percent for s in pool.instance_split_statuses] == [80, 20]
        assert pool.scaling.manual_instance_count == 2
        assert sandbox.revision("demo", "consumer", "consumer-v1", worker_pool=True).containers


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("          task_count: 2", "          min_instances: 1", "unknown key 'min_instances'"),
        ("          max_retries: 1", "          max_retries: 11", "expected at most 10, not 11"),
        (
            "          env: {QUEUE: events}",
            "          concurrency: 10",
            "unknown key 'concurrency'",
        ),
        (
            "          env: {QUEUE: events}",
            "          maxInstanceRequestConcurrency: 10",
            "unknown key 'maxInstanceRequestConcurrency'",
        ),
        ("{name: migrate-aaaaa,", "{name: other-aaaaa,", "an execution name is 'migrate-…'"),
        ("outcome: failed", "outcome: done", "executions.1.outcome"),
        ("{name: consumer-v1,", "{name: v1,", "a revision name starts with 'consumer-'"),
        ("percent: 20}", "percent: 10}", "instance split percents add up to 90"),
        ("percent: 20}", "percent: 20, tag: old}", "unknown key 'tag'"),
        ("      migrate:", "      Migrate_Job:", "not a Cloud Run resource name"),
    ],
)
def test_bad_jobs_and_pools(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    found = problems_of(tmp_path, GOOD.replace(old, new))
    assert any(expected in line and line.split(":", 1)[0].isdigit() for line in found), found


GEN2 = "EXECUTION_ENVIRONMENT_GEN2"


def test_api_fields_in_json_or_proto_names(tmp_path: Path) -> None:
    """`api:` holds resource fields in v2 JSON, whose keys are camelCase (`launchStage`);
    the proto's own names (`launch_stage`) are read too, as the JSON parser reads both."""
    path = tmp_path / "scenario.yaml"
    text = GOOD.replace("      migrate:\n", "      migrate:\n        api: {launchStage: BETA}\n")
    text = text.replace(
        "        instances: 2\n", "        instances: 2\n        api: {launch_stage: ALPHA}\n"
    )
    text = text.replace(
        "          task_count: 2\n",
        f"          task_count: 2\n          api: {{executionEnvironment: {GEN2}}}\n",
    )
    path.write_text(text)
    with Sandbox(load_scenario(path)) as sandbox:
        job = sandbox.job("demo", "migrate")
        assert job.launch_stage == launch_stage_pb2.BETA
        assert sandbox.worker_pool("demo", "consumer").launch_stage == launch_stage_pb2.ALPHA
        gen2 = run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2
        assert job.template.template.execution_environment == gen2


CROSS = """\
projects:
  p:
    number: 3
    jobs:
      etl:
        template:
          image: us-docker.pkg.dev/example/etl:2
          service_account: runner@p.iam.gserviceaccount.com
          env:
            X: {secret: projects/4/secrets/shared, version: latest}
        executions:
          - {created: 1h, outcome: failed}
  q:
    number: 4
    secrets:
      shared: {versions: [fake-shared]}
"""


@pytest.mark.parametrize("q_first", [False, True])
def test_a_seeded_failure_on_another_projects_secret_is_a_denial(
    tmp_path: Path, q_first: bool
) -> None:
    """revjobs67 F4: a secret of another project that exists but is not granted fails a run
    with Google's "Permission denied on secret", whatever order the projects are listed in
    (p listed first said "was not found": q's secrets were not seeded yet)."""
    text = CROSS
    if q_first:
        p, q = text.split("  q:\n")
        text = "projects:\n  q:\n" + q + p.removeprefix("projects:\n")
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    world = build_world(load_scenario(path))
    (job,) = world.jobs.values()
    (execution,) = job.executions.values()
    (done,) = [c for c in execution.conditions if c.type_ == "Completed"]
    assert "Permission denied on secret: projects/4/secrets/shared" in done.message, done.message


@pytest.mark.parametrize("name", ["DB_HOST", "DbHost", "str"])
def test_a_job_variable_of_the_wrong_type_is_named_in_the_nested_form_too(
    tmp_path: Path, name: str
) -> None:
    """helper-519: written as the v2 JSON nests it (`template: {template: {env: …}}`, which the
    scenario lifts), a variable named like a type (`DbHost`, `str`) was taken for a member of
    `str | SecretRef` and dropped from the error, as two contradictory lines: it is named,
    in one line, as the flat form names it."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "projects:\n  p1:\n    number: 1\n    region: us-central1\n    jobs:\n      j:\n"
        f"        template:\n          template:\n            env:\n              {name}: [1, 2]\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert f"projects.p1.jobs.j.template.env.{name}: expected a string or a mapping" in str(
        problem
    ), str(problem)
