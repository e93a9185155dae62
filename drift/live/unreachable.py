"""An emulator no connection can be made to, said once: which `*_EMULATOR_HOST` variables point
where, why nothing answers there in drift's words, and how to start one (`drift.live.calls`
ends the run with it at the first such call, never retried, once `answers` has found that no
gRPC connection to it can be made)."""

from __future__ import annotations

import asyncio
import os

from drift.errors import EmulatorUnreachable
from drift.live.clients import PROXIES, Emulators, emulator_channel

PATIENCE = 2.0
"""Seconds a new connection to an emulator may take to be up (`answers`): one on this machine
is up in milliseconds; an emulator channel's attempt at a port that never answers lasts 5 s
(`drift.live.clients.CONNECT_WITHIN`)."""

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
_START = (
    "start the sandbox in another shell (`drift sandbox`) and paste the export lines it "
    "prints, or unset the emulator variables to use the real APIs"
)


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
        hint=_START,
    )


def not_a_sandbox(emulators: Emulators, api: str, brief: str) -> EmulatorUnreachable:
    """The one message for an emulator host where a gRPC server answers, but not drift's
    sandbox: it has no such method (UNIMPLEMENTED: gRPC's "Method not found!" from a server
    that registers no such service, such as gcloud's Pub/Sub emulator on 8085, or an HTTP/2
    404 from a web server: grpc/grpc doc/http-grpc-status-mapping.md). `brief`: the call,
    its resource and status (`ApiError.brief`: not the server's words). Google's endpoints
    serve every method drift calls, and a real API's UNIMPLEMENTED stays the unverified item
    it was: this is said only while the emulator variables are set."""
    host = emulators.of(api)
    names = emulators.naming(host)
    return EmulatorUnreachable(
        f"{names} point{'' if ' and ' in names else 's'} at {host}, which is not a drift "
        f"sandbox: it answered {brief}",
        hint=_START,
    )


async def answers(host: str, patience: float = PATIENCE) -> bool:
    """Whether a gRPC connection to `host` can be made now: a channel of its own, READY within
    `patience`. A failed call's text cannot tell: gRPC says "failed to connect to all
    addresses" of its own connection, and a server relaying its own backend's failure says
    the same words in the status it sends (an emulator that is there, answering UNAVAILABLE:
    retried like any other). The channel's state can: a connection nobody accepts, or that
    does not speak HTTP/2, is never READY."""
    import grpc

    ready, failed = grpc.ChannelConnectivity.READY, grpc.ChannelConnectivity.TRANSIENT_FAILURE
    # its own connection (`drift.live.clients.OWN_CONNECTION`), not the one of the channel whose
    # call just failed, still backing off: a server up since was said missing (helper-520)
    channel = emulator_channel(host)
    try:
        async with asyncio.timeout(patience):
            while (state := channel.get_state(try_to_connect=True)) not in (ready, failed):
                await channel.wait_for_state_change(state)
        return state is ready
    except TimeoutError:
        return False
    finally:
        await channel.close()
