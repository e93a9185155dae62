"""SPEC invariant 4: "`fix` aborts if the service changed after it was read (etag)". A fix's
first write to a service is built from the plan's read, made before the fix took its locks and
before its prompt — and, one service at a time (`concurrency: 1`, or prompts answered), before
every earlier service's canary, probe and promotion; the promotion from the read after the
canary, made before its prompt. Cloud Run v2 promises no ABORTED for a stale etag
(service.proto: the etag "May be used to detect modification conflict during updates"; sandbox
option `stale_etag: ignored`), so drift reads the service again right before its first write
(after its lock, and after the prompt when one was shown: one read) and after the promotion's
prompt, as `drift rollback` does (`rollback_restore.restore_all`), and writes nothing to it when
it was written since: their write stands (revwritecode F1, revwritecode2 F1)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

import drift.fix.reread
from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.journal import State
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, PROJECT, TODAY, ScriptedUI, entries, fix, updates
from tests.fix.test_fidelity_etag_ignored import meddle_at_the_promotion
from tests.timewarp import warp_sessions


@pytest.mark.parametrize("write", ["deploy", "traffic"])
def test_a_write_at_the_promotion_prompt_is_not_overwritten(
    write: str,
    lenient: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients: Clients,
) -> None:
    sandbox = lenient
    monkeypatch.setattr(sandbox.scenario.options, "same_name_same_config", "reuse")
    theirs, meddle = meddle_at_the_promotion(sandbox, clients, write)
    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    assert theirs and len(ui.questions) == 2
    (outcome,) = result.outcomes
    # the promotion is never sent: no write of drift's gives the canary any traffic
    assert not [
        u
        for u in updates(sandbox)
        if any(t.revision == outcome.canary and t.percent for t in u.service.traffic)
    ], said
    assert result.exit_code == ExitCode.ABORTED, said
    assert "changed meanwhile by someone else (generation" in said, said
    assert "last modified by deployer@example.com" in said, said
    assert f"did not move traffic to its canary {outcome.canary}" in said, said
    if write == "deploy":  # their revision: the canary stays for `drift rollback`
        assert f"`drift rollback {result.change_id}` removes it" in said, said
    else:  # their pin, no revision: drift's canary write undone around it (helper-592 F1)
        assert "keeping their routing" in said and "nothing is left to roll back" in said, said
        assert not any(t.tag.startswith("drift-") for t in sandbox.service(PROJECT, "api").traffic)
    assert "replaced what they wrote" not in said, said
    after = sandbox.service(PROJECT, "api")
    assert not any(
        s.revision.rsplit("/", 1)[-1] == outcome.canary and s.percent
        for s in after.traffic_statuses
    ), said
    if write == "deploy":  # their revision serves, as their deploy asked
        assert any(s.revision.endswith(theirs[0]) and s.percent for s in after.traffic_statuses)
    (entry,) = entries(tmp_path)
    assert entry.state != State.PROMOTED
    cleaned = [] if write == "deploy" else ["keep-routing"]  # around their pin: no promotion
    assert [w["step"] for w in entry.writes] == ["canary", *cleaned]


def test_a_deploy_at_the_first_prompt_is_not_overwritten(
    lenient: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    sandbox = lenient
    theirs: list[str] = []

    def meddle(question: str) -> None:
        if not theirs:  # someone deploys while the fix's first prompt waits
            done = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])

    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    after = sandbox.service(PROJECT, "api")
    env_names = {v.name: v.value for v in after.template.containers[0].env}
    # nothing written after the prompt (the service changed since the plan's read): exit 4,
    # their template (LOG_LEVEL=WARNING) stays the service's template
    assert result.exit_code == ExitCode.ABORTED, said
    assert env_names.get("LOG_LEVEL") == "WARNING", said
    assert not [u for u in updates(sandbox) if not u.validate_only], said
    assert "api changed after drift read it, while the prompt waited (generation" in said, said
    assert "last modified by deployer@example.com" in said and "nothing was changed" in said
    assert entries(tmp_path) == []  # nothing was begun: nothing to roll back
    assert len(ui.questions) == 1


def two_services(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stale_etag: str
) -> tuple[Sandbox, Any]:
    """Two drifting services, aaa and bbb, fixed one at a time (`concurrency: 1`): `run(ui,
    options)` fixes both."""
    sandbox = make_sandbox(lab.lab_world(service="aaa", also=("bbb",)))
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    folder = lab.lab_profiles(tmp_path, "aaa", also=("bbb",))
    settings = dataclasses.replace(lab.settings(tmp_path), concurrency=1)

    def run(ui: ScriptedUI, options: FixOptions) -> FixResult:
        profile = load_profile(folder, "lab")
        return asyncio.run(
            run_fix(profile, settings, ui, options, environ=sandbox.environ(), today=TODAY)
        )

    return sandbox, run


@pytest.mark.parametrize("stale_etag", ["ignored", "aborted"])
def test_a_deploy_of_the_next_service_during_a_yes_fix_is_not_overwritten(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stale_etag: str
) -> None:
    """revwritecode2 F1: with `--yes` (no prompt) and one service at a time, a teammate
    deploys bbb while drift works on aaa, after the plan read bbb: bbb is read again right
    before drift's first write to it, and nothing is written to it; aaa's fix stands."""
    sandbox, run = two_services(make_sandbox, tmp_path, monkeypatch, stale_etag)
    theirs: list[str] = []

    def teammate(request: Any) -> None:
        # while drift works on aaa, a teammate deploys bbb (LOG_LEVEL=WARNING): no prompt
        if request.name.endswith("/services/aaa") and not theirs:
            done = sandbox.set_env(LAB, "bbb", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])

    lab.after_the_canary_write(monkeypatch, teammate)
    result = run(ScriptedUI(), FixOptions(yes=True))
    said = result.summary()
    assert theirs, "the teammate's deploy was made"
    bbb = sandbox.service(LAB, "bbb")
    env = {v.name: v.value for v in bbb.template.containers[0].env}
    assert env.get("LOG_LEVEL") == "WARNING", said  # their template stays bbb's
    assert any(s.revision.endswith(theirs[0]) and s.percent for s in bbb.traffic_statuses)
    sent = [u for u in lab.updates(sandbox) if not u.validate_only]
    assert not [u for u in sent if u.service.name.endswith("/services/bbb")], said
    assert "bbb changed after drift read it (generation" in said, said
    assert "while the prompt waited" not in said and "nothing was changed" in said, said
    assert "partial fix: aaa: promoted; bbb: aborted" in said, said
    assert result.exit_code is ExitCode.DRIFT, said  # aaa was changed: a partial fix, never 4
    assert [e.service for e in entries(tmp_path)] == ["aaa"]  # nothing begun for bbb


def test_a_yes_fix_of_one_service_changed_after_its_read_writes_nothing(
    lenient: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--yes`, one service: a deploy lands after the plan's read (here: once the lock is
    taken, right before drift's read): exit 4, nothing written, no journal entry."""
    sandbox = lenient
    real = drift.fix.reread.get_service

    async def deploy_first(session: Any, name: str) -> Any:
        sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
        return await real(session, name)

    monkeypatch.setattr(drift.fix.reread, "get_service", deploy_first)
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    said = result.summary()
    assert result.exit_code == ExitCode.ABORTED, said
    assert "api changed after drift read it (generation" in said, said
    assert "nothing was changed (no canary written)" in said, said
    assert not [u for u in updates(sandbox) if not u.validate_only], said
    assert entries(tmp_path) == []


