"""A Binary Authorization refusal says to set a breakglass with the update of the workload it
is about: `gcloud run services update SERVICE_NAME --breakglass=JUSTIFICATION`
(binary-authorization/docs/run/using-breakglass-cloud-run); `gcloud run jobs update` and
`gcloud run worker-pools update` take --breakglass too (their gcloud reference pages). A job
or a pool is never sent to `gcloud run services update`, which names no such service."""

from __future__ import annotations

import pytest
from google.cloud import run_v2

from drift.fix.reasons import cause_of

UNAUTHORIZED = run_v2.Condition(
    type_="Ready",
    state=run_v2.Condition.State.CONDITION_FAILED,
    reason=run_v2.Condition.CommonReason.CONTAINER_IMAGE_UNAUTHORIZED,
)
WHERE = "projects/p/locations/europe-west1"


@pytest.mark.parametrize(
    ("resource", "command"),
    [
        (f"{WHERE}/services/web/revisions/web-00002-abc", "gcloud run services update web"),
        (f"{WHERE}/jobs/nightly", "gcloud run jobs update nightly"),
        (f"{WHERE}/workerPools/q/revisions/q-00003-x", "gcloud beta run worker-pools update q"),
        (f"{WHERE}/workerPools/q", "gcloud beta run worker-pools update q"),
    ],
)
def test_the_breakglass_is_set_by_the_workloads_own_update(resource: str, command: str) -> None:
    said = cause_of(UNAUTHORIZED, resource)
    assert said.startswith("Cloud Run's reason: CONTAINER_IMAGE_UNAUTHORIZED — "), said
    where = "--project=p --region=europe-west1"
    assert f"({command} {where} --breakglass=JUSTIFICATION)" in said, said
    assert said.endswith(", then run drift fix again"), said
    assert cause_of(UNAUTHORIZED, resource, step=False).endswith("UNAUTHORIZED")


def test_a_hostile_name_is_quoted_for_the_shell() -> None:
    """The name comes from the server's resource name: shell-quoted, never run as written."""
    said = cause_of(UNAUTHORIZED, f"{WHERE}/services/a;rm -rf ~")
    assert "update 'a;rm -rf ~' --project=p" in said, said
