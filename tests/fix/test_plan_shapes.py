"""`drift plan` on services shaped the way teams run them (drift/sandbox/scenarios/
real-shapes.yaml, read through the official clients): a reference to a secret of another
project keeps its project, a setting stated as a pattern is never "set" to anything, sidecar
variables are patched in their container, and a secret problem in a sidecar or a volume is a
manual step with the exact command, never claimed as repaired by a patch that does not touch
it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.fix.formats import PlanFormat
from drift.fix.model import Plan, ServicePlan
from drift.fix.plan import plan_environment
from drift.fix.render import render_plan
from drift.profiles.loader import load_profile
from drift.refs import SecretRef
from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from drift.settings import load_settings
from tests.cliutil import REPO

SHIPPED = REPO / "tests" / "data" / "shapes" / "profiles" / "prod.yaml"


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(default_scenario_path().with_name("real-shapes.yaml")) as sandbox:
        yield sandbox


def plan(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *edits: tuple[str, str]
) -> Plan:
    text = SHIPPED.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(text)
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(tmp_path / "profiles", "prod")
    settings = load_settings(journal_dir=tmp_path / "journal", wait=0)
    return asyncio.run(plan_environment(profile, settings)).plan


def service(plan: Plan, name: str) -> ServicePlan:
    (found,) = [s for s in plan.services if s.service == name]
    return found


def test_a_secret_of_another_project_keeps_its_project(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    edit = (
        "PARTNER_API_KEY: {secret: partner-api-key, project: acme-shared}",
        'PARTNER_API_KEY: {secret: partner-api-key, project: acme-shared, version: "1"}',
    )
    chat = service(plan(shapes, monkeypatch, tmp_path, edit), "chat")
    (change,) = [c for c in chat.env if c.name == "PARTNER_API_KEY"]
    assert change.ref == SecretRef("partner-api-key", "1", "acme-shared")
    # never the same-named secret of the service's own project
    text = render_plan(Plan("prod", "acme-prod", "us-central1", (chat,)), PlanFormat.GCLOUD)
    assert "PARTNER_API_KEY=partner-api-key:" not in text


def test_a_setting_stated_as_a_pattern_is_never_set(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    edit = ('image: {pattern: "/web:v2\\\\."}', 'image: {pattern: "/web:v9\\\\."}')
    planned = plan(shapes, monkeypatch, tmp_path, edit)
    for sp in planned.services:
        assert "image" not in {s.name for s in sp.settings}, sp.service
    web = service(planned, "web")
    (step,) = [m for m in web.manual if m.target == "setting.image"]
    assert "matches /web:v9\\." in step.reason and "--image=<IMAGE>" in step.commands[0]
    gcloud = render_plan(planned, PlanFormat.GCLOUD)
    assert "--image=" not in "\n".join(
        line for line in gcloud.splitlines() if not line.lstrip().startswith("#")
    )


def test_sidecar_variables_are_patched_in_their_container(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    edit = (
        "OTEL_TOKEN: {secret: otel-token}",
        'OTEL_TOKEN: {secret: otel-token, version: "1"}\n          OTEL_MODE: ship',
    )
    chat = service(plan(shapes, monkeypatch, tmp_path, edit), "chat")
    sidecar = {c.name: c for c in chat.env if c.container == "otel-collector"}
    assert set(sidecar) == {"OTEL_TOKEN", "OTEL_MODE"}
    assert sidecar["OTEL_TOKEN"].ref == SecretRef("otel-token", "1")
    assert "chat/otel-collector/env.OTEL_TOKEN" in chat.change_ids
    # repointed away from the DISABLED latest: the patch repairs it, no manual step for it
    assert not [m for m in chat.manual if m.target == "secret.otel-token"]


def test_secret_problems_in_a_sidecar_or_a_volume_are_steps_not_repairs(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat = service(plan(shapes, monkeypatch, tmp_path), "chat")
    steps = {m.target: m for m in chat.manual}
    otel = steps["secret.otel-token"]  # the sidecar's OTEL_TOKEN follows a DISABLED latest
    assert otel.commands == (
        "gcloud secrets versions enable 2 --secret=otel-token --project=acme-prod",
        "printf %s <NEW_VALUE> | gcloud secrets versions add otel-token --data-file=- "
        "--project=acme-prod",
    )
    assert not any(fid for fid in chat.fixes if "otel-token" in fid)
    # /etc/tls mounts version 2 (DESTROYED); the profile names version 3: the exact command,
    # keyed by the file (gcloud mounts the volume at the key's parent: `/etc/tls=` is /etc)
    tls = steps["mount./etc/tls"]
    assert any("--update-secrets=/etc/tls/cert.pem=tls-cert:3" in c for c in tls.commands)
    assert all("<SECRET>" not in c for c in tls.commands)
    assert not any(fid for fid in chat.fixes if "tls-cert" in fid)


def test_a_secret_named_by_project_id_and_by_number_is_one_step(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """revformats 3: the profile names partner-api-key's project acme-shared, the revision
    names it 600000000002 (acme-shared's number, known from the read): one secret version
    whose latest is DISABLED, so one manual step, not one per naming."""
    chat = service(plan(shapes, monkeypatch, tmp_path), "chat")
    partner = [m for m in chat.manual if m.target.endswith("/partner-api-key")]
    assert [m.target for m in partner] == ["secret.acme-shared/partner-api-key"], partner
    assert "DISABLED" in partner[0].reason
