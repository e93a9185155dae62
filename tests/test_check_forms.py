"""Behaviours that worked without an end-to-end test, on the real-shapes sandbox: `check_tags`
as a list and per service, `mount.missing` (main container and sidecar), and a sandbox whose
LATEST traffic statuses do not name their revision giving the very same report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from drift.check import CheckResult
from drift.findings import Finding
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.test_check_shapes import PROFILES, SHAPES, check

TESTING = ("env.forbidden", "env.TESTING")


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


def edited(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = (PROFILES / "prod.yaml").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "prod.yaml").write_text(text)
    return tmp_path


def chat(result: CheckResult) -> dict[tuple[str, str], Finding]:
    return {(f.rule, f.target): f for f in result.report.findings if f.service == "chat"}


TOP = "services:\n"
CHAT = "  chat:\n"


@pytest.mark.parametrize(
    ("edits", "checked"),
    [
        ([(TOP, "check_tags: [e2e]\n" + TOP)], True),
        ([(TOP, "check_tags: [qa, canary]\n" + TOP)], False),
        ([(TOP, "check_tags: none\n" + TOP), (CHAT, CHAT + "    check_tags: [e2e]\n")], True),
        ([(CHAT, CHAT + "    check_tags: none\n")], False),
        ([(TOP, "check_tags: [e2e]\n" + TOP), (CHAT, CHAT + "    check_tags: [qa]\n")], False),
    ],
    ids=["list", "list-without-it", "per-service-list", "per-service-none", "service-wins"],
)
def test_check_tags_as_a_list_and_per_service(
    shapes: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    edits: list[tuple[str, str]],
    checked: bool,
) -> None:
    found = chat(check(shapes, monkeypatch, "chat", profiles=edited(tmp_path, *edits)))
    assert (TESTING in found) is checked
    if checked:
        assert found[TESTING].tag == "e2e" and found[TESTING].revision == "chat-00002-def"


def test_a_mount_the_revision_lacks_is_mount_missing_in_either_container(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    where = edited(
        tmp_path,
        (
            "      /etc/oauth: {secret: oauth-config}\n",
            "      /etc/oauth: {secret: oauth-config}\n"
            "      /etc/keys: {secret: chat-db-url}\n"
            "      /etc/maybe: {secret: chat-db-url, optional: true}\n",
        ),
        (
            "          OTEL_TOKEN: {secret: otel-token}\n",
            "          OTEL_TOKEN: {secret: otel-token}\n"
            "        mounts:\n          /etc/otel: {secret: otel-token}\n",
        ),
    )
    found = chat(check(shapes, monkeypatch, "chat", profiles=where))
    main = found[("mount.missing", "mount./etc/keys")]
    assert main.container == "app" and main.expected == "secret chat-db-url:latest"
    assert main.actual is None and "/etc/keys" in main.message
    sidecar = found[("mount.missing", "mount./etc/otel")]
    assert sidecar.container == "otel-collector" and sidecar.id != main.id
    assert ("mount.missing", "mount./etc/maybe") not in found  # optional
    assert ("mount.missing", "mount./etc/oauth") not in found  # mounted


def report(result: CheckResult) -> Any:
    return (
        sorted(
            (f.id, f.rule, f.target, f.revision, f.tag, f.container, f.severity, f.message)
            for f in result.report.findings
        ),
        sorted(result.report.unverified, key=lambda u: (u.service, u.target)),
        result.report.exit_code,
    )


def test_latest_statuses_without_a_revision_name_give_the_same_report(
    shapes: Sandbox, make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # whether a LATEST traffic status carries the revision it resolved to is not documented
    scenario = YAML(typ="safe", pure=True).load(SHAPES.read_text())
    scenario["options"]["latest_status_names_revision"] = False
    unnamed = make_sandbox(scenario)
    statuses = unnamed.service("acme-prod", "chat").traffic_statuses
    assert [s.revision for s in statuses if s.percent == 100] == [""]
    shapes.reset()
    named = report(check(shapes, monkeypatch))
    assert report(check(unnamed, monkeypatch)) == named
    assert any(f[1] == "env.forbidden" for f in named[0])  # the tagged revision is in both
