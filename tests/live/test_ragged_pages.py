"""check, history and `since` against a sandbox that pages the way AIP-158 (google.aip.dev/158)
lets Google page — option `pages: ragged` (docs/sandbox.md): "The API may return fewer results
than the number requested (including zero results), even if not at the end of the collection";
"If the end of the collection has not been reached (or if the API can not determine in time),
the API must provide a next_page_token". Every List (services, revisions, secrets) then answers
at most 2 items a page, each page followed by an empty one with a token, the last one's too:
drift must read the same world as from full pages — same findings, same `since`, same history,
nothing unverified, nothing missing that exists."""

from __future__ import annotations

import asyncio
import base64
import re
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult, run_check
from drift.history.read import read_history
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.sandbox.rpc import paginate
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.test_since import API_KEEP, acme_world

SA = "api@acme.iam.gserviceaccount.com"
CI = "ci-deployer@acme.iam.gserviceaccount.com"
ENV = [
    {"name": "KEY", "valueSource": {"secretKeyRef": {"secret": "s", "version": "latest"}}},
    {"name": "KEEP", "value": "k"},
]


def world(pages: str) -> dict[str, Any]:
    history = [
        {"env": {"REMOVED": "x"}, "created": "90d", "creator": "alice@acme.example"},
        {"env": {"REMOVED": "x"}, "created": "60d", "creator": CI},
        {"created": "30d", "creator": CI, "client": "gcloud", "client_version": "467.0.0"},
        {"created": "10d", "creator": CI},
    ]
    template = {"serviceAccount": SA, "containers": [{"name": "app", "image": "img:5",
                "ports": [{"containerPort": 8080}], "env": ENV}]}  # fmt: skip
    services: dict[str, Any] = {"api": {"template": template, "history": history}}
    services |= {f"svc{i}": {"template": {"image": "img:1", "env": {"A": "1"}}} for i in range(5)}
    secrets = {f"other{i}": {"versions": [f"fake-other-{i}-value-xx"]} for i in range(4)}
    secrets["s"] = {"versions": ["fake-s-value-ssssssss"], "expire_in": "2d"}
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
    out = acme_world(services, iam=grant, secrets=secrets)
    out["options"]["pages"] = pages
    return out


PROFILE = (
    API_KEEP
    + """\
  svc0: {}
  svc3: {}
  ghost: {}
"""
)


def run(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pages: str
) -> tuple[CheckResult, list[str], Sandbox]:
    sandbox = make_sandbox(world(pages))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / pages
    folder.mkdir()
    (folder / "prod.yaml").write_text(PROFILE)
    profile = load_profile(folder, "prod")
    settings = load_settings(wait=0, history=True)
    result = asyncio.run(asyncio.wait_for(run_check(profile, settings), 60))
    histories = asyncio.run(
        asyncio.wait_for(read_history(profile, settings, services=["api"], limit=None), 60)
    )
    (entry,) = histories.services
    return result, [e.name for e in entry.revisions], sandbox


def seen(result: CheckResult) -> list[tuple[Any, ...]]:
    """The findings, each with its `since` (but its time: each sandbox's clock is its own, and
    an expiry's minute may differ between the two runs)."""
    return sorted(
        (f.rule, f.service, f.target, _CLOCK.sub("HH:MM", f.message), _since(f.since))
        for f in result.report.findings
    )


_CLOCK = re.compile(r"\b\d\d:\d\d\b")


def _since(since: Any) -> tuple[Any, ...] | None:
    if since is None:
        return None
    return (since.revision, since.creator, since.client, since.last_good, since.earlier)


def test_check_history_and_since_read_ragged_pages_as_full_ones(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    full, full_history, _ = run(make_sandbox, monkeypatch, tmp_path, "full")
    ragged, ragged_history, sandbox = run(make_sandbox, monkeypatch, tmp_path, "ragged")
    counts = sandbox.call_counts()
    # the option took effect: 6 services in pages of 2 with an empty page after each
    assert counts["ListServices"] >= 6 and counts["ListSecrets"] >= 6, counts
    assert seen(ragged) == seen(full)
    assert [u.target for u in ragged.report.unverified] == []
    assert int(ragged.report.exit_code) == int(full.report.exit_code)
    rules = {(f.rule, f.service) for f in ragged.report.findings}
    assert {("service.missing", "ghost"), ("secret.expiring", "api")} <= rules, rules
    (removed,) = [f for f in ragged.report.findings if f.target == "env.REMOVED"]
    assert removed.since is not None and removed.since.revision.startswith("api-00003-")
    assert ragged_history == full_history and len(set(ragged_history)) == 5, ragged_history


def _decode(token: str) -> str:
    return base64.urlsafe_b64decode(token.encode()).decode() if token else ""


def test_ragged_pages_are_short_then_empty_with_a_token_to_the_end() -> None:
    items = list("abcde")
    got: list[tuple[str, str]] = []
    token = ""
    for _ in range(20):
        page, token = paginate(items, 100, token, shape="ragged")
        got.append(("".join(page), _decode(token)))
        if not token:
            break
    assert got == [
        ("ab", "e:2"), ("", "o:2"), ("cd", "e:4"), ("", "o:4"), ("e", "e:5"), ("", ""),
    ]  # fmt: skip
    assert paginate([], 100, "", shape="ragged") == ([], "")
    assert paginate(items, 1, "", shape="ragged") == (
        ["a"],
        base64.urlsafe_b64encode(b"e:1").decode(),
    )
