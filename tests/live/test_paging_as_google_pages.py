"""List calls paged the way AIP-158 (google.aip.dev/158) allows and the way an unlucky or buggy
server pages them (revpaging, session 2026-11-30g). These are REVIEW REPROS: each one fails
on main and names what drift should do instead.

AIP-158: "The API may return fewer results than the number requested (including zero
results), even if not at the end of the collection"; "If the end of the collection has not
been reached (or if the API can not determine in time), the API must provide a
next_page_token"; page tokens are opaque and the guide promises no consistency across pages
while the collection changes. The sandbox pages with offset tokens over a sorted snapshot,
always full pages, so none of these shapes happen there on their own: each test replaces the
sandbox module's `paginate` (as tests/live/test_page_tokens.py does) with a server that pages
in one of those ways."""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.sandbox.run_api as run_api
import drift.sandbox.secrets_api as secrets_api
from drift.check import CheckResult, run_check
from drift.history.read import read_history
from drift.live.api import LIST_PAGE_SIZE
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox

SA = "api@p.iam.gserviceaccount.com"
GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}


def _offset(token: str) -> int:
    return int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def offset_pages_losing_the_first_item(size: int) -> Any:
    """An offset-token server (a page = `size` items from the offset) whose collection loses its
    first item once the first page was answered: another team deleted a resource while drift
    was listing. Every item after it moves up by one, so the one that moves across the page
    boundary is on no page at all."""
    answered = itertools.count()

    def paginate(
        items: Sequence[Any], page_size: int, page_token: str, **_: Any
    ) -> tuple[Any, str]:
        if next(answered) > 0:
            items = items[1:]
        start = _offset(page_token)
        end = start + size
        return items[start:end], _token(end) if end < len(items) else ""

    return paginate


def offset_pages_gaining_a_newest_item(size: int) -> Any:
    """An offset-token server listing newest first, in which a new item (a deploy that landed
    during the listing) takes the head once the first page was answered: the last item of each
    page appears again at the top of the next."""

    def paginate(
        items: Sequence[Any], page_size: int, page_token: str, **_: Any
    ) -> tuple[Any, str]:
        start = _offset(page_token)
        shifted = [None, *items] if start else list(items)  # None: the new one, never reached
        end = start + size
        page = [i for i in shifted[start:end] if i is not None]
        return page, _token(end) if end < len(shifted) else ""

    return paginate


def fresh_token_every_page() -> Any:
    """A server (or a proxy in front of it, dropping the `pageToken` query parameter) that
    answers the first page whatever token it is sent, with a new token each time: every token
    is different, so a check for a repeated token never fires."""
    counter = itertools.count(1)

    def paginate(
        items: Sequence[Any], page_size: int, page_token: str, **_: Any
    ) -> tuple[Any, str]:
        return items[:1], _token(next(counter))

    return paginate


def empty_pages_forever() -> Any:
    """AIP-158 lets each page be empty with a token ("if the API can not determine in time");
    a server stuck that way answers empty pages with new tokens without end."""
    counter = itertools.count(1)

    def paginate(
        items: Sequence[Any], page_size: int, page_token: str, **_: Any
    ) -> tuple[Any, str]:
        return [], _token(next(counter))

    return paginate


def check(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, folder: Path, text: str, timeout: float
) -> CheckResult:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (folder / "prod.yaml").write_text(text)
    sandbox.clear_calls()
    settings = load_settings(wait=0, call_timeout=5.0, retry_budget=2.0)
    work = run_check(load_profile(folder, "prod"), settings)
    return asyncio.run(asyncio.wait_for(work, timeout))


def services(*names: str) -> dict[str, Any]:
    return {"projects": {"p": {"number": 5, "region": "us-central1",
                               "services": {n: {} for n in names}}}}  # fmt: skip


