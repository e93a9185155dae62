"""Killers for mutants of the read side that survived their targeted tests (revmutant2): each
test passes on main's code and fails on the mutant named in its docstring
(/work/notes/reports/revmutant2.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.live.state import LiveState
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.test_check_not_ready import IMG, MESSAGE, PROFILE
from tests.test_check_routing_edges import check, delete_latest_created, world


def test_every_serving_revision_whose_ready_condition_failed_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """R02 (drift/diff/health.py `for rev in live.serving` -> `live.serving[:1]`): a split
    90 % / 10 % whose two revisions both failed their Ready condition. Each serving revision
    that is not ready is a `revision.rollout` finding of its own; on the mutant only the one
    with most traffic is judged and the 10 % revision's failure is never said."""
    spec = {
        "api": {
            "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
            "history": [{"image": IMG + "a:1", "env": {"MODE": "good"}}],
            "traffic": [{"latest": True, "percent": 90}, {"revision": 1, "percent": 10}],
            "unhealthy": MESSAGE,
        }
    }
    with Sandbox(world(spec)) as sb:
        svc = sb.service("p", "api")
        serving = sorted(s.revision.rsplit("/", 1)[-1] for s in svc.traffic_statuses if s.percent)
        assert len(serving) == 2, svc.traffic_statuses
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    assert result.report.exit_code == 1
    unready = sorted(
        f.revision or ""
        for f in result.report.findings
        if f.rule == "revision.rollout" and f.actual == "not ready"
    )
    assert unready == serving, result.report.findings


