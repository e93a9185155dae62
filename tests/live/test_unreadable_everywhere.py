"""A setting drift cannot read (`RevisionConfig.unreadable`: a worker pool's instance count
when its WorkerPoolScaling holds fields this client does not know, the API's scaling mode) is
no value for any reader, not only for `check` (revown8 4): no default stands in for it in
`settings`; `drift init` does not write it (a comment in the profile and a note say why);
`compare --live` says it is not compared; `plan` leaves it to a manual step; `history` tells
no change of it; `since` does not name a revision that began a drift it cannot see before; a
rollback's preview says it is unknown; freeing drift's pin takes a template whose setting
drift cannot read to hold drift's change."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from google.cloud import run_v2

from drift.compare.run import _compare_read
from drift.diff import diff
from drift.diff.context import Context
from drift.diff.since import History
from drift.fields import NOT_READ, Source, read_shown
from drift.fix import untrap
from drift.fix.plan import build_plan
from drift.history.changes import Masking, changes
from drift.kinds import Kind, workload_key
from drift.live.model import LiveService, RevisionConfig
from drift.live.normalize import raw, template_config
from drift.live.state import LiveState, RevisionRecord
from drift.onboarding import init
from drift.onboarding.draft import build_draft, render
from drift.profiles.loader import load_profile
from drift.report import Report
from tests.live.test_unreadable_settings import SCALING_MODE_AUTOMATIC, pool
from tests.livestate import state

TODAY = dt.date(2026, 11, 30)
KEY = workload_key(Kind.WORKER_POOL, "consumer")


def automatic() -> run_v2.WorkerPool:
    return pool(SCALING_MODE_AUTOMATIC)


def manual(count: int) -> run_v2.WorkerPool:
    built = pool()
    built.scaling.manual_instance_count = count
    return built


def live_pool(workload: run_v2.WorkerPool) -> LiveService:
    config = template_config(workload, container=None, kind=Kind.WORKER_POOL)
    return LiveService(
        "consumer", workload.name, "", "", config, (), "", "", True, workload, kind=Kind.WORKER_POOL
    )


def profile_of(tmp_path: Path, env: str, project: str, pool_yaml: str = "{}") -> Any:
    (tmp_path / f"{env}.yaml").write_text(
        f"project: {project}\nregion: us-central1\nworker_pools:\n  consumer: {pool_yaml}\n"
    )
    return load_profile(tmp_path, env)


def test_no_default_stands_in_for_it() -> None:
    config = live_pool(automatic()).template
    assert "instance_count" in config.unreadable
    assert "instance_count" not in config.settings  # not one manual instance
    assert live_pool(manual(3)).template.settings["instance_count"] == 3


def test_init_does_not_write_it_and_says_why(tmp_path: Path) -> None:
    st = LiveState()
    st.services[KEY] = live_pool(automatic())
    draft = build_draft("prod", "acme-billing-prod", "us-central1", [KEY], st.services)
    text = render(draft, schema="./profile.schema.json", today=TODAY)
    assert "instance_count: 1" not in text
    assert "      # instance_count: not written, drift cannot read it: scaling holds " in text
    (tmp_path / "prod.yaml").write_text(text)
    written = load_profile(tmp_path, "prod")  # a valid profile
    notes = init._notes(draft, written, [KEY], st, TODAY)
    assert any("instance_count not written: drift cannot read it (" in n for n in notes), notes


def test_compare_live_does_not_compare_it_and_says_so(tmp_path: Path) -> None:
    """An automatic pool against a manual pool of 1 is not "the same", nor against one of 3
    "1 vs 3": neither view has a count, and a note says it was not compared."""
    a = profile_of(tmp_path, "staging", "acme-billing-staging")
    b = profile_of(tmp_path, "prod", "acme-billing-prod")
    for other in (manual(1), manual(3)):
        st_a, st_b = LiveState(), LiveState()
        st_a.services[KEY], st_b.services[KEY] = live_pool(automatic()), live_pool(other)
        compared = asyncio.run(_compare_read(a, b, [KEY], st_a, st_b, None))
        assert not [d for d in compared.differences if "instance_count" in d.target]
        assert [n for n in compared.notes if "instance_count" in n] == [
            "staging: worker pool consumer: instance_count was not compared: drift cannot read "
            "it: " + st_a.services[KEY].template.unreadable["instance_count"]
        ]


def test_plan_leaves_it_to_a_manual_step(tmp_path: Path) -> None:
    profile = profile_of(tmp_path, "prod", "acme-billing-prod", "{settings: {instance_count: 2}}")
    st = LiveState()
    st.services[KEY] = live_pool(automatic())
    findings = diff(profile, [KEY], st, TODAY)
    plan = build_plan(profile, (KEY,), st, Report("prod", "p", "r", (KEY,), tuple(findings)))
    (sp,) = plan.services
    assert [s.name for s in sp.settings] == []  # no fixed count written over automatic scaling
    (step,) = [m for m in sp.manual if m.target == "setting.instance_count"]
    assert step.reason.startswith("instance_count is not planned: drift cannot read it (")
    assert step.commands == (
        "gcloud beta run worker-pools update consumer --project=acme-billing-prod "
        "--region=us-central1 --scaling=2",
    )


def _unreadable(config: RevisionConfig, setting: str, default: Any) -> RevisionConfig:
    """`config` with `setting` unreadable, its default in `settings` as main's reader left
    it (what every reader must not take for a value)."""
    return replace(
        config, settings={**config.settings, setting: default}, unreadable={setting: "unknown"}
    )


def test_history_tells_no_change_of_it(tmp_path: Path) -> None:
    profile = profile_of(tmp_path, "prod", "acme-billing-prod")
    before = replace(state().services["api"].template, settings={"min_instances": 2})
    after = _unreadable(before, "min_instances", 0)
    masking = Masking(profile.services[KEY])
    assert [c.target for c in changes(before, after, masking)] == []
    assert [c.target for c in changes(before, before, masking)] == []


def test_since_names_no_revision_across_it(tmp_path: Path) -> None:
    """The drift is on r2; on r1 the setting could not be read: whether r1 had the drift is
    unknown, so r2 is not said to have begun it (nor r1 to be its last good revision): since
    r2 "or earlier", r1 named as not judged (helper-628: before, no `since` at all)."""
    (tmp_path / "prod.yaml").write_text(
        "project: acme-billing-prod\nregion: us-central1\nservices:\n"
        "  api:\n    settings: {min_instances: 2}\n"
    )
    profile = load_profile(tmp_path, "prod")
    st = state()
    (finding,) = [f for f in diff(profile, ["api"], st, TODAY) if f.rule == "setting.value"]
    live = st.services["api"]
    r2 = RevisionRecord(finding.revision or "", None, "", None, lambda: live.template)
    unreadable = _unreadable(live.template, "min_instances", 0)
    r1 = RevisionRecord("api-00000-old", None, "", None, lambda: unreadable)
    ctx = Context(profile, st, profile.services["api"], live)
    bound = History(ctx, [r1, r2]).since(finding)
    assert bound is not None and (bound.revision, bound.last_good) == (r2.name, None), bound
    assert (bound.earlier, bound.unjudged) == (True, r1.name), bound
    assert "api-00000-old could not be judged (its min_instances could not be read" in bound.note
    read = replace(live.template, settings={"min_instances": 2})
    readable = RevisionRecord(r1.name, None, "", None, lambda: read)
    began = History(ctx, [readable, r2]).since(finding)
    assert began is not None and (began.revision, began.last_good) == (r2.name, r1.name)


def test_a_rollback_preview_says_it_is_unknown() -> None:
    now, before = automatic(), manual(3)
    shown = [
        read_shown(Source(raw(w), raw(w.template), None, Kind.WORKER_POOL), lambda _, v: str(v))
        for w in (now, before)
    ]
    assert (shown[0]["instance_count"], shown[1]["instance_count"]) == (NOT_READ, "3")


def test_freeing_the_pin_takes_a_setting_it_cannot_read_to_hold_drifts_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """drift's canary set the timeout to 600 s; their deploy's template has a timeout drift
    cannot read: it may still be drift's 600 s, so the pin is not freed under it."""
    served = run_v2.Service(name="projects/p/locations/us-central1/services/api")
    served.template.containers.append(run_v2.Container(image="img:1"))
    served.template.timeout = dt.timedelta(seconds=300)
    sent = run_v2.Service(served)
    sent.template.timeout = dt.timedelta(seconds=600)
    theirs = run_v2.Service(sent)
    theirs.template.containers[0].image = "img:2"
    real = untrap.revision_config

    def reading(template: Any, *, service: Any, container: str | None) -> RevisionConfig:
        config = real(template, service=service, container=container)
        return _unreadable(config, "timeout", "300s") if service is theirs else config

    monkeypatch.setattr(untrap, "revision_config", reading)
    before = json.loads(run_v2.Service.to_json(served))
    entry = SimpleNamespace(
        service_before=before,
        base_template=before["template"],
        service_before_pb="",
        base_template_pb="",
        kind="service",
    )
    fixer: Any = SimpleNamespace(entry=entry, sent=sent)
    assert untrap.holds_drifts(fixer, theirs)
    theirs.template.timeout = dt.timedelta(seconds=300)
    monkeypatch.setattr(untrap, "revision_config", real)
    assert not untrap.holds_drifts(fixer, theirs)  # readable, and not drift's value
