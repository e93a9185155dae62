"""A List answer whose `next_page_token` never changes (a server bug, a proxy replaying a page):
AIP-158 defines it as the token of the *next* page, so following it again would never end.
Every list drift follows (ListServices, ListSecrets, ListRevisions) stops at the repeat with one
INVALID_RESPONSE reason, and what it was reading is unverified (exit 3), never an endless run.
The sandbox has no fault for this, so its paging is made to answer the same token every page."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import pytest

import drift.sandbox.run_api as run_api
import drift.sandbox.secrets_api as secrets_api
from drift.check import run_check
from drift.errors import ApiError, ExitCode
from drift.history.read import read_history
from drift.live.session import Session
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO

REPEATED = "the server repeated a page token"
T = TypeVar("T")


def repeat_tokens(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    """Every list of `module` answers everything, and "there is more" under the same token."""

    def paginate(
        items: Sequence[Any], page_size: int, page_token: str, **_: Any
    ) -> tuple[Any, str]:
        return items, "c2FtZQ"

    monkeypatch.setattr(module, "paginate", paginate)


def settings():  # type: ignore[no-untyped-def]
    return load_settings(call_timeout=5.0, retry_budget=3.0)


def repeating(monkeypatch: pytest.MonkeyPatch, module: Any) -> Profile:
    """The e2e profile, the lists of `module` answering the same token every page."""
    repeat_tokens(monkeypatch, module)
    return load_profile(REPO / "profiles", "e2e")


def ended(work: Coroutine[Any, Any, T]) -> T:
    """`work`, which must end within a minute (an endless list would not)."""
    return asyncio.run(asyncio.wait_for(work, 60))


@pytest.mark.usefixtures("sandbox_env")
def test_list_services_repeating_its_token_fails_the_list(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    repeat_tokens(monkeypatch, run_api)

    async def listed() -> None:
        async with Session(settings().access()) as session:
            await session.list_services("acme-chat-staging", "us-central1")

    with pytest.raises(ApiError) as caught:
        ended(listed())
    assert (caught.value.call, caught.value.status) == ("ListServices", "INVALID_RESPONSE")
    assert REPEATED in caught.value.detail
    assert sandbox.call_counts()["ListServices"] == 2


@pytest.mark.usefixtures("sandbox_env")
def test_check_keeps_what_the_pages_brought_when_the_list_repeats_its_token(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check keeps what the pages read before the repeat brought (here every service: the
    first page holds them all), and asks for none of them again."""
    profile = repeating(monkeypatch, run_api)
    result = ended(run_check(profile, settings()))
    counts = sandbox.call_counts()
    assert counts["ListServices"] == 2 and counts["GetService"] == 0
    assert not result.report.unverified, result.report.unverified
    assert any("ListRevisions" in n and "INVALID_RESPONSE" in n for n in result.report.notes)


@pytest.mark.usefixtures("sandbox_env")
def test_list_revisions_repeating_its_token_is_unread(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = repeating(monkeypatch, run_api)
    result = ended(read_history(profile, settings(), services=["web"]))
    assert sandbox.call_counts()["ListRevisions"] == 2
    (unread,) = result.unread
    assert "ListRevisions" in unread.reason and REPEATED in unread.reason, unread


@pytest.mark.usefixtures("sandbox_env")
def test_list_secrets_repeating_its_token_ends(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ListSecrets only says which secrets exist (and when they expire): after the repeat,
    each secret is read by GetSecret, as after any failed list, and the run ends."""
    result = ended(run_check(repeating(monkeypatch, secrets_api), settings()))
    counts = sandbox.call_counts()
    assert counts["ListSecrets"] == 2 and counts["GetSecret"] > 0
    assert result.report.exit_code is not ExitCode.OK  # the e2e world drifts