def test_a_service_whose_terminal_condition_failed_is_not_clean_though_what_serves_matches(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """R03 (drift/diff/health.py: the terminal-condition branch of `health_findings` made
    `return`): a deploy failed and its revision was deleted, so the service says latest
    created = latest ready, settled, but its terminal condition failed. What serves matches
    the profile; the service is still not ready (Service.terminal_condition: "containing its
    readiness status, and detailed error information in case it did not reach a serving
    state"). Main says `revision.rollout` (variant terminal), exit 1; the mutant calls it
    clean (the existing routing-edge test has an `env.value` drift that hides it)."""

    spec = {
        "api": {
            "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
            "history": [{"image": IMG + "a:1", "env": {"MODE": "good"}}],
            "failed": "The user-provided container failed to start and listen on the port",
        }
    }
    options = {"delete_latest_created": "allowed", "failed_observed_generation": "generation"}
    with Sandbox(world(spec, **options)) as sb:
        svc = delete_latest_created(sb, "api")
        assert svc.latest_created_revision == svc.latest_ready_revision
        assert svc.terminal_condition.state.name == "CONDITION_FAILED"
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    assert result.report.status != "clean", "a service whose terminal condition failed"
    rollout = [f for f in result.report.findings if f.rule == "revision.rollout"]
    [f] = [f for f in rollout if f.actual == "not ready"]
    assert "terminal condition failed" in f.message, f.message
    # the template still holds the failed spec (a:2), which `drift fix` stops on as
    # unreleased (its revision is gone: nothing says it failed): check warns of it too
    [held] = [f for f in rollout if f.actual != "not ready"]
    assert f"image: {IMG}a:1 → {IMG}a:2" in held.message, held.message
    assert result.report.exit_code == 1


def test_a_service_serving_nothing_is_said_though_another_service_is_unverified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R08 (drift/diff/rollout.py: `unread = any(u.key == ctx.service.key …)` ->
    `bool(ctx.state.unverified)`): a workload no revision serves is a `revision.rollout`
    error, unless its own configuration could not be read. Another workload's unverified
    item (here: a secret of `api` whose policy could not be read) does not excuse it: on
    the mutant the error is dropped and the run exits 3 (incomplete) instead of 1."""
    import datetime as dt
    from dataclasses import replace

    from drift.diff import diff
    from drift.findings import Unverified
    from drift.kinds import Kind, workload_key
    from drift.live.state import LiveState
    from drift.profiles.loader import load_profile
    from tests.jobs.test_pool_rollout_words import PROFILE as POOL_PROFILE
    from tests.jobs.world import write_profile
    from tests.livestate import plain, service

    monkeypatch.chdir(tmp_path)
    profile = load_profile(write_profile(tmp_path / "profiles", POOL_PROFILE), "prod")
    key = workload_key(Kind.WORKER_POOL, "pool")
    base = replace(service("pool", [plain("QUEUE", "events")]), kind=Kind.WORKER_POOL)
    idle = replace(base, serving=(), latest_created="pool-00001-abc")
    state = LiveState()
    state.services[key] = idle
    state.unverified.append(Unverified.at("api", "secret.stripe", "PERMISSION_DENIED"))
    found = diff(profile, [key], state, dt.date(2026, 11, 30))
    assert "no revision has instances" in [f.message for f in found if f.rule == "revision.rollout"]


def test_a_service_that_cannot_be_read_again_while_a_deploy_settles_is_unverified(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """L05 (drift/live/reader.py `_settle_then_describe`: the GetService of a poll that fails
    is no longer made unverified). A deploy is in progress on `api`; drift waits for it
    (--wait 5) and polls; the poll is refused (PERMISSION_DENIED: say the role was revoked
    mid-run). Main: `api` is unverified, exit 3. The mutant returns without a word: `api` is
    neither read nor unverified and the run is called clean (exit 0)."""
    import threading
    import time

    from drift.sandbox.faults import Fault
    from tests.test_check_not_ready import services
    from tests.test_check_shapes import check as check_wait

    (tmp_path / "prod.yaml").write_text(PROFILE)
    with Sandbox(world(services())) as sb:
        sb.hold_deploys()
        sb.deploy("p", "api", image=IMG + "a:3")
        assert sb.service("p", "api").reconciling
        sb.clear_calls()

        def refuse_after_the_first_read() -> None:
            end = time.monotonic() + 30
            while time.monotonic() < end:
                if any(c.short == "GetService" for c in sb.calls):
                    sb.inject(Fault(method="GetService", code="PERMISSION_DENIED"))
                    return
                time.sleep(0.005)

        thread = threading.Thread(target=refuse_after_the_first_read)
        thread.start()
        result = check_wait(sb, monkeypatch, profiles=tmp_path, wait=5)
        thread.join()
        polls = [c for c in sb.calls if c.short == "GetService"]
    assert len(polls) >= 2, polls
    assert result.report.status == "incomplete", result.report
    assert result.report.exit_code == 3
    assert [u.target for u in result.report.unverified] == ["service"], result.report.unverified


def _one_secret(*faults: dict[str, str]) -> dict[str, object]:
    from tests.test_check_secret_reads import GRANT, container, ref, service

    secrets = {"s": {"versions": ["fake-s-value-aaaaaaaa"]}}
    api = service(container(env=[ref("S", "s")]))
    project = {"number": 5, "iam": GRANT, "secrets": secrets, "services": {"api": api}}
    return {"projects": {"p": project}, "faults": list(faults)}


def test_a_value_refused_from_an_enabled_version_is_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """L06 (drift/live/secrets.py `report_failures`: `if info is not None and info.state is
    VersionState.ENABLED:` -> `if False:`). A rule compares the value of secret `s`
    (`min_length`); its version reads ENABLED, but AccessSecretVersion answers
    FAILED_PRECONDITION. The rule was not judged: main says `secret.s` unverified (exit 3);
    the mutant calls the service clean (exit 0)."""
    from tests.test_check_shapes import check_profile

    fault = {"method": "AccessSecretVersion", "code": "FAILED_PRECONDITION", "match": "/s/"}
    profile = (
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      S: {secret: s, min_length: 8}\n"
    )
    report = check_profile(make_sandbox, monkeypatch, tmp_path, _one_secret(fault), profile).report
    assert not report.findings, report.findings
    assert [u.target for u in report.unverified] == ["secret.s"], report.unverified
    assert report.exit_code == 3


def test_an_expiry_that_cannot_be_read_is_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """L08 (drift/live/secrets.py `_secret`: GetSecret refused no longer makes the secret
    unverified). The project's secrets cannot be listed and GetSecret is refused
    (PERMISSION_DENIED): whether `s` expires within `expiry_warning` is not known
    (`secret.expiring` unchecked). Main: `secret.s` unverified, "expiry not read", exit 3;
    the mutant calls it clean (exit 0)."""
    from tests.test_check_secret_reads import PLAIN
    from tests.test_check_shapes import check_profile

    faults = (
        {"method": "ListSecrets", "code": "PERMISSION_DENIED"},
        {"method": "GetSecret", "code": "PERMISSION_DENIED", "match": "/s"},
    )
    report = check_profile(make_sandbox, monkeypatch, tmp_path, _one_secret(*faults), PLAIN).report
    assert not report.findings, report.findings
    [item] = report.unverified
    assert item.target == "secret.s" and "expiry not read" in item.reason, item
    assert report.exit_code == 3


def test_a_policy_not_found_of_a_secret_whose_versions_exist_is_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """L09 (drift/live/secrets.py `report_failures`: `if VersionState.SECRET_MISSING not in
    states:` -> `if False:`). GetIamPolicy of secret `s` answers NOT_FOUND while its version
    reads fine: "not found" is then no answer about access, and no project-level grant gives
    the runtime account access either. Main: `secret.s` unverified, exit 3; the mutant drops
    the failure and calls the service clean (exit 0) though its access was never decided."""
    from tests.test_check_secret_reads import PLAIN
    from tests.test_check_shapes import check_profile

    fault = {"method": "GetIamPolicy", "code": "NOT_FOUND", "match": "/secrets/s"}
    world = _one_secret(fault)
    world["projects"]["p"]["iam"] = {}  # type: ignore[index]  # no project-level grant either
    report = check_profile(make_sandbox, monkeypatch, tmp_path, world, PLAIN).report
    assert not report.findings, report.findings
    assert [u.target for u in report.unverified] == ["secret.s"], report.unverified
    assert report.exit_code == 3


def test_a_baseline_finding_on_a_revision_not_read_again_is_not_resolved() -> None:
    """Was a bug, found through B01 (drift/baseline.py `_not_checked_again`:
    `(finding.revision, *finding.also_on)` -> `(finding.revision,)`). The baseline's finding
    was on two revisions (a split: `also_on`);
    this run could not read the second one (GetRevision refused) and finds nothing on the
    first. README "Baselines": a finding "counts as resolved only where this run looked
    again", so it should be carried as not checked again. On main it is listed as resolved:
    `also_on` is written neither to the JSON report (drift/format/json.py `_finding`) nor
    read back (drift/baseline.py `_Finding`), so the `also_on` half of
    `_not_checked_again` never applies to a baseline read from a file (B01 is equivalent).
    Both carry it now."""
    import json
    from dataclasses import replace

    from drift.baseline import parse_baseline
    from drift.findings import Unverified
    from drift.format.json import report_document
    from tests.baseline.test_what_fails import PATTERN, _finding, _report

    earlier = replace(_finding("api-00001-abc", (PATTERN,)), also_on=("api-00002-xyz",))
    baseline = parse_baseline("last.json", json.dumps(report_document(_report(earlier))).encode())
    unread = Unverified.at("api", "revision.api-00002-xyz", "GetRevision: PERMISSION_DENIED")
    now = baseline.compare(replace(_report(), unverified=(unread,)))
    assert not now.resolved, now.resolved
    assert [u.finding.id for u in now.unchecked] == [earlier.id]


def test_a_baseline_finding_on_a_variable_whose_secret_was_not_read_is_not_resolved() -> None:
    """B02 (drift/baseline.py `_not_checked_again`: the secrets a variable references no
    longer count). The baseline found `env.constraint` on DATABASE_URL (a secret's value that
    does not match the profile's pattern); this run could not read that secret (`secret.db`
    unverified), so it could not judge the constraint. Main carries the finding as not
    checked again; the mutant lists it as resolved (README "Baselines": resolved "only where
    this run looked again")."""
    import json
    from dataclasses import replace

    from drift.baseline import parse_baseline
    from drift.findings import Unverified
    from drift.format.json import report_document
    from tests.baseline.test_what_fails import PATTERN, _finding, _report
    from tests.livestate import ref, service

    earlier = _finding("api-00001-abc", (PATTERN,))
    baseline = parse_baseline("last.json", json.dumps(report_document(_report(earlier))).encode())
    state = LiveState()
    state.services["api"] = service("api", [ref("DATABASE_URL", "db")])
    unread = Unverified.at("api", "secret.db", "AccessSecretVersion: PERMISSION_DENIED")
    now = baseline.compare(replace(_report(), unverified=(unread,)), state=state)
    assert not now.resolved, now.resolved
    assert [u.finding.id for u in now.unchecked] == [earlier.id]


@pytest.mark.parametrize(
    "value",
    [
        "postgres://a:$(DB_PASS)@db1/x,postgres://b:hunter2@db2/x",
        "redis://:$(REDIS_PASS)@r1:6379 redis://:password@r2:6379",
    ],
)
def test_a_dsn_list_with_one_literal_password_is_concealed(value: str) -> None:
    """K02 (drift/credentials.py `_held_elsewhere`: `not all(...)` -> `not any(...)` over the
    URL passwords). Two DSNs in one variable, the first built around a secret (`$(DB_PASS)`),
    the second with a literal password: the value still holds a credential of its own and is
    never shown. On the mutant one reference is enough to call the whole value "held
    elsewhere": `hidden_plain` is False and `conceal` returns the literal password."""
    from drift.credentials import conceal, hidden_plain

    assert hidden_plain("DSNS", value)
    shown = conceal("DSNS", value)
    assert "hunter2" not in shown and ":password@" not in shown, shown


def test_same_as_a_bare_service_one_of_whose_serving_revisions_lacks_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """S01 (drift/diff/same_as.py `uncompared`: `all(other_var in rev.config.env …)` ->
    `any(…)`). `api.JWT: {same_as: auth.JWT}`, `auth` not in the profile, its traffic split
    50/50 between a revision that sets JWT and one that does not: half of auth's traffic runs
    without the value api must share. Main: api's `env.JWT` unverified ("it does not set
    JWT"), exit 3; the mutant compares with the one revision that has it and says clean."""
    spec = {
        "api": {"template": {"image": IMG + "a:1", "env": {"JWT": "shared"}}},
        "auth": {
            "template": {"image": IMG + "auth:2", "env": {"JWT": "shared"}},
            "history": [{"image": IMG + "auth:1", "env": {"JWT": None}}],
            "traffic": [{"latest": True, "percent": 50}, {"revision": 1, "percent": 50}],
        },
    }
    profile = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
    profile += "      JWT: {same_as: auth.JWT}\n"
    with Sandbox(world(spec)) as sb:
        result = check(sb, monkeypatch, tmp_path, profile)
    report = result.report
    assert [(u.service, u.target) for u in report.unverified] == [("api", "env.JWT")], report
    assert "it does not set JWT" in report.unverified[0].reason
    assert report.exit_code == 3


def test_a_workload_the_read_left_unaccounted_for_is_unverified(tmp_path: Path) -> None:
    """The backstop behind L05 and its siblings (`drift.check._unaccounted`): a reader path
    that leaves a checked workload neither read, nor missing, nor unverified (the state L05's
    mutant left) makes it unverified, never clean — whatever path forgot it."""
    import asyncio
    from dataclasses import dataclass

    from drift.check import LiveSource, Reading, run_check
    from drift.profiles.loader import load_profile
    from drift.settings import Settings

    @dataclass
    class Forgetful(LiveSource):
        async def read(self, profile: object, names: list[str], how: Reading) -> LiveState:
            return LiveState()  # read nothing, said nothing

    (tmp_path / "prod.yaml").write_text(PROFILE)
    profile = load_profile(tmp_path, "prod")
    settings = Settings(profiles_dir=tmp_path, history=False)
    result = asyncio.run(run_check(profile, settings, source=Forgetful()))
    report = result.report
    assert report.status == "incomplete" and report.exit_code == 3, report
    assert [(u.service, u.target) for u in report.unverified] == [("api", "service")]
