"""A keyless template holding a revocation action SHUTDOWN and a shutdown duration (left by
Terraform, or by a `--clear-key` that did not clear them: drift treats them as void without a
key, `Field.void`), and a profile that sets `encryption_key` and says nothing of them: the fix
writes the key only, and the leftover settings then take effect (RevisionTemplate
.encryption_key_shutdown_duration: "If encryption_key_revocation_action is SHUTDOWN, the
duration before shutting down all instances"). Every plan format says so, naming them and
their live values; what is written stays what the plan names."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.fields import FIELDS, PlannedSetting
from drift.fields.base import Unread
from drift.fix.formats import PlanFormat
from drift.fix.model import ServicePlan
from drift.fix.plan import Planned
from drift.fix.render import render_plan
from drift.kinds import Kind
from tests.conftest import Clients
from tests.fix.planning import plan_of_profile

KEY = "projects/acme-chat-staging/locations/us-central1/keyRings/kr/cryptoKeys/k"
ACTION = "encryption_key_revocation_action"
HOURS = "encryption_key_shutdown_hours"
LEFTOVER = {"encryption_key": "", ACTION: "shut-down", HOURS: 2}


def _note(kind: Kind, held: dict[str, object], changed: set[str] | None = None) -> str:
    note = FIELDS["encryption_key"].plan_note
    assert note is not None
    return note(
        PlannedSetting(
            kind, "", KEY, changed or {"encryption_key"}, {**held, "encryption_key": KEY}
        )
    )


def test_setting_a_key_names_the_leftover_revocation_settings_it_brings_into_effect() -> None:
    said = _note(Kind.SERVICE, LEFTOVER)
    assert "encryption_key_revocation_action=shut-down" in said, said
    assert "encryption_key_shutdown_hours=2" in said, said
    assert "take effect" in said and "without a key" in said, said
    assert _note(Kind.WORKER_POOL, LEFTOVER) == said


def test_an_action_drift_cannot_read_leaves_the_duration_named() -> None:
    """revown59 F2: an action drift cannot read (a value newer than its client) may be
    shut-down, so the duration beside it may count: both are named."""
    said = _note(Kind.SERVICE, {**LEFTOVER, ACTION: Unread("unknown value 7")})
    assert f"{ACTION} (unknown value 7)" in said, said
    assert f"{HOURS}=2" in said, said


def test_nothing_is_said_where_nothing_left_over_takes_effect() -> None:
    unset = {"encryption_key": "", ACTION: "prevent-new", HOURS: 0}  # as an unset template reads
    assert _note(Kind.SERVICE, unset) == ""
    # a duration beside prevent-new means nothing, with a key or without
    assert _note(Kind.SERVICE, {**unset, HOURS: 3}) == ""
    assert _note(Kind.JOB, {"encryption_key": ""}) == ""  # a TaskTemplate has neither
    # what the plan changes itself is the plan's own line, not a leftover
    said = _note(Kind.SERVICE, LEFTOVER, {"encryption_key", HOURS})
    assert ACTION in said and HOURS not in said, said
    # a key replacing a key: they took effect already
    note = FIELDS["encryption_key"].plan_note
    assert note is not None
    assert (
        note(
            PlannedSetting(
                Kind.SERVICE,
                KEY + "2",
                KEY,
                {"encryption_key"},
                {**LEFTOVER, "encryption_key": KEY},
            )
        )
        == ""
    )


PROFILE = (
    "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n"
    f"    settings:\n      encryption_key: {KEY}\n"
)


def _planned(clients: Clients, tmp_path: Path, shutdown: timedelta) -> tuple[Planned, ServicePlan]:
    """The plan of PROFILE (the key only) for the sandbox's keyless `api` once its template
    holds SHUTDOWN and `shutdown`; the write it plans is the key alone, nothing of the
    revocation settings."""
    name = "projects/acme-chat-staging/locations/us-central1/services/api"
    live = clients.services.get_service(name=name)
    assert not live.template.encryption_key
    live.template.encryption_key_revocation_action = run_v2.EncryptionKeyRevocationAction.SHUTDOWN
    live.template.encryption_key_shutdown_duration = shutdown
    clients.services.update_service(service=live).result()
    planned = plan_of_profile(tmp_path, PROFILE)
    (sp,) = [s for s in planned.plan.services if s.has_patch]
    assert [s.name for s in sp.settings] == ["encryption_key"], sp.settings
    return planned, sp


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_every_plan_format_says_the_leftover_settings_take_effect(
    sandbox_env: dict[str, str], clients: Clients, tmp_path: Path, fmt: PlanFormat
) -> None:
    planned, sp = _planned(clients, tmp_path, timedelta(hours=2))
    text = render_plan(planned.plan, fmt, patched=planned.patched)
    if fmt is PlanFormat.JSON:
        (service,) = [s for s in json.loads(text)["services"] if s.get("settings")]
        text = " ".join(service.get("notes", []))
    else:
        text = " ".join(text.replace("#", " ").split())
    assert "encryption_key_revocation_action=shut-down" in text, text
    assert "encryption_key_shutdown_hours=2" in text, text
    if fmt is PlanFormat.GCLOUD:
        assert "--post-key-revocation-action-type" not in text, text
        assert "--encryption-key-shutdown-hours" not in text, text


def test_a_leftover_duration_drift_cannot_read_is_named_with_why(
    sandbox_env: dict[str, str], clients: Clients, tmp_path: Path
) -> None:
    """revown58 F4: a leftover shutdown duration of 90 minutes (not whole hours, unreadable to
    drift: `_not_whole_hours`) took effect with the key unnamed; the note named the action
    only. It now names the duration too, with why drift cannot read it."""
    planned, sp = _planned(clients, tmp_path, timedelta(minutes=90))
    for text in (
        " ".join(sp.notes),
        render_plan(planned.plan, PlanFormat.JSON, patched=planned.patched),
    ):
        assert "encryption_key_revocation_action=shut-down" in text, text
        assert "encryption_key_shutdown_hours (encryption_key_shutdown_duration is 5400s" in (
            text
        ), text
