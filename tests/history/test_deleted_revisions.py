"""Deleted revisions (rev99-deleted, helper-576 F1/F2): drift lists a service's revisions
without `show_deleted`. A deleted revision a listing returned with it ("If true, returns deleted
(but unexpired) resources along with active ones", ListRevisionsRequest) could not be told
from one that exists: Revision.delete_time is "only populated as a response to a Delete
request" (run v2 revision.proto), and the sandbox's `listed` lists it so, unmarked. Whether
Cloud Run lists any is not documented: the sandbox does either (`options.deleted_revisions`),
and drift answers alike under both: the gap is said, the drift began "or earlier", the last
good is one that exists."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions

from drift.errors import InputError
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox

CI = "ci@acme.iam.gserviceaccount.com"
ALICE = "alice@acme.example"
BAD, GOOD = {"MODE": "bad"}, {"MODE": "good"}
PARENT = "projects/acme/locations/us-central1/services/api"
PROFILE = """
project: acme
region: us-central1
services:
  api: {env: {MODE: good}}
"""
GAP = "revisions 00002–00003 are not listed (deleted, or numbers Cloud Run skipped)"


def revision(n: int, env: dict[str, str], **more: Any) -> dict[str, Any]:
    return {
        "env": env,
        "creator": ALICE if n == 3 else CI,
        "client": "gcloud",
        "client_version": f"4{n:02d}.0.0",
        "created": f"{(6 - n) * 2}d",
        **more,
    }


def scenario(deleted: str) -> dict[str, Any]:
    """api: MODE good in 00001 and 00002, bad since 00003 (alice); 00002 and 00003 deleted a
    day ago by a clean-up; 00004 and the template (00005) bad."""
    history = [
        revision(1, GOOD),
        revision(2, GOOD, deleted="1d"),
        revision(3, BAD, deleted="1d"),
        revision(4, BAD),
    ]
    region = {
        "number": 111,
        "region": "us-central1",
        "services": {"api": {"template": {"env": BAD}, "history": history}},
    }
    return {"options": {"seed": 3, "deleted_revisions": deleted}, "projects": {"acme": region}}


@pytest.fixture(params=["listed", "gone"])
def mode(request: pytest.FixtureRequest) -> str:
    """`options.deleted_revisions`: Cloud Run documents neither."""
    return str(request.param)


@pytest.fixture
def world(
    mode: str, make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Sandbox:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(textwrap.dedent(PROFILE))
    return make_sandbox(scenario(mode))


def run(world: Sandbox, *args: str) -> Any:
    done = drift(*args, env=world.environ(), cwd=Path.cwd())
    assert "Traceback" not in done.stderr, done.stderr
    return done


def check_json(world: Sandbox) -> dict[str, Any]:
    done = run(world, "check", "prod", "--format", "json")
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def since_of(document: dict[str, Any]) -> dict[str, Any]:
    found = [f for f in document["findings"] if f["target"] == "env.MODE"]
    assert len(found) == 1 and found[0]["since"] is not None, found
    since: dict[str, Any] = found[0]["since"]
    return since


# -- the sandbox ------------------------------------------------------------------------------


def test_a_deleted_revision_is_listed_only_with_show_deleted_and_never_got(
    mode: str, world: Sandbox, clients_for: ClientsFor
) -> None:
    """ListRevisions returns a deleted revision only with `show_deleted` and where the option
    lists deleted ones, with no `delete_time` nor `expire_time` (as revision.proto documents
    them: "only populated as a response to a Delete request"); GetRevision answers NOT_FOUND
    (GetRevisionRequest has no `show_deleted`)."""
    from google.cloud import run_v2

    clients = clients_for(world)
    active = list(clients.revisions.list_revisions(parent=PARENT))
    four = next(r for r in active if "-00004-" in r.name)
    clients.revisions.delete_revision(name=four.name).result(timeout=10)
    asked = run_v2.ListRevisionsRequest(parent=PARENT, show_deleted=True)
    shown = {r.name.rsplit("/", 1)[-1][:9]: r for r in clients.revisions.list_revisions(asked)}
    plain = {r.name.rsplit("/", 1)[-1][:9] for r in clients.revisions.list_revisions(parent=PARENT)}
    assert plain == {"api-00001", "api-00005"}
    if mode == "listed":
        assert set(shown) == {f"api-0000{n}" for n in range(1, 6)}
        for name in ("api-00002", "api-00003", "api-00004"):
            gone = shown[name]
            assert not gone.delete_time and not gone.expire_time, gone
    else:
        assert set(shown) == plain
    with pytest.raises(exceptions.NotFound):
        clients.revisions.get_revision(name=four.name)


def test_a_scenario_cannot_delete_a_revision_that_serves(make_sandbox: MakeSandbox) -> None:
    """`deleted:` on a revision DeleteRevision would refuse ("Only retired revisions can be
    deleted"): here one the traffic names. One clear scenario error."""
    world = scenario("listed")
    service = world["projects"]["acme"]["services"]["api"]
    service["traffic"] = [{"revision": 2, "percent": 100}]
    with pytest.raises(InputError) as caught:
        make_sandbox(world)
    assert "revision api-00002-" in str(caught.value) and "cannot be deleted" in str(caught.value)


# -- drift check: since ----------------------------------------------------------------------


def test_check_does_not_ask_for_the_deleted_ones(world: Sandbox) -> None:
    """One ListRevisions per service, without `show_deleted` (d2d1f54a asked for them)."""
    world.clear_calls()
    check_json(world)
    calls = [c for c in world.calls if c.short == "ListRevisions"]
    assert [(c.request.show_deleted, c.request.page_size) for c in calls] == [(False, 1000)]


def test_since_is_alike_whether_or_not_cloud_run_would_list_deleted_ones(
    mode: str, world: Sandbox
) -> None:
    """Since 00004 or earlier, the gap said, last good 00001 (d2d1f54a, `listed` and unmarked:
    since 00003 and last good 00002, a revision that no longer exists)."""
    since = since_of(check_json(world))
    assert since["revision"].startswith("api-00004-") and since["earlier"]
    assert since["last_good"].startswith("api-00001-")
    assert since["note"] == GAP


def test_check_table_says_the_gap(mode: str, world: Sandbox) -> None:
    done = run(world, "check", "prod")
    assert done.returncode == 1, done.stderr
    line = next(x for x in done.stdout.splitlines() if "since api-" in x)
    assert "since api-00004-" in line and "or earlier" in line and GAP in line


def test_a_deleted_revision_is_never_what_serves_nor_a_canary_neighbour(
    mode: str, world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a check keeps (`drift.live.history.Revisions`) holds only the revisions that
    exist: never one to roll back or pin to."""
    import asyncio

    from drift.check import run_check
    from drift.live.history import Revisions
    from drift.profiles.loader import load_profile
    from drift.settings import load_settings

    for key, value in world.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(Path("profiles"), "prod")
    state = asyncio.run(run_check(profile, load_settings(wait=0))).state
    records = state.history["api"]
    assert isinstance(records, Revisions)
    assert [r.name[:9] for r in records] == ["api-00001", "api-00004", "api-00005"]
    assert [r.name[:9] for r in records.every] == ["api-00001", "api-00004", "api-00005"]
    assert all(r.deleted is None for r in records.every)


# -- drift history ----------------------------------------------------------------------------


def entries(world: Sandbox) -> dict[str, dict[str, Any]]:
    done = run(world, "history", "prod", "--limit", "0", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    return {e["revision"][:9]: e for e in document["services"][0]["revisions"]}


def test_history_shows_the_gap_not_the_deleted_revisions(mode: str, world: Sandbox) -> None:
    shown = entries(world)
    assert set(shown) == {"api-00001", "api-00004", "api-00005"}
    assert shown["api-00004"]["unlisted_before"] == GAP
    assert all(e["deleted"] is None for e in shown.values())
    done = run(world, "history", "prod", "--limit", "0")
    assert done.returncode == 0 and GAP in done.stdout, done.stdout
    heads = [x.strip() for x in done.stdout.splitlines() if x.strip().startswith("api-0000")]
    assert not [h for h in heads if " deleted " in f" {h} "], heads
