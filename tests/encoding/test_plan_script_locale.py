"""revencoding 2 (Safety, failed before its fix): `drift plan ENV --format gcloud > fix.sh &&
bash fix.sh` (README, `drift plan --help`) under a locale that cannot encode a value (Windows
cp1252 when stdout is redirected, `LANG=en_US.ISO-8859-1`): stdout is reconfigured with
errors="backslashreplace" (drift/cli/__init__.py:140, `_any_locale`) and the script goes through
`echo` (drift/cli/output.py:74), so the single-quoted gcloud argument holds the text `\\u2014
\\U0001f600`: running the script sets the variable to those escape characters, not to the
profile's value (the plan said "set CORS"). `--output FILE` writes UTF-8 and is right. A script
(and any machine format) should be written as UTF-8 bytes whatever the locale, or refused with
one message (never a value drift did not plan)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.encoding.world import profile, run_bytes, world


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_gcloud_script_on_a_non_utf8_stdout_sets_the_profile_value(
    make_sandbox: MakeSandbox, tmp_path: Path, encoding: str
) -> None:
    sandbox = make_sandbox(world({"CORS": "old"}))
    profile(tmp_path, '      CORS: "Acme → chat 😀"\n')
    done = run_bytes(
        "plan", "enc", "--format", "gcloud",
        env=sandbox.environ(), cwd=tmp_path, extra={"PYTHONIOENCODING": encoding},
    )  # fmt: skip
    assert done.returncode in (1, 2), done.stderr
    if done.returncode == 2:  # refusing is acceptable: no script, one message
        return
    assert b"CORS=" in done.stdout
    # no escape text in place of the value: bash passes it on as it is
    assert b"\\u2192" not in done.stdout and b"\\U0001f600" not in done.stdout, done.stdout
