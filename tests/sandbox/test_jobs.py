"""Cloud Run Jobs through the official JobsClient: a job read as written (defaults filled in),
listed with paging, updated as a long-running operation (reconciling, etag, validate_only,
allow_missing, reserved metadata, who wrote it, the secret check), deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import JOB, JOB_SPEC, PARENT, RUNNER, sandbox_of

State = run_v2.Condition.State


def with_env(job: run_v2.Job, name: str, value: str) -> run_v2.Job:
    job.template.template.containers[0].env.append(run_v2.EnvVar(name=name, value=value))
    return job


def test_a_job_reads_as_written_with_the_documented_defaults(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    job = run_for(sandbox_of(make_sandbox)).jobs.get_job(name=JOB)
    task = job.template.template
    # ExecutionTemplate.task_count "Defaults to 1"; TaskTemplate max_retries 3, timeout 600s
    assert job.template.task_count == 1 and task.max_retries == 3
    assert task.timeout == timedelta(seconds=600)
    assert (
        task.service_account == RUNNER
        and task.containers[0].image == "us-docker.pkg.dev/example/migrate:1"
    )
    assert [v.name for v in task.containers[0].env] == ["MODE", "TOKEN"]
    assert task.containers[0].env[1].value_source.secret_key_ref.secret == "token"
    assert not task.containers[0].ports  # a job serves nothing
    assert job.terminal_condition.state == State.CONDITION_SUCCEEDED
    assert job.generation == job.observed_generation == 1 and job.etag
    assert job.execution_count == 0 and not job.latest_created_execution.name


def test_defaults_left_unset_by_option(make_sandbox: MakeSandbox, run_for: Any) -> None:
    job = run_for(sandbox_of(make_sandbox, job_defaults="unset")).jobs.get_job(name=JOB)
    assert job.template.task_count == 0 and "max_retries" not in job.template.template
    assert not job.template.template.timeout


def test_the_v2_json_form_of_a_job(make_sandbox: MakeSandbox, run_for: Any) -> None:
    spec = {
        "binaryAuthorization": {"useDefault": True},
        "template": {
            "taskCount": 4,
            "parallelism": 2,
            "labels": {"suite": "smoke"},
            "template": {
                "maxRetries": 0,
                "timeout": "1800s",
                "containers": [{"name": "runner", "image": "x/y:1", "args": ["--suite=smoke"]}],
            },
        },
    }
    job = run_for(sandbox_of(make_sandbox, jobs={"job": spec})).jobs.get_job(name=JOB)
    assert job.binary_authorization.use_default
    assert (job.template.task_count, job.template.parallelism) == (4, 2)
    assert job.template.labels == {"suite": "smoke"}
    task = job.template.template
    assert task.max_retries == 0 and task.timeout == timedelta(seconds=1800)  # 0 is kept
    assert task.containers[0].args == ["--suite=smoke"]


def test_list_jobs_pages(make_sandbox: MakeSandbox, run_for: Any) -> None:
    jobs = {f"job-{i}": JOB_SPEC for i in range(5)}
    client = run_for(sandbox_of(make_sandbox, jobs=jobs)).jobs
    pager = client.list_jobs(request={"parent": PARENT, "page_size": 2})
    assert [len(page.jobs) for page in pager.pages] == [2, 2, 1]
    names = [job.name.rsplit("/", 1)[-1] for job in client.list_jobs(parent=PARENT)]
    assert names == sorted(jobs)
    assert len(list(client.list_jobs(parent="projects/p/locations/-"))) == 5
    assert not list(client.list_jobs(parent="projects/p/locations/europe-west1"))


def test_an_update_reconciles_then_settles(make_sandbox: MakeSandbox, run_for: Any) -> None:
    sandbox = sandbox_of(make_sandbox, deploys_wait=True)
    client = run_for(sandbox).jobs
    before = client.get_job(name=JOB)
    sandbox.act_as("alice@acme.example")
    request = with_env(before, "LEVEL", "debug")
    request.client, request.client_version = "drift", "1.0"
    operation = client.update_job(job=request)
    running = client.get_job(name=JOB)
    # Job.reconciling: observed_generation keeps its transient value while it runs
    assert running.reconciling and not operation.done()
    assert running.terminal_condition.state == State.CONDITION_RECONCILING
    assert running.generation == before.generation + 1
    assert running.observed_generation == before.generation
    assert operation.metadata.name == JOB
    sandbox.finish_update("p", "job", "job")
    done = operation.result(timeout=10)
    assert not done.reconciling and done.observed_generation == done.generation
    assert done.terminal_condition.state == State.CONDITION_SUCCEEDED
    assert (done.client, done.client_version) == ("drift", "1.0")
    assert done.last_modifier == "alice@acme.example" and done.creator != done.last_modifier
    assert done.etag != before.etag
    assert [v.name for v in done.template.template.containers[0].env][-1] == "LEVEL"


def test_an_update_settles_after_the_operation_delay(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    client = run_for(sandbox_of(make_sandbox, operation_delay_ms=300)).jobs
    job = client.get_job(name=JOB)
    operation = client.update_job(job=with_env(job, "A", "1"))
    assert not operation.done()  # polled through GetOperation until it is
    assert operation.result(timeout=10).observed_generation == job.generation + 1


def test_etags_guard_updates(make_sandbox: MakeSandbox, run_for: Any) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    stale = client.get_job(name=JOB)
    client.update_job(job=with_env(client.get_job(name=JOB), "A", "1")).result(timeout=10)
    with pytest.raises(exceptions.Aborted, match="etag"):
        client.update_job(job=with_env(stale, "B", "2"))
    fresh = client.get_job(name=JOB)
    assert client.update_job(job=with_env(fresh, "B", "2")).result(timeout=10).etag != fresh.etag


def test_validate_only_changes_nothing(make_sandbox: MakeSandbox, run_for: Any) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    before = client.get_job(name=JOB)
    operation = client.update_job(
        request={"job": with_env(client.get_job(name=JOB), "A", "1"), "validate_only": True}
    )
    assert operation.done()
    assert operation.result().generation == before.generation + 1  # the would-be job
    assert client.get_job(name=JOB) == before
    with pytest.raises(exceptions.InvalidArgument, match="container"):
        empty = client.get_job(name=JOB)
        del empty.template.template.containers[:]
        client.update_job(request={"job": empty, "validate_only": True})


def test_allow_missing_creates_a_job(make_sandbox: MakeSandbox, run_for: Any) -> None:
    client = run_for(sandbox_of(make_sandbox, jobs={})).jobs
    new = run_v2.Job(name=JOB)
    new.template.template.containers.append(run_v2.Container(image="x/y:1"))
    with pytest.raises(exceptions.NotFound, match="'job' of kind 'JOB'"):
        client.update_job(job=new)
    created = client.update_job(request={"job": new, "allow_missing": True}).result(timeout=10)
    assert created.generation == 1 and created.creator == created.last_modifier
    assert created.uid and created.create_time and created.template.task_count == 1


@pytest.mark.parametrize(
    "where", ["labels", "annotations", "template.labels", "template.annotations"]
)
def test_reserved_metadata_is_refused(make_sandbox: MakeSandbox, run_for: Any, where: str) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    job = client.get_job(name=JOB)
    target = job.template if where.startswith("template.") else job
    getattr(target, where.rsplit(".", 1)[-1])["run.googleapis.com/launch-stage"] = "BETA"
    with pytest.raises(exceptions.InvalidArgument, match="run.googleapis.com/launch-stage"):
        client.update_job(job=job)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("missing", "Secret projects/3/secrets/missing/versions/latest was not found"),
        ("rotated", "Secret projects/3/secrets/rotated/versions/latest is in DISABLED state"),
        ("projects/4/secrets/locked", "Permission denied on secret: projects/4/secrets/locked"),
    ],
)
def test_an_update_fails_on_the_secret_check(
    make_sandbox: MakeSandbox, run_for: Any, secret: str, message: str
) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    job = client.get_job(name=JOB)
    ref = job.template.template.containers[0].env[1].value_source.secret_key_ref
    ref.secret = secret
    operation = client.update_job(job=job)
    # hashicorp/terraform-provider-google#15088: "Error code 13, message: spec…: Secret … was
    # not found" creating a job
    with pytest.raises(exceptions.InternalServerError, match=message):
        operation.result(timeout=10)
    failed = client.get_job(name=JOB)
    assert failed.terminal_condition.state == State.CONDITION_FAILED
    assert message in failed.terminal_condition.message
    assert (
        failed.terminal_condition.reason
        == run_v2.Condition.CommonReason.SECRETS_ACCESS_CHECK_FAILED
    )
    assert failed.observed_generation == job.generation  # the last ready generation
    assert (
        failed.template.template.containers[0].env[1].value_source.secret_key_ref.secret == secret
    )


def test_delete_job(make_sandbox: MakeSandbox, run_for: Any) -> None:
    sandbox = sandbox_of(make_sandbox)
    client = run_for(sandbox).jobs
    job = client.get_job(name=JOB)
    with pytest.raises(exceptions.Aborted):
        client.delete_job(request={"name": JOB, "etag": '"stale"'})
    assert client.delete_job(request={"name": JOB, "validate_only": True}).result().delete_time
    assert client.get_job(name=JOB) == job
    deleted = client.delete_job(request={"name": JOB, "etag": job.etag}).result(timeout=10)
    assert deleted.name == JOB and deleted.delete_time
    with pytest.raises(exceptions.NotFound):
        client.get_job(name=JOB)


def test_unknown_and_malformed_names(make_sandbox: MakeSandbox, run_for: Any) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    with pytest.raises(exceptions.NotFound, match="'nope' of kind 'JOB'"):
        client.get_job(name=f"{PARENT}/jobs/nope")
    with pytest.raises(exceptions.InvalidArgument, match="expected"):
        client.get_job(name="projects/p/jobs/job")
    with pytest.raises(exceptions.PermissionDenied):
        client.get_job(name="projects/nobody/locations/us-central1/jobs/job")
    # a project number names the same project
    assert client.get_job(name="projects/3/locations/us-central1/jobs/job").name == JOB


@pytest.mark.parametrize("option", ["last_serving", "generation"])
def test_observed_generation_after_a_failed_update(
    make_sandbox: MakeSandbox, run_for: Any, option: str
) -> None:
    client = run_for(sandbox_of(make_sandbox, failed_observed_generation=option)).jobs
    job = client.get_job(name=JOB)
    job.template.template.containers[0].env[1].value_source.secret_key_ref.secret = "missing"
    with pytest.raises(exceptions.InternalServerError):
        client.update_job(job=job).result(timeout=10)
    failed = client.get_job(name=JOB)
    expected = failed.generation if option == "generation" else failed.generation - 1
    assert failed.observed_generation == expected


@pytest.mark.parametrize(("option", "kept"), [("cleared", False), ("kept", True)])
def test_an_update_without_a_client(
    make_sandbox: MakeSandbox, run_for: Any, option: str, kept: bool
) -> None:
    spec = dict(JOB_SPEC, client="gcloud", client_version="467.0.0")
    sandbox = sandbox_of(make_sandbox, jobs={"job": spec}, client_when_omitted=option)
    client = run_for(sandbox).jobs
    job = client.get_job(name=JOB)
    job.client, job.client_version = "", ""
    updated = client.update_job(job=with_env(job, "A", "1")).result(timeout=10)
    assert (updated.client == "gcloud") is kept


def test_a_seeded_failed_job(make_sandbox: MakeSandbox, run_for: Any) -> None:
    spec = dict(JOB_SPEC, failed="spec.template.spec.containers[0].env[0]: Secret … was not found")
    job = run_for(sandbox_of(make_sandbox, jobs={"job": spec})).jobs.get_job(name=JOB)
    assert job.terminal_condition.state == State.CONDITION_FAILED
    assert job.terminal_condition.message == spec["failed"]
    assert job.observed_generation == 0  # "empty for newly created Job"


def test_reset_restores_jobs(make_sandbox: MakeSandbox) -> None:
    sandbox = sandbox_of(make_sandbox)
    sandbox.run_job("p", "job")
    sandbox.update_job("p", "job", env={"A": "1"})
    sandbox.reset()
    job = sandbox.job("p", "job")
    assert job.execution_count == 0 and job.generation == 1


def test_an_update_sets_no_oneof_member_the_request_left_unset(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    """`run_execution_token` and `start_execution_token` are members of oneof
    `create_execution` (job.proto): an UpdateJob that sets neither leaves both absent, and
    `max_retries` (oneof `retries` of TaskTemplate) keeps an explicit 0."""
    sandbox = sandbox_of(make_sandbox)
    client = run_for(sandbox).jobs
    request = with_env(client.get_job(name=JOB), "LEVEL", "debug")
    request.template.template.max_retries = 0
    done = client.update_job(job=request).result(timeout=10)
    read = run_v2.Job.pb(client.get_job(name=JOB))
    for job in (run_v2.Job.pb(done), read):
        assert job.WhichOneof("create_execution") is None
        assert job.template.template.WhichOneof("retries") == "max_retries"


def test_sandbox_refuses_gen1_on_a_job(make_sandbox: MakeSandbox, run_for: Any) -> None:
    """revjobs3 F3: "Cloud Run jobs only use the second generation execution environment,
    and this cannot be changed for jobs" (execution-environments page)."""
    client = run_for(sandbox_of(make_sandbox)).jobs
    job = client.get_job(name=JOB)
    job.template.template.execution_environment = (
        run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1
    )
    with pytest.raises(exceptions.InvalidArgument, match="second generation"):
        client.update_job(job=job).result(timeout=10)