def reads_again(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The services `drift.fix.reread` reads again, in order, by name."""
    names: list[str] = []
    real = drift.fix.reread.get_service

    async def get_service(session: Any, name: str) -> Any:
        names.append(name.rsplit("/", 1)[-1])
        return await real(session, name)

    monkeypatch.setattr(drift.fix.reread, "get_service", get_service)
    return names


def gets(sandbox: Sandbox, service: str) -> int:
    return sum(
        1
        for c in sandbox.calls
        if c.short == "GetService" and c.request.name.endswith(f"/services/{service}")
    )


def test_one_read_before_each_first_write_and_one_after_each_promotion_prompt(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each written service is read again exactly once right before its canary write — after
    its lock and, one at a time, after the service before it was promoted; after the first
    prompt that read is the read after the prompt, never a second one — and once more after
    its promotion prompt (none under `--yes`: the promotion follows the read after the
    canary, nothing waited on)."""
    counted: dict[bool, dict[str, int]] = {}
    for yes in (True, False):
        (tmp_path / str(yes)).mkdir()
        sandbox, run = two_services(make_sandbox, tmp_path / str(yes), monkeypatch, "aborted")
        names = reads_again(monkeypatch)
        ui = ScriptedUI() if yes else ScriptedUI([True, True, True])
        result = run(ui, FixOptions(yes=yes))
        assert result.exit_code == ExitCode.OK, result.summary()
        per_service = 1 if yes else 2
        assert names == [n for n in ("aaa", "bbb") for _ in range(per_service)]
        counted[yes] = {n: gets(sandbox, n) for n in ("aaa", "bbb")}
        # bbb's read again comes after aaa's promotion: the last call before bbb's canary
        # write (its first) is bbb's GetService
        calls = [c for c in sandbox.calls if c.short in ("GetService", "UpdateService")]
        first_bbb = next(i for i, c in enumerate(calls) if _updates(c, "bbb"))
        last_aaa = max(i for i, c in enumerate(calls) if _updates(c, "aaa"))
        assert last_aaa < first_bbb
        assert calls[first_bbb - 1].short == "GetService"
        assert calls[first_bbb - 1].request.name.endswith("/services/bbb")
    # in all, prompts cost one GetService per written service (after its promotion prompt)
    assert counted[False] == {n: counted[True][n] + 1 for n in ("aaa", "bbb")}, counted


def _updates(call: Any, service: str) -> bool:
    return call.short == "UpdateService" and call.request.service.name.endswith(
        f"/services/{service}"
    )


def test_a_service_that_cannot_be_read_again_is_not_written(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read after the prompt (the read right before the first write) fails: nothing is
    written (the write would rest on a read older than the prompt), said, exit 4."""
    warp_sessions(monkeypatch)  # the UNAVAILABLE read's backoffs pass at once

    def unreadable(question: str) -> None:
        sandbox.inject(Fault("GetService", "UNAVAILABLE"))

    result = fix(tmp_path, env, ScriptedUI([True], on_confirm=unreadable), FixOptions(), ["api"])
    said = result.summary()
    assert result.exit_code == ExitCode.ABORTED, said
    assert "could not be read again after the prompt" in said and "nothing was written" in said
    assert not [u for u in updates(sandbox) if not u.validate_only], said


def test_ctrl_c_during_the_read_before_the_next_services_write_ends_as_a_no(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--yes`, one service at a time: Ctrl-C while bbb is read again right before its first
    write, aaa promoted already: nothing of bbb's to clean up, and the fix ends as a "no"
    does (aaa's fix said and re-checked, exit 1), never exit 4 ("nothing was changed")."""
    sandbox, run = two_services(make_sandbox, tmp_path, monkeypatch, "aborted")
    real = drift.fix.reread.get_service

    async def ctrl_c_at_bbb(session: Any, name: str) -> Any:
        if name.endswith("/services/bbb"):
            task = asyncio.current_task()
            assert task is not None
            task.cancel()  # what asyncio's Ctrl-C handler does to the command's task
        return await real(session, name)

    monkeypatch.setattr(drift.fix.reread, "get_service", ctrl_c_at_bbb)
    result = run(ScriptedUI(), FixOptions(yes=True))
    said = result.summary()
    assert result.exit_code is ExitCode.DRIFT, said
    assert "partial fix: aaa: promoted; bbb: aborted" in said, said
    assert result.recheck is not None  # re-checked: bbb still drifts, aaa no longer
    assert {f.service for f in result.recheck.findings} == {"bbb"}, result.recheck.findings
    sent = [u for u in lab.updates(sandbox) if not u.validate_only]
    assert not [u for u in sent if u.service.name.endswith("/services/bbb")], said


def _label_at(sandbox: Sandbox, clients: Clients, prefix: str) -> tuple[list[bool], Any]:
    """A labelling bot (or a teammate's `--update-labels` on the service alone) writes the
    label cost-center=42 while the prompt starting with `prefix` waits: no new revision.
    `done` says whether their write moved the generation."""
    done: list[bool] = []

    def label(question: str) -> None:
        if question.startswith(prefix) and not done:
            service = clients.services.get_service(name=lab.lab_name())
            service.labels["cost-center"] = "42"
            written = clients.services.update_service(service=service).result()
            assert written.latest_created_revision == service.latest_created_revision
            done.append(written.generation != service.generation)

    return done, label


def _latest_serves_theirs_next(sandbox: Sandbox) -> tuple[bool, list[tuple[str, int]], str]:
    """The team's next ordinary deploy (traffic sent as it is): whether the service routes
    LATEST, and what serves once it has deployed."""
    from google.cloud import run_v2

    after = sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2")
    theirs = after.latest_created_revision.rsplit("/", 1)[-1]
    now = sandbox.service(LAB, "app")
    latest = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
    serving = [
        (s.revision.rsplit("/", 1)[-1] or theirs, s.percent)
        for s in now.traffic_statuses
        if s.percent
    ]
    return any(t.type_ == latest for t in now.traffic), serving, theirs


def test_a_label_write_at_the_promotion_prompt_leaves_no_trap(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """revown48 F2: someone writes the service alone (a label, no new revision) while the
    promotion prompt waits. The read after the prompt refuses the promotion (exit 4), and
    `free_pin` has nothing to free ("no revision of theirs"): left so, the traffic stays
    pinned to the revision that served and the canary keeps its tag, and the team's next
    `gcloud run deploy` (traffic sent as it is) gets no traffic. SPEC invariant 9: "drift
    leaves no trap for the team's next deploy … After an abort … `LATEST` routing is
    restored". drift cleans up as at a declined prompt, built on the service as they left
    it: their label stays, and it says what they changed."""
    sandbox = make_sandbox(lab.lab_world())
    done, label = _label_at(sandbox, clients_for(sandbox), "Move all traffic")
    ui = ScriptedUI([True, True], on_confirm=label)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert done and result.exit_code == ExitCode.ABORTED, said
    assert "they changed its labels cost-center" in said, said
    assert "drift removed the canary's tag and restored the routing" in said, said
    assert sandbox.service(LAB, "app").labels["cost-center"] == "42", said
    routes_latest, serving, theirs = _latest_serves_theirs_next(sandbox)
    assert routes_latest, said
    assert serving == [(theirs, 100)], (serving, said)


@pytest.mark.parametrize("bumps", [True, False], ids=["label-bumps", "label-keeps-generation"])
@pytest.mark.parametrize("prompt", ["Deploy the patch", "Move all traffic"])
def test_a_label_written_at_a_prompt_stays_whether_or_not_it_moves_the_generation(
    bumps: bool,
    prompt: str,
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cloud Run may not move `generation` for a labels-only update (Kubernetes and Knative
    move it for a spec change only; sandbox `labels_bump_generation`). Then the read before
    drift's write sees the same generation, and a write built from the older read, sent on a
    server that lets a stale etag through, would drop the label. drift's write takes
    everything the plan does not change, and the etag, from the fresh read: the label stays,
    whichever way the server counts generations."""
    sandbox = make_sandbox(lab.lab_world())
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    monkeypatch.setattr(sandbox.scenario.options, "labels_bump_generation", bumps)
    done, label = _label_at(sandbox, clients_for(sandbox), prompt)
    ui = ScriptedUI([True, True], on_confirm=label)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert done == [bumps], (ui.questions, said)
    now = sandbox.service(LAB, "app")
    assert now.labels["cost-center"] == "42", (dict(now.labels), said)
    if bumps:  # seen as a write of someone else's: nothing promoted, no trap left
        assert result.exit_code == ExitCode.ABORTED, said
        routes_latest, serving, theirs = _latest_serves_theirs_next(sandbox)
        assert routes_latest and serving == [(theirs, 100)], (serving, said)
    else:  # the same generation: the fix goes on, on their label
        assert result.exit_code == ExitCode.OK, said
        assert "replaced" not in said, said


PINNED = {
    "history": [{"image": "us-docker.pkg.dev/lab/app:v0"}],
    "traffic": [{"revision": 1, "percent": 0, "tag": "e2e"}, {"revision": 2, "percent": 100}],
}
"""The lab service pinned to app-00002 by its team, tag e2e at 0 % on app-00001."""


def test_their_to_latest_at_the_promotion_prompt_is_said_to_serve_the_canary(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teammate's `gcloud run services update-traffic --to-latest` at the promotion prompt:
    LATEST resolves to the latest ready revision, drift's canary, which now serves all. drift
    says so as `traffic_statuses` do (SPEC invariant 10), never "stays with no traffic", and
    how to route back by name (revroll65 F3)."""
    sandbox = reseedable
    sandbox.reset(lab.lab_world(**PINNED))
    served = lab.shares(sandbox.service(LAB, "app"))

    def to_latest(question: str) -> None:
        if len(ui.questions) == 2:  # the promotion prompt
            sandbox.update_traffic(LAB, "app", {"LATEST": 100})

    ui = ScriptedUI([True, True], on_confirm=to_latest)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    (outcome,) = result.outcomes
    said = outcome.message
    assert result.exit_code is ExitCode.ABORTED, said
    assert lab.shares(sandbox.service(LAB, "app")) == {outcome.canary: 100}
    assert "stays with no traffic" not in said, said
    assert f"yet it serves now: their change routes LATEST 100% → {outcome.canary} (" in said
    assert f"`drift rollback {result.change_id}` removes it" not in said, said
    back = re.search(r"route back by name to what served: (gcloud [^;]+);", said)
    assert back, said
    shares, moved, removed = lab.gcloud_words(back.group(1))
    sandbox.update_traffic(LAB, "app", shares, update_tags=moved, remove_tags=removed)
    assert lab.shares(sandbox.service(LAB, "app")) == served  # as it said: the canary is out


def test_their_to_latest_still_in_progress_at_the_prompt_is_said_to_reach_the_canary(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same `--to-latest`, still reconciling when drift re-reads: `traffic_statuses` are
    transient (the old revision still serves), yet once it settles LATEST resolves to the
    canary, the latest ready revision. drift says so by its spec, and how to route back, never
    "stays with no traffic" (d2d1f54a did; helper-572 F1)."""
    sandbox = reseedable
    sandbox.reset(lab.lab_world(**PINNED))
    served = lab.shares(sandbox.service(LAB, "app"))

    outcome = _held_at_the_promotion(sandbox, tmp_path, monkeypatch)
    said = outcome.message
    assert "still in progress, will make serve: it routes LATEST 100%, which reaches" in said
    back = re.search(r"route back by name to what served: (gcloud [^;]+);", said)
    assert back, said
    sandbox.finish_deploy(LAB, "app")
    assert lab.shares(sandbox.service(LAB, "app")) == {outcome.canary: 100}  # as it said
    shares, moved, removed = lab.gcloud_words(back.group(1))
    sandbox.update_traffic(LAB, "app", shares, update_tags=moved, remove_tags=removed)
    assert lab.shares(sandbox.service(LAB, "app")) == served


def test_drifts_tag_removed_at_the_prompt_is_not_offered_for_removal(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teammate removes the canary's `drift-…` tag at the promotion prompt: the stop says
    nothing of removing it again (d2d1f54a offered `--remove-tags drift-…` for a tag gone;
    helper-572 F2), and drift cleans up the rest of its canary write: the template the team's
    next deploy builds on is the configuration that served again (helper-592 F1)."""
    sandbox = reseedable
    sandbox.reset(lab.lab_world(**PINNED))

    def untag(question: str) -> None:
        if len(ui.questions) == 2:  # the promotion prompt
            now = sandbox.service(LAB, "app")
            tags = tuple(t.tag for t in now.traffic if t.tag.startswith("drift-"))
            sandbox.update_traffic(LAB, "app", lab.shares(now), remove_tags=tags)

    ui = ScriptedUI([True, True], on_confirm=untag)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    (outcome,) = result.outcomes
    assert result.exit_code is ExitCode.ABORTED, outcome.message
    assert "nothing is left to roll back" in outcome.message, outcome.message
    assert "remove only its tag" not in outcome.message, outcome.message
    now = sandbox.service(LAB, "app")
    assert {v.name for v in now.template.containers[0].env} == {"DEBUG"}, outcome.message


def test_their_new_deploy_still_in_progress_is_not_said_to_reach_the_canary(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their deploy of a new image, routed to LATEST, still reconciling at the promotion
    prompt: once ready, LATEST reaches their revision, never the canary. fdf623ce said it
    would make the canary serve and printed a route back that took their deploy out of
    service (helper-579 F5); neither is said now, nor "stays with no traffic"."""
    sandbox = reseedable
    sandbox.reset(lab.lab_world(**PINNED))

    outcome = _held_at_the_promotion(sandbox, tmp_path, monkeypatch, "us-docker.pkg.dev/lab/app:v9")
    said = outcome.message
    assert "route back by name" not in said and "will make serve" not in said, said
    assert "their change is still in progress (it routes LATEST 100%" in said, said
    sandbox.finish_deploy(LAB, "app")
    assert outcome.canary not in lab.shares(sandbox.service(LAB, "app"))  # as it said


def _held_at_the_promotion(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, image: str = ""
) -> Any:
    """At the promotion prompt, a teammate's `update-traffic --to-latest` (and a deploy of
    `image`), held reconciling; the prompt answered yes. The outcome of the stop (exit 4,
    never "stays with no traffic")."""

    def theirs(question: str) -> None:
        if len(ui.questions) == 2:  # the promotion prompt
            sandbox.hold_deploys(True)
            sandbox.update_traffic(LAB, "app", {"LATEST": 100})
            if image:
                sandbox.deploy(LAB, "app", image=image)
            sandbox.hold_deploys(False)

    ui = ScriptedUI([True, True], on_confirm=theirs)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    (outcome,) = result.outcomes
    assert result.exit_code is ExitCode.ABORTED, outcome.message
    assert "stays with no traffic" not in outcome.message, outcome.message
    return outcome
