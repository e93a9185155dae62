"""The rollback prompt of a pool (or job, or service) fix of `memory` or `vpc_network_tags`
(revshapes4 F4): it said only "resources differs (container consumer)" and
"vpc_access.network_interfaces differs" where the fix's prompt said `memory 16Gi -> 24Gi`
(SPEC rollback: "The prompt shows everything that changes"). A map of the schema and a list
of messages now show their leaves that differ, with values, masked as any other field's."""

from __future__ import annotations

import copy

from google.cloud import run_v2

from drift.fix.differences import template_differences


def _pool() -> run_v2.WorkerPoolRevisionTemplate:
    return run_v2.WorkerPoolRevisionTemplate(
        containers=[
            run_v2.Container(
                name="consumer",
                image="example.com/consumer:1",
                resources=run_v2.ResourceRequirements(limits={"cpu": "4", "memory": "24Gi"}),
            ),
            run_v2.Container(name="agent", image="example.com/agent:1"),
        ],
        vpc_access=run_v2.VpcAccess(
            network_interfaces=[
                run_v2.VpcAccess.NetworkInterface(network="default", tags=["batch"])
            ]
        ),
    )


def test_rollback_prompt_names_the_memory_and_network_tags_it_puts_back() -> None:
    before = _pool()
    after = copy.deepcopy(before)
    after.containers[0].resources.limits["memory"] = "16Gi"
    after.vpc_access.network_interfaces[0].tags.append("egress-nat")
    lines = template_differences(before, after)
    assert "resources.limits memory: 24Gi → 16Gi (container consumer)" in lines, lines
    assert "vpc_access.network_interfaces[0].tags: batch → batch egress-nat" in lines, lines
    assert not [line for line in lines if line.endswith("differs")], lines


def test_a_limit_or_an_interface_added_or_removed_is_named_with_its_value() -> None:
    before = _pool()
    after = copy.deepcopy(before)
    del after.containers[0].resources.limits["cpu"]
    after.containers[1].resources.limits["memory"] = "1Gi"
    after.vpc_access.network_interfaces.append(
        run_v2.VpcAccess.NetworkInterface(network="other", subnetwork="sub")
    )
    lines = template_differences(before, after)
    assert "resources.limits cpu: removed (was 4) (container consumer)" in lines, lines
    assert "resources.limits memory: added (1Gi) (container agent)" in lines, lines
    added = [line for line in lines if line.startswith("vpc_access.network_interfaces[1]")]
    assert added and "added" in added[0] and "other" in added[0] and "sub" in added[0], lines
    back = template_differences(after, before)
    assert any("network_interfaces[1]: removed (was " in line for line in back), back


def test_a_credential_in_a_list_entry_is_masked() -> None:
    """Masked by the same rules as any field's value (`_value`: a credential's shape)."""
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    before = _pool()
    after = copy.deepcopy(before)
    after.vpc_access.network_interfaces[0].tags.append(token)
    after.vpc_access.network_interfaces.append(run_v2.VpcAccess.NetworkInterface(network=token))
    text = "\n".join(template_differences(before, after))
    assert token not in text, text
