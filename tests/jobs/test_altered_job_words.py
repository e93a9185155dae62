"""A job's restoring write landed altered (`drift.fix.altered`: its answer names the generation
one past what drift read, the job read back otherwise than sent), in words: the fields that
differ by name — its task template's and its ExecutionTemplate's own (`task_count`) — never a
value, in a plain sentence (task 860).

Why not through a rollback against the sandbox, as the service's and the worker pool's are
(tests/fix/test_restore_landed_altered.py): their altered write comes from a merged
`update_mask` (sandbox option `mask_message: merged`), and UpdateJobRequest has no
`update_mask` (run v2 job.proto: `job`, `validate_only`, `allow_missing`), so a job's update
replaces it whole; the job-side values the sandbox writes back otherwise (`job_defaults:
filled`, `empty_secret_version: latest`) are written at its creation too, so drift's journal
holds them as the server wrote them and its restoring write sends them back the same (a
rollback of such a job reads back as sent: restored). No documented server behaviour lands a
job's write altered, so the judgement is tested on the messages themselves."""

from __future__ import annotations

from google.cloud import run_v2

from drift.fix.altered import altered_words
from drift.kinds import Kind

SECRETISH = "s3cr3t-value-never-said"


def job(value: str, tasks: int, generation: int = 3) -> run_v2.Job:
    env = [run_v2.EnvVar(name="NEEDED", value=value)]
    task = run_v2.TaskTemplate(
        max_retries=3,
        containers=[run_v2.Container(image="us-docker.pkg.dev/example/migrate:1", env=env)],
    )
    return run_v2.Job(
        name="projects/p/locations/us-central1/jobs/job",
        generation=generation,
        template=run_v2.ExecutionTemplate(task_count=tasks, template=task),
    )


def test_a_jobs_write_landed_altered_names_its_fields_in_a_plain_sentence() -> None:
    said = altered_words(Kind.JOB, "job", job("x", 1), job(SECRETISH, 4))
    assert said == (
        "drift's write landed (generation 3, as the server's answer names it) but did not "
        "come out as sent: the job job's env.NEEDED and template.task_count read back "
        "otherwise than drift sent them"
    )
    assert SECRETISH not in said and "'x'" not in said


def test_one_field_and_the_answer_written_over() -> None:
    one = altered_words(Kind.JOB, "job", job("x", 1), job("x", 2))
    assert one.endswith("the job job's template.task_count reads back otherwise than drift sent it")
    answer = altered_words(Kind.JOB, "job", job("x", 1), job(SECRETISH, 1), answer=True)
    assert answer.endswith(
        "the job job's env.NEEDED came back in the server's answer otherwise than drift sent it"
    )
    assert SECRETISH not in answer
