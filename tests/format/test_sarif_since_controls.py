"""SARIF with history on: a finding's `since` names the revision's creator and client, live
text a deployer controls; the result's `properties.since` shows it escaped as the message
does (helper-673 N3), so no raw control, bidi override or line break is anywhere in the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.fix.test_cpu_below_one import _run

RAW = ("\u202e", "\x1b", "\r", "\n::")  # drift's own line breaks in a message are its own


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def test_a_live_client_in_since_is_escaped_everywhere_in_the_log(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": {"MODE": "a"}}
    world = lab_world(template=template)
    service = world["projects"][LAB]["services"]["app"]
    service["client"] = "gc\u202eloud\x1b[31m\r\n::notice::forged"
    service["client_version"] = "1\r\n::warning::v"
    sandbox = make_sandbox(world)
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = {"project": LAB, "region": "us-central1", "services": {"app": {"env": {"MODE": "x"}}}}
    (folder / "lab.yaml").write_text(yaml.safe_dump(profile))
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "sarif")
    (run,) = json.loads(done.stdout)["runs"]
    (result,) = run["results"]
    assert "gc\\u202eloud\\x1b" in result["properties"]["since"], result["properties"]
    assert [s for s in _strings(run) if any(c in s for c in RAW)] == []
