"""A Service's keys written one level off, as teams write them by hand: the revision's
annotations straight under `spec.template` (a v1 RevisionTemplate holds only `metadata` and
`spec`), `containerConcurrency` or `timeoutSeconds` inside a container (the revision's spec
holds them; a v1 Container has no such field), a Job's `maxRetries` inside its container.
`gcloud run services|jobs replace` refuses each (`messages_util.DictToMessageWithErrorCheck`
raises a DecodeError for every unrecognized field, googlecloudsdk/api_lib/util/messages.py);
drift passed the key over and read the setting's default, so a profile stating the default
was "no drift" of a file gcloud refuses (revman91 F3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifest.conftest import MINIMAL, check_offline, problems_of, read


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            MINIMAL.replace(
                "    spec:\n",
                "    annotations:\n      autoscaling.knative.dev/maxScale: '3'\n    spec:\n",
            ),
            "m.yaml:7: unknown key 'annotations'",
            id="annotations-straight-under-the-template",
        ),
        pytest.param(
            MINIMAL + "        containerConcurrency: 1\n",
            "m.yaml:10: spec.template.spec.containers.0.containerConcurrency: a setting of the "
            "revision's spec (spec.template.spec), not of a container",
            id="concurrency-in-the-container",
        ),
        pytest.param(
            MINIMAL + "        timeoutSeconds: 3600\n",
            "m.yaml:10: spec.template.spec.containers.0.timeoutSeconds: a setting of the "
            "revision's spec",
            id="timeout-in-the-container",
        ),
        pytest.param(
            MINIMAL + "        serviceAccountName: api@acme.iam.gserviceaccount.com\n",
            "m.yaml:10: spec.template.spec.containers.0.serviceAccountName: a setting of the "
            "revision's spec",
            id="account-in-the-container",
        ),
    ],
)
def test_a_service_key_one_level_off_is_refused_as_gcloud_refuses_it(
    text: str, expected: str
) -> None:
    (problem,) = problems_of(text)
    assert problem.startswith(expected), problem
    assert "gcloud run services replace refuses" in problem, problem


def test_a_jobs_retries_in_its_container_is_refused() -> None:
    text = (
        "apiVersion: run.googleapis.com/v1\nkind: Job\nmetadata:\n  name: export\nspec:\n"
        "  template:\n    spec:\n      template:\n        spec:\n          containers:\n"
        "          - image: gcr.io/acme/export:1\n            maxRetries: 0\n"
    )
    (problem,) = problems_of(text)
    assert problem.startswith(
        "m.yaml:12: spec.template.spec.template.spec.containers.0.maxRetries: a setting of the "
        "task's spec (spec.template.spec.template.spec), not of a container"
    ), problem
    assert "gcloud run jobs replace refuses" in problem, problem


def test_concurrency_in_the_container_is_never_no_drift(tmp_path: Path) -> None:
    profile = (
        "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        "      concurrency: 80\n"
    )
    done = check_offline(
        tmp_path, profile, ("m.yaml", MINIMAL + "        containerConcurrency: 1\n")
    )
    assert done.returncode == 2, (done.returncode, done.stdout)
    assert "m.yaml:10: spec.template.spec.containers.0.containerConcurrency" in done.stderr


def test_the_same_keys_where_the_reference_puts_them_are_read() -> None:
    text = MINIMAL.replace(
        "      containers:\n",
        "      containerConcurrency: 1\n      timeoutSeconds: 3600\n      containers:\n",
    ).replace(
        "    spec:\n",
        "    metadata:\n      annotations:\n"
        "        autoscaling.knative.dev/maxScale: '3'\n    spec:\n",
        1,
    )
    (workload,) = read(text).workloads
    template = workload.resource.template
    assert template.max_instance_request_concurrency == 1
    assert template.timeout.total_seconds() == 3600
    assert template.scaling.max_instance_count == 3
