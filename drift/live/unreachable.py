"""An emulator no connection can be made to, said once: which `*_EMULATOR_HOST` variables point
where, why nothing answers there in drift's words, and how to start one (`drift.live.calls`
ends the run with it at the first such call, never retried)."""

from __future__ import annotations

import os

from drift.errors import EmulatorUnreachable
from drift.live.clients import PROXIES, Emulators

_WHY = (
    (("Connection refused",), "connection refused"),
    (("errors resolving", "DNS resolution failed"), "the host name does not resolve"),
    (("Failed parsing HTTP/2",), "what listens there is not a gRPC server: it speaks no HTTP/2"),
    (("before receiving SETTINGS frame",), "a connection was accepted, but nothing answered"),
    (("reset by peer", "Socket closed", "Broken pipe"), "the connection was closed at once"),
)
"""gRPC core's words for why no connection was made (its last subchannel error), in a few of
drift's (an HTTP/1 server: "Failed parsing HTTP/2 (Expected SETTINGS frame as the first frame,
got frame type 79)"; a port that is listened on and never answers: "connection attempt timed
out before receiving SETTINGS frame"; one that closes: "recvmsg:Connection reset by peer")."""
_NO_CONNECTION = "no gRPC connection could be made"


def unreachable(emulators: Emulators, api: str, detail: str) -> EmulatorUnreachable:
    """The one message for an emulator that is not there (the one of `api`): which variables
    point where, and how to start one (or to go back to the real APIs)."""
    why = next((why for marks, why in _WHY if any(m in detail for m in marks)), _NO_CONNECTION)
    host = emulators.of(api)
    names = emulators.naming(host)
    proxy = next((name for name in PROXIES if os.environ.get(name)), "")
    aside = f"; the proxy {proxy} names is not used for emulators" if proxy else ""
    return EmulatorUnreachable(
        f"{names} point{'' if ' and ' in names else 's'} at {host}, where no emulator "
        f"answers ({why}{aside})",
        hint="start the sandbox in another shell (`drift sandbox`) and paste the export "
        "lines it prints, or unset the emulator variables to use the real APIs",
    )
