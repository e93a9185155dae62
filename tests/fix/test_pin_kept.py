"""When drift does NOT free its pin after someone else's write at the promotion prompt (the
user declines; drift's cleanup is refused: changed since): a write that made no revision of
theirs (a service-level update) leaves nothing of theirs under the pin, and drift never calls
its own canary "their revision" nor prints a command routing LATEST (the declined canary): it
cleans up as at a plain "no", keeping their write (revfix90 F1); a
deploy of theirs that failed leaves LATEST on the canary, so no `--to-latest` either; a deploy
built on the canary (gcloud) carries drift's declined service-level change too, and drift
never says nothing is left to roll back."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

from drift.errors import Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries
from tests.fix.test_foreign_writes import CI_IMAGE, OWN

REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


def _update(sandbox: Sandbox, change: object) -> None:
    """GetService, change, UpdateService: a teammate with the official client."""
    channel = grpc.insecure_channel(sandbox.address)
    try:
        client = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel))
        service = client.get_service(name=sandbox.service(LAB, "app").name)
        change(service)  # type: ignore[operator]
        client.update_service(service=service).result()
    finally:
        channel.close()


def _declined(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at_the_prompt: object
) -> str:
    def teammate(question: str) -> None:
        if question.startswith("Move all traffic"):
            at_the_prompt()  # type: ignore[operator]

    ui = ScriptedUI([True, False], on_confirm=teammate)
    try:
        return lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch).summary()
    except Interrupted as exc:
        return exc.message


def _internal(service: run_v2.Service) -> None:
    service.ingress = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY


def _pin_to_ready(service: run_v2.Service) -> None:
    ready = service.latest_ready_revision.rsplit("/", 1)[-1]
    service.traffic = [run_v2.TrafficTarget(type_=REVISION, revision=ready, percent=100)]


@pytest.mark.parametrize("traffic", ["latest", "explicit"])
def test_a_service_level_write_at_the_prompt_has_no_revision_to_free(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, traffic: str
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    if traffic == "explicit":
        _update(sandbox, _pin_to_ready)
    said = _declined(sandbox, tmp_path, monkeypatch, lambda: _update(sandbox, _internal))
    (entry,) = entries(tmp_path)
    assert f"Their revision {entry.canary_revision}" not in said, said
    assert "--to-latest" not in said, said
    assert not any(w["step"] == "untrap" for w in entry.writes)
    # nothing of theirs is under the pin, which is drift's: the cleanup goes on as at a
    # plain "no", keeping their write (revfix90 F1; before, the pin stayed and trapped the
    # team's next deploy)
    assert entry.state == State.CLEANED_UP, said
    assert "nothing is left to roll back" in said, said
    now = sandbox.service(LAB, "app")
    assert now.ingress == run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY, said
    if traffic == "latest":
        assert [(t.type_.name, t.percent, t.tag) for t in now.traffic] == [
            ("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", 100, "")
        ], said


def test_a_failed_deploy_at_the_prompt_leaves_latest_on_the_canary_unrouted(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def failed_deploy() -> None:
        sandbox.hold_deploys(True)
        sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("ci-bot", "1.2"))
        sandbox.finish_deploy(LAB, "app", failure="container failed to start")
        sandbox.hold_deploys(False)

    said = _declined(sandbox, tmp_path, monkeypatch, failed_deploy)
    assert "LATEST would send traffic to drift's canary" in said, said
    assert "--to-latest" not in said, said


def _gcloud_deploy_declined(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    service_yaml: str,
    template: dict[str, object] | None = None,
) -> tuple[run_v2.Service, str, run_v2.Service]:
    """The lab service (`template`) against a profile whose service says `service_yaml`; at
    "Move all traffic…?" CI runs `gcloud run deploy --image` (built on the canary's template)
    and the user declines: the service before, what drift said, the service after."""

    def profiles(folder: Path, service: str = "app") -> Path:
        path = folder / "profiles"
        path.mkdir(exist_ok=True)
        (path / "lab.yaml").write_text(
            f"project: {LAB}\nregion: us-central1\nservices:\n  {service}:\n{service_yaml}"
        )
        return path

    monkeypatch.setattr(lab, "lab_profiles", profiles)
    sandbox = make_sandbox(lab.lab_world(template=template))
    before = sandbox.service(LAB, "app")
    said = _declined(
        sandbox,
        tmp_path,
        monkeypatch,
        lambda: sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("ci-bot", "1.2")),
    )
    after = sandbox.service(LAB, "app")
    assert "drift freed it" not in said and "holds drift's change" in said, said
    assert lab.shares(after) == lab.shares(before)  # traffic still on what served
    return before, said, after


def test_a_deploy_carrying_drifts_declined_ingress_is_never_called_done(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan sets ingress (service-level, in effect at once) and a variable; CI's gcloud
    deploy at the prompt keeps both; the user declines: drift routes nothing to it and leaves
    the change for `drift rollback --force`, never "nothing is left to roll back"."""
    service = "    settings:\n      ingress: internal\n    env:\n      MODE: live\n"
    before, said, after = _gcloud_deploy_declined(make_sandbox, tmp_path, monkeypatch, service)
    assert after.ingress != before.ingress  # drift's, kept by their deploy
    assert "nothing is left to roll back" not in said, said
    assert f"drift rollback {entries(tmp_path)[0].change_id} --force" in said, said


SIDECARS = {
    "api": {
        "containers": [
            {"name": "proxy", "image": "x/proxy:1", "ports": [{"containerPort": 8080}],
             "resources": {"limits": {"cpu": "1", "memory": "512Mi"}}},
            {"name": "app", "image": "x/app:1",
             "resources": {"limits": {"cpu": "1", "memory": "512Mi"}}},
        ]
    }
}  # fmt: skip


def test_a_deploy_carrying_a_declined_setting_of_a_sidecar_is_not_freed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The profile describes `container: app` (no port: not the ingress one) and its memory;
    CI's gcloud deploy at the prompt keeps the canary's 1Gi; the user declines: drift frees
    no pin onto it (a container's setting is drift's change as much as a variable is)."""
    service = "    container: app\n    settings:\n      memory: 1Gi\n"
    _, _, after = _gcloud_deploy_declined(make_sandbox, tmp_path, monkeypatch, service, SIDECARS)
    (app,) = [c for c in after.template.containers if c.name == "app"]
    assert app.resources.limits["memory"] == "1Gi"  # their template kept drift's change


def test_a_freeing_write_cloud_run_refuses_under_a_failed_deploy_is_no_success(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fixleft70c: traffic pinned by name before drift; CI deploys its own template at the
    prompt and its revision fails; the user declines. Where Cloud Run stores the traffic-only
    update that frees drift's pin yet refuses to reconcile it while the latest created
    revision failed (not documented: sandbox option `traffic_while_failed` `refuses`), its
    operation's error stands: drift never says it freed the pin, nor that nothing is left to
    roll back, and gives the command that frees it."""
    world = lab.lab_world()
    world["options"]["traffic_while_failed"] = "refuses"
    sandbox = make_sandbox(world)
    _update(sandbox, _pin_to_ready)
    served = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]

    def failed_deploy() -> None:
        sandbox.hold_deploys(True)
        sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))
        sandbox.finish_deploy(LAB, "app", failure="container failed to start")
        sandbox.hold_deploys(False)

    said = _declined(sandbox, tmp_path, monkeypatch, failed_deploy)
    (entry,) = entries(tmp_path)
    assert "drift freed it" not in said and "nothing is left to roll back" not in said, said
    assert "drift could not free it" in said and "container failed to start" in said, said
    command = (
        f"gcloud run services update-traffic app --to-revisions {served}=100 "
        f"--remove-tags {entry.tag} --project {LAB} --region us-central1"
    )
    assert f"Free it (their template stays) with: {command}" in said, said
    assert entry.state == State.CLEANUP_FAILED and entry.writes[-1]["step"] == "untrap"
