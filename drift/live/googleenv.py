"""What the Google client libraries and gRPC read from the environment behind drift's back,
checked before a client is made: a value they would take silently for something else is one
usage message naming the variable (SPEC "Exit codes": 2; safety invariant 7)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from drift.errors import UsageError
from drift.files import NotRegular, regular_bytes
from drift.textsafe import visible

UNIVERSE = "GOOGLE_CLOUD_UNIVERSE_DOMAIN"
DEFAULT_UNIVERSE = "googleapis.com"


def configured_universe() -> str:
    """The universe domain the clients are for: GOOGLE_CLOUD_UNIVERSE_DOMAIN as the generated
    clients take it (stripped: `get_universe_domain` in google/cloud/run_v2/_compat.py), else
    googleapis.com. The one value `check_universe` holds the credentials to, and the Cloud
    Storage client is given (it reads no variable: `drift.live.clients._storage_client`)."""
    return (os.environ.get(UNIVERSE) or DEFAULT_UNIVERSE).strip()


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

    configured = configured_universe()
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


MTLS_ENDPOINT = "GOOGLE_API_USE_MTLS_ENDPOINT"
CLIENT_CERTIFICATE = "GOOGLE_API_USE_CLIENT_CERTIFICATE"
_ALLOWED = {MTLS_ENDPOINT: ("auto", "never", "always"), CLIENT_CERTIFICATE: ("true", "false")}


def check_client_variables() -> None:
    """The variables every generated client reads in its constructor, whatever its transport
    (the sandbox's too: `read_environment_variables` in google/cloud/run_v2/_compat.py), said
    as a usage error naming the variable rather than the "internal error" a library exception
    would read as: GOOGLE_CLOUD_UNIVERSE_DOMAIN empty (`${{ vars.UNIVERSE }}` undefined;
    google-api-core's EmptyUniverseError), GOOGLE_API_USE_MTLS_ENDPOINT other than
    auto/never/always (MutualTLSChannelError), and GOOGLE_API_USE_CLIENT_CERTIFICATE other than
    true/false, which google-auth takes for false without a word
    (google/auth/transport/_mtls_helper.py `_check_use_client_cert_env`; older versions
    refused it: "must be either `true` or `false`")."""
    universe = os.environ.get(UNIVERSE)
    if universe is not None and not universe.strip():
        raise UsageError(
            f"{UNIVERSE} is set but empty: it names no universe domain",
            hint=f"unset it for Google Cloud's ({DEFAULT_UNIVERSE}), or name the universe "
            "domain the credentials belong to",
        )
    for name, allowed in _ALLOWED.items():
        value = os.environ.get(name)
        if value is None or (not value and name == CLIENT_CERTIFICATE):  # "": unset to google-auth
            continue
        if value.lower() not in allowed:
            said = f"is {visible(repr(value))}" if value else "is set but empty"
            raise UsageError(
                f"{name} {said}: the Google client libraries take {', '.join(allowed[:-1])} or "
                f"{allowed[-1]}",
                hint=f"set it to one of them, or unset it (default: {allowed[0]})"
                if name == MTLS_ENDPOINT
                else "set it to true or false, or unset it",
            )


SSL_ROOTS = "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"
SSL_ROOTS_LIMIT = 16 * 1024 * 1024
"""Bytes a roots bundle may have: Mozilla's whole store is about 0.25 MB as PEM, RHEL's
ca-bundle.trust.crt about 0.5 MB; `/dev/zero` has no end."""
_PEM_CERTIFICATE = re.compile(rb"-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----")
"""The PEM labels gRPC core's roots reader takes: it loads them with
PEM_read_bio_X509_AUX (src/core/tsi/ssl_transport_security.cc `x509_store_load_certs`),
whose label is PEM_STRING_X509_TRUSTED, and BoringSSL's/OpenSSL's `check_pem`
(crypto/pem/pem_lib.c) accepts "CERTIFICATE" and "X509 CERTIFICATE" (PEM_STRING_X509_OLD)
for it as well: what `openssl x509 -addtrust` writes and RHEL/Fedora ship as
/etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt (revown33 F3)."""


def check_ssl_roots() -> None:
    """GRPC_DEFAULT_SSL_ROOTS_FILE_PATH ("PEM file to load SSL roots from", gRPC
    doc/environment_variables.md), checked before a secure channel is made: gRPC core reads it
    at the first one and, when it names a directory (as SSL_CERT_DIR takes one), aborts the
    process — SIGABRT, nothing on stderr, no report; a file of no certificate leaves every
    handshake failing ("Update handshaker factory failed"), which would read as an outage to
    run again. An empty value is unset to gRPC. Read only when it is a regular file, and at
    most SSL_ROOTS_LIMIT bytes of it: a named pipe (`/dev/stdin` in CI) would wait for ever
    before any call, `/dev/zero` until memory runs out."""
    path = os.environ.get(SSL_ROOTS, "")
    if not path:
        return
    try:
        pem = regular_bytes(Path(path), SSL_ROOTS_LIMIT + 1)
        why = "" if _PEM_CERTIFICATE.search(pem) else "holds no PEM certificate"
        if len(pem) > SSL_ROOTS_LIMIT:
            why = f"is larger than {SSL_ROOTS_LIMIT // (1024 * 1024)} MiB"
    except NotRegular as exc:
        why = "is a directory" if os.path.isdir(path) else f"is {exc}"
    except IsADirectoryError:
        why = "is a directory"
    except FileNotFoundError:
        why = "does not exist"
    except OSError as exc:
        why = f"cannot be read ({(exc.strerror or str(exc)).lower()})"
    if why:
        raise UsageError(
            f"{SSL_ROOTS} names {visible(path)}, which {why}: gRPC takes one PEM file of root "
            "certificates there",
            hint=f"point {SSL_ROOTS} at a PEM bundle (e.g. /etc/ssl/certs/ca-certificates.crt), "
            "or unset it for gRPC's own roots",
        )
