"""helper-731: a probe's masker (each value it sends, in every form an app may echo it in) is
built once for the same values and remembered by them (`expand._masker`): each request masks
what it sends, a value added once its masker was built too, a long one as a short one."""

from __future__ import annotations

from drift.echoes import REMEMBERED_MAX
from drift.probe.expand import build_request
from tests.probe.helpers import spec

PROBE = spec("/ws", headers=[("X-Build", "${BUILD}")])
"""A header no credential's name: its value is masked in this probe's output only."""


def test_each_request_masks_what_it_sends() -> None:
    first = build_request(PROBE, {"BUILD": "build-aaaa-1111"}, None)
    other = build_request(PROBE, {"BUILD": "build-bbbb-2222"}, None)  # the same length
    assert first.secrets.mask("got build-aaaa-1111") == "got ***"
    assert other.secrets.mask("got build-bbbb-2222") == "got ***"
    assert other.secrets.mask("got build-aaaa-1111") == "got build-aaaa-1111"
    again = build_request(PROBE, {"BUILD": "build-aaaa-1111"}, None)
    assert again.secrets.mask("got build-aaaa-1111, cut: build-aaaa-11…") == "got ***, cut: ***…"


def test_a_value_added_after_a_mask_is_masked_too() -> None:
    request = build_request(PROBE, {"BUILD": "build-aaaa-1111"}, None)
    assert request.secrets.mask("got build-aaaa-1111") == "got ***"
    request.secrets.add("later-value-2222")
    assert request.secrets.mask("got later-value-2222") == "got ***"


def test_long_values_are_masked_as_short_ones() -> None:
    value = "build-" + "0123456789abcdef" * (REMEMBERED_MAX // 16 + 1)
    request = build_request(PROBE, {"BUILD": value}, None)
    assert request.secrets.mask(f"got {value}") == "got ***"
    assert request.secrets.mask(f"got {value[:40]}…") == "got ***…"
