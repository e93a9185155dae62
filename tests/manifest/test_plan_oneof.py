"""Terraform's plan JSON gives every attribute of a block, the unset ones as zero values:
`binary_authorization { policy = "…" }` reads `{"breakglass_justification": "", "policy": "…",
"use_default": false}`. `policy` and `use_default` are one oneof of BinaryAuthorization
(`binauthz_method`, google/cloud/run/v2/vendor_settings.proto): setting the empty one cleared the
other, so a custom policy read as none — or a default policy as none, by the keys' order —
and `check --manifest` judged the wrong thing both ways (revtf66 F1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

POLICY = "projects/acme-chat-staging/platforms/cloudRun/policies/strict"


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"breakglass_justification": "", "policy": POLICY, "use_default": False}, POLICY),
        ({"use_default": False, "policy": POLICY}, POLICY),
        ({"use_default": True, "policy": ""}, "default"),
        ({"policy": "", "use_default": True, "breakglass_justification": ""}, "default"),
    ],
    ids=["policy-sorted", "policy-first-false", "default-first", "default-last"],
)
def test_an_empty_member_of_a_oneof_keeps_the_other(
    tmp_path: Path, block: dict[str, object], expected: str
) -> None:
    data = plan()
    known_api(data)["change"]["after"]["binary_authorization"] = [block]
    profile = API_ONLY.replace(
        "max_instances: 20}", f"max_instances: 20, binary_authorization: '{expected}'}}"
    )
    done = check_offline(tmp_path, data, profile, "--service", "api")
    assert done.returncode == 0, done.stdout
    # and the other way: what the plan sets is told apart from what the profile says
    other = "default" if expected == POLICY else POLICY
    wrong = check_offline(
        tmp_path, data, profile.replace(f"'{expected}'", f"'{other}'"), "--service", "api"
    )
    assert wrong.returncode == 1, wrong.stdout
    assert "binary_authorization" in wrong.stdout
