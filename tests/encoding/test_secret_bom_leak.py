"""revencoding 1 (Safety, failed before its fix): a Secret Manager payload that begins with a
UTF-8 byte order mark (a file saved by Windows Notepad, then `gcloud secrets versions add
--data-file=secret.txt`) is remembered by the masker with its BOM (`str.strip()` does not strip
U+FEFF), so a plain copy of the same secret in another variable is printed unmasked, while the
same copy of a payload without the BOM is masked `***`. SPEC invariant 1 / README "What drift
never shows". Where: drift/redact.py:90 (`Secrets.add`: `value.strip()`), drift/redact.py:246
(`register_payload` decodes with "utf-8", not dropping a leading BOM)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.encoding.world import profile, world

VALUE = "HelloWorldGreetingText"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(VALUE + "\n", id="plain-control"),  # passes on main: masked
        pytest.param("\ufeff" + VALUE + "\r\n", id="utf8-bom"),  # fails on main: shown
    ],
)
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_plain_copy_of_a_bom_secret_is_masked(
    make_sandbox: MakeSandbox, tmp_path: Path, payload: str, fmt: str
) -> None:
    sandbox = make_sandbox(world({"TOKEN": {"secret": "tok"}, "COPY": VALUE}, {"tok": [payload]}))
    profile(tmp_path, "      TOKEN: {secret: tok, min_length: 8}\n      COPY: something-else\n")
    done = drift("check", "enc", "--format", fmt, env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "COPY" in done.stdout
    assert VALUE not in done.stdout + done.stderr, done.stdout