def secret_world(*, expire_in: str | None = None, **project: Any) -> dict[str, Any]:
    """`api` (run as SA) uses secret `s`; the project holds `a`, `b` and `s` (`s` expiring in
    `expire_in` if given), with `project`'s other keys (an IAM policy)."""
    env = [{"name": "S", "valueSource": {"secretKeyRef": {"secret": "s", "version": "latest"}}}]
    template = {"serviceAccount": SA, "containers": [{"name": "app", "image": "x/api:1",
                "ports": [{"containerPort": 8080}], "env": env}]}  # fmt: skip
    s: dict[str, Any] = {"versions": ["fake-s-value-ssssssss"]}
    if expire_in is not None:
        s["expire_in"] = expire_in
    secrets = {
        "a": {"versions": ["fake-a-value-aaaaaaaa"]},
        "b": {"versions": ["fake-b-value-bbbbbbbb"]},
        "s": s,
    }
    services = {"api": {"template": template}}
    return {"projects": {"p": {"number": 5, "secrets": secrets, "services": services, **project}}}


API_PROFILE = "project: p\nregion: us-central1\nservices:\n  api: {}\n"


# -- F1: a service that exists, reported missing --------------------------------------------


def test_a_service_skipped_by_the_pages_is_not_reported_missing(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`web` exists all along; `aaa` (no profile names it) is deleted while drift lists, and
    `web` moves across the page boundary onto no page. drift turns a List's silence into
    `service.missing` (exit 1) without asking GetService once: it should confirm absence (one
    GetService per profiled service the List did not bring) before calling it missing."""
    sandbox = make_sandbox(services("aaa", "api", "web"))
    monkeypatch.setattr(run_api, "paginate", offset_pages_losing_the_first_item(2))
    text = "project: p\nregion: us-central1\nservices:\n  api: {}\n  web: {}\n"
    report = check(sandbox, monkeypatch, tmp_path, text, timeout=60).report
    missing = [f for f in report.findings if f.service == "web"]
    assert not missing, [f"{f.rule} {f.message}" for f in missing]


def test_history_of_a_service_skipped_by_the_pages_is_not_said_to_be_gone(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same listing through `drift history` (drift/history/read.py `_kind`): `web`, on no
    page, is asked for with GetService, not called "does not exist"."""
    sandbox = make_sandbox(services("aaa", "api", "web"))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api: {}\n  web: {}\n"
    )
    # history lists revisions while it lists services: only the services' pages lose one
    lose, whole = offset_pages_losing_the_first_item(2), run_api.paginate

    def paginate(items: Sequence[Any], page_size: int, page_token: str, **kw: Any) -> Any:
        of_services = bool(items) and isinstance(getattr(items[0], "pb", None), run_v2.Service.pb())
        return (lose if of_services else whole)(items, page_size, page_token, **kw)

    monkeypatch.setattr(run_api, "paginate", paginate)
    sandbox.clear_calls()
    profile = load_profile(tmp_path, "prod")
    result = asyncio.run(asyncio.wait_for(read_history(profile, load_settings()), 60))
    assert result.complete, [u.reason for u in result.unread]
    assert sorted(h.service for h in result.services) == ["api", "web"]
    counts = sandbox.call_counts()
    assert counts["GetService"] == 1, counts  # web only: api was listed


# -- F2: an expiring secret the pages skipped ------------------------------------------------


