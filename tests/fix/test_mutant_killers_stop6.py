"""Killer tests for survivors of revmutant6's mutation round over the last stop's new code
(drift/fix/reread.py, drift/fix/keep_theirs.py, …): each passes on main and fails on the
mutant named in its docstring (/work/notes/reports/revmutant6.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, PROJECT, ScriptedUI, entries, fix, updates


def _as_created(sandbox: Sandbox, *, uid: str | None = None) -> str:
    """The service `api` as created by one write: generation 1 (a new resource's first), with
    `uid` when given (deleted and created again from the same YAML); returns its uid."""
    out: list[str] = []

    def go() -> None:
        rec = sandbox._core.world.find_service(PROJECT, "api")
        rec.pb.generation = 1
        rec.pb.observed_generation = 1
        if uid is not None:
            rec.pb.uid = uid
        out.append(rec.pb.uid)

    sandbox._run(go)
    return out[0]


def test_a_service_deleted_and_created_again_at_the_prompt_is_not_written(
    lenient: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """reread.changed_since_read compares the uid, not only the generation: a service deleted
    and created again from the same YAML while the first prompt waited starts at generation 1,
    the generation drift read of a service created once. Mutant R01 (the uid comparison
    dropped) writes drift's canary onto the new service (SPEC invariant 10: its uid)."""
    sandbox = lenient
    first = _as_created(sandbox)
    again: list[str] = []

    def meddle(question: str) -> None:
        if not again:  # `gcloud run services delete api`, then `replace` of the same YAML
            again.append(_as_created(sandbox, uid=str(uuid.uuid4())))

    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    said = result.summary()
    assert again and again[0] != first
    assert result.exit_code == ExitCode.ABORTED, said
    assert "deleted and created again" in said, said
    assert not [u for u in updates(sandbox) if not u.validate_only], said
    assert entries(tmp_path) == []


def _label_at(
    clients: Any, prefix: str, *, client: str = ""
) -> tuple[Callable[[str], None], list[bool]]:
    """Someone writes the label cost-center=42 to the lab's service alone while the prompt
    starting with `prefix` waits (with `client`, as gcloud names itself); the list says
    whether their write moved the generation, once written."""
    done: list[bool] = []

    def label(question: str) -> None:
        if question.startswith(prefix) and not done:
            service = clients.services.get_service(name=lab.lab_name())
            service.labels["cost-center"] = "42"
            if client:
                service.client, service.client_version = client, "528.0.0"
            written = clients.services.update_service(service=service).result()
            done.append(written.generation != service.generation)

    return label, done


@pytest.mark.parametrize("prompt", ["Deploy the patch", "Move all traffic"])
def test_a_label_keeping_the_generation_is_written_over_with_the_fresh_etag(
    prompt: str,
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a server that refuses a stale etag (AIP-154, the sandbox's default), a label written
    at a prompt without moving the generation changes the etag: drift's write built on the
    fresh read (`reread.on_fresh`) sends the fresh read's etag and lands, the label kept.
    Mutant R04 (`out.etag = fresh.etag` dropped) sends the plan's etag: ABORTED, the fix
    fails on a write nobody needs to undo."""
    sandbox = make_sandbox(lab.lab_world())
    monkeypatch.setattr(sandbox.scenario.options, "labels_bump_generation", False)
    label, done = _label_at(clients_for(sandbox), prompt)
    ui = ScriptedUI([True, True], on_confirm=label)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert done == [False], (ui.questions, said)
    assert result.exit_code == ExitCode.OK, said
    assert sandbox.service(LAB, "app").labels["cost-center"] == "42", said


def test_who_wrote_is_not_named_as_what_they_changed(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`readback.what_changed` leaves out the server-set fields and who last wrote (`client`,
    `client_version`: `readback.OUTPUT`): a teammate's `gcloud run services update
    --update-labels` at the promotion prompt changed the labels, not "client". Mutant R05
    (OUTPUT_ONLY alone) says "they changed its labels cost-center; client; client_version"."""
    sandbox = make_sandbox(lab.lab_world())
    label, done = _label_at(clients_for(sandbox), "Move all traffic", client="gcloud")
    ui = ScriptedUI([True, True], on_confirm=label)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert done and result.exit_code == ExitCode.ABORTED, said
    assert "with gcloud 528.0.0" in said, said  # who wrote: named where it belongs
    assert "they changed its labels cost-center)" in said, said


def test_a_label_value_changed_at_the_prompt_is_named(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`protofield.field_value` gives a map as a dict: a label whose value changed under the
    same key (cost-center 41 → 42) is a change `readback.what_changed` names. Mutant P02 (a map
    as the list of its keys) sees the same keys and says nothing of what they changed."""
    sandbox = make_sandbox(lab.lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab.lab_name())
    service.labels["cost-center"] = "41"
    clients.services.update_service(service=service).result()
    label, done = _label_at(clients, "Move all traffic")
    ui = ScriptedUI([True, True], on_confirm=label)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert done and result.exit_code == ExitCode.ABORTED, said
    assert "they changed its labels cost-center" in said, said


def test_their_pause_at_the_promotion_prompt_keeps_its_zero(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A teammate pauses the service at the promotion prompt (`gcloud run services update
    --scaling=0`: scaling_mode MANUAL, manual_instance_count 0, an `optional int32` whose 0 is
    set, not absent: run v2 service.proto ServiceScaling). The cleanup keeps their write
    (`keep_theirs`, `protofield.field_value` compares a field with presence by it). Mutant P01
    (presence ignored) reads their 0 as the request's unset count: the cleanup sends MANUAL
    with no count, their 0 dropped."""
    from tests.fix.test_cleanup_keeps_their_write import _at_promotion, _run
    from tests.fix.test_service_level import min_two_wants_three

    sandbox, folder = min_two_wants_three(make_sandbox, tmp_path, monkeypatch)
    manual = run_v2.ServiceScaling.ScalingMode.MANUAL

    def pause(service: Any) -> None:
        service.scaling.scaling_mode = manual
        service.scaling.manual_instance_count = 0

    done, meddle = _at_promotion(clients_for(sandbox), pause)
    result, said = _run(tmp_path, sandbox, meddle, folder)
    assert done and result.exit_code == ExitCode.ABORTED, said
    now = run_v2.ServiceScaling.pb(sandbox.service(LAB, "app").scaling)
    assert now.scaling_mode == manual, (now, said)
    assert now.HasField("manual_instance_count") and now.manual_instance_count == 0, (now, said)
