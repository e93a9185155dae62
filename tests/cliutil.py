"""Run drift as users do: a real process, with the sandbox's emulator variables."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def drift(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    stdin: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`python -m drift ARGS` with a clean DRIFT_* environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    for name in (
        "CLOUD_RUN_EMULATOR_HOST",
        "SECRET_MANAGER_EMULATOR_HOST",
        "RESOURCE_MANAGER_EMULATOR_HOST",
    ):
        base.pop(name, None)  # all three or none: only what the test gives
    base["NO_COLOR"] = "1"
    base["PYTHONPATH"] = str(REPO)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "drift", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=base,
        input=stdin,
        timeout=timeout,
    )


def package_source(into: Path) -> Path:
    """What building drift needs (pyproject.toml, README.md, drift/), copied into `into`: the
    source a `pip install` and the container image's build see."""
    import shutil

    into.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, into / name)
    shutil.copytree(REPO / "drift", into / "drift", ignore=shutil.ignore_patterns("__pycache__"))
    return into


def scenario_secret_values(path: Path) -> list[str]:
    """Every secret value a scenario file seeds (to assert none ever appears in output)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text())
    values = []
    for project in data["projects"].values():
        for secret in (project.get("secrets") or {}).values():
            for version in secret.get("versions") or []:
                value = version.get("value") if isinstance(version, dict) else version
                if value:
                    values.append(str(value))
    return values


def read_pty(primary: int) -> bytes:
    """Everything written to a pseudo-terminal until its other end closes; closes it."""
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    return seen
