"""What a service's scaling says of a failed probe (`drift.causes.attach_causes`): what min
instances keep running, where a hung handshake is no cold start (`kept_warm`), and a service
manually scaled to 0 instances, whose error no configuration explains but that of its scaling
(`scaled_to_zero`, `zero_note`, `EXPLAINS_AT_ZERO`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from drift.fields.scaling import manual_instances
from drift.findings import ProbeOutcome, ProbeResult
from drift.gcloud_tracks import to_serve
from drift.kinds import Kind
from drift.live.model import LiveService, ServingRevision
from drift.live.normalize import raw
from drift.live.state import LiveState
from drift.profiles.model import Profile

Probed = tuple[str, str | None]
"""What a probe reached: its service and revision (None: the service URL of a service whose
traffic is split across revisions, `ProbeResult.revision`)."""


def kept_warm(state: LiveState) -> frozenset[Probed]:
    """What min instances keep an instance of running, as read (`_warm`): each service's
    revisions, and the service with None where that holds of every revision its URL reaches
    (those with a share of its traffic)."""
    out: set[Probed] = set()
    for name, live in state.services.items():
        if live.kind is not Kind.SERVICE:
            continue
        warm = {r.name for r in (*live.serving, *live.tagged) if _warm(live, r)}
        out.update((name, revision) for revision in warm)
        split = [r.name for r in live.serving if not r.tag_only]
        if split and warm.issuperset(split):
            out.add((name, None))
    return frozenset(out)


def _warm(live: LiveService, revision: ServingRevision) -> bool:
    """Whether min instances keep an instance of `revision` running, from what was read.
    - Its own minimum (RevisionScaling) keeps one wherever it is reached, but under manual
      scaling only where it has no share of the traffic ("For all revisions receiving traffic
      in a traffic split, any revision-level minimum and maximum instances are disabled";
      "If a revision is active only due to traffic tags: If revision-level minimum instances
      is set, the specified number of instances will start", cloud.google.com/run/docs/
      configuring/services/manual-scaling).
    - The service's minimum, or its manual count, "is divided among all revisions with
      specified traffic based on the percent of traffic they are receiving" (ServiceScaling):
      it keeps one where that share is a whole instance at least (how a smaller share rounds
      is not documented). A revision reached only through a tag has no share ("Tagged
      revisions are started, but only count toward the service-level minimum instances if
      they are a part of a traffic split", cloud.google.com/run/docs/configuring/
      min-instances).
    Where drift cannot tell the levels apart, none is counted: the cold-start note stays."""
    service = raw(live.source) if live.source is not None else None
    manual = manual_instances(service) if service is not None else None
    floor = 0
    if service is not None and "scaling" in service.DESCRIPTOR.fields_by_name:
        floor = int(service.scaling.min_instance_count)
    count = floor if manual is None else manual
    if not revision.tag_only and count * revision.percent >= 100:
        return True
    if manual is not None and not revision.tag_only:
        return False
    return _own(revision, None if manual is not None else floor) > 0


def _own(revision: ServingRevision, floor: int | None) -> int:
    """The revision's own minimum: from the revision as read, else from its `min_instances` as
    read (`floor`: the service's minimum; None: the service scales manually, where that reads
    as the manual count). A revision reached only through a tag is read without the service's
    bounds (`drift.live.normalize.outside_split`), so that is its own; one with a share of the
    traffic reads the larger of both levels (`drift.fields.scaling`), its own only where above
    the service's. Otherwise 0: not told apart."""
    if revision.source is not None:
        return int(raw(revision.source).scaling.min_instance_count)
    read = revision.config.settings.get("min_instances")
    if floor is None or not isinstance(read, int):
        return 0
    return read if revision.tag_only or read > floor else 0


EXPLAINS_AT_ZERO = frozenset(
    {"setting.manual_instances", "setting.min_instances", "setting.max_instances"}
)
"""The drift that explains a service manually scaled to 0 instances failing (`zero_note`):
its scaling, which the profile states as a count (`manual_instances`) or, wanting automatic
scaling, as a bound (`min_instances`, `max_instances`, which read "manual scaling with 0
instances" there: `drift.fields.manual_scaling`). Any other drift does not: no instance runs
its configuration (helper-792 F2: a bound was left out)."""


def scaled_to_zero(state: LiveState) -> frozenset[str]:
    """The services Cloud Run scales manually to 0 instances, as read (`zero_note`)."""
    return frozenset(
        name
        for name, live in state.services.items()
        if live.kind is Kind.SERVICE
        and live.source is not None
        and manual_instances(raw(live.source)) == 0
    )


def wants_zero(profile: Profile, service: str) -> bool:
    """Whether the profile states `manual_instances: 0` for the service (off on purpose)."""
    stated = profile.services[service].settings.get("manual_instances")
    return stated is not None and stated.satisfied_by(0)


def zero_note(
    result: ProbeResult, zero: Collection[str], tags: Mapping[str, str], profile: Profile
) -> tuple[str, bool]:
    """For an HTTP status instead of the 101 from a service manually scaled to 0 instances
    (`scaled_to_zero`), the note that says so and what to do, and whether it explains the
    failure whatever the configuration: "If the number of revisions receiving traffic exceeds
    the manual instance count, some of the revisions will have no instances. Traffic sent to
    those revisions will get the same error as if the revisions were disabled"
    (cloud.google.com/run/docs/configuring/services/manual-scaling) — a 5xx or a 429 from a
    revision with traffic (the page names no status; a 3xx or another 4xx may be the door,
    `_in_front`). A revision reached only through a tag "will start" its own minimum, else
    scales to one instance for its tag URL (same page), but the page does not say whether a
    count of 0 leaves it that: said as a possibility, explaining nothing. Where the profile
    states the count of 0 (`wants_zero`), no advice that undoes it. ("", False): none."""
    if result.service not in zero or result.outcome is not ProbeOutcome.REJECTED:
        return "", False
    what = "the service is manually scaled to 0 instances"
    to_do = to_serve("it", profile.project, profile.region, result.service)
    if wants_zero(profile, result.service):
        what += ", as the profile states (`manual_instances: 0`)"
        to_do = "no probe passes while it is: take the probe out of the profile while it is off"
    if (result.revision or "") in tags:
        return (
            f"{what}: a revision reached only through a tag should still get an instance for "
            f"its tag URL, but Cloud Run may refuse it as it refuses the revisions with "
            f"traffic; {to_do}"
        ), False
    status = result.http_status or 0
    return (
        f"{what}: Cloud Run gives no revision with traffic an instance and answers every "
        f"request to it with the error of a disabled revision, whatever its configuration; "
        f"{to_do}"
    ), status == 429 or status >= 500
