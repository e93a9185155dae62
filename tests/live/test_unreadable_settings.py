"""A setting whose meaning fields this Cloud Run client does not know may decide is not read:
a worker pool's instance count, whose WorkerPoolScaling has a scaling mode in the API (v2 REST
reference, `scalingMode`; the Terraform provider's `scaling_mode`) that the installed client
lacks. A pool on AUTOMATIC scaling has no fixed count (run/docs/configuring/workerpools/
cpu-autoscaling): what the server sends of it arrives as unknown fields, and drift must not
read the pool as its default of one manual instance (SPEC invariant 6)."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import replace
from pathlib import Path

from google.cloud import run_v2

from drift.diff import diff
from drift.diff.settings import unread_settings
from drift.kinds import Kind
from drift.live.model import LiveService, ServingRevision
from drift.live.normalize import template_config
from drift.profiles.loader import load_profile
from tests.livestate import state

SCALING_MODE_AUTOMATIC = bytes([3 << 3 | 0, 1])
"""Field 3, varint 1: a field the installed WorkerPoolScaling does not have, as a newer server
would send the scaling mode (the number is this test's; any unknown field counts)."""


def pool(unknown: bytes = b"") -> run_v2.WorkerPool:
    built = run_v2.WorkerPool(name="projects/p/locations/us-central1/workerPools/consumer")
    built.template.containers.append(run_v2.Container(name="consumer", image="img"))
    pb = run_v2.WorkerPool.pb(built)
    pb.scaling.MergeFromString(unknown)
    return built


def test_a_pool_whose_scaling_holds_unknown_fields_has_no_instance_count_read() -> None:
    config = template_config(pool(SCALING_MODE_AUTOMATIC), container=None, kind=Kind.WORKER_POOL)
    assert "scaling mode" in config.unreadable["instance_count"]
    assert "numbers 3" in config.unreadable["instance_count"]
    plain = template_config(pool(), container=None, kind=Kind.WORKER_POOL)
    assert plain.unreadable == {} and plain.settings["instance_count"] == 1


def test_an_unreadable_setting_is_not_judged_and_not_verified(tmp_path: Path) -> None:
    (tmp_path / "prod.yaml").write_text(
        textwrap.dedent(
            """
            project: p
            region: us-central1
            services:
              api:
                settings: {min_instances: 2}
            """
        )
    )
    profile = load_profile(tmp_path, "prod")
    st = state()
    api = st.services["api"]
    config = replace(api.template, unreadable={"min_instances": "cannot tell"})
    st.services["api"] = LiveService(
        **{**api.__dict__, "serving": (ServingRevision("api-00001-abc", 100, (), (), config),)}
    )
    findings = diff(profile, ["api"], st, dt.date(2026, 11, 30))
    assert not [f for f in findings if f.target == "setting.min_instances"], findings
    [item] = unread_settings(profile, ["api"], st)
    assert (item.service, item.target, item.reason) == (
        "api",
        "setting.min_instances",
        "cannot tell",
    )
    # readable again: judged again (min_instances 1 against 2)
    st.services["api"] = api
    assert [f.target for f in diff(profile, ["api"], st, dt.date(2026, 11, 30))] == [
        "setting.min_instances"
    ]
    assert unread_settings(profile, ["api"], st) == []
