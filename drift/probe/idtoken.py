"""Google ID tokens for probes with `auth: google-id-token`, fetched and cached per audience."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from drift.errors import ProbeAuthError

IdTokenProvider = Callable[[str], Awaitable[str]]
"""Given an audience (the service URL), return a Google ID token for it."""

_TOKEN_REFRESH_AFTER = 45 * 60.0


def _clock() -> float:
    """How old a token is, in seconds (the monotonic clock)."""
    return time.monotonic()


def google_id_token_provider(*, impersonate_service_account: str | None = None) -> IdTokenProvider:
    """ID tokens from Application Default Credentials (a service account key, the metadata
    server, or gcloud user credentials), or minted for an impersonated service account.
    Tokens are cached per audience; failures are `ProbeAuthError`."""
    cache: dict[str, tuple[float, str]] = {}
    locks: dict[str, asyncio.Lock] = {}

    async def provide(audience: str) -> str:
        lock = locks.setdefault(audience, asyncio.Lock())
        async with lock:
            hit = cache.get(audience)
            if hit is not None and _clock() - hit[0] < _TOKEN_REFRESH_AFTER:
                return hit[1]
            token = await asyncio.to_thread(
                _fetch_google_id_token, audience, impersonate_service_account
            )
            cache[audience] = (_clock(), token)
            return token

    return provide


def _fetch_google_id_token(audience: str, impersonate: str | None) -> str:
    try:
        import google.auth
        import google.auth.exceptions
        import google.auth.transport.requests
        import google.oauth2.credentials
        import google.oauth2.id_token
    except ImportError as exc:  # pragma: no cover - google-auth is a dependency
        raise ProbeAuthError(f"google-auth is not installed: {exc}") from None

    hint = (
        "use a service account (GOOGLE_APPLICATION_CREDENTIALS, the metadata server, or "
        "--impersonate-service-account) or `gcloud auth application-default login`; the "
        "identity needs roles/run.invoker on the service"
    )
    # google-auth has no type hints.
    id_tokens: Any = google.oauth2.id_token
    request = google.auth.transport.requests.Request()
    try:
        if impersonate:
            return _impersonated_id_token(request, audience, impersonate)
        try:
            token = id_tokens.fetch_id_token(request, audience)
        except google.auth.exceptions.DefaultCredentialsError:
            # gcloud user credentials cannot mint a token for an audience, but Cloud Run
            # accepts the user's own ID token from an invoker.
            credentials, _ = google.auth.default()
            if not isinstance(credentials, google.oauth2.credentials.Credentials):
                raise
            user: Any = credentials
            user.refresh(request)
            token = user.id_token
            if not token:
                raise
        return str(token)
    except google.auth.exceptions.GoogleAuthError as exc:
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise ProbeAuthError(
            f"cannot get a Google ID token for {audience}: {text}", hint=hint
        ) from None


def _impersonated_id_token(request: Any, audience: str, service_account: str) -> str:
    import google.auth
    from google.auth import impersonated_credentials as _impersonated

    impersonated: Any = _impersonated
    scopes = ["https://www.googleapis.com/auth/cloud-platform"]
    source, _ = google.auth.default(scopes=scopes)
    target = impersonated.Credentials(
        source_credentials=source, target_principal=service_account, target_scopes=scopes
    )
    credentials = impersonated.IDTokenCredentials(
        target, target_audience=audience, include_email=True
    )
    credentials.refresh(request)
    return str(credentials.token)


def once_per_audience(provider: IdTokenProvider) -> IdTokenProvider:
    """`provider`, asked once per audience, and again once its token is older than
    `_TOKEN_REFRESH_AFTER`: a Google ID token is valid for an hour (its `exp`), and a run whose
    probes outlast that (many services, long holds) must not send an expired one, which Cloud
    Run answers with 401 (a `probe.rejected` then blamed on the service)."""
    tokens: dict[str, tuple[float, str]] = {}

    async def provide(audience: str) -> str:
        hit = tokens.get(audience)
        if hit is None or _clock() - hit[0] >= _TOKEN_REFRESH_AFTER:
            token = await provider(audience)
            # the time it came back, never earlier than `provider`'s own cache dates it
            # (`google_id_token_provider`), so that both see it old at once
            tokens[audience] = (_clock(), token)
        return tokens[audience][1]

    return provide
