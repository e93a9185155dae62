"""rev80 F2, F3: a service's fix that changes only a setting of the service (ingress) is one
UpdateService in place, its template sent as read (`drift.fix.workload`). A teammate deploys
after drift's read right before that write and before it reaches the server. A server that
refuses the stale etag (AIP-154; sandbox option `stale_etag: aborted`): drift's write did not
land, their hotfix serves. One that lets it through (run v2 service.proto: etag "May be used
to detect modification conflict during updates"): drift's write, built on the template it
read, replaced their deploy (a revision of the old image now serves) — said as a canary write
over theirs is (`drift.fix.overwrote`), exit 1, journaled update-failed; never "did not
complete" alone. Its rollback puts the ingress back and says so: LATEST resolving to the
revision drift's write made, which runs the configuration that served before, is as before
(`drift.fix.routing.restoration_problem`), never "restored nothing"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.workload
from drift.errors import ApiError, ExitCode
from drift.fix.apply import FixOptions, FixResult
from drift.fix.journal import Entry, State
from drift.sandbox import Fault, Sandbox
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_world, rollback

pytestmark = pytest.mark.sandbox

V1, HOTFIX = "us-docker.pkg.dev/lab/app:v1", "us-docker.pkg.dev/lab/app:v2-hotfix"


def ingress_only(
    sandbox: Sandbox, tmp_path: Path, stale_etag: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, dict[str, str], Path]:
    """The lab's `app` (image V1, MODE=live) on a server whose `stale_etag` is given, and
    `tmp_path/profiles/lab.yaml` asking only for `ingress: internal`: a fix with no canary.
    Returns the sandbox, its environment (set) and the profiles' directory."""
    sandbox.reset(lab_world(template={"image": V1, "port": 8080, "env": {"MODE": "live"}}))
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    env = sandbox.environ()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        "    settings:\n      ingress: internal\n    env:\n      MODE: live\n"
    )
    return sandbox, env, profiles


def fixed_app(
    sandbox: Sandbox, env: dict[str, str], profiles: Path, tmp_path: Path
) -> tuple[FixResult, str, Any, Entry]:
    """`drift fix lab` of `app`, confirmed, the re-check left out: the result, its summary,
    the service read afterwards and the change's journal entry."""
    result = fix(
        tmp_path,
        env,
        ScriptedUI([True]),
        FixOptions(verify=False),
        environment="lab",
        profiles=profiles,
    )
    (entry,) = entries(tmp_path)
    return result, result.summary(), sandbox.service(LAB, "app"), entry


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
def test_a_deploy_landing_before_an_update_in_place(
    reseedable: Sandbox, tmp_path: Path, stale_etag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, env, profiles = ingress_only(reseedable, tmp_path, stale_etag, monkeypatch)
    real = drift.fix.workload.update_workload
    theirs: list[str] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not kw.get("validate_only") and not theirs:  # their deploy, then drift's write
            done = sandbox.deploy(LAB, "app", image=HOTFIX)
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    result, text, after, entry = fixed_app(sandbox, env, profiles, tmp_path)
    if stale_etag == "aborted":
        assert "drift's update did not land" in text, text
        assert after.template.containers[0].image == HOTFIX and entry.state == State.ABORTED
        return
    assert after.template.containers[0].image == V1  # their hotfix no longer serves
    assert result.exit_code == ExitCode.DRIFT, text
    assert "app: someone else wrote the service after drift read it" in text, text
    assert f"revision {theirs[0]} by " in text and f"--to-revisions={theirs[0]}=100" in text
    assert f"drift's update (generation {after.generation}) replaced what they wrote" in text
    assert entry.state == State.UPDATE_FAILED
    assert "landed over someone else's write" in entry.history[-1]["note"]
    ui = ScriptedUI()
    done = rollback(tmp_path, ui)
    said = done.summary()
    made = after.latest_ready_revision.rsplit("/", 1)[-1]  # by drift's write over theirs
    shown = "\n".join(ui.said)
    assert f"(no new revision, so LATEST resolves to {made}, the latest ready revision" in shown
    assert done.exit_code == ExitCode.OK, said
    assert done.restored == ["app"], said
    assert "what serves is not what served before" not in said, said
    back = sandbox.service(LAB, "app")
    assert back.ingress == run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL
    assert back.generation == after.generation + 1


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
def test_a_traffic_pin_after_an_update_in_place_whose_answer_was_lost(
    reseedable: Sandbox, tmp_path: Path, stale_etag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown80 F1: drift's in-place write (ingress) lands, its answer is lost, then a teammate
    pins the traffic to the serving revision (`gcloud run services update-traffic`: no
    revision, current etag). The read back, two generations past drift's read, carries drift's
    configuration either way: the traffic not as drift sent it shows a write came after
    drift's, so drift never says it replaced their write."""
    sandbox, env, profiles = ingress_only(reseedable, tmp_path, stale_etag, monkeypatch)
    real = drift.fix.workload.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if kw.get("validate_only"):
            return await real(session, kind, request, **kw)
        monkeypatch.setattr(drift.fix.workload, "update_workload", real)
        sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))
        try:
            return await real(session, kind, request, **kw)
        except ApiError:
            serving = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
            sandbox.update_traffic(LAB, "app", {serving: 100})  # after drift's write
            raise

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    result, text, after, entry = fixed_app(sandbox, env, profiles, tmp_path)
    assert after.ingress == run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY  # drift's
    assert "someone else wrote the" not in text and "replaced what they wrote" not in text, text
    # helper-809 F3: it holds each change drift sent (the ingress; the pin is theirs alone):
    # drift's update landed, theirs too — a completed fix, never "nothing changed" (exit 4)
    assert "app: updated in place (setting.ingress) (its answer was lost: " in text, text
    assert "holds each change it sent, and someone else's write too (generation 1 → 3" in text, text
    assert "by drift's write or someone else's: not proven which" in text, text  # 817 K5
    assert result.exit_code == ExitCode.OK, text
    assert entry.state == State.UPDATED and "landed over" not in entry.history[-1]["note"]
    assert entry.writes[-1]["generation_after"] == 2, entry.writes  # theirs stays theirs


def test_an_update_in_place_not_read_back_may_have_landed(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-809 F1, a service's own settings: drift's ingress write lands, its answer is
    lost, and the service cannot be read back: it may have landed — exit 3, never 4, the
    entry left `updating`, its lock kept."""
    sandbox, env, profiles = ingress_only(reseedable, tmp_path, "aborted", monkeypatch)
    real = drift.fix.workload.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not kw.get("validate_only"):
            monkeypatch.setattr(drift.fix.workload, "update_workload", real)
            sandbox.inject(Fault("UpdateService", "INTERNAL", after=True, first_n=1))
            sandbox.inject(Fault("GetService", "PERMISSION_DENIED"))
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    result, text, _, entry = fixed_app(sandbox, env, profiles, tmp_path)
    sandbox.clear_faults()
    assert result.exit_code == ExitCode.INCOMPLETE, text
    assert "app: its answer was lost (UpdateService " in text, text
    assert "it may have landed" in text and "nothing was changed" not in text, text
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None, entry.history
    assert [p.name for p in (tmp_path / ".drift" / "journal" / "locks").iterdir()], "lock freed"
    ingress = sandbox.service(LAB, "app").ingress
    assert ingress == run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY  # it did land