def test_an_expiring_secret_skipped_by_the_pages_is_still_checked(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`s` expires in two days and `api` uses it. `a` is deleted while ListSecrets is paged,
    and `s` falls between two pages. drift takes a secret's expiry from the list only when the
    list was read to the end (`drift/live/secrets.py` `_secret`): a secret absent from it gets
    no GetSecret, no `secret.expiring`, and no unverified line — a clean report (exit 0) for a
    secret two days from deletion, though GetSecretVersion just proved that it exists."""
    sandbox = make_sandbox(secret_world(expire_in="2d", iam=GRANT))
    monkeypatch.setattr(secrets_api, "paginate", offset_pages_losing_the_first_item(2))
    report = check(sandbox, monkeypatch, tmp_path, API_PROFILE, timeout=60).report
    rules = [f.rule for f in report.findings]
    unverified = [u.target for u in report.unverified]
    assert "secret.expiring" in rules or "secret.s" in unverified, (rules, unverified)


# -- F3: a list without end -------------------------------------------------------------------


@pytest.mark.parametrize(
    "server", [fresh_token_every_page, empty_pages_forever], ids=["same-page", "empty-pages"]
)
def test_a_list_whose_tokens_never_end_is_bounded(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server: Any
) -> None:
    """`drift/live/api.py` `pages` stops only at an empty token or a token seen before: a
    server that answers a new token every time (the first page again: page_token ignored, or
    nothing: "cannot determine in time") is followed without end — ListServices calls without
    bound, `check` never returns. A list has a known ceiling (Cloud Run keeps at most 1,000
    services a region, 1,000 revisions a service): past it, or after a run of pages that bring
    nothing new, the list should fail as INVALID_RESPONSE like the repeated token does."""
    sandbox = make_sandbox(services("api", "web"))
    monkeypatch.setattr(run_api, "paginate", server())
    text = "project: p\nregion: us-central1\nservices:\n  api: {}\n  web: {}\n"
    try:
        report = check(sandbox, monkeypatch, tmp_path, text, timeout=20).report
    except TimeoutError:
        pytest.fail(
            f"check still listing after 20 s: {sandbox.call_counts()['ListServices']} pages"
        )
    # failed as a repeated token fails: `web`, which no page brought, unverified, naming the
    # call (exit 3); `api` (on the pages read) is read from them
    assert int(report.exit_code) == 3
    unverified = {u.service: u.reason for u in report.unverified}
    assert set(unverified) == {"web"} | ({"api"} if server is empty_pages_forever else set())
    assert all("ListServices" in r and "never end" in r for r in unverified.values()), unverified


# -- F4: a revision listed twice -------------------------------------------------------------


def test_a_revision_on_two_pages_is_one_entry_of_the_history(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A deploy lands while `drift history` pages ListRevisions (newest first, offset tokens):
    the last revision of page one is the first of page two. `revisions_of`
    (`drift/live/history.py`) appends every page (`listed += response.revisions`) with no
    dedupe by name (the workload lists key by name, so they do dedupe): the history shows that
    revision twice."""
    history = [{"env": {"MODE": str(n)}, "created": f"{10 - n}d"} for n in range(1, 6)]
    api = {"template": {"env": {"MODE": "6"}}, "history": history}
    world = {"projects": {"p": {"number": 5, "region": "us-central1", "services": {"api": api}}}}
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text("project: p\nregion: us-central1\nservices:\n  api: {}\n")
    monkeypatch.setattr(run_api, "paginate", offset_pages_gaining_a_newest_item(2))
    profile = load_profile(tmp_path, "prod")
    result = asyncio.run(asyncio.wait_for(read_history(profile, load_settings()), 60))
    (entry,) = result.services
    names = [e.name for e in entry.revisions]
    assert len(names) == len(set(names)), names


# -- F5: the page size of the workload lists ----------------------------------------------------


def test_a_region_of_1000_services_is_one_list_services(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Cloud Run keeps up to 1,000 services a region; ListServicesRequest.page_size documents
    no maximum ("Maximum number of Services to return in this call", run/v2 service.proto) and
    AIP-158 has a server coerce a larger one down. drift asked for 500 (`LIST_PAGE_SIZE`,
    drift/live/api.py), so a full region costs two ListServices where one can do, and the
    benchmark's "lower bound" is computed with drift's own 500 (benchmarks/measure.py), so it
    cannot see it. ListRevisions already asks for 1,000 for the same reason."""
    names = [f"s{i:04d}" for i in range(1000)]
    sandbox = make_sandbox(services(*names))
    text = "project: p\nregion: us-central1\nservices:\n  s0000: {}\n  s0999: {}\n"
    check(sandbox, monkeypatch, tmp_path, text, timeout=120)
    assert sandbox.call_counts()["ListServices"] == 1, (LIST_PAGE_SIZE, sandbox.call_counts())
