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
