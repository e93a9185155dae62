"""`drift init` points the editor at a schema that exists: `./profile.schema.json` beside the
profile, written there (as `drift profiles schema` prints it) when it is not there yet; one
there that is not this drift's is kept and said (with what writes this drift's), or replaced
with `--force`; what is not a file is never replaced."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from drift.onboarding.write import write_schema
from drift.profiles.spec import json_schema
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


def test_init_keeps_this_drifts_schema_and_says_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    schema = profiles / "profile.schema.json"
    schema.write_text(drift("profiles", "schema").stdout)
    before = schema.stat()
    said = init(sandbox, profiles)
    assert (profiles / "staging.yaml").read_text().splitlines()[0] == LINE
    assert (schema.stat().st_ino, schema.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert "profile.schema.json" not in said


@functools.cache
def _our_text() -> str:
    """This drift's schema, built once for the module's tests (not as it is collected: each
    worker collects every module)."""
    return json.dumps(json_schema())


def _ours() -> dict[str, Any]:
    return json.loads(_our_text())


def _older() -> str:
    """This drift's schema without a setting (as a drift before it was added wrote it)."""
    schema = _ours()
    for spec in schema["$defs"].values():
        spec.get("properties", {}).pop("startup_cpu_boost", None)
    return json.dumps(schema, indent=2) + "\n"


def _newer() -> str:
    """This drift's schema with a setting more (as a later drift writes it)."""
    schema = _ours()
    schema["$defs"]["SettingsSpec"]["properties"]["gpu_zonal_redundancy"] = {"type": "boolean"}
    return json.dumps(schema, indent=2) + "\n"


OTHERS: dict[str, tuple[str | Callable[[], str], str]] = {
    "not-drifts": ('{"$id": "https://example.com/other.json"}\n', "not drift's JSON Schema"),
    "not-json": ("# my notes\n", "not drift's JSON Schema (not JSON)"),
    "older": (
        _older,
        "another drift version's JSON Schema (it lacks startup_cpu_boost, which editors then "
        "flag as errors)",
    ),
    "newer": (
        _newer,
        "another drift version's JSON Schema (it names gpu_zonal_redundancy, which this drift "
        "does not read)",
    ),
}


@pytest.mark.parametrize("other", OTHERS)
def test_a_schema_that_is_not_this_drifts_is_kept_and_said_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, other: str
) -> None:
    """After an upgrade the schema beside the profiles is the older drift's: editors flag
    every setting added since as an error. Never replaced silently, nor kept silently: said,
    with the command that writes this drift's; `--force` (init's, which replaces what init
    writes) replaces it."""
    monkeypatch.chdir(tmp_path)
    made, unlike = OTHERS[other]
    text = made() if callable(made) else made
    schema = Path("profile.schema.json")
    schema.write_text(text)
    said = write_schema(Path("."))
    assert schema.read_text() == text
    assert said is not None and said.startswith(f"kept profile.schema.json, which is {unlike}")
    assert "`drift profiles schema > profile.schema.json` replaces it" in said
    assert "--force" in said
    said = write_schema(Path("."), force=True)
    assert json.loads(schema.read_text()) == _ours()
    assert said is not None and said.startswith("replaced profile.schema.json (--force)")
    assert f"which was {unlike}" in said
    assert write_schema(Path("."), force=True) is None  # this drift's now: nothing to say


@pytest.mark.parametrize("thing", ["directory", "pipe", "dangling link"])
def test_what_is_not_a_file_is_kept_even_when_forced(tmp_path: Path, thing: str) -> None:
    """--force writes files: a directory or a pipe there is somebody's, and a link to
    nothing would be followed to create a file wherever it leads."""
    schema = tmp_path / "profile.schema.json"
    made = {
        "directory": schema.mkdir,
        "pipe": lambda: os.mkfifo(schema),
        "dangling link": lambda: schema.symlink_to(tmp_path / "gone" / "x.json"),
    }
    made[thing]()
    said = write_schema(tmp_path, force=True)
    kind = {"directory": "a directory", "pipe": "a named pipe"}.get(thing, "a link to ")
    assert said is not None and f"which is not a file but {kind}" in said, said
    assert "move it away, then `drift profiles schema > " in said
    assert not (tmp_path / "gone").exists()
    assert schema.is_dir() if thing == "directory" else not schema.is_file()


def test_init_says_an_older_schema_is_kept_and_force_replaces_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    schema = profiles / "profile.schema.json"
    schema.write_text(_older())
    said = init(sandbox, profiles)
    assert schema.read_text() == _older()
    assert f"note: kept {schema}, which is another drift version's JSON Schema" in said
    done = drift(
        "init", "staging", "--from-live", "--project", PROJECT, "--region", REGION,
        "--profiles", str(profiles), "--force", env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert schema.read_text() == drift("profiles", "schema").stdout
    assert f"note: replaced {schema} (--force)" in done.stdout


def test_the_schema_gets_the_mode_the_profile_gets(sandbox: Sandbox, tmp_path: Path) -> None:
    """Both are committed and read by the team's editors: the umask's mode (0644 under the
    usual 022), not the owner-only 0600 of a temporary file (revfirstday, minor)."""
    import stat

    profiles = tmp_path / "profiles"
    init(sandbox, profiles)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in profiles.iterdir()}
    assert set(modes) == {"staging.yaml", "profile.schema.json"}
    assert modes["profile.schema.json"] == modes["staging.yaml"], modes
