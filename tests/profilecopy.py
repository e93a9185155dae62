"""The repository's profiles, copied for a test with one line of `staging.yaml` rewritten; the
profile of a generated fleet."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from tests.cliutil import REPO

DATABASE_URL = "DATABASE_URL: {secret: database-url-staging}"
"""api's DATABASE_URL as the repository's staging profile writes it."""


API_HEAD = "project: p\nregion: us-central1\nservices:\n  api:\n"
"""A profile's head: project p (us-central1), service api (its sections follow, indent 4)."""

P_API_ENV = "\n" + API_HEAD + "    env:\n"
"""A profile's head (a blank line first): project p, api's env (its variables follow, indent 6)."""


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


HELD = "hold: 1s"
"""How long the repository's base profile holds api's probe (the canary's proof and the
re-check probe for it)."""

_BRIEF: list[Path] = []


def held_briefly() -> Path:
    """The repository's profiles with api's probe held 0.2 s, not 1 s (base.yaml `hold: 1s`),
    copied once per process. A fix probes the canary and what serves in its proof, and again in
    its re-check, each for the hold: the in-process fixes of tests/fix waited 2 s each, idle.
    The sandbox's backend closes a socket it refuses at once and keeps one it accepts open
    (drift/sandbox/backend.py `handle`), so the verdict after 0.2 s is the one after 1 s (the
    hold's own cases: tests/probe)."""
    if not _BRIEF:
        root = Path(tempfile.mkdtemp(prefix="drift-profiles-")) / "profiles"
        atexit.register(shutil.rmtree, root.parent, True)
        shutil.copytree(REPO / "profiles", root)
        path = root / "base.yaml"
        text = path.read_text()
        assert text.count(HELD) == 1, f"{path} no longer holds {HELD!r} once"
        path.write_text(text.replace(HELD, "hold: 0.2s"))
        _BRIEF.append(root)
    return _BRIEF[0]


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
