"""Identity-Aware Proxy and custom audiences are doors too (revprobe91 F1): `iap_enabled`
("IAP settings on the Service", google/cloud/run/v2 service.proto) puts IAP in front of every
request, which answers a caller it does not admit itself (a redirect to sign-in, 401, 403)
before any container sees it ("IAP … intercepts requests", cloud.google.com/run/docs/
securing/identity-aware-proxy-cloud-run); `custom_audiences` are the audiences Cloud Run's IAM
check accepts in an ID token ("One or more custom audiences that you want this service to
support", service.proto), refused with 401 before any container sees it. A socket that opened
(the app's 101) went through both, so their drift cannot explain what it did next; a 3xx/4xx
may be their answer, so their drift is then the first suspect."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.causes import attach_causes
from drift.findings import ProbeOutcome
from drift.profiles.model import Profile
from tests.probe.test_cause_door import SETTINGS, after_a_1011, alone_is_no_suspect, result
from tests.probe.test_causes import WS_PROBE, drifted, loaded

PROFILE = (
    SETTINGS
    + """\
      iap_enabled: false
      custom_audiences: none
      memory: 1Gi
"""
    + WS_PROBE
)

DOORS = ["setting.iap_enabled", "setting.custom_audiences"]


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return loaded(tmp_path, PROFILE)


@pytest.mark.parametrize("door", DOORS)
def test_a_1011_is_not_blamed_on_iap_or_audiences(profile: Profile, door: str) -> None:
    """A 1011 after the app's 101 listed `setting.value setting.iap_enabled` among its
    suspected causes: the request had passed IAP and the token's audience to open at all."""
    gone = drifted("env.missing", "env.JWT_SECRET")
    findings = [drifted("setting.value", door), gone]
    (probe,), (finding,) = after_a_1011(profile, findings)
    assert probe.suspected_causes == (gone.id,), probe.detail
    assert door not in finding.message


@pytest.mark.parametrize("door", DOORS)
def test_only_iap_or_audiences_left_for_a_1011_is_no_suspect(profile: Profile, door: str) -> None:
    alone_is_no_suspect(profile, door)


@pytest.mark.parametrize(
    ("status", "door"),
    [
        (302, "setting.iap_enabled"),
        (401, "setting.iap_enabled"),
        (403, "setting.iap_enabled"),
        (401, "setting.custom_audiences"),
    ],
)
def test_iaps_own_answer_names_its_setting_first(profile: Profile, status: int, door: str) -> None:
    """A missing variable (rank 0) was named first for a redirect to IAP's sign-in or its 401:
    a request no container saw."""
    gone = drifted("env.missing", "env.JWT_SECRET")
    setting = drifted("setting.value", door)
    (probe,), (finding,) = attach_causes(
        profile, [result(ProbeOutcome.REJECTED, status)], [gone, setting]
    )
    assert probe.suspected_causes == (setting.id, gone.id), probe.detail
    assert f"suspected causes: setting.value {door}, env.missing" in finding.message


def test_the_front_note_names_iap(profile: Profile) -> None:
    """The note on a 3xx/4xx named the invoker role, ingress and max_instances, not IAP, whose
    redirect or 401 is the answer a probe of an IAP-guarded service gets."""
    (probe,), _ = attach_causes(profile, [result(ProbeOutcome.REJECTED, 302)], [])
    assert "Identity-Aware Proxy" in probe.detail
