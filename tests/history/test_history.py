"""`drift history` end to end against the sandbox: what each revision changed, who made it
with which client, what serves, one ListRevisions per service, every format, and exit codes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.history.formats import HistoryFormat
from drift.history.model import Action, Change, HistoryResult, Kind, RevisionEntry
from drift.history.read import read_history
from drift.profiles.loader import load_profile
from drift.redact import CHANGED, MASK
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.cliutil import drift
from tests.conftest import ClientsFor
from tests.history.conftest import CI, unescaped

PROJECT = "acme"


def history(env: str = "prod", **options: object) -> HistoryResult:
    profile = load_profile(Path("profiles"), env)
    return asyncio.run(read_history(profile, load_settings(), **options))  # type: ignore[arg-type]


def api(result: HistoryResult) -> tuple[RevisionEntry, ...]:
    return next(s for s in result.services if s.service == "api").revisions


def run(world: Sandbox, *args: str) -> tuple[int, str, str]:
    done = drift(*args, env=world.environ(), cwd=Path.cwd())
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def test_revisions_newest_first_with_who_and_which_client(world: Sandbox) -> None:
    result = history()
    entries = api(result)
    assert [e.name[:9] for e in entries] == [f"api-0000{n}" for n in (5, 4, 3, 2, 1)]
    times = [e.create_time for e in entries]
    assert None not in times and times == sorted(times, reverse=True)  # type: ignore[type-var]
    assert [(e.creator, e.client) for e in entries] == [
        ("deployer@acme.iam.gserviceaccount.com", "gcloud 467.0.0"),
        (CI, "gcloud 466.0.0"),
        ("bob@acme.example", "cloud-console"),
        (CI, "gcloud 465.0.0"),
        ("alice@acme.example", "gcloud 460.0.0"),
    ]
    assert entries[-1].changes is None  # the oldest listed: nothing to compare with
    assert result.exit_code == 0 and result.complete


def test_a_variable_removed_three_deploys_ago_by_a_ci_service_account(world: Sandbox) -> None:
    removed_in = api(history())[3]
    assert removed_in.changes == (
        Change(Kind.ENV, Action.REMOVED, "env.REMOVED", "x", None, "app"),
    )
    assert (removed_in.creator, removed_in.client) == (CI, "gcloud 465.0.0")
    # the same deploy `since` names for the missing variable
    profile = load_profile(Path("profiles"), "prod")
    report = asyncio.run(run_check(profile, load_settings(wait=0))).report
    missing = next(f for f in report.findings if f.target == "env.REMOVED")
    assert missing.since is not None and missing.since.revision == removed_in.name


def test_secrets_repointed_in_env_and_in_a_mounted_volume(world: Sandbox) -> None:
    changes = {c.target: c for c in api(history())[2].changes or ()}
    assert changes["env.DB_PASSWORD"] == Change(
        Kind.ENV, Action.REPOINTED, "env.DB_PASSWORD", "secret db-pass:1", "secret db-pass:2", "app"
    )
    assert changes["mount./etc/creds/key.json"] == Change(
        Kind.MOUNT,
        Action.REPOINTED,
        "mount./etc/creds/key.json",
        "secret creds:1",
        "secret creds:2",
        "app",
    )
    # a plain value the profile expects to be a secret, then made one: the old value masked
    seed = changes["env.SESSION_SEED"]
    assert (seed.action, seed.before, seed.after) == (
        Action.CHANGED,
        MASK,
        "secret session-seed:latest",
    )
    # a plain credential (a URL with a password) removed: masked as findings mask it
    assert (changes["env.DATABASE_URL"].action, changes["env.DATABASE_URL"].before) == (
        Action.REMOVED,
        MASK,
    )
    assert len(changes) == 4


def test_a_setting_and_an_image_changed(world: Sandbox) -> None:
    assert api(history())[1].changes == (
        # a plain copy of a value the profile wants secret: masked like it (a single word)
        Change(Kind.ENV, Action.REMOVED, "env.SEED_COPY", MASK, None, "app"),
        Change(Kind.IMAGE, Action.CHANGED, "image", "img/app:1", "img/app:2", "app"),
        Change(Kind.SETTING, Action.CHANGED, "setting.timeout", "300s", "600s"),
    )


def test_a_sidecar_variable_and_new_plain_values(world: Sandbox) -> None:
    changes = {c.target: c for c in api(history())[0].changes or ()}
    assert changes["env.OTEL_LEVEL"] == Change(
        Kind.ENV, Action.CHANGED, "env.OTEL_LEVEL", "info", "debug", "otel"
    )
    token = changes["env.API_TOKEN"]  # looks like a GitHub token: never shown
    assert (token.action, token.before, token.after) == (Action.ADDED, None, MASK)
    assert changes["env.LOG_FORMAT"].before == "json"
    assert set(changes) == {"env.OTEL_LEVEL", "env.API_TOKEN", "env.LOG_FORMAT"}


def test_a_plain_credential_changed_shows_only_that_it_changed(world: Sandbox) -> None:
    world.deploy("acme", "api", env={"API_TOKEN": "ghp_" + "Z" * 36})
    change = next(c for c in api(history())[0].changes or () if c.target == "env.API_TOKEN")
    assert (change.action, change.before, change.after) == (Action.CHANGED, MASK, CHANGED)


def test_which_revisions_serve_or_are_tagged(world: Sandbox) -> None:
    entries = api(history())
    assert [(e.percent, e.tags) for e in entries] == [
        (90, ()),
        (10, ()),
        (0, ("e2e",)),
        (0, ()),
        (0, ()),
    ]
    code, out, _ = run(world, "history", "prod", "--service", "api")
    assert code == 0
    lines = out.splitlines()
    for entry, mark in zip(entries, ("serving 90%", "serving 10%", "tag e2e"), strict=False):
        (line,) = [li for li in lines if li.strip().startswith(entry.name)]
        assert line.rstrip().endswith(mark), line
    (oldest,) = [li for li in lines if li.strip().startswith(entries[-1].name)]
    assert "serving" not in oldest and "tag" not in oldest


def test_limit_shows_the_newest_and_says_how_many_more(world: Sandbox) -> None:
    result = history(limit=2)
    (shown, listed) = next(
        (len(s.revisions), s.listed) for s in result.services if s.service == "api"
    )
    assert (shown, listed) == (2, 5)
    # the oldest shown still says what it changed: the one before it was read
    assert api(result)[-1].changes is not None
    code, out, _ = run(world, "history", "prod", "--service", "api", "--limit", "2")
    assert code == 0 and "api · 2 of 5 revisions" in out and "--limit" in out
    code, out, _ = run(world, "history", "prod", "--limit", "0", "--format", "json")
    document = json.loads(out)
    assert document["limit"] is None
    assert {s["service"]: (s["shown"], s["listed"]) for s in document["services"]} == {
        "api": (5, 5),
        "other": (2, 2),
    }


@pytest.mark.parametrize("fmt", list(HistoryFormat))
def test_every_format(world: Sandbox, fmt: HistoryFormat) -> None:
    code, out, _ = run(world, "history", "prod", "--format", fmt.value)
    assert code == 0
    removed = api(history())[3].name
    if fmt is HistoryFormat.JSON:
        document = json.loads(out)
        assert (document["schema"], document["status"], document["exit_code"]) == (
            "drift.history/v1",
            "complete",
            0,
        )
        revisions = document["services"][0]["revisions"]
        entry = next(r for r in revisions if r["revision"] == removed)
        assert entry["creator"] == CI and entry["client"] == "gcloud 465.0.0"
        assert entry["changes"] == [
            {
                "kind": "env",
                "action": "removed",
                "target": "env.REMOVED",
                "container": "app",
                "before": "x",
                "after": None,
            }
        ]
        assert revisions[-1]["changes"] is None and revisions[0]["percent"] == 90
        return
    assert removed in out and "removed env.REMOVED (container app) (was x)" in out
    # the job summary cuts an address's `@` apart: no mail link, no @mention (md_text)
    who = CI.replace("@", "<span>@</span>") if fmt is HistoryFormat.MARKDOWN else CI
    assert f"by {who} via gcloud 465.0.0" in out
    # a hostile live value is shown with its escapes, never sent to the terminal
    shown = "\\\\x1b\\[2K" if fmt is HistoryFormat.MARKDOWN else "\\x1b[2K"  # md escapes \ and [
    assert "\x1b" not in out and "\x07" not in out and shown in out
    assert "\nforged row" not in out


def test_one_list_revisions_per_service_and_one_secret_read(world: Sandbox) -> None:
    world.clear_calls()
    history()
    listed = sorted(
        c.request.parent.rsplit("/", 1)[-1] for c in world.calls if c.short == "ListRevisions"
    )
    assert listed == ["api", "other"]
    counts = world.call_counts()
    # one List, as check reads them; the one value `check` reads for the profile's rules (a
    # plain SESSION_SEED where it expects a reference), and no other secret's
    assert counts == {"ListServices": 1, "ListRevisions": 2, "AccessSecretVersion": 1}


def test_listing_follows_every_page(world: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    import drift.live.history

    monkeypatch.setattr(drift.live.history, "PAGE_SIZE", 2)
    world.clear_calls()
    entries = api(history(services=["api"]))
    assert len(entries) == 5
    pages = [c.request for c in world.calls if c.short == "ListRevisions"]
    assert len(pages) == 3 and pages[0].page_token == "" and all(p.page_token for p in pages[1:])


def test_a_service_that_cannot_be_read_exits_3(world: Sandbox) -> None:
    world.inject(Fault(method="ListRevisions", code="PERMISSION_DENIED", match="services/other"))
    for fmt in HistoryFormat:
        code, out, _ = run(world, "history", "prod", "--format", fmt.value)
        out = unescaped(out) if fmt is HistoryFormat.MARKDOWN else out
        assert code == 3, fmt
        assert "PERMISSION_DENIED" in out and "exit 0" not in out
        if fmt is HistoryFormat.JSON:
            document = json.loads(out)
            assert document["status"] == "incomplete" and document["exit_code"] == 3
            assert [s["service"] for s in document["services"]] == ["api"]
        else:
            assert "incomplete" in out and "could not read other" in out
            assert "removed env.REMOVED" in out  # what could be read is still shown


def test_the_only_service_not_read_is_said_so(world: Sandbox) -> None:
    """helper-835 F5 (failed before): it said "0 of 0 revisions shown in 0 services" of the
    one service asked for."""
    world.inject(Fault(method="ListRevisions", code="PERMISSION_DENIED", match="services/other"))
    code, out, _ = run(world, "history", "prod", "--service", "other")
    assert code == 3 and "0 services" not in out, out
    assert "prod: no history shown; incomplete: could not read other (exit 3)" in out, out


def test_a_missing_service_is_not_a_complete_history(world: Sandbox) -> None:
    code, out, _ = run(world, "history", "ghost")
    assert code == 3
    assert "service ghost does not exist in acme/us-central1" in out and "other ·" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("history", "prod", "--service", "nope"), "unknown service 'nope'"),
        (("history", "prod", "--limit", "-1"), "--limit"),
        (("history", "nope"), "nope"),
        (("history", "prod", "--format", "sarif"), "--format"),
    ],
)
def test_bad_input_exits_2(world: Sandbox, args: tuple[str, ...], says: str) -> None:
    code, out, err = run(world, *args)
    assert code == 2 and says in err, err
    assert not world.call_counts().get("ListRevisions")


def test_a_sidecar_added_by_a_third_party(world: Sandbox, clients_for: ClientsFor) -> None:
    from google.cloud import run_v2

    clients = clients_for(world)
    name = "projects/acme/locations/us-central1/services/api"
    service = clients.services.get_service(name=name)
    proxy = run_v2.Container(
        name="proxy", image="envoy:1.30", env=[run_v2.EnvVar(name="UPSTREAM", value="app:8080")]
    )
    service.template.containers.append(proxy)
    clients.services.update_service(service=service).result(timeout=10)
    changes = api(history())[0].changes
    assert changes == (
        Change(Kind.CONTAINER, Action.ADDED, "container.proxy", None, "envoy:1.30", "proxy"),
        Change(Kind.ENV, Action.ADDED, "env.UPSTREAM", None, "app:8080", "proxy"),
    )


@pytest.mark.parametrize(
    ("reconciling", "state", "shown"),
    [
        (True, "CONDITION_RECONCILING", "deploying"),
        (False, "CONDITION_PENDING", "deploying"),
        (False, "CONDITION_FAILED", "failed"),
        (False, "CONDITION_SUCCEEDED", ""),
    ],
)
def test_a_revision_still_deploying_is_not_called_failed(
    reconciling: bool, state: str, shown: str
) -> None:
    """Revision.reconciling and the Ready condition's transient states (PENDING,
    RECONCILING: "Reconciliation has not … completed yet") are a deploy in progress."""
    from google.cloud import run_v2

    from drift.history.render import serves
    from drift.kinds import Kind as Workload
    from drift.live.history import _record

    ready = run_v2.Condition(type_="Ready", state=run_v2.Condition.State[state])
    revision = run_v2.Revision(
        name="projects/p/locations/r/services/search/revisions/search-00002-vgk",
        reconciling=reconciling,
        conditions=[ready],
    )
    service = run_v2.Service(name="projects/p/locations/r/services/search")
    record = _record(revision, service, None, Workload.SERVICE)
    entry = RevisionEntry(
        record.name, None, "", None, record.ready, 0, (), None, deploying=record.deploying
    )
    assert serves(entry) == shown


def test_revisions_are_listed_without_waiting_for_the_service(world: Sandbox) -> None:
    """ListRevisions' parent is the service's name, which the profile gives: it is asked at
    once, beside the List that tells what serves. That List is answered no sooner than HOLD
    after it arrives, so a ListRevisions that waited for it would arrive HOLD or more after
    it (causality, not a timing target)."""
    hold = 3.0
    world.inject(Fault("ListServices", None, latency_ms=hold * 1000))
    world.clear_calls()
    history()
    calls = list(world.calls)
    [listed] = [c.at for c in calls if c.short == "ListServices"]
    revisions = [c.at for c in calls if c.short == "ListRevisions"]
    assert len(revisions) == 2 and max(revisions) - listed < hold, revisions


def _deploy_after_listing(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch, *, lacking: bool = False, tag: str = ""
) -> None:
    """A deploy of api (100 % to its new revision) lands once its revisions are listed and
    before the service is read (the two run at once: the read is made to come later).
    `lacking`: every listing leaves out the revision that serves now. `tag`: the deploy is a
    `--no-traffic --tag TAG` one instead (its revision reached by its tag alone)."""
    import drift.history.read as read

    real, real_workloads, deployed = read.revisions_of, read._workloads, []

    async def listed_then_deployed(*args: Any, **kw: Any) -> Any:
        out = await real(*args, **kw)
        if args[-1].endswith("/api") and not deployed:
            if tag:
                world.deploy(
                    PROJECT, "api", env={"LANDED_MEANWHILE": "1"}, no_traffic=True, tag=tag
                )
            else:
                world.set_env(PROJECT, "api", "LANDED_MEANWHILE", "1")
            deployed.append(True)
        serving = world.service(PROJECT, "api").latest_ready_revision
        return [r for r in out if r.name != serving] if lacking else out

    async def later(*args: Any, **kw: Any) -> Any:
        await asyncio.sleep(0.3)
        return await real_workloads(*args, **kw)

    monkeypatch.setattr(read, "revisions_of", listed_then_deployed)
    monkeypatch.setattr(read, "_workloads", later)


def test_a_deploy_between_the_listing_and_the_read_is_listed_again(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revrace F2: every listed revision was shown at 0 %, as if nothing served."""
    _deploy_after_listing(world, monkeypatch)
    world.clear_calls()
    result = history()
    newest = api(result)[0]
    assert (newest.percent, newest.name) == (100, _serving(world))
    assert world.call_counts()["ListRevisions"] == 3 and not result.notes  # api's again


