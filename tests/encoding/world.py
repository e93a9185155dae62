"""A one-service world for the revencoding repros (failed before its fix)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from tests.cliutil import REPO, drift_argv

PROJECT = "p-enc"
ACCOUNT = f"svc@{PROJECT}.iam.gserviceaccount.com"


def world(env: dict[str, Any], secrets: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {
        "projects": {
            PROJECT: {
                "number": "123456789012",
                "region": "us-central1",
                "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
                "secrets": {name: {"versions": v} for name, v in (secrets or {}).items()},
                "services": {
                    "svc": {
                        "template": {
                            "image": f"us-docker.pkg.dev/{PROJECT}/app@sha256:{'a' * 64}",
                            "service_account": ACCOUNT,
                            "env": env,
                        }
                    }
                },
            }
        }
    }


def profile(tmp: Path, body: str, directory: str = "profiles") -> Path:
    """profiles/enc.yaml: the service `svc` of the world, with `body` under its env."""
    where = tmp / directory
    where.mkdir(parents=True)
    text = f"project: {PROJECT}\nregion: us-central1\nservices:\n  svc:\n    env:\n{body}"
    (where / "enc.yaml").write_bytes(text.encode("utf-8"))
    return where


def run_bytes(
    *args: str, env: dict[str, str], cwd: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """drift in a process of its own, its output as the bytes it wrote (a locale of our own:
    PYTHONIOENCODING, which the zygote's run takes as a fresh interpreter's start-up does,
    tests/zygote.py `_io_encoding`): forked from the zygote by the stand-in (`drift_argv`)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    base.update(env)
    base.update({"NO_COLOR": "1", "PYTHONPATH": str(REPO), **(extra or {})})
    return subprocess.run(
        [*drift_argv(), *args], capture_output=True, cwd=cwd, env=base, timeout=120
    )
