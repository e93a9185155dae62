"""The one error the sandbox raises for what its user got wrong (host, port, a taken port);
the CLI reports it as one line and exit 2."""

from __future__ import annotations

import ipaddress

from drift.errors import DriftError


class SandboxError(DriftError):
    """The sandbox cannot start as asked."""


def check_host(host: str) -> str:
    """A loopback address (or `localhost`): the sandbox holds fake secrets and answers
    without authentication, so it never listens where another machine can reach it."""
    if host == "localhost":
        return host
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise SandboxError(
            f"--host {host!r} is not an IP address; the sandbox listens on loopback only "
            "(127.0.0.1, ::1 or localhost)"
        ) from None
    if not address.is_loopback:
        raise SandboxError(
            f"--host {host} is not a loopback address; the sandbox listens on loopback only "
            "(127.0.0.1, ::1 or localhost), never where other machines reach it"
        )
    return f"[{address}]" if address.version == 6 else str(address)


def check_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise SandboxError(f"--port {port!r} is not a port number (0-65535; 0: any free port)")
    return port
