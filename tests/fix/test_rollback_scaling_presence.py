"""`rollback` gave a service a `Service.scaling` it never had: `scaling = 33` is OPTIONAL in
google/cloud/run/v2/service.proto, and restore.py put the part back with proto-plus's
`setattr(restore, part, getattr(before, part))`, whose getattr of an unset message is an empty
one that setattr makes present (`scaling {}` in a Terraform plan, a difference nobody made for
every comparison by message equality). workload_restore.py had the same line (revroundtrip F2);
both now copy presence with byhand's `copy_field`."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.fix.byhand import copy_field
from tests.fix.roundtrip_lab import NAME, lab, template

__all__ = ["lab"]


@pytest.mark.sandbox
def test_rollback_leaves_no_service_scaling_the_service_never_had(lab: Any) -> None:
    """A fix of the revision's max, then its rollback: the service is back without
    `scaling`, as before the fix."""
    one = lab({"template": template()})

    def change(service: Any) -> None:
        service.template.scaling.max_instance_count = 7

    one.hand(change)
    assert not run_v2.Service.pb(one.services.get_service(name=NAME)).HasField("scaling")
    assert one.cli("fix", "prod", "--yes").returncode == 0
    listed = one.cli("rollback", "--list").stdout.splitlines()
    change_id = next(line.split()[0] for line in listed if line[:1].isdigit())
    assert one.cli("rollback", change_id, "--yes").returncode == 0
    back = one.services.get_service(name=NAME)
    assert not run_v2.Service.pb(back).HasField("scaling")
    assert back.template.scaling.max_instance_count == 7


def test_copy_field_keeps_presence_both_ways() -> None:
    """Absent stays absent (and clears what the target had); present is copied whole."""
    absent, present = run_v2.Service(), run_v2.Service(scaling={"min_instance_count": 2})
    target = run_v2.Service.pb(run_v2.Service(scaling={"max_instance_count": 5}))
    copy_field(target, run_v2.Service.pb(absent), "scaling")
    assert not target.HasField("scaling")
    copy_field(target, run_v2.Service.pb(present), "scaling")
    assert target.HasField("scaling") and target.scaling.min_instance_count == 2
