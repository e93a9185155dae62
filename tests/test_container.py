"""The container image (Dockerfile) a Cloud Run job runs: multi-stage, slim, not root, drift
as its entry point. Built and run where a container runtime answers; everywhere, the install
it makes (`pip install .` of what .dockerignore lets in) is made and its entry point run."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from drift import __version__
from tests.cliutil import REPO, package_source

DOCKERFILE = (REPO / "Dockerfile").read_text()
IGNORE = [
    line.strip()
    for line in (REPO / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), one list per stage."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    result: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            result.append([])
        result[-1].append(line)
    return result


def admitted(path: str) -> bool:
    """Whether .dockerignore lets `path` into the build context (last matching rule wins)."""
    keep = True
    for rule in IGNORE:
        negate = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
            keep = negate
        elif "**" in pattern and fnmatch.fnmatch(path, pattern.replace("**/", "*")):
            keep = negate
    return keep


def test_the_image_is_multi_stage_slim_and_not_root() -> None:
    build, final = stages()[0], stages()[-1]
    assert len(stages()) >= 2
    for stage in (build, final):
        assert re.match(r"FROM python:3\.\d+-slim\b", stage[0]), stage[0]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), users
    assert 'ENTRYPOINT ["drift"]' in final
    # the final stage copies the built environment only: no compiler, no source, no pip cache
    assert not any(line.upper().startswith("RUN pip") for line in final)
    assert any(line.startswith("COPY --from=") for line in final)


def test_the_build_context_is_what_the_package_needs() -> None:
    copied = [line.split()[1:-1] for line in stages()[0] if line.upper().startswith("COPY ")]
    for source in (path for paths in copied for path in paths):
        assert admitted(source), source
    for kept_out in (".venv", "tests/test_container.py", ".git", "drift-report.json", ".env"):
        assert not admitted(kept_out), kept_out
    assert not admitted("drift/cli/__pycache__")


def test_what_the_image_installs_runs_drift_version(tmp_path: Path) -> None:
    """The image's `pip install .` of what .dockerignore admits, without the image: its
    console script (the ENTRYPOINT) and `python -m drift` both answer --version."""
    source = package_source(tmp_path / "context")
    target = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
            "--disable-pip-version-check", "--target", str(target), str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": str(target), "NO_COLOR": "1"}
    for command in ([str(target / "bin" / "drift")], [sys.executable, "-m", "drift"]):
        ran = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.strip() == f"drift {__version__}"
    # the installed copy ran, not the repository's
    where = subprocess.run(
        [sys.executable, "-c", "import drift; print(drift.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert where.stdout.strip().startswith(str(target))


def _runtime() -> str | None:
    """A container runtime that answers (`docker`/`podman` installed and its daemon up)."""
    for name in ("docker", "podman"):
        path = shutil.which(name)
        if path is None:
            continue
        info = subprocess.run([path, "info"], capture_output=True, text=True, timeout=60)
        if info.returncode == 0:
            return path
    return None


@pytest.mark.skipif(
    _runtime() is None, reason="no container runtime answers here (docker/podman info failed)"
)
def test_the_image_builds_and_runs_drift_version() -> None:
    runtime = _runtime()
    assert runtime is not None
    tag = f"drift-test:{uuid.uuid4().hex[:12]}"
    build = subprocess.run(
        [runtime, "build", "--quiet", "--tag", tag, str(REPO)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stderr
    try:
        version = subprocess.run(
            [runtime, "run", "--rm", tag, "--version"], capture_output=True, text=True, timeout=120
        )
        assert version.returncode == 0, version.stderr
        assert version.stdout.strip() == f"drift {__version__}"
        uid = subprocess.run(
            [runtime, "run", "--rm", "--entrypoint", "id", tag, "-u"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert uid.stdout.strip() not in ("", "0"), uid.stdout
    finally:
        subprocess.run([runtime, "rmi", "--force", tag], capture_output=True, timeout=120)
