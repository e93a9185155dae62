"""A count written as a YAML boolean (`containerConcurrency: true`, `maxRetries: false`) was
taken by the lax integer check as 1 or 0: the check compared concurrency 1 with the profile
while the v1 API holds an int32 there and refuses `true` (proto3 JSON has no boolean form of a
number). Refused at its line, as a number written as text in a string field is (revman91
F6). A number quoted as text (`timeoutSeconds: '900'`, how gcloud exports an int64) is still
read."""

from __future__ import annotations

import pytest

from tests.manifest.conftest import MINIMAL, problems_of, read


@pytest.mark.parametrize("flag", ["true", "false"])
def test_a_count_written_as_a_boolean_is_refused(flag: str) -> None:
    text = MINIMAL.replace(
        "      containers:\n", f"      containerConcurrency: {flag}\n      containers:\n"
    )
    (problem,) = problems_of(text)
    assert problem.startswith(
        f"m.yaml:8: spec.template.spec.containerConcurrency: expected an integer, not {flag}"
    ), problem


def test_a_count_quoted_as_text_is_read() -> None:
    text = MINIMAL.replace(
        "      containers:\n", "      containerConcurrency: '80'\n      containers:\n"
    )
    (workload,) = read(text).workloads
    assert workload.resource.template.max_instance_request_concurrency == 80
