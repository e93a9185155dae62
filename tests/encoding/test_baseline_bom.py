"""revencoding 7 (Usability, failed before its fix): a JSON report saved with a byte order
mark (Windows PowerShell 5.1 — `shell: powershell` on a GitHub Windows runner — writes `>`
as UTF-16LE with a BOM and `Out-File -Encoding utf8` as UTF-8 with a BOM) is refused as a
baseline with Python's codec words: "Unexpected UTF-8 BOM (decode using utf-8-sig)" /
"'utf-8' codec can't decode byte 0xff in position 0". drift/baseline.py:233
`json.loads(raw.decode("utf-8"))`. Profiles with a UTF-8 BOM are read (drift/yamlfast.py);
RFC 8259 §8.1: parsers "MAY ignore the presence of a byte order mark rather than treating it
as an error". Expected: the BOM'd UTF-8 report is read; a UTF-16 one is read or named as
UTF-16 with what to do (save it as UTF-8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.encoding.world import profile, world


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_baseline_with_a_byte_order_mark(
    make_sandbox: MakeSandbox, tmp_path: Path, encoding: str
) -> None:
    sandbox = make_sandbox(world({"MODE": "live"}))
    profile(tmp_path, "      MODE: test\n")
    first = drift("check", "enc", "--format", "json", env=sandbox.environ(), cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    (tmp_path / "last.json").write_bytes(first.stdout.encode(encoding))
    done = drift(
        "check", "enc", "--baseline", "last.json", "--fail-on-new",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    if done.returncode == 0:
        return  # read: nothing new
    assert done.returncode == 2, done.stdout + done.stderr
    assert encoding == "utf-16", done.stderr  # a UTF-8 BOM is no reason to refuse
    assert "UTF-16" in done.stderr and "codec" not in done.stderr, done.stderr
