"""A value a rule compares is read however the IAM reads of its secret were started first.

While a deploy in progress is waited for (`SecretChecks.waiting`), each workload described
starts the IAM reads its references' access needs (`_prefetch`, one task per reference). A
workload described after it whose rule compares the value of that same reference (a
`min_length`, a `same_as`) asks for the value (`SecretReads.read_value`). The two were one
task key, `("access", ref)`: the value read found the IAM task "started already" and was
never made, so `min_length` was not judged and nothing said so — a secret too short went
unreported, the check clean (SPEC: incomplete never looks clean)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.live.resolve import SecretChecks
from drift.live.session import Access, Session
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.refs import SecretRef
from drift.settings import load_settings
from tests.conftest import MakeSandbox

SA = "api@p.iam.gserviceaccount.com"
PROFILE = (
    "project: p\nregion: us-central1\nservices:\n"
    "  worker: {}\n"
    "  api:\n    env:\n      JWT: {secret: jwt, min_length: 32}\n"
)


def _service(var: str) -> dict[str, Any]:
    return {"template": {"image": "x/a:1", "service_account": SA, "env": {var: {"secret": "jwt"}}}}


def _world(**more: Any) -> dict[str, Any]:
    services = {"worker": _service("JWT"), "api": _service("JWT"), **more}
    project = {
        "number": 5,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]},
        "secrets": {"jwt": {"versions": ["fake-short-jwt-1"]}},
        "services": services,
    }
    return {"projects": {"p": project}}


def test_a_value_is_read_when_the_iam_reads_of_its_reference_started_first(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    profile = load_profile(tmp_path, "prod")
    worker, api = profile.services["worker"], profile.services["api"]

    async def read() -> LiveState:
        async with Session(Access()) as session:
            described = await session.read(profile, ["worker", "api"])
            state = LiveState(services=dict(described.services))
            checks = SecretChecks(session.clients, session.runner, "p", state)
            checks.expect([worker, api])
            checks.waiting()  # a third workload is mid-deploy: IAM reads start per workload
            checks.described(worker, state.services["worker"])  # its IAM reads of jwt start
            checks.described(api, state.services["api"])  # min_length reads jwt's value
            await checks.resolve([worker, api])
            return state

    state = asyncio.run(read())
    ref = SecretRef("jwt")
    assert state.values.get(ref) == "fake-short-jwt-1", "the value min_length compares"


def test_a_min_length_is_judged_beside_a_deploy_in_progress(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same end to end: `slow` is mid-deploy (never settles: polled until --wait ends),
    `worker` references jwt and is described first, `api`'s min_length reads jwt's value. The
    report said only "deploy in progress" of slow; api's too-short secret was not reported."""
    slow = {"image": "x/s:1", "service_account": SA}
    deploying = {"template": {**slow, "image": "x/s:2"}, "settles_in": None}
    sandbox = make_sandbox(_world(slow={"template": slow, "deploying": deploying}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(PROFILE.replace("services:\n", "services:\n  slow: {}\n"))
    result = asyncio.run(run_check(load_profile(tmp_path, "prod"), load_settings(wait=0.3)))
    (short,) = [f for f in result.report.findings if f.rule == "env.constraint"]
    assert short.service == "api" and short.target == "env.JWT"
