"""Names and messages from the server reach commands drift prints and lines it writes: a
revision name in `gcloud run services update-traffic` (the `--no-promote` "Finish with", a
cleanup's "pin it by hand") is quoted as the shell reads it back, and a condition's message
is one line. Cloud Run's own names are plain words, left bare; a server that misbehaves
(the sandbox serves any name) gets no command run by a paste."""

from __future__ import annotations

import shlex
from types import SimpleNamespace

from google.cloud import run_v2

from drift.fix.patch import update_traffic_flags, update_traffic_words
from drift.live.api import condition_said

KINDS = run_v2.TrafficTargetAllocationType


def _targets(revision: str) -> list[run_v2.TrafficTarget]:
    return [
        run_v2.TrafficTarget(
            type_=KINDS.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION, revision=revision, percent=60
        ),
        run_v2.TrafficTarget(
            type_=KINDS.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, percent=40, tag="blue"
        ),
    ]


def test_a_hostile_revision_name_is_one_quoted_word() -> None:
    targets = _targets("web-$(touch PWNED)")
    flags = update_traffic_flags(targets)
    assert shlex.split(flags) == update_traffic_words(targets)
    assert flags == "--to-revisions 'web-$(touch PWNED)=60,LATEST=40' --update-tags blue=LATEST"


def test_cloud_runs_own_names_stay_bare() -> None:
    flags = update_traffic_flags(_targets("web-00002-abc"))
    assert flags == "--to-revisions web-00002-abc=60,LATEST=40 --update-tags blue=LATEST"


def test_a_conditions_message_is_one_line() -> None:
    condition = SimpleNamespace(message="pulled\n::error::forged\r\n  line\u2028two")
    assert condition_said(condition) == "pulled ::error::forged line two"
    assert condition_said(SimpleNamespace(message=""), "not ready") == "not ready"
    assert condition_said(SimpleNamespace(message=" \n "), "not ready") == "not ready"
