"""Revision names as Cloud Run gives them: the number in `SERVICE-NNNNN-xxx`, which rises with
each revision Cloud Run makes (`drift.live.history` orders a listing by it where two revisions
share a `create_time`; `since` tells revisions missing from a listing by it; a baseline, which
holds no revision's time, ranks its revisions by it)."""

from __future__ import annotations

import re

_NUMBERED = re.compile(r"([0-9]{5})-[a-z0-9]{3}")
"""The shape of a name Cloud Run gives: `SERVICE-` then the number in five digits and a suffix
of three characters (`my-service-00001-abc`: gcloud run revisions describe). A writer's `gcloud
run deploy --revision-suffix` names the revision `SERVICE-SUFFIX` (gcloud run deploy
reference), and CI puts dates and run numbers there (`api-20261125-a1b2c3d`): those are not
Cloud Run's numbers. A suffix a writer gives in exactly Cloud Run's shape cannot be told
apart."""


def number(service: str, revision: str) -> int | None:
    """The number in a name Cloud Run gave (`api-00042-xiz`: 42); None for a name its writer
    chose (`template.revision`, `--revision-suffix`, drift's canary)."""
    rest = revision.removeprefix(f"{service}-")
    match = _NUMBERED.fullmatch(rest) if rest != revision else None
    return int(match[1]) if match else None
