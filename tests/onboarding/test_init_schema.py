"""`drift init` points the editor at a schema that exists: `./profile.schema.json` beside the
profile, written there (as `drift profiles schema` prints it) when it is not there yet, and
never replaced when it is."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from drift.sandbox import Sandbox
from tests.cliutil import drift

PROJECT = "acme-chat-staging"
REGION = "us-central1"
LINE = "# yaml-language-server: $schema=./profile.schema.json"


def init(sandbox: Sandbox, profiles: Path) -> str:
    done = drift(
        "init", "staging", "--from-live", "--project", PROJECT, "--region", REGION,
        "--profiles", str(profiles), env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_init_writes_the_schema_it_names(sandbox: Sandbox, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    said = init(sandbox, profiles)
    text = (profiles / "staging.yaml").read_text()
    assert text.splitlines()[0] == LINE
    assert "http" not in text.splitlines()[0] and "replace" not in said
    written = (profiles / "profile.schema.json").read_text()
    assert written == drift("profiles", "schema").stdout
    assert f"note: wrote {profiles / 'profile.schema.json'}" in said
    # the schema the line names accepts the profile init wrote
    jsonschema.validate(YAML(typ="safe", pure=True).load(text), json.loads(written))


def test_init_keeps_a_schema_that_is_there(sandbox: Sandbox, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "profile.schema.json").write_text("{}\n")
    said = init(sandbox, profiles)
    assert (profiles / "staging.yaml").read_text().splitlines()[0] == LINE
    assert (profiles / "profile.schema.json").read_text() == "{}\n"
    assert "profile.schema.json" not in said


def test_the_schema_gets_the_mode_the_profile_gets(sandbox: Sandbox, tmp_path: Path) -> None:
    """Both are committed and read by the team's editors: the umask's mode (0644 under the
    usual 022), not the owner-only 0600 of a temporary file (revfirstday, minor)."""
    import stat

    profiles = tmp_path / "profiles"
    init(sandbox, profiles)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in profiles.iterdir()}
    assert set(modes) == {"staging.yaml", "profile.schema.json"}
    assert modes["profile.schema.json"] == modes["staging.yaml"], modes
