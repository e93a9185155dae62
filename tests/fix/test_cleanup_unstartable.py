"""revroll65 F1: a fix stopped at the promotion prompt (declined, Ctrl-C) on a service whose
serving configuration references a secret version disabled since (the very thing the fix
repairs). The cleanup used to deploy that configuration again: the revision failed, the spec
said LATEST 100 %, and LATEST — the latest ready revision — then meant drift's canary for the
team's next reconcile (SPEC invariant 9). Cloud Run cannot start it ("all secrets used … are
checked … If any check fails, the service deployment fails", cloud.google.com/run/docs/
configuring/services/secrets): drift writes no revision of it and keeps its pin by name."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode, Interrupted, JournalError
from drift.fix.apply import FixOptions
from drift.fix.journal import Journal, State
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here, resolved, rollback, updates

ACCOUNT = f"app@{LAB}.iam.gserviceaccount.com"
READER = lab.reading(ACCOUNT)
WORLD: dict[str, Any] = lab.one_project(
    lab.app_run_as(ACCOUNT, {"DEBUG": "true", "TOKEN": {"secret": "tok"}}),
    secrets={
        "tok": {
            "versions": ["fake-tok-v1-0a1b2c3d", {"value": "fake-v2-4e5f", "state": "DISABLED"}],
            "iam": READER,
        }
    },
)
ENABLE_TOK = (
    "enable version 2 of the secret TOKEN uses "
    f"(`gcloud secrets versions enable 2 --secret=tok --project={LAB}`)"
)
"""The way out `latest` DISABLED asks for: the number it resolves to, the secret, its project
(helper-848 F6: "enable the version TOKEN uses (`gcloud secrets versions enable`)")."""
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      MODE: live\n      DEBUG: {forbidden: true}\n"
    '      TOKEN: {secret: tok, version: "1"}\n'
)


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["declined", "ctrl-c"])
def test_the_cleanup_writes_no_revision_that_cannot_start(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: Any
) -> None:
    sandbox = reseedable
    sandbox.reset(WORLD)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
    served = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    ui = ScriptedUI([True, answer])
    try:
        said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    except Interrupted as exc:
        said = exc.message
    (entry,) = entries(tmp_path)
    canary = entry.canary_revision
    text = said + "\n".join(ui.said)
    assert "TOKEN uses secret tok:latest, which is DISABLED" in text, text
    assert f"pinned by name on {served}" in text, text
    # the canary's, then its tag removed by a traffic-only update: no failed revision
    assert len(updates(sandbox)) == 2
    now = sandbox.service(LAB, "app")
    assert now.latest_created_revision.endswith(canary)
    assert [s.percent for s in now.traffic if not s.revision] == []  # no LATEST in the spec
    for status in now.traffic_statuses:
        assert resolved(now, status) != canary or status.percent == 0, status
    # SPEC invariant 9: the canary's tag goes (revsig66 F6), proven by reading back
    assert [t.tag for t in now.traffic if t.tag] == [], now.traffic
    assert [s.tag for s in now.traffic_statuses if s.tag] == [], now.traffic_statuses
    assert f"its tag {entry.tag} removed" in text, text
    assert entry.state == State.CLEANUP_FAILED and entry.writes[-1]["landed"] is True
    # check, plan and fix say why rollback refuses and the way out (revsig66 F4)
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    for command in ("check", "plan", "fix"):
        out = drift(command, "lab", "--profiles", str(folder), env=env, cwd=tmp_path, stdin="")
        said_now = " ".join((out.stdout + out.stderr).split())
        assert "refuses it while Cloud Run cannot start" in said_now, (command, said_now)
        assert "which is DISABLED (version 2)" in said_now and ENABLE_TOK in said_now, said_now
        assert "removes the canary" not in said_now, (command, said_now)
    # `drift rollback` refuses the same way, writing nothing (revroll65 F2); the traffic is
    # pinned by name on what served already: no advice to route it there
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.ABORTED and "which is DISABLED" in rolled.summary()
    assert ENABLE_TOK in " ".join(rolled.summary().split()), rolled.summary()
    assert "--to-revisions" not in rolled.summary(), rolled.summary()
    assert len(updates(sandbox)) == 2


def test_a_journal_that_cannot_take_it_says_why_rollback_refuses(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revsig66 F5: the journal refusing the cleanup's record: the words say why `drift
    rollback` will refuse (the version disabled) and the way out, not that it "removes it"."""
    sandbox = reseedable
    sandbox.reset(WORLD)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
    real = Journal.record

    def record(self: Journal, entry: Any, state: str, note: str = "") -> None:
        if state == State.CLEANUP_FAILED:
            raise JournalError("cannot write the journal entry: No space left on device")
        real(self, entry, state, note)

    monkeypatch.setattr(Journal, "record", record)
    ui = ScriptedUI([True, False])
    said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    assert "No space left on device" in said, said
    assert "which is DISABLED" in said and ENABLE_TOK in said, said
    assert "removes it" not in said, said