def test_a_tagged_deploy_between_the_listing_and_the_read_is_listed_again(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-650 F6: a `--no-traffic --tag e2e` deploy landing between the listing and the
    read was dropped, exit 0 and no note: only revisions with traffic were listed again,
    though a tag's URL reaches its revision."""
    _deploy_after_listing(world, monkeypatch, tag="e2e")
    world.clear_calls()
    result = history()
    tagged = world.service(PROJECT, "api").latest_created_revision.rsplit("/", 1)[-1]
    newest = api(result)[0]
    assert (newest.name, newest.percent, newest.tags) == (tagged, 0, ("e2e",)), api(result)
    assert world.call_counts()["ListRevisions"] == 3 and not result.notes  # api's again


def test_a_tagged_revision_the_listing_still_lacks_is_said(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy_after_listing(world, monkeypatch, lacking=True, tag="e2e")
    result = history(services=["api"])
    tagged = world.service(PROJECT, "api").latest_created_revision.rsplit("/", 1)[-1]
    (note,) = result.notes
    assert f"api: {tagged} (tag e2e, 0 %) is reached but is not in its revision listing" in note
    assert result.exit_code == 3 and not result.complete, result.summary()


def test_a_serving_revision_the_listing_still_lacks_is_said(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy_after_listing(world, monkeypatch, lacking=True)
    result = history(services=["api"])
    assert not [e for e in api(result) if e.percent]
    (note,) = result.notes
    assert f"api: {_serving(world)} (100 %) serves but is not in its revision listing" in note
    # never complete (d2d1f54a: exit 0 and "complete"; helper-576 F3)
    assert result.exit_code == 3 and not result.complete, result.summary()
    assert "incomplete: api: a revision that serves is not listed (exit 3)" in result.summary()


def _serving(world: Sandbox) -> str:
    return world.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
