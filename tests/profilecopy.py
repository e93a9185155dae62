"""The repository's profiles, copied for a test with one line of `staging.yaml` rewritten; the
profile of a generated fleet."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cliutil import REPO

DATABASE_URL = "DATABASE_URL: {secret: database-url-staging}"
"""api's DATABASE_URL as the repository's staging profile writes it."""


def staging_with(tmp_path: Path, old: str, new: str) -> Path:
    """`tmp_path/profiles`: the repository's profiles, `old` (which staging.yaml must hold)
    written `new` there once."""
    root = tmp_path / "profiles"
    shutil.copytree(REPO / "profiles", root)
    path = root / "staging.yaml"
    text = path.read_text()
    assert old in text, f"{path} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))
    return root


FLEET_HEAD = (
    "project: fleet-proj\nregion: us-central1\ndefaults:\n  unexpected_env: warn\nservices:\n"
)


def fleet_profiles(directory: Path, services: int, head: str = "") -> Path:
    """One `PLAIN_VAR_00: wrong` per service of `generate(project="fleet-proj")`: an env.value
    error each, and every other variable of the service an env.unexpected warning."""
    directory.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f"  svc-{i:04d}:\n    env:\n      PLAIN_VAR_00: wrong\n" for i in range(services)
    )
    (directory / "prod.yaml").write_text(head + FLEET_HEAD + body)
    return directory
