"""`as_json` is what the journal always held: the message's `to_json` text read back, the very
same objects (names in camelCase, enums as numbers, 64-bit numbers as strings, durations and
times as text, defaults written), without that text being made."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.cloud import run_v2
from google.protobuf import duration_pb2, timestamp_pb2

from drift.fix.wire import as_json


def _service() -> Any:
    env = [run_v2.EnvVar(name="A", value='é \u2028 "q"'), run_v2.EnvVar(name="B")]
    container = run_v2.Container(
        image="img", env=env, resources=run_v2.ResourceRequirements(limits={"cpu": "1"})
    )
    template = run_v2.RevisionTemplate(
        containers=[container],
        timeout=duration_pb2.Duration(seconds=300, nanos=5),
        max_instance_request_concurrency=80,
        execution_environment=run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2,
    )
    return run_v2.Service(
        name="projects/p/locations/r/services/app",
        generation=2**62,
        labels={"z": "1", "a": ""},
        template=template,
        create_time=timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=1),
        traffic=[run_v2.TrafficTarget(percent=100, type_=run_v2.TrafficTargetAllocationType(1))],
        scaling=run_v2.ServiceScaling(),
    )


@pytest.mark.parametrize(
    "message", [_service(), _service().template, run_v2.Job(name="j"), run_v2.Service()]
)
def test_as_json_is_the_to_json_text_read_back(message: Any) -> None:
    before = dict(json.loads(type(message).to_json(message)))
    now = as_json(message)
    assert now == before
    assert json.dumps(now) == json.dumps(before)  # the same order and types too
