"""revencoding 2, the other machine formats: a YAML plan on a redirected stdout whose locale is
not UTF-8 is written as UTF-8 (YAML 1.2 §5.2), the same bytes as `--output FILE`, never in the
locale's encoding (a latin-1 `é` byte is not UTF-8 YAML). JSON is ASCII-escaped already."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import MakeSandbox
from tests.revencoding.world import profile, run_bytes, world


def test_yaml_plan_on_a_latin1_stdout_is_utf8(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(world({"CORS": "old"}))
    profile(tmp_path, '      CORS: "thé"\n')
    done = run_bytes(
        "plan", "enc", "--format", "yaml",
        env=sandbox.environ(), cwd=tmp_path, extra={"PYTHONIOENCODING": "latin-1"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "thé" in json.dumps(yaml.safe_load(done.stdout.decode("utf-8")), ensure_ascii=False)
