"""Whether two `Entry.backend` texts (`drift.live.clients.backend`) name the same backend: the
text records CLOUD_RUN_EMULATOR_HOST as it was spelled, and one sandbox is reached as
127.0.0.1:PORT (what `drift sandbox` prints), localhost:PORT (a shell, a `.env`, a compose
file), [::1]:PORT or ::1:PORT. Loopback spellings of one port are one backend; other hosts
stay distinct (another machine's emulator is not this one), and a sandbox is never Google
Cloud (revenv E7: the sandbox's services share their names with real ones)."""

from __future__ import annotations

import ipaddress

EMULATOR = "the emulator at "
LOOPBACK = "loopback"


def backend_key(text: str) -> str:
    """The backend `text` names, with a loopback host spelled one way: `the emulator at
    loopback:PORT`; any other text as it is."""
    if not text.startswith(EMULATOR):
        return text
    address = text[len(EMULATOR) :].strip()
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        return text
    if _loopback(host):
        return f"{EMULATOR}{LOOPBACK}:{int(port)}"
    return f"{EMULATOR}{host.lower()}:{int(port)}"


def elsewhere(recorded: str, here: str) -> bool:
    """Whether a change recorded as made against `recorded` was made on a backend other than
    `here` (a drift that recorded none: not elsewhere, as before `Entry.backend`)."""
    return bool(recorded) and backend_key(recorded) != backend_key(here)


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.", "ip6-localhost", "ip6-loopback"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False
