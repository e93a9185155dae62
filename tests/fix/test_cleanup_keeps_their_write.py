"""revown51 F1: a teammate writes the service alone at the promotion prompt (a service-level
setting: ingress, `gcloud run services update --max=10`; no new revision, the routing as
drift's canary pinned it). drift does not promote and cleans up as at a declined prompt,
"keeping their change" (`untrap.left_as_pinned`, `cleanup._keeping`). The cleanup puts back
only what drift's change wrote and they left as drift wrote it — the template, the routing
without the canary's tag, and each service-level field drift set (field by field:
`scaling.min_instance_count`, not the whole `scaling`) where the service still holds drift's
value — and keeps their write as they left it (SPEC invariant 2: `fix` changes only what the
plan names; invariant 10: drift does not undo someone else's change without `--force`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_here, lab_name, lab_world
from tests.fix.test_service_level import min_two_wants_three

IMAGE = "us-docker.pkg.dev/lab/app:v1"
LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST


def _at_promotion(clients: Any, edit: Callable[[Any], None]) -> tuple[list[int], Any]:
    """A teammate writes the service alone (`edit`: no new revision) while the promotion
    prompt waits."""
    done: list[int] = []

    def meddle(question: str) -> None:
        if question.startswith("Move all traffic") and not done:
            service = clients.services.get_service(name=lab_name())
            edit(service)
            written = clients.services.update_service(service=service).result()
            assert written.latest_created_revision == service.latest_created_revision
            done.append(int(written.generation))

    return done, meddle


def _run(tmp_path: Path, sandbox: Any, meddle: Any, folder: Path) -> tuple[FixResult, str]:
    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(
        tmp_path,
        sandbox.environ(),
        ui,
        FixOptions(verify=False),
        environment="lab",
        profiles=folder,
    )
    return result, result.summary()


def _ingress_lab(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, Path]:
    """Service `app`, and a profile setting ingress: internal and a timeout (a template change:
    the canary path, its write applying ingress at once). The sandbox and profiles folder."""
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "port": 8080}))
    folder = lab_here(
        sandbox,
        tmp_path,
        monkeypatch,
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        "      ingress: internal\n      timeout: 60s\n",
    )
    return sandbox, folder


def _cleaned_up(now: Any, said: str) -> None:
    """The cleanup itself happened: the canary's tag gone, LATEST routed as before drift."""
    assert "drift removed the canary's tag and restored the routing" in said, said
    assert "nothing is left to roll back" in said, said
    assert [(t.type_, t.percent, t.tag) for t in now.traffic] == [(LATEST, 100, "")], said


def test_their_ingress_at_the_promotion_prompt_stays_and_is_said(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The profile sets ingress: internal and a timeout (a template change: the canary path);
    the canary's write applies ingress INTERNAL_ONLY at once. At the promotion prompt a
    teammate sets ingress INTERNAL_LOAD_BALANCER: a field drift's change set too. Their
    value stays (before: the cleanup wrote ingress ALL over it), drift says so, and the
    template is back to what served (the timeout as before drift)."""
    sandbox, folder = _ingress_lab(make_sandbox, tmp_path, monkeypatch)
    timeout = sandbox.service(LAB, "app").template.timeout
    theirs = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER

    def ingress(service: Any) -> None:
        service.ingress = theirs

    done, meddle = _at_promotion(clients_for(sandbox), ingress)
    result, said = _run(tmp_path, sandbox, meddle, folder)
    assert done and result.exit_code == ExitCode.ABORTED, said
    now = sandbox.service(LAB, "app")
    assert now.ingress == theirs, (now.ingress, said)  # their write stands
    assert "their ingress stays as they set it" in said, said
    assert now.template.timeout == timeout, (now.template.timeout, said)  # drift's undone
    _cleaned_up(now, said)


@pytest.mark.parametrize("their_min", [None, 5], ids=["their-max", "their-max-and-min"])
def test_their_service_level_scaling_at_the_promotion_prompt_stays_field_by_field(
    their_min: int | None,
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The change sets the service-level minimum (scaling.min_instance_count 2 → 3) with a
    variable (the canary path). At the promotion prompt a teammate caps the service at 10
    (`gcloud run services update --max=10`: scaling.max_instance_count, a field the plan
    never named; before, the cleanup copied the whole `scaling` back and dropped it).
    - their cap alone: drift's minimum still holds drift's 3, so it goes back to 2, their
      cap stays, and nothing more is said (drift never set the cap);
    - with a minimum of theirs (5): both are theirs, and drift says the minimum stays."""
    sandbox, folder = min_two_wants_three(make_sandbox, tmp_path, monkeypatch)
    served = _env(sandbox.service(LAB, "app"))

    def scale(service: Any) -> None:
        assert service.scaling.min_instance_count == 3  # drift's canary write set it
        service.scaling.max_instance_count = 10
        if their_min is not None:
            service.scaling.min_instance_count = their_min

    done, meddle = _at_promotion(clients_for(sandbox), scale)
    result, said = _run(tmp_path, sandbox, meddle, folder)
    assert done and result.exit_code == ExitCode.ABORTED, said
    now = sandbox.service(LAB, "app")
    assert now.scaling.max_instance_count == 10, (now.scaling, said)
    if their_min is None:
        assert now.scaling.min_instance_count == 2, (now.scaling, said)  # drift's 3 undone
        assert "stays as they set it" not in said, said
    else:
        assert now.scaling.min_instance_count == their_min, (now.scaling, said)
        assert "their scaling.min_instance_count stays as they set it" in said, said
    assert _env(now) == served, said  # the template is the one that served
    _cleaned_up(now, said)


def _env(service: Any) -> list[tuple[str, str]]:
    return [(e.name, e.value) for e in service.template.containers[0].env]


def test_their_deploy_at_the_promotion_prompt_says_drifts_ingress_is_live_still(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """helper-538: a teammate deploys (a new revision) while the promotion prompt waits. drift
    leaves their change as it is, and with it the ingress its canary's write applied at once:
    the message said what serves, never that drift's ingress was live."""
    sandbox, folder = _ingress_lab(make_sandbox, tmp_path, monkeypatch)

    def deploy(service: Any) -> None:
        service.template.containers[0].env.append(run_v2.EnvVar(name="HOTFIX", value="1"))
        service.template.revision = ""  # a name of Cloud Run's (drift's canary named its own)

    clients = clients_for(sandbox)
    done: list[int] = []

    def meddle(question: str) -> None:
        if question.startswith("Move all traffic") and not done:
            service = clients.services.get_service(name=lab_name())
            deploy(service)
            done.append(int(clients.services.update_service(service=service).result().generation))

    ui = ScriptedUI([True, True], on_confirm=meddle)
    result = fix(tmp_path, sandbox.environ(), ui, FixOptions(verify=False), None, "lab", folder)
    said = result.summary()
    # the first question says what the canary's write changes at once
    assert ui.questions[0] == (
        "Deploy the patch to app as a canary revision with no traffic "
        "(setting app's ingress on the service at once)?"
    ), ui.questions
    assert done and result.exit_code == ExitCode.ABORTED, said
    now = sandbox.service(LAB, "app")
    assert now.ingress == run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY, said
    assert "drift leaves their change as it is" in said, said
    assert "the service's ingress not as before the change (drift's canary write" in said, said