def test_a_second_ctrl_c_says_why_rollback_refuses(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revsig66 F5: a second Ctrl-C while the cleanup reads the service: where it stands says
    why `drift rollback` will refuse and the way out, not that it "finishes it" (the canary
    "was being removed")."""
    import drift.fix.cleanup

    sandbox = reseedable
    sandbox.reset(WORLD)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)

    async def cancelled(*args: Any, **kw: Any) -> Any:
        raise asyncio.CancelledError  # as the second Ctrl-C cancels the cleanup's task

    monkeypatch.setattr(drift.fix.cleanup, "get_service", cancelled)
    with pytest.raises(Interrupted) as raised:
        fix(tmp_path, sandbox.environ(), ScriptedUI([True, KeyboardInterrupt()]), FixOptions(),
            None, "lab", folder)  # fmt: skip
    said = raised.value.message
    assert "which is DISABLED" in said and ENABLE_TOK in said, said
    assert "was being removed" not in said, said  # "…; `drift rollback <id>` finishes it"
    assert "finishes it" not in said, said  # the lock kept: rollback takes it over, to finish
    # the canary's tag stays: the command that removes it, as the left-pinned path says it
    (entry,) = entries(tmp_path)
    untag = (
        f"gcloud run services update-traffic app --remove-tags {entry.tag} "
        f"--project {LAB} --region us-central1"
    )
    assert f"remove its tag by hand with `{untag}`" in said, said


def test_a_deploy_at_the_prompt_is_judged_as_theirs_first(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone deploys at the promotion prompt: the cleanup writes nothing over their write
    and says what drift's pin does to their revision (`drift.fix.untrap.free_pin`), whether
    or not what served could start again."""
    sandbox = reseedable
    sandbox.reset(WORLD)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)

    def ci(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2")

    ui = ScriptedUI([True, False], on_confirm=ci)
    said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    theirs = sandbox.service(LAB, "app").latest_created_revision.rsplit("/", 1)[-1]
    assert f"Their revision {theirs}" in said, said
    assert "cannot start again" not in said, said  # the path of their write, not F1's


def test_a_version_disabled_while_the_prompt_waits_is_judged_as_it_is_now(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """revsig66 F1: the plan read tok's latest version ENABLED; while the promotion prompt
    waited, someone disabled it; the operator answers no. Judged from the plan's read, the
    cleanup deployed what served again: the revision failed, the spec said LATEST, which
    resolves to the canary. After a "no" nothing is waiting: the versions are read again."""
    sandbox = reseedable
    folder = _startable(sandbox, tmp_path, monkeypatch)
    served = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    ui = ScriptedUI([True, False], on_confirm=_disable_at(sandbox, clients_for, "Move all traffic"))
    said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    (entry,) = entries(tmp_path)
    assert "TOKEN uses secret tok:latest, which is DISABLED" in said, said
    assert f"pinned by name on {served}" in said, said
    now = sandbox.service(LAB, "app")
    assert now.latest_created_revision.endswith(entry.canary_revision)  # no failed revision
    assert [s.percent for s in now.traffic if not s.revision] == []  # no LATEST in the spec


def _disable_at(sandbox: Sandbox, clients_for: ClientsFor, prompt: str, version: int = 2) -> Any:
    """A prompt's hook that disables a version of tok (its latest, ENABLED when the plan read
    it) while `prompt` waits: a change drift's judgement of what served did not see."""
    secrets = clients_for(sandbox).secrets

    def meanwhile(question: str) -> None:
        if question.startswith(prompt):
            secrets.disable_secret_version(name=f"projects/{LAB}/secrets/tok/versions/{version}")

    return meanwhile


def _startable(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Callable[[dict[str, Any]], None] | None = None,
    traffic_while_failed: str = "applies",
) -> Path:
    """The lab with the sidecar's latest version enabled (what served can start again, until
    a test disables it), edited by `edit`; the profiles folder. `traffic_while_failed`: the
    sandbox option saying whether a traffic-only update applies while the latest created
    revision failed (not documented: drift's pin by name is tested against both)."""
    world = copy.deepcopy(WORLD)
    world["options"] = {**world["options"], "traffic_while_failed": traffic_while_failed}
    world["projects"][LAB]["secrets"]["tok"]["versions"][1]["state"] = "ENABLED"
    if edit is not None:
        edit(world)
    sandbox.reset(world)
    return lab_here(sandbox, tmp_path, monkeypatch, PROFILE)


def _pinned_by_name(sandbox: Sandbox, served: str, canary: str) -> None:
    """The spec names what served (no LATEST, which would resolve to the canary, the latest
    ready revision), and nothing routes to the canary."""
    now = sandbox.service(LAB, "app")
    assert now.latest_ready_revision.endswith(canary), now  # the restored revision failed
    assert [(t.revision, t.percent) for t in now.traffic] == [(served, 100)], now.traffic
    for status in now.traffic_statuses:
        assert resolved(now, status) != canary or status.percent == 0, status


def test_a_restored_revision_that_fails_unforeseen_leaves_the_traffic_pinned_by_name(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """fixroll65a item 2: after a Ctrl-C the cleanup judges what served from the plan's read
    (no call); a version disabled while the prompt waited fails the restored revision. Its
    spec said LATEST, which resolves to the canary (SPEC invariant 9): drift pins it by name
    on what served with a traffic-only update, proven by reading back, and says why."""
    sandbox = reseedable
    folder = _startable(sandbox, tmp_path, monkeypatch, traffic_while_failed="applies")
    served = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    meanwhile = _disable_at(sandbox, clients_for, "Move all traffic")
    ui = ScriptedUI([True, KeyboardInterrupt()], on_confirm=meanwhile)
    with pytest.raises(Interrupted) as raised:
        fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder)
    said = raised.value.message
    (entry,) = entries(tmp_path)
    _pinned_by_name(sandbox, served, entry.canary_revision)
    assert "is in DISABLED state" in said, said  # the revision's own reason
    assert f"pinned by name on {served}, never on LATEST" in said, said
    assert entry.state == State.CLEANUP_FAILED and entry.writes[-1]["landed"] is True
    assert [w["step"] for w in entry.writes] == ["canary", "cleanup", "cleanup"]
    assert "DISABLED state" in entry.history[-1]["note"]
    # revown67 F2: check says whose pin it is and what releases it, from the service alone
    change = entry.change_id
    for journal in (tmp_path / ".drift" / "journal", tmp_path / "elsewhere"):  # none needed
        env = {
            **sandbox.environ(),
            "DRIFT_PROFILES_DIR": str(folder),
            "DRIFT_JOURNAL_DIR": str(journal),
        }
        checked = " ".join(drift("check", "lab", env=env, cwd=tmp_path).stdout.split())
        assert f"drift's change {change} pinned the traffic by name" in checked, checked
        assert f"`drift rollback {change}` releases the pin once" in checked, checked
    # the way out: rollback refuses while the version is disabled, restores once enabled
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.ABORTED and "which is DISABLED" in rolled.summary()
    clients_for(sandbox).secrets.enable_secret_version(
        name=f"projects/{LAB}/secrets/tok/versions/2"
    )
    assert rollback(tmp_path).exit_code is ExitCode.OK
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


@pytest.mark.parametrize("option", ["applies", "refuses"])
def test_a_rollback_whose_revision_fails_unforeseen_pins_the_traffic_by_name(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
    option: str,
) -> None:
    """The same for `drift rollback` of a canary held by `--no-promote`: the version is
    disabled while its prompt waits, after its check judged what served startable. Where Cloud
    Run refuses the traffic-only update (option `traffic_while_failed` `refuses`, fixleft70b),
    the rollback says the pin did not land and how to pin by hand."""
    sandbox = reseedable
    folder = _startable(sandbox, tmp_path, monkeypatch, traffic_while_failed=option)
    served = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    fix(tmp_path, sandbox.environ(), ScriptedUI([True]), FixOptions(promote=False), None, "lab",
        folder)  # fmt: skip
    (entry,) = entries(tmp_path)
    assert entry.state == State.PINNED
    ui = ScriptedUI([True], on_confirm=_disable_at(sandbox, clients_for, ""))
    rolled = rollback(tmp_path, ui)
    (entry,) = entries(tmp_path)
    assert rolled.exit_code is ExitCode.ABORTED
    assert entry.state == State.ROLLBACK_FAILED
    if option == "refuses":
        _pin_refused(rolled.summary(), served, entry)
        return
    _pinned_by_name(sandbox, served, entry.canary_revision)
    assert f"pinned by name on {served}, never on LATEST" in rolled.summary(), rolled.summary()
    assert entry.writes[-1]["landed"] is True


def _pin_refused(said: str, served: str, entry: Any) -> None:
    """What drift says when Cloud Run refuses the pin by name (option `traffic_while_failed`
    `refuses`): no success, the pin not landed, the exact command, no secret value."""
    assert "never on LATEST" not in said, said
    assert f"drift could not pin the traffic by name on {served}" in said, said
    command = (
        f"gcloud run services update-traffic app --to-revisions {served}=100 "
        f"--project {LAB} --region us-central1"
    )
    assert f"pin it by hand with `{command}`" in said, said
    assert "fake-tok-v1-0a1b2c3d" not in said and "fake-v2-4e5f" not in said, said
    assert entry.writes[-1]["step"] == entry.writes[-2]["step"]  # the pin, after the restoring


def test_a_pin_by_name_cloud_run_refuses_after_a_ctrl_c_is_no_success(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """fixleft70b: whether Cloud Run applies a traffic-only update while the service's latest
    created revision failed is not documented. Where it refuses, the Ctrl-C cleanup says the
    pin did not land and how to pin by hand; the entry stays failed for a later rollback."""
    sandbox = reseedable
    folder = _startable(sandbox, tmp_path, monkeypatch, traffic_while_failed="refuses")
    served = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    meanwhile = _disable_at(sandbox, clients_for, "Move all traffic")
    ui = ScriptedUI([True, KeyboardInterrupt()], on_confirm=meanwhile)
    with pytest.raises(Interrupted) as raised:
        fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder)
    (entry,) = entries(tmp_path)
    _pin_refused(raised.value.message, served, entry)
    assert raised.value.exit_code is not ExitCode.OK
    assert entry.state == State.CLEANUP_FAILED
    # the way out stays open: once the version is enabled again, rollback finishes it
    clients_for(sandbox).secrets.enable_secret_version(
        name=f"projects/{LAB}/secrets/tok/versions/2"
    )
    assert rollback(tmp_path).exit_code is ExitCode.OK
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


def test_a_zero_percent_tag_on_latest_is_pinned_by_name_too(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """revown67 F1: LATEST at 0 % with a tag reaches the latest ready revision by its URL; a
    failed restoration left it on drift's canary, unpinned, and unexplained. It is pinned by
    name (its tag and 0 % kept) with the revision's own reason."""
    sandbox = reseedable

    def edge(world: dict[str, Any]) -> None:
        app = world["projects"][LAB]["services"]["app"]
        app["history"] = [copy.deepcopy(app["template"])]
        app["traffic"] = [
            {"revision": 1, "percent": 100},
            {"latest": True, "percent": 0, "tag": "edge"},
        ]

    folder = _startable(sandbox, tmp_path, monkeypatch, edge)
    latest = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    meanwhile = _disable_at(sandbox, clients_for, "Move all traffic")
    ui = ScriptedUI([True, KeyboardInterrupt()], on_confirm=meanwhile)
    with pytest.raises(Interrupted) as raised:
        fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder)
    said, (entry,) = raised.value.message, entries(tmp_path)
    now = sandbox.service(LAB, "app")
    assert [(t.revision, t.percent, t.tag) for t in now.traffic][1:] == [(latest, 0, "edge")]
    assert all(resolved(now, s) != entry.canary_revision for s in now.traffic_statuses)
    assert "is in DISABLED state" in said and f"pinned by name on {latest}" in said, said


def test_a_promoted_rollback_whose_revision_fails_says_why(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """revown67 F5: a promoted change's rollback whose restored revision fails (a version
    disabled while its prompt waits) says the revision's own reason, not only that LATEST
    resolves to drift's canary."""
    sandbox = reseedable
    folder = _startable(sandbox, tmp_path, monkeypatch)
    fix(tmp_path, sandbox.environ(), ScriptedUI([True, True]), FixOptions(), None, "lab", folder)
    rolled = rollback(
        tmp_path, ScriptedUI([True], on_confirm=_disable_at(sandbox, clients_for, ""))
    )
    assert rolled.exit_code is ExitCode.ABORTED
    assert "LATEST resolves to drift's canary" in rolled.summary(), rolled.summary()
    assert "is in DISABLED state" in rolled.summary(), rolled.summary()
    assert "DISABLED state" in entries(tmp_path)[0].history[-1]["note"]


def test_an_untag_cloud_run_refuses_after_a_failed_canary_is_no_success(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """fixleft70c: the canary fails (its secret version disabled after the plan read it) and
    what served cannot start again: the cleanup removes the canary's tag with a traffic-only
    update. Where Cloud Run stores it yet refuses to reconcile it while the latest created
    revision (the canary) failed (not documented: `traffic_while_failed` `refuses`), its
    operation's error stands: drift never says the tag is removed, and gives the command."""
    sandbox = reseedable
    world = copy.deepcopy(WORLD)
    world["options"] = {**world["options"], "traffic_while_failed": "refuses"}
    sandbox.reset(world)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
    meanwhile = _disable_at(sandbox, clients_for, "Deploy the patch", version=1)
    ui = ScriptedUI([True, False], on_confirm=meanwhile)
    said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    (entry,) = entries(tmp_path)
    assert "is in DISABLED state" in said, said  # the canary's own reason
    assert f"its tag {entry.tag} removed" not in said, said
    assert f"its tag {entry.tag} not removed (" in said, said
    untag = (
        f"gcloud run services update-traffic app --remove-tags {entry.tag} "
        f"--project {LAB} --region us-central1"
    )
    assert f"remove its tag by hand with `{untag}`" in said, said
    assert "fake-tok-v1-0a1b2c3d" not in said and "fake-v2-4e5f" not in said, said
    assert entry.state == State.CLEANUP_FAILED and entry.writes[-1]["step"] == "untag"


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["declined", "ctrl-c"])
def test_the_service_level_settings_the_canary_made_go_back_with_its_tag(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: Any
) -> None:
    """helper-538 F1: the canary's write applies ingress and the service's scaling at once. A
    cleanup that writes no revision (the configuration that served cannot start) removed only
    the canary's tag: the operator said no, and the service was left open to `all`."""
    sandbox = reseedable
    world = copy.deepcopy(WORLD)
    app = world["projects"][LAB]["services"]["app"]
    app |= {"ingress": "internal", "scaling": {"minInstanceCount": 1}}
    sandbox.reset(world)
    before = sandbox.service(LAB, "app")
    profile = PROFILE.replace(
        "    env:\n", "    settings: {ingress: all, min_instances: 4}\n    env:\n", 1
    )
    folder = lab_here(sandbox, tmp_path, monkeypatch, profile)
    ui = ScriptedUI([True, answer])
    try:
        said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    except Interrupted as exc:
        said = exc.message
    text = said + "\n".join(ui.said)
    now = sandbox.service(LAB, "app")
    assert (now.ingress, now.scaling) == (before.ingress, before.scaling), text
    assert "put back as they were" in text and "ingress" in text, text
    assert [t.tag for t in now.traffic if t.tag] == [], now.traffic
    assert len(updates(sandbox)) == 2  # the canary's, then the one putting back: no revision


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("missing", "create the secret OLD uses (`gcloud secrets create`)"),
        (
            "DISABLED",
            "enable version 1 of the secret OLD uses "
            f"(`gcloud secrets versions enable 1 --secret=old --project={LAB}`)",
        ),
        ("DESTROYED", "a destroyed version never comes back, so `drift rollback"),
    ],
)
def test_the_way_out_is_the_step_the_secrets_state_asks_for(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str, step: str
) -> None:
    """A configuration that served naming a secret deleted since is not made startable by
    enabling a version: the way out says to create it (the cleanup, `drift rollback`)."""
    sandbox = reseedable
    world = copy.deepcopy(WORLD)
    lab = world["projects"][LAB]
    lab["services"]["app"]["template"]["env"]["OLD"] = {"secret": "old"}
    old = {"versions": [{"value": "fake-old-9f8e", "state": state}], "iam": READER}
    lab["secrets"] |= {} if state == "missing" else {"old": old}
    sandbox.reset(world)
    profile = PROFILE + "      OLD: {forbidden: true}\n"  # the canary no longer names it
    folder = lab_here(sandbox, tmp_path, monkeypatch, profile)
    said = fix(tmp_path, sandbox.environ(), ScriptedUI([True, False]), FixOptions(), None,
               "lab", folder).summary()  # fmt: skip
    text = " ".join(said.split())
    assert "OLD uses secret old:latest, which is" in text, text
    assert step in text, text
    assert "TOKEN uses secret tok:latest, which is DISABLED" in text  # and its own step
    if state != "DESTROYED":
        assert ENABLE_TOK in text, text
    rolled = " ".join(rollback(tmp_path).summary().split())
    assert step in rolled, rolled


def test_another_projects_disabled_version_is_named_with_its_project(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-848 F6: what served uses `latest` of another project's secret, DISABLED since;
    the refusal of `drift rollback` (and the cleanup before it) named neither the version nor
    the project ("enable the version TOKEN uses (`gcloud secrets versions enable`)"): now the
    number `latest` resolves to, the secret and its own project, as the plan's manual step."""
    sandbox = reseedable
    world = copy.deepcopy(WORLD)
    shared = world["projects"][LAB].pop("secrets")
    world["projects"]["fix-shared"] = {"number": 555000111333, "secrets": shared}
    env = world["projects"][LAB]["services"]["app"]["template"]["env"]
    env["TOKEN"] = {"secret": "projects/fix-shared/secrets/tok"}
    sandbox.reset(world)
    profile = PROFILE.replace("{secret: tok,", "{secret: tok, project: fix-shared,")
    folder = lab_here(sandbox, tmp_path, monkeypatch, profile)
    said = fix(tmp_path, sandbox.environ(), ScriptedUI([True, False]), FixOptions(), None,
               "lab", folder).summary()  # fmt: skip
    enable = "`gcloud secrets versions enable 2 --secret=tok --project=fix-shared`"
    step = f"enable version 2 of the secret TOKEN uses ({enable})"
    text = " ".join(said.split())
    assert "TOKEN uses secret fix-shared/tok:latest, which is DISABLED (version 2)" in text, text
    assert step in text, text
    written = len(updates(sandbox))
    rolled = rollback(tmp_path)
    text = " ".join(rolled.summary().split())
    assert rolled.exit_code is ExitCode.ABORTED and step in text, text
    assert len(updates(sandbox)) == written  # refused: nothing written
