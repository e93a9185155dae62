"""revown29 F1 (fixleft): `rollback` of a job's update judged "already as before" by
`config_key`, which reads container settings (cpu, memory) of the DEFAULT container only
(`template_config(container=None)`: the ingress one, else the first). A fix of the profile's
`container: app` (not the first) that LANDED (kill -9 after the server took it, before the
journal recorded it) is then taken for one that never landed: rollback writes nothing, says
"already as before", marks the entry rolled back — and the job keeps the fix's memory."""

from __future__ import annotations

import json

from google.cloud import run_v2

from drift.fix.journal import Entry
from drift.fix.workload_restore import untouched


def _job(app_memory: str, generation: int) -> run_v2.Job:
    return run_v2.Job(
        name="projects/p/locations/us-central1/jobs/job",
        generation=generation,
        etag=f"e{generation}",
        template=run_v2.ExecutionTemplate(
            template=run_v2.TaskTemplate(
                containers=[
                    run_v2.Container(name="proxy", image="gcr.io/p/proxy:1"),
                    run_v2.Container(
                        name="app",
                        image="gcr.io/p/app:1",
                        resources=run_v2.ResourceRequirements(limits={"memory": app_memory}),
                    ),
                ]
            )
        ),
    )


def test_a_landed_memory_fix_of_a_second_container_is_not_already_as_before() -> None:
    before = _job("512Mi", generation=4)
    landed = _job("1Gi", generation=5)  # the fix's UpdateJob took effect: a new generation
    entry = Entry(
        change_id="c1",
        environment="prod",
        project="p",
        region="us-central1",
        service="job",
        full_name=before.name,
        etag_before=before.etag,
        service_before=json.loads(run_v2.Job.to_json(before)),
        canary_revision="",
        tag="",
        changes=["setting.memory"],
        kind="job",
    )
    # The job runs app with 1Gi, the journal's "before" holds 512Mi: a restore is needed.
    assert not untouched(landed, entry)
