"""revencoding 6 (Trust/Usability, failed before its fix): a live value that differs from
the profile's only by a character the table shows as it is (a trailing no-break space U+00A0,
the NFD form of `é`) is reported as drift whose `expected:`
and `actual:` lines read exactly the same: the person sees a difference that is not there
and baselines or ignores a real one (the app does get other bytes: a CORS origin that never
matches). `drift.textsafe.hidden` (drift/textsafe.py:17) escapes Cc/Cf/Zl/Zp/Cs only; Zs
(U+00A0) and combining marks (Mn) are shown raw. The two lines should differ visibly (an
escape such as `\\u00a0`, or a note naming the difference)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.encoding.world import profile, world

WANT = "https://café.acme-chat.dev"


@pytest.mark.parametrize(
    "live",
    [
        pytest.param(WANT + "\u00a0", id="no-break-space"),
        pytest.param(WANT.replace("é", "e\u0301"), id="nfd"),
    ],
)
def test_a_difference_is_visible_in_the_table(
    make_sandbox: MakeSandbox, tmp_path: Path, live: str
) -> None:
    sandbox = make_sandbox(world({"CORS": live}))
    profile(tmp_path, f"      CORS: {WANT}\n")
    done = drift("check", "enc", env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    expected = next(line for line in lines if line.startswith("expected:"))
    actual = next(line for line in lines if line.startswith("actual:"))

    def seen(line: str) -> str:  # what a terminal shows: one glyph for é either way, and a
        # no-break space at the end of a line is a blank
        return unicodedata.normalize("NFKC", line.split(None, 1)[1]).strip()

    assert seen(expected) != seen(actual), done.stdout
