"""A container's `resources.limits` is a v1 map of strings (ResourceRequirements.limits,
`LimitsValue` of string values in gcloud's run v1 messages). Unquoted, `cpu: 2` is a YAML
integer: `gcloud run services replace` refuses it (apitools "Expected type str for field
value", which gcloud's `MaybeRaiseCustomFieldMismatch` says back for a `value` field), while
drift took it and the check could say "no drift" of a file that does not deploy (revman91
F5). It is refused at its line with the same hint as an unquoted annotation or variable."""

from __future__ import annotations

import pytest

from tests.manifest.conftest import MINIMAL, problems_of, read


@pytest.mark.parametrize(("key", "value"), [("cpu", "2"), ("memory", "0.5"), ("cpu", "true")])
def test_an_unquoted_limit_is_refused_as_gcloud_refuses_it(key: str, value: str) -> None:
    text = MINIMAL + f"        resources:\n          limits:\n            {key}: {value}\n"
    (problem,) = problems_of(text)
    assert problem.startswith(
        f"m.yaml:12: spec.template.spec.containers.0.resources.limits.{key}: expected a string"
    ), problem
    assert "quote it" in problem


def test_a_quoted_limit_is_read() -> None:
    text = MINIMAL + "        resources:\n          limits:\n            cpu: '2'\n"
    (workload,) = read(text).workloads
    assert dict(workload.resource.template.containers[0].resources.limits) == {"cpu": "2"}
