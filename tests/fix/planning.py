"""A plan of a profile written for one test, against the sandbox the environment names (the
shared `sandbox` fixture's `sandbox_env`), in-process through the real clients."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from drift.fix.plan import Planned, plan_environment
from drift.profiles.loader import load_profile
from drift.settings import load_settings


def plan_of_profile(tmp_path: Path, text: str, services: list[str] | None = None) -> Planned:
    """The plan of `text` as the profile `lab` (its journal under `tmp_path`)."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(text)
    return asyncio.run(
        plan_environment(
            load_profile(folder, "lab"),
            load_settings(journal_dir=tmp_path / "journal"),
            services=services,
            environ=dict(os.environ),
        )
    )
