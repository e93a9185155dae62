"""`latestRevision` of a Knative traffic target (or a WorkerPool's instance split) is a v1
boolean (TrafficTarget.latestRevision: "Uses the "status.latestReadyRevisionName" to determine
the traffic target"). Quoted, `latestRevision: "false"` was taken by the shape check (a lax
bool) and read by the conversion as `bool("false")`, true: a manifest that keeps 100 % of
the traffic on a named old revision read as sending it all to the revision the deploy
creates, and the note that the traffic stays on the old revision, unchecked, was not said
(revman91 F4). A quoted flag is refused at its line, as every other flag of the document is
(StrictBool), never read the other way round."""

from __future__ import annotations

import pytest

from tests.manifest.conftest import MINIMAL, problems_of, read

PINNED = MINIMAL + "  traffic:\n  - revisionName: api-00001-abc\n    latestRevision: {flag}\n"
"""All of api's traffic on revision api-00001-abc, its flag left to the test (line 12)."""


@pytest.mark.parametrize("flag", ['"false"', "'true'", "'no'"])
def test_a_quoted_latest_revision_flag_is_refused_at_its_line(flag: str) -> None:
    text = PINNED.format(flag=flag) + "    percent: 100\n"
    (problem,) = problems_of(text)
    assert problem.startswith("m.yaml:12: spec.traffic.0.latestRevision: expected a boolean"), (
        problem
    )


def test_latest_revision_false_keeps_the_traffic_on_the_named_revision() -> None:
    text = PINNED.format(flag="false") + "    percent: 100\n"
    (workload,) = read(text).workloads
    (target,) = workload.resource.traffic
    assert target.type_.name.endswith("REVISION") and target.revision == "api-00001-abc"


def test_the_conversion_takes_only_a_true_latest_revision_as_latest() -> None:
    """The conversion itself (`drift.fix.knative.service.target_in`), whatever validated its
    input: a quoted "false" names the revision, it is no LATEST."""
    from google.cloud import run_v2

    from drift.fix.knative.service import target_in

    types = (
        run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST,
        run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
    )
    doc = {"latestRevision": "false", "revisionName": "api-00001-abc", "percent": 100}
    target = target_in(doc, run_v2.TrafficTarget, types)
    assert (target.type_, target.revision) == (types[1], "api-00001-abc")
    assert (
        target_in({"latestRevision": True, "percent": 100}, run_v2.TrafficTarget, types).type_
        == types[0]
    )
