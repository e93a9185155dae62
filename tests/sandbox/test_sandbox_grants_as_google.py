"""The sandbox deploys what Google's IAM grants (reviam2 S1, S2). It refused two: a secret
granted to `allAuthenticatedUsers` (its `grants` matched members verbatim; policy.proto
Binding.members: "anyone who is authenticated with a Google account or a service account"),
and a condition `a && (b || c)` (its `evaluate` split the text on `||` then `&&`, breaking the
parentheses, called it unknown and, `unknown_conditions: deny` by default, denied). drift
decides both as granted, so a test of drift against such a world saw the sandbox, not Cloud
Run, refuse."""

from __future__ import annotations

from typing import Any

import pytest

from drift.sandbox.iam import evaluate
from tests.conftest import MakeSandbox
from tests.test_check_access_indirect import ACCESSOR, SA, world


@pytest.mark.parametrize(
    "iam",
    [
        {ACCESSOR: ["allAuthenticatedUsers"]},
        {ACCESSOR: ["allUsers"]},
        [
            {
                "role": ACCESSOR,
                "members": [SA],
                "condition": {
                    "expression": 'resource.name.startsWith("projects/5/secrets/k/") && '
                    '(request.time < timestamp("2999-01-01T00:00:00Z") || '
                    'resource.name.endsWith("/versions/1"))'
                },
            }
        ],
    ],
    ids=["allAuthenticatedUsers", "allUsers", "nested-parentheses"],
)
def test_the_sandbox_deploys_what_google_grants(make_sandbox: MakeSandbox, iam: Any) -> None:
    sandbox = make_sandbox(world(iam))
    svc = sandbox.deploy("p", "api", image="x/api:2")
    assert svc.latest_ready_revision == svc.latest_created_revision, (
        svc.latest_ready_revision,
        svc.latest_created_revision,
        [c.message for c in svc.conditions],
    )


NAME = "projects/5/secrets/k/versions/1"
KIND = "secretmanager.googleapis.com/SecretVersion"


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ('resource.name.startsWith("projects/5/") && (x || resource.name.endsWith("/1"))', True),
        ('(resource.name.startsWith("projects/5/") || x) && !resource.name.endsWith("/2")', True),
        ('resource.name == "a&&b" || resource.name.endsWith("/versions/1")', True),
        ('(resource.name.startsWith("q")) && (x)', False),  # false && unknown (CEL commutative)
        ('x || (resource.name.startsWith("q"))', None),
        ('resource.name.startsWith("projects/5/") && (x', None),  # unbalanced
        ('!(resource.name.startsWith("q"))', True),
    ],
)
def test_the_sandbox_reads_cel_structure(expression: str, value: bool | None) -> None:
    assert evaluate(expression, NAME, KIND, 0.0) is value
