"""Who makes a change, as the journal records it (`Entry.by`)."""

from __future__ import annotations

import getpass
import os
import socket


def who(impersonate: str | None = None) -> str:
    """The credentials' account when they name one (a service account, the impersonated one,
    gcloud's user account), else the OS user."""
    account = impersonate or ""
    if not account and not os.environ.get("CLOUD_RUN_EMULATOR_HOST"):
        try:
            from drift.live.clients import credentials

            creds = credentials()
            account = str(
                getattr(creds, "service_account_email", "") or getattr(creds, "account", "") or ""
            )
        except Exception:  # any failure: fall back to the OS user
            account = ""
    if account and "@" in account:
        return account
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = os.environ.get("USER", "unknown")
    return f"{user} (OS user on {socket.gethostname()})"
