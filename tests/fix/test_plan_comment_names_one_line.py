"""A variable name holding a line break (Cloud Run takes any name without `=` or NUL) is
one escaped name in the comments of `plan --format gcloud` and `--format yaml`, never split
across two comment lines that read as two (helper-662 F2). The real CLI on the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.fix.test_cpu_below_one import _run

NAME = "NEW\n::error::new"
SHOWN = "NEW\\n::error::new"


@pytest.mark.parametrize("form", ["gcloud", "yaml"])
def test_a_name_with_a_line_break_is_one_escaped_name_in_the_plan_comments(
    make_sandbox: MakeSandbox, tmp_path: Path, form: str
) -> None:
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": {"A": "1"}}
    sandbox = make_sandbox(lab_world(template=template))
    folder = tmp_path / "profiles"
    folder.mkdir()
    wanted = {"A": "1", NAME: "v"}
    profile = {"project": LAB, "region": "us-central1", "services": {"app": {"env": wanted}}}
    (folder / "lab.yaml").write_text(yaml.safe_dump(profile))
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", form)
    assert plan.returncode == 1, plan.stdout + plan.stderr
    comments = [line for line in plan.stdout.splitlines() if line.startswith("#")]
    assert not [c for c in comments if c.startswith("# ::error")], comments
    said = [c for c in comments if SHOWN in c]
    assert said and all("set" in c for c in said), comments
