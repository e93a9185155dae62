"""A 401 or 403 with `auth: none` said "the caller lacks roles/run.invoker …" and not that the
probe sent no ID token, nor what sends one (`auth: google-id-token`); a 403 may also be an app
checking the handshake's Origin header, which browsers always send and drift does not unless
told (helper-837 F5). In process: hand-built results against a loaded profile, as
tests/probe/test_causes.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.causes import attach_causes
from drift.findings import ProbeOutcome
from tests.probe.test_causes import API_ENV, failed, loaded

NO_TOKEN = "the probe sent no ID token (`auth: none`)"
ORIGIN = "`headers: {Origin: https://…}`"


def _detail(tmp_path: Path, probe: str, status: int) -> str:
    profile = loaded(tmp_path, API_ENV + "      MODE: live\n    probe:\n" + probe)
    rejected = failed(ProbeOutcome.REJECTED, f"HTTP {status}", http_status=status)
    (said,), _ = attach_causes(profile, [rejected], [])
    return said.detail


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_without_a_token_says_none_was_sent(tmp_path: Path, status: int) -> None:
    detail = _detail(tmp_path, "      websocket: /ws\n", status)
    assert NO_TOKEN in detail and "`auth: google-id-token`" in detail, detail


def test_a_refusal_with_a_token_does_not_say_none_was_sent(tmp_path: Path) -> None:
    detail = _detail(tmp_path, "      websocket: /ws\n      auth: google-id-token\n", 403)
    assert NO_TOKEN not in detail, detail


def test_a_403_names_the_origin_header_unless_it_is_sent(tmp_path: Path) -> None:
    assert ORIGIN in _detail(tmp_path, "      websocket: /ws\n", 403)
    assert ORIGIN not in _detail(tmp_path, "      websocket: /ws\n", 404)
    sent = "      websocket: /ws\n      headers: {Origin: 'https://app.example'}\n"
    assert ORIGIN not in _detail(tmp_path, sent, 403)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_with_a_token_says_what_cloud_run_refuses_in_one(
    tmp_path: Path, status: int
) -> None:
    """note69 §7 (840): a 401 or 403 with a token sent said nothing of the token: Cloud Run
    refuses one for another audience than the service's URL or custom audiences, or whose
    account lacks the invoker role."""
    detail = _detail(tmp_path, "      websocket: /ws\n      auth: google-id-token\n", status)
    assert "the probe sent an ID token (`auth: google-id-token`)" in detail, detail
    assert "custom_audiences" in detail and "roles/run.invoker" in detail, detail
    assert "sent an ID token" not in _detail(tmp_path, "      websocket: /ws\n", status)
    absent = _detail(tmp_path, "      websocket: /ws\n      auth: google-id-token\n", 404)
    assert "sent an ID token" not in absent


@pytest.mark.parametrize(
    ("status", "named", "not_named"),
    [
        (429, "max_instances leaves no instance free", "roles/run.invoker"),
        (302, "Identity-Aware Proxy redirects it to sign in", "max_instances"),
        (403, "the caller lacks roles/run.invoker", "max_instances"),
        (404, "the service's ingress refuses it", "redirects"),
    ],
)
def test_cloud_runs_own_answers_are_named_for_their_status(
    tmp_path: Path, status: int, named: str, not_named: str
) -> None:
    """note69 §7: every 3xx or 4xx named every one of Cloud Run's own answers (a 429 "the
    caller lacks roles/run.invoker", a 403 "a 429 when max_instances …")."""
    detail = _detail(tmp_path, "      websocket: /ws\n", status)
    assert "may also be Cloud Run's own answer" in detail, detail
    assert named in detail and not_named not in detail, detail