@pytest.mark.parametrize("checked", [True, False])
def test_whether_an_update_meets_the_secret_check(
    make_sandbox: MakeSandbox, run_for: Any, checked: bool
) -> None:
    """Google documents the check for job creation only (run/docs/configuring/jobs/secrets):
    option `job_update_secret_check` says whether an update meets it too."""
    client = run_for(sandbox_of(make_sandbox, job_update_secret_check=checked)).jobs
    job = client.get_job(name=JOB)
    job.template.template.containers[0].env[1].value_source.secret_key_ref.secret = "missing"
    if checked:
        with pytest.raises(exceptions.InternalServerError):
            client.update_job(job=job).result(timeout=10)
    else:
        client.update_job(job=job).result(timeout=10)
    ready = client.get_job(name=JOB).terminal_condition.state == State.CONDITION_SUCCEEDED
    assert ready is not checked


@pytest.mark.parametrize("option", ["refused", "taken"])
def test_a_jobs_startup_probe_over_240_seconds_is_as_the_option_says(
    make_sandbox: MakeSandbox, run_for: Any, option: str
) -> None:
    """…/jobs/healthchecks: failureThreshold * periodSeconds "can't exceed 240 seconds"
    (option `startup_window`); two volumes at one path of the job's container, the option
    `mount_path_twice` (the default: refused)."""
    client = run_for(sandbox_of(make_sandbox, startup_window=option)).jobs
    job = client.get_job(name=JOB)
    container = job.template.template.containers[0]
    container.startup_probe = run_v2.Probe(
        tcp_socket=run_v2.TCPSocketAction(port=8080), period_seconds=30, failure_threshold=9
    )
    if option == "refused":
        with pytest.raises(exceptions.InvalidArgument, match="270 seconds"):
            client.update_job(job=job).result(timeout=10)
        container.startup_probe.failure_threshold = 8
    client.update_job(job=job).result(timeout=10)
    job = client.get_job(name=JOB)
    job.template.template.volumes = [run_v2.Volume(name=n, empty_dir={}) for n in ("a", "b")]
    job.template.template.containers[0].volume_mounts = [
        run_v2.VolumeMount(name="a", mount_path="/x"),
        run_v2.VolumeMount(name="b", mount_path="/x/"),
    ]
    with pytest.raises(exceptions.InvalidArgument, match="must be unique"):
        client.update_job(job=job).result(timeout=10)
