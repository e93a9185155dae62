"""`probe: {tag: …}` against the real-shapes sandbox: the tagged revision is probed at its own
URL; a tag the service does not have (or that `check_tags` leaves out) is said, naming the tag
and the service, and the run is not clean (unverified, exit 3) — never "nothing to probe"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from drift.check import run_check
from drift.probe.live import run_probe
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.test_check_shapes import PROFILES, SHAPES


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


def profiles(tmp_path: Path, service: str, probe: str, top: str = "") -> Path:
    """The shapes profile with `probe:` on one service (and top-level keys)."""
    text = (PROFILES / "prod.yaml").read_text()
    text = text.replace(f"  {service}:\n", f"  {service}:\n    probe: {probe}\n", 1)
    (tmp_path / "prod.yaml").write_text(text.replace("services:\n", top + "services:\n", 1))
    return tmp_path


def check(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, where: Path, service: str) -> Report:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(where, "prod")
    return asyncio.run(
        run_check(profile, load_settings(wait=0), services=[service], probe=True, environ={})
    ).report


def test_the_revision_a_probe_tag_points_to_is_probed_at_its_own_url(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    where = profiles(tmp_path, "chat", "{websocket: /ws, tag: e2e}")
    report = check(shapes, monkeypatch, where, "chat")
    [probe] = report.probes
    assert probe.revision == "chat-00002-def"
    service_port = shapes.service("acme-prod", "chat").uri.rsplit(":", 1)[-1]
    assert f":{service_port}/" not in probe.url  # the tag's own URL, not the service's
    assert not [u for u in report.unverified if u.target == "probe"]


def test_a_probe_tag_the_service_lacks_is_unverified_naming_tag_and_service(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # web matches its profile (exit 0 without a probe: its unreleased template is a warning
    # alone, revision.rollout); it has no traffic tag at all
    where = profiles(tmp_path, "web", "{websocket: /ws, tag: e2e}")
    report = check(shapes, monkeypatch, where, "web")
    assert not report.probes and [f.rule for f in report.findings] == ["revision.rollout"]
    [item] = report.unverified
    assert (item.service, item.target) == ("web", "probe")
    assert "tag e2e" in item.reason and "web" in item.reason
    assert report.exit_code == 3
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    probed = asyncio.run(
        run_probe(load_profile(where, "prod"), load_settings(), services=["web"], environ={})
    )
    assert [u.target for u in probed.unverified] == ["probe"] and probed.exit_code == 3


def test_a_probe_tag_check_tags_leaves_out_is_unverified(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    where = profiles(tmp_path, "chat", "{websocket: /ws, tag: e2e}", top="check_tags: [qa]\n")
    report = check(shapes, monkeypatch, where, "chat")
    assert not report.probes
    [item] = [u for u in report.unverified if u.target == "probe"]
    assert "tag e2e" in item.reason and "check_tags" in item.reason


def test_a_check_tags_entry_the_service_lacks_is_said(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    where = profiles(tmp_path, "web", "{websocket: /ws}", top="check_tags: [e2e]\n")
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    result = asyncio.run(
        run_check(load_profile(where, "prod"), load_settings(wait=0), services=["web"])
    )
    assert any("tag e2e" in n and "web" in n for n in result.report.notes), result.report.notes


def test_probe_reads_only_the_services_it_probes(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`drift probe` probes only (SPEC): a workload without a probe block — search, being
    deployed, a job, a worker pool — is neither read nor waited for and leaves the run
    complete, and no project is looked up (nothing compares a secret's project) (revcalls66
    F1, F2: search made probe exit 3; ListJobs, GetWorkerPool and GetProject went unused)."""
    top = "jobs:\n  e2e-runner: {}\nworker_pools:\n  queue-consumer: {}\n"
    where = profiles(tmp_path, "chat", "{websocket: /ws, tag: qa}", top=top)  # no such tag
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    shapes.clear_calls()
    probed = asyncio.run(run_probe(load_profile(where, "prod"), load_settings(wait=0), environ={}))
    assert [(u.service, u.target) for u in probed.unverified] == [("chat", "probe")]
    # chat's references name acme-shared by id and by number: neither is looked up
    asked = [(c.short, getattr(c.request, "name", "") or c.request.parent) for c in shapes.calls]
    chat = "projects/acme-prod/locations/us-central1/services/chat"
    assert sorted(asked) == [
        ("GetRevision", f"{chat}/revisions/chat-00002-def"),
        ("GetService", chat),
    ]


def probe(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, where: Path, service: str) -> Report:
    """`drift probe`, as `check` above."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(where, "prod")
    return asyncio.run(run_probe(profile, load_settings(wait=0), services=[service], environ={}))


@pytest.mark.parametrize("run", [check, probe], ids=["check", "probe"])
def test_a_failed_probe_of_a_tag_only_revision_carries_its_tag(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run: Any
) -> None:
    """chat-00002-def is reached only through tag e2e (0 %): its probe's finding carries
    `"tag"` as every other finding on it does (SPEC: "A finding on a revision reached only
    through a tag carries `"tag"`"), so an ignore entry by tag silences it (helper-643 F1: it
    had none, and the entry was said to match no finding)."""
    where = profiles(tmp_path, "chat", "{websocket: /ws, tag: e2e}")
    report = run(shapes, monkeypatch, where, "chat")
    [probed] = [f for f in report.findings if f.rule.startswith("probe.")]
    others = {f.tag for f in report.findings if f.revision == probed.revision and f is not probed}
    assert probed.revision == "chat-00002-def" and probed.tag == "e2e", probed
    assert others <= {"e2e"}, others
    entry = f"ignore:\n  - {{service: chat, tag: e2e, rule: {probed.rule}, reason: scratch}}\n"
    (where / "prod.yaml").write_text((where / "prod.yaml").read_text() + entry)
    again = run(shapes, monkeypatch, where, "chat")
    [silenced] = [f for f in again.findings if f.rule == probed.rule]
    assert silenced.ignored, silenced
    assert not any("matched no finding" in n for n in again.notes), again.notes
    if run is probe:  # helper-647 F1: `drift probe` exited 1 on the finding its entry names
        assert again.exit_code == 0, again.findings


def test_a_probe_finding_names_the_tag_probed_of_a_revision_with_two(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-647 F2: chat-00002-def is reached by tag `qa` (listed first) and tag `e2e`; the
    probe of e2e's URL was reported `tag: qa`, and an ignore entry by `e2e` matched nothing."""
    world = YAML(typ="safe", pure=True).load(SHAPES.read_text())
    traffic = world["projects"]["acme-prod"]["services"]["chat"]["traffic"]
    traffic.insert(1, {"revision": "chat-00002-def", "percent": 0, "tag": "qa"})
    shapes.reset(world)
    try:
        where = profiles(tmp_path, "chat", "{websocket: /ws, tag: e2e}")
        report = check(shapes, monkeypatch, where, "chat")
    finally:
        shapes.reset(YAML(typ="safe", pure=True).load(SHAPES.read_text()))
    [probed] = [f for f in report.findings if f.rule.startswith("probe.")]
    assert (probed.revision, probed.tag) == ("chat-00002-def", "e2e"), probed
