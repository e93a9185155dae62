"""What the Google client libraries and gRPC read from the environment behind drift's back,
checked before a client is made: a value they would take silently for something else is one
usage message naming the variable (SPEC "Exit codes": 2; safety invariant 7)."""

from __future__ import annotations

import os
from typing import Any

from drift.errors import UsageError
from drift.textsafe import visible

UNIVERSE = "GOOGLE_CLOUD_UNIVERSE_DOMAIN"
DEFAULT_UNIVERSE = "googleapis.com"


def check_universe(creds: Any) -> None:
    """Refuse credentials of one universe used with the APIs of another, before any call: the
    clients would send the credentials' token to the endpoints of the universe configured
    (GOOGLE_CLOUD_UNIVERSE_DOMAIN, else googleapis.com) — `run.googleapis.co` for a typo —
    and read whatever answers there as the project. google-api-core made this mismatch an
    error ("The configured universe domain (…) does not match the universe domain found in
    the credentials", google/api_core/universe.py `UniverseMismatchError`,
    googleapis/python-api-core#582, #621), but the generated clients drift uses have the
    check switched off ("NOTE (b/349488459): universe validation is disabled until further
    notice", google/cloud/run_v2/services/services/client.py `_validate_universe_domain`)."""
    from google.auth.exceptions import GoogleAuthError

    configured = (os.environ.get(UNIVERSE) or DEFAULT_UNIVERSE).strip()
    try:  # Compute Engine credentials ask the metadata server for theirs
        theirs = str(getattr(creds, "universe_domain", "") or DEFAULT_UNIVERSE)
    except GoogleAuthError:  # it does not answer: the first call says so
        return
    if theirs == configured:
        return
    if os.environ.get(UNIVERSE):
        raise UsageError(
            f"{UNIVERSE} names the universe domain {visible(configured)}, but the credentials "
            f"belong to {visible(theirs)}: drift would send their token to the APIs of "
            f"{visible(configured)}",
            hint=f"unset {UNIVERSE} (or set it to {visible(theirs)}), or use credentials of "
            f"{visible(configured)}",
        )
    raise UsageError(
        f"the credentials belong to the universe domain {visible(theirs)}, and {UNIVERSE} is "
        f"not set: drift would call the APIs of {DEFAULT_UNIVERSE} with them",
        hint=f"set {UNIVERSE}={visible(theirs)}, or use credentials of {DEFAULT_UNIVERSE}",
    )
