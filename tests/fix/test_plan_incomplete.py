"""`drift plan` after an incomplete read: every format names each item it could not read and
why (table: lines; gcloud and yaml: comments; json: the `unverified` list), and the plan exits
3 as check does when nothing else decides (SPEC invariant 6: incomplete never looks clean)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world


@pytest.mark.parametrize("fmt", ["table", "gcloud", "yaml", "json"])
def test_a_plan_names_what_it_could_not_read(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    world = lab_world(
        template={
            "image": "us-docker.pkg.dev/lab/app:v1",
            "port": 8080,
            "env": {"MODE": "live", "TOKEN": {"secret": "tok"}},  # as the profile says
        }
    )
    world["projects"][LAB]["secrets"] = {"tok": {"versions": ["fake-token-1"]}}
    sandbox = make_sandbox(world)
    sandbox.inject(Fault(match="secrets/tok", code="PERMISSION_DENIED", message="tok: denied"))
    done = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", fmt)
    assert done.returncode == 3, done.stdout + done.stderr
    out = done.stdout
    if fmt == "json":
        (item,) = json.loads(out)["unverified"]
        assert "secret.tok" in item and "PERMISSION_DENIED" in item, item
        return
    assert "incomplete: 1 item could not be read" in out, out
    (line,) = [line for line in out.splitlines() if "secret.tok" in line]
    assert "PERMISSION_DENIED" in line and "app" in line, line
    if fmt in ("gcloud", "yaml"):
        assert line.startswith("#"), line  # a comment: the script / file stays what it is
