"""`copy_field` copies the one field (and never the rest of the message): what it gives is
what a whole copy of the source cut down to that field, merged into the target after clearing
it there, gives — presence kept (an absent `scaling` stays absent, an empty one present), a
oneof's other member cleared, maps and lists whole, and the source's unknown fields with it."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2
from google.protobuf import duration_pb2

from drift.fix.byhand import copy_field


def _whole_copy_cut_down(target: Any, source: Any, name: str) -> None:
    only = type(source)()
    only.CopyFrom(source)
    for other in only.DESCRIPTOR.fields:
        if other.name != name:
            only.ClearField(other.name)
    target.ClearField(name)
    target.MergeFrom(only)


def _service(n: int) -> Any:
    service = run_v2.Service.pb()()
    service.name = f"projects/p/locations/r/services/app{n}"
    service.labels.update({"team": f"t{n}", "n": str(n)})
    service.annotations["a"] = "b" * n
    service.description = "" if n % 2 else "desc"
    service.ingress = n % 3
    service.generation = n
    service.template.containers.add(image=f"img:{n}")
    if n % 2:
        service.scaling.SetInParent()  # present, empty
    else:
        service.scaling.min_instance_count = n
    service.traffic.add(percent=100 - n, revision=f"r{n}")
    service.template.timeout.CopyFrom(duration_pb2.Duration(seconds=n))
    if n == 3:
        service.ClearField("template")
    return service


def _job(n: int) -> Any:
    job = run_v2.Job.pb()()
    job.name = f"j{n}"
    if n % 2:
        job.start_execution_token = f"s{n}"  # oneof create_execution
    else:
        job.run_execution_token = f"r{n}"
    return job


def _with_unknown(message: Any) -> Any:
    out = type(message)()
    out.ParseFromString(message.SerializeToString() + b"\xf8\x7f\x05")  # field 2047, varint
    return out


_PAIRS = [
    (_service(1), _service(2)),
    (_service(2), _service(1)),
    (_service(3), _service(4)),
    (_service(4), _service(3)),
    (_service(1), _with_unknown(_service(2))),
    (_job(1), _job(2)),
    (_job(2), _job(1)),
]


@pytest.mark.parametrize(("target", "source"), _PAIRS)
def test_each_field_copied_alone_is_what_the_whole_copy_gives(target: Any, source: Any) -> None:
    for field in source.DESCRIPTOR.fields:
        mine, theirs = type(target)(), type(target)()
        mine.CopyFrom(target)
        theirs.CopyFrom(target)
        copy_field(mine, source, field.name)
        _whole_copy_cut_down(theirs, source, field.name)
        assert mine.SerializeToString(deterministic=True) == theirs.SerializeToString(
            deterministic=True
        ), field.name
        assert [f.name for f, _ in mine.ListFields()] == [f.name for f, _ in theirs.ListFields()]
