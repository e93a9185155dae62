"""The probe's own errors: a probe that cannot be built, and an ID token that cannot be had."""

from __future__ import annotations

from drift.errors import AuthError, DriftError


class ProbeConfigError(DriftError):
    """A probe cannot be built from its profile block in this environment (nothing probed)."""


class ProbeAuthError(AuthError):
    """No Google ID token could be obtained for a probe with `auth: google-id-token`."""
