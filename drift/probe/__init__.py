"""The WebSocket handshake probe: its public names, importable without loading websockets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drift.probe.errors import ProbeAuthError, ProbeConfigError
from drift.probe.expand import check_expansions, expand
from drift.probe.idtoken import IdTokenProvider, google_id_token_provider
from drift.probe.targets import ProbeTarget, display_url, websocket_url

if TYPE_CHECKING:
    from drift.probe.client import probe, probe_all

__all__ = [
    "IdTokenProvider",
    "ProbeAuthError",
    "ProbeConfigError",
    "ProbeTarget",
    "check_expansions",
    "display_url",
    "expand",
    "google_id_token_provider",
    "probe",
    "probe_all",
    "websocket_url",
]


def __getattr__(name: str) -> Any:
    # `probe` and `probe_all` need websockets: load drift.probe.client on first use only.
    if name in ("probe", "probe_all"):
        from drift.probe import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
