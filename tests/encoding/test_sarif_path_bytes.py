"""revencoding 4 (Usability, failed before its fix): a profiles directory whose name holds a
byte that is not UTF-8 (POSIX allows it; Python hands it over as a lone surrogate) makes
`--format sarif` end in "internal error: UnicodeEncodeError" (exit 2, no report), while every
other format reports it. drift/format/sarif.py:288 `quote(str)` encodes with UTF-8 strict;
RFC 3986 §2.1 percent-encodes octets: `os.fsencode(path)` quoted gives `dep%FFloy/...`."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.encoding.world import profile, world


def test_sarif_names_a_profile_whose_path_is_not_utf8(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world({"MODE": "live"}))
    odd = os.fsdecode(b"dep\xffloy")
    profile(tmp_path, "      MODE: test\n", directory=f"{odd}/profiles")
    # the name as a fresh interpreter's argv holds it (PEP 383), given to drift in-process:
    # what is at stake is the SARIF log's URI, not how the interpreter decodes its argv
    done = drift(
        "check", "enc", "--profiles", f"{odd}/profiles", "--format", "sarif",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    (result,) = json.loads(done.stdout)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dep%FFloy/profiles/enc.yaml"


def test_a_lone_surrogate_of_another_origin_is_a_uri_not_a_crash() -> None:
    from drift.findings import Location
    from drift.format.summary import artifact_uri

    assert artifact_uri(Location("a\ud800b/\u00e9 #.yaml", 1)) == "a%ED%A0%80b/%C3%A9%20%23.yaml"


def test_a_backslash_in_a_posix_name_is_a_character_of_the_uri(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-755 L2: on POSIX `de\\ploy` is one folder; turned into `/`, the uri named
    `de/ploy/…`, another path, while the annotation named the folder as it is."""
    sandbox = make_sandbox(world({"MODE": "live"}))
    profile(tmp_path, "      MODE: test\n", directory="de\\ploy/profiles")
    env = {**sandbox.environ(), "GITHUB_WORKSPACE": str(tmp_path)}
    run = functools.partial(
        drift, "check", "enc", "--profiles", "de\\ploy/profiles", env=env, cwd=tmp_path
    )
    (result,) = json.loads(run("--format", "sarif").stdout)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "de%5Cploy/profiles/enc.yaml"
    assert "file=de\\ploy/profiles/enc.yaml," in run("--format", "github").stdout
