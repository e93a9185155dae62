"""A run's ID tokens are fetched once per audience before the first probe (an auth error stops
the run before anything is probed), but a long run (many services, long holds) outlives them: a
Google ID token is valid for an hour (its `exp` claim), and a probe that starts later must not
send an expired one: Cloud Run would answer 401, a `probe.rejected` blamed on the service's
drift."""

from __future__ import annotations

import pytest

from drift.probe import idtoken
from drift.probe.idtoken import once_per_audience
from tests.probe.helpers import run


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_asked_again_once_it_is_old(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(idtoken, "_clock", clock)
    asked: list[str] = []

    async def minted(audience: str) -> str:
        asked.append(audience)
        return f"token-{len(asked)}"

    async def scenario() -> list[str]:
        provide = once_per_audience(minted)
        first = [await provide("https://api"), await provide("https://api")]
        clock.now += 30 * 60  # half an hour into the run: the same token
        first.append(await provide("https://api"))
        clock.now += 20 * 60  # 50 minutes after it was minted: a new one
        return [*first, await provide("https://api"), await provide("https://api")]

    assert run(scenario()) == ["token-1", "token-1", "token-1", "token-2", "token-2"]
    assert asked == ["https://api", "https://api"]


def test_the_run_gets_a_new_token_through_googles_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `probe_all` composes them: the run's once-per-audience over the cache of Google's
    provider (both 45 minutes). The run asking again must not get the cached old token back."""
    clock = Clock()
    monkeypatch.setattr(idtoken, "_clock", clock)
    minted: list[str] = []

    def fetch(audience: str, impersonate: str | None) -> str:
        clock.now += 0.5  # the fetch takes its time
        minted.append(audience)
        return f"token-{len(minted)}"

    monkeypatch.setattr(idtoken, "_fetch_google_id_token", fetch)

    async def scenario() -> list[str]:
        provide = once_per_audience(idtoken.google_id_token_provider())
        first = await provide("https://api")
        clock.now += 45 * 60
        return [first, await provide("https://api")]

    assert run(scenario()) == ["token-1", "token-2"]
