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
    tag: str | None = None
    """The traffic tag whose own URL `base_url` is (None: the service URL)."""


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


@dataclass(frozen=True)
class Route:
    """How a probe reaches its URL: directly, or through the runner's proxy (websockets reads
    the `*_proxy` environment variables as urllib does, `no_proxy` included)."""

    proxy: str | None = None
    """The proxy URL as configured (it may hold credentials: never shown)."""
    shown: str | None = None
    """The proxy as a report may name it: scheme, host and port, never its user info."""


def route(url: str) -> Route:
    """The proxy a probe of `url` goes through; a proxy setting no probe can use is a
    `ProbeConfigError` (the runner's configuration, not the service's failure)."""
    from websockets.exceptions import InvalidProxy, InvalidURI
    from websockets.proxy import get_proxy, parse_proxy
    from websockets.uri import parse_uri

    try:
        proxy = get_proxy(parse_uri(url))
    except InvalidURI:
        return Route()  # the probe itself says why the URL cannot be used
    if proxy is None:
        return Route()
    try:
        parsed = parse_proxy(proxy)
    except InvalidProxy as exc:
        raise _bad_proxy(proxy, exc.msg) from None
    except ValueError:  # a port that is not a number, user info that is not UTF-8
        raise _bad_proxy(proxy, "it cannot be parsed") from None
    if parsed.scheme.startswith("socks"):
        import importlib.util

        if importlib.util.find_spec("python_socks") is None:
            raise _bad_proxy(proxy, "a SOCKS proxy needs python-socks, which is not installed")
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return Route(proxy, f"{parsed.scheme}://{host}:{parsed.port}")


def _bad_proxy(proxy: str, why: str) -> ProbeConfigError:
    try:
        shown = display_url(proxy)  # built from its parts: the user info is left out
    except ValueError:
        shown = "(unreadable)"
    return ProbeConfigError(
        f"the proxy this runner's environment sets for the probe ({shown}) cannot be used: {why}",
        # websockets `get_proxy`: wss_proxy, socks_proxy, https_proxy for wss://; ws_proxy,
        # socks_proxy, https_proxy, http_proxy for ws:// (urllib's getproxies; all_proxy unread)
        hint="fix or unset the *_proxy variable (wss_proxy, ws_proxy, socks_proxy, https_proxy, "
        "http_proxy; all_proxy is not read), or add the service's host to no_proxy",
    )
