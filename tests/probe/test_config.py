"""Building a probe from its profile block: URLs, `${VAR}` expansion, ID-token errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import AuthError, DriftError, ProbeAuthError, ProbeConfigError
from drift.probe.client import probe
from drift.probe.expand import check_expansions, expand
from drift.probe.idtoken import google_id_token_provider
from drift.probe.targets import display_url, websocket_url
from tests.probe.helpers import run, target

WHERE = "profiles/e2e.yaml:12"


@pytest.mark.parametrize(
    ("base", "path", "url"),
    [
        ("https://api-xyz.a.run.app", "/ws", "wss://api-xyz.a.run.app/ws"),
        ("https://api-xyz.a.run.app/", "/ws", "wss://api-xyz.a.run.app/ws"),
        ("http://127.0.0.1:8123", "/ws", "ws://127.0.0.1:8123/ws"),
        (
            "HTTPS://tag---api-xyz.a.run.app",
            "/socket/v1",
            "wss://tag---api-xyz.a.run.app/socket/v1",
        ),
        ("https://example.com/prefix/", "/ws?x=1", "wss://example.com/prefix/ws?x=1"),
    ],
)
def test_websocket_url(base: str, path: str, url: str) -> None:
    assert websocket_url(base, path) == url


@pytest.mark.parametrize("base", ["ftp://example.com", "api-xyz.a.run.app", "https://"])
def test_websocket_url_needs_an_http_url(base: str) -> None:
    with pytest.raises(ProbeConfigError, match="expected an http"):
        websocket_url(base, "/ws")


def test_display_url_hides_user_info_and_query_values() -> None:
    shown = display_url("wss://user:pw@api.example.com/ws?token=abc&mode=e2e&flag")
    assert shown == "wss://api.example.com/ws?token=***&mode=***&flag"


def test_expand_reads_the_environment() -> None:
    environ = {"JWT": "abc.def", "KIND": "e2e"}
    assert expand("jwt.${JWT}", environ, where=WHERE) == "jwt.abc.def"
    assert expand("${KIND}-${KIND}", environ, where=WHERE) == "e2e-e2e"
    assert expand("no variables, $HOME stays", environ, where=WHERE) == "no variables, $HOME stays"


def test_missing_variable_is_a_clear_error() -> None:
    with pytest.raises(ProbeConfigError) as info:
        expand("jwt.${STAGING_TEST_JWT}", {}, where=WHERE)
    error = info.value
    assert isinstance(error, DriftError)
    assert str(error) == (
        f"{WHERE}: probe uses ${{STAGING_TEST_JWT}}, which is not set in this environment"
    )
    assert error.hint is not None and "STAGING_TEST_JWT" in error.hint


def test_empty_variable_is_not_an_empty_token() -> None:
    with pytest.raises(ProbeConfigError, match=r"\$\{JWT\}, which is empty"):
        expand("jwt.${JWT}", {"JWT": ""}, where=WHERE)


def test_malformed_reference() -> None:
    with pytest.raises(ProbeConfigError, match=r"malformed variable reference '\$\{bad-name\}'"):
        expand("jwt.${bad-name}", {}, where=WHERE)


def test_check_expansions_lists_every_problem_once() -> None:
    targets = [
        target("https://a.run.app", "/ws", subprotocols=("jwt.${A}",)),
        target(
            "https://b.run.app",
            "/ws",
            service="b",
            headers=(("Authorization", "Bearer ${B}"), ("X-Other", "${A}")),
        ),
    ]
    with pytest.raises(ProbeConfigError) as info:
        check_expansions(targets, {"B": ""})
    # Both probes were written on the same profile line, so `${A}` is reported once.
    assert str(info.value) == (
        "2 probe configuration errors:\n"
        f"{WHERE}: probe uses ${{A}}, which is not set in this environment\n"
        f"{WHERE}: probe uses ${{B}}, which is empty in this environment"
    )
    assert info.value.hint is not None and "A, B" in info.value.hint


def test_check_expansions_passes_when_everything_is_set() -> None:
    targets = [target("https://a.run.app", "/ws", subprotocols=("jwt.${A}",))]
    check_expansions(targets, {"A": "x"})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subprotocols": ("jwt ${A}",)}, "subprotocol #1 is not a valid token"),
        ({"subprotocols": ("a,b",)}, "subprotocol #1 is not a valid token"),
        ({"headers": (("Sec-WebSocket-Protocol", "x"),)}, "(use `subprotocols`)"),
        ({"headers": (("Host", "x"),)}, "set by the WebSocket handshake itself"),
        ({"headers": (("Bad Name", "x"),)}, "header name 'Bad Name' is not a valid token"),
    ],
)
def test_invalid_probe_blocks(fields: dict[str, object], message: str) -> None:
    bad = target("http://127.0.0.1:9", "/ws", **fields)
    with pytest.raises(ProbeConfigError) as info:
        run(probe(bad, environ={"A": "secret-value"}))
    assert message in str(info.value)
    assert "secret-value" not in str(info.value)


def test_google_provider_errors_are_drift_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    provider = google_id_token_provider()
    with pytest.raises(ProbeAuthError) as info:
        asyncio.run(provider("https://api-xyz.a.run.app"))
    error = info.value
    assert isinstance(error, AuthError)
    assert error.message.startswith("cannot get a Google ID token for https://api-xyz.a.run.app: ")
    assert "\n" not in error.message
    assert error.hint is not None and "roles/run.invoker" in error.hint
    assert error.__cause__ is None and error.__suppress_context__
