"""revfix60 F2: `fix --no-promote` on a service whose LATEST target carries a tag (`LATEST 80 %
tag current`). The pin (`canary_traffic`) puts that target, tag included, on the revision LATEST
resolved to; the plan says "tag current stays on LATEST". The printed promotion (and "To let it
serve as it is" when a deploy lands under the pin: `untrap`) sent only the shares, and gcloud
keeps every tag it is not told to move: `current` stayed on the old revision, its URL serving
the unfixed configuration for good. The command drift prints, as gcloud runs it, must give the
routing the plan promised (`promoted_traffic`, `restored_traffic`)."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.fix.patch import (
    canary_traffic,
    promoted_traffic,
    restored_traffic,
    update_traffic_flags,
)
from drift.fix.routing import routing
from drift.sandbox.requests import traffic_update
from tests.fix.conftest import gcloud_words

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
CANARY, TAG = "app-drift-1", "drift-1"


def _gcloud(traffic: Any, words: list[str], split: bool) -> tuple[dict[str, int], dict[str, str]]:
    """What routes where after `gcloud run services update-traffic` with `words` on `traffic`
    (the sandbox's model of it, in either shape of tags)."""
    service = run_v2.Service.pb(run_v2.Service(traffic=traffic))
    shares, moved, removed = gcloud_words(" ".join(words))
    return routing(traffic_update(service, shares, moved, removed, split=split).traffic)


def _target(key: str, percent: int = 0, tag: str = "") -> run_v2.TrafficTarget:
    if key == "LATEST":
        return run_v2.TrafficTarget(type_=LATEST, percent=percent, tag=tag)
    return run_v2.TrafficTarget(type_=REVISION, revision=key, percent=percent, tag=tag)


@pytest.mark.parametrize("split", [True, False])  # gcloud's shape, and tags on the shares
@pytest.mark.parametrize(
    "traffic",
    [
        [("LATEST", 80, "current"), ("app-00001", 20, "old"), ("app-00002", 0, "pinned2")],
        [("LATEST", 100, "current")],
        [("LATEST", 100, ""), ("LATEST", 0, "head")],
        [("LATEST", 100, "")],  # control: no tag to move
    ],
)
def test_the_printed_promotion_and_unpin_give_latest_its_tags_back(
    traffic: list[tuple[str, int, str]], split: bool
) -> None:
    before = run_v2.Service(
        traffic=[_target(*t) for t in traffic],
        latest_ready_revision="projects/p/locations/r/services/app/revisions/app-00002",
    )
    pinned = canary_traffic(before, CANARY, TAG)  # what --no-promote leaves
    promised = promoted_traffic(before, "app-00002", CANARY)
    words = [*update_traffic_flags(promised).split(), "--remove-tags", TAG]
    # main: tag current stays on app-00002 (the old revision), not on LATEST
    assert _gcloud(pinned, words, split) == routing(promised), words
    restored = restored_traffic(before)  # untrap's "to let it serve as it is"
    words = [*update_traffic_flags(restored).split(), "--remove-tags", TAG]
    assert _gcloud(pinned, words, split) == routing(restored), words
