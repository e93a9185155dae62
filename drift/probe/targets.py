"""What a probe connects to: the target, its WebSocket URL, the URL shown, the token audience."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

from drift import redact
from drift.errors import ProbeConfigError
from drift.profiles.model import Probe


@dataclass(frozen=True)
class ProbeTarget:
    service: str
    revision: str | None
    base_url: str
    """The service URL or a revision's tag URL, e.g. `https://api-xyz.a.run.app`."""
    spec: Probe
    audience: str | None = None
    """ID-token audience when it is not the origin of `base_url` (e.g. a custom audience)."""


def websocket_url(base_url: str, path: str) -> str:
    """`https://host[:port][/prefix]` + `/ws` -> `wss://host[:port][/prefix]/ws` (http -> ws)."""
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise ProbeConfigError(
            f"cannot probe {display_url(base_url)!r}: expected an http(s) URL with a host"
        )
    extra = urlsplit(path if path.startswith("/") else f"/{path}")
    joined = parts.path.rstrip("/") + extra.path
    return urlunsplit((scheme, parts.netloc, joined, extra.query, ""))


def display_url(url: str) -> str:
    """The URL to show: no user info, and every query value masked (it may be a token)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = "&".join(
        f"{item.partition('=')[0]}={redact.MASK}" if "=" in item else item
        for item in parts.query.split("&")
        if item
    )
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, ""))


def id_token_audience(target: ProbeTarget) -> str:
    """The ID-token audience of a target: its own, or the origin of its URL."""
    if target.audience:
        return target.audience
    parts = urlsplit(target.base_url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], "", "", ""))
