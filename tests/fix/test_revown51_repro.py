"""revown51 repros (expected to FAIL on main 7729ecb): reviewer's findings on fixpin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_name, lab_world

IMAGE = "us-docker.pkg.dev/lab/app:v1"


def _their_ingress_at(clients: Any, prefix: str, value: Any) -> tuple[list[int], Any]:
    """A teammate sets the service's ingress (service-level, no new revision) while the
    prompt starting with `prefix` waits."""
    done: list[int] = []

    def meddle(question: str) -> None:
        if question.startswith(prefix) and not done:
            service = clients.services.get_service(name=lab_name())
            service.ingress = value
            written = clients.services.update_service(service=service).result()
            assert written.latest_created_revision == service.latest_created_revision
            done.append(int(written.generation))

    return done, meddle


def test_f1_their_service_level_write_at_the_promotion_prompt_is_undone_by_the_cleanup(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The profile sets ingress: internal with a template change (canary path): the canary's
    write applies ingress INTERNAL_ONLY at once. At the promotion prompt a teammate sets
    ingress INTERNAL_AND_CLOUD_LOAD_BALANCING (service alone, no revision, traffic as drift
    pinned it). `left_as_pinned` is true, drift says it "cleans up as at a declined prompt,
    keeping their change" — and its cleanup (`restore_request` copies every service-level
    setting the change made back from the entry's `before`) writes ingress ALL over their
    value: their write is undone, drift changed more than it said."""
    world = lab_world(template={"image": IMAGE, "port": 8080})
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        "      ingress: internal\n      timeout: 60s\n"
    )
    theirs = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER
    done, meddle = _their_ingress_at(clients_for(sandbox), "Move all traffic", theirs)
    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(
        tmp_path,
        sandbox.environ(),
        ui,
        FixOptions(verify=False),
        environment="lab",
        profiles=folder,
    )
    said = result.summary()
    assert done, (ui.questions, said)
    assert result.exit_code == ExitCode.ABORTED, said
    now = sandbox.service(LAB, "app")
    print(said)
    assert now.ingress == theirs, (now.ingress, said)  # their write stands (SPEC inv. 10)


def test_f1b_their_service_level_max_at_the_promotion_prompt_is_dropped_by_the_cleanup(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """F1 with a field drift never planned: the change sets the service-level minimum
    (scaling.min_instance_count 2 → 3) with a variable (canary path). At the promotion prompt
    a teammate caps the service at 10 (`gcloud run services update --max=10`: service-level
    scaling.max_instance_count, no revision). The cleanup copies the whole `scaling` message
    back from the entry's `before` (`restore_request`, drift/fix/restore.py:115-116): their
    cap is gone, though drift says it keeps their change."""
    world = lab_world()
    world["projects"][LAB]["services"]["app"]["scaling"] = {"minInstanceCount": 2}
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    from tests.fix.conftest import lab_profiles

    folder = lab_profiles(tmp_path)
    lab = folder / "lab.yaml"
    lab.write_text(lab.read_text() + "    settings:\n      min_instances: 3\n")
    clients = clients_for(sandbox)
    done: list[int] = []

    def meddle(question: str) -> None:
        if question.startswith("Move all traffic") and not done:
            service = clients.services.get_service(name=lab_name())
            service.scaling.max_instance_count = 10
            written = clients.services.update_service(service=service).result()
            assert written.latest_created_revision == service.latest_created_revision
            done.append(int(written.generation))

    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(
        tmp_path,
        sandbox.environ(),
        ui,
        FixOptions(verify=False),
        environment="lab",
        profiles=folder,
    )
    said = result.summary()
    print(said)
    assert done, (ui.questions, said)
    assert result.exit_code == ExitCode.ABORTED, said
    now = sandbox.service(LAB, "app")
    assert now.scaling.max_instance_count == 10, (now.scaling, said)
