"""`drift plan --format gcloud` does what `drift fix` does for a GPU: adding one where there
was none takes `--gpu=1` (the container's GPU) with `--gpu-type` (gcloud run deploy: `--gpu`
"Cloud Run supports values 0 or 1"), not the type alone. The script's arguments are read and
checked against the template the fix wrote on the sandbox."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.conftest import MakeSandbox
from tests.fields.test_hardware_settings import _profile, _run, _template
from tests.fix.conftest import LAB, lab_world


def _arguments(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.startswith(("#", ":", "case"))]
    command = " ".join(line.rstrip("\\") for line in lines if line.strip() != "set -euo pipefail")
    return shlex.split(command)


def test_adding_a_gpu_script_gives_the_gpu_and_its_type(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template=_template()))
    _profile(tmp_path, "      gpu_type: nvidia-l4\n")
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert script.returncode == 1, script.stdout + script.stderr
    args = _arguments(script.stdout)
    assert "--gpu=1" in args and "--gpu-type=nvidia-l4" in args, script.stdout
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    written = sandbox.service(LAB, "app").template
    # what the script's flags set, against what the fix wrote
    gpus = [a.split("=", 1)[1] for a in args if a.startswith("--gpu=")]
    assert [c.resources.limits.get("nvidia.com/gpu") for c in written.containers] == gpus
    types = [a.split("=", 1)[1] for a in args if a.startswith("--gpu-type=")]
    assert [written.node_selector.accelerator] == types
