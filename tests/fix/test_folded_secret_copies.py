"""helper-715, through the real CLI: plain variables holding a secret's payload in forms drift
did not recognise, each shown by `check` (every format, `--verbose` too) and written into the
journal of `drift fix` — the payload's base64 percent-encoded in a URL's query (`%2B`, `%2F`,
`%3D`, either case), its base64 in short lines joined by escaped breaks (JSON text in a JSON
string, `\\u000a`), the payload in a YAML folded block's lines, a short payload wrapped in two
lines, and `fold -w 3` of it. Each is masked, withheld by the journal (its form, where its
breaks stood) and put back exactly by a rollback; a neighbour's text that holds a payload of
fewer than 8 characters, or spells one across a space, stays readable."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import copy_world, fix_withheld

LAB = "lab-folded"
TOKEN = "k/+?>Zq8Lm3Vt6Nw1Rb4Kc7>>??token"
"""Its base64 holds `+`, `/` and `=`, which a URL's encoder writes `%2B`, `%2F`, `%3D`."""
SHORT = "Xk9!pQ2@vL7#"
PIN = "abc123"
"""Fewer than 8 characters: never searched for in text (`secretforms.SEARCH_MIN`)."""
B64 = base64.b64encode(TOKEN.encode()).decode()


def _fold(text: str, width: int, end: str = "\n") -> str:
    return end.join(text[i : i + width] for i in range(0, len(text), width))


COPIES = {
    "CALLBACK": f"https://hooks.example.com/cb?t={quote(B64, safe='')}&next=home",
    "CALLBACK_PY": f"https://hooks.example.com/cb?t={quote(B64)}",
    "CALLBACK_LOWER": "?t=" + re.sub("%[0-9A-F]{2}", lambda m: m[0].lower(), quote(B64, safe="")),
    "BOOT_JSON": json.dumps(json.dumps({"key": _fold(B64, 8)})),
    "BOOT_U000A": json.dumps({"key": _fold(B64, 8)}).replace("\\n", "\\u000a"),
    "FOLDED": "token: >\n  " + _fold(TOKEN, 10, "\n  ") + "\n",
    "WRAPPED": f"pw={SHORT[:5]}\n{SHORT[5:]}",
    "FOLD3": _fold(SHORT, 3),
}
NOTE = f"pin {PIN} and {PIN[:3]}\n{PIN[3:]}; Xk9!pQ 2@vL7# as words"
"""What a neighbour says in words: the short payload, cut by a line break too, and the other
spelt across a space (words between spaces are prose: `test_wrapped_document`)."""
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    unexpected_env: warn\n"
    "    env:\n      MODE: live\n      TOKEN: {secret: token, min_length: 8}\n"
    "      SHORT: {secret: short, min_length: 8}\n      PIN: {secret: pin}\n"
)


def _world() -> dict[str, Any]:
    env = {"MODE": "old", "TOKEN": {"secret": "token"}, "SHORT": {"secret": "short"}}
    env |= {"PIN": {"secret": "pin"}, "NOTE": NOTE, **COPIES}
    world = copy_world(LAB, "token", TOKEN, env)
    secrets = world["projects"][LAB]["secrets"]
    for name, payload in (("short", SHORT), ("pin", PIN)):
        secrets[name] = {**secrets["token"], "versions": [payload]}
    return world


def _leaks(text: str) -> list[str]:
    """The payloads (and the token's base64, percent-encoded or not) `text` holds, its breaks
    (and the blanks around them) and escapes taken out, GitHub's `%25` read back."""
    flat = re.sub(r"(?:[ \t]*(?:\\+(?:[nr]|u000[aAdD])|[\r\n]))+[ \t]*|\\", "", text)
    flat = flat.replace("%25", "%")
    chunks = (TOKEN, SHORT, B64[4:36], quote(B64, safe="")[20:44], quote(B64)[20:44])
    return [chunk for chunk in chunks if chunk in flat or chunk.lower() in flat]


def test_each_form_is_masked_in_every_format_and_a_neighbour_stays_readable(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    profile = ("lab", PROFILE)
    shown = {}
    for fmt in ("table", "json", "github", "markdown", "sarif"):
        done = drift_on(sandbox, tmp_path, profile, "check", "lab", "--format", fmt, "--verbose")
        out = done.stdout + done.stderr
        assert done.returncode == 1 and "Traceback" not in out, out[-2000:]
        assert all(name in done.stdout for name in COPIES), (fmt, done.stdout[-2000:])
        shown[fmt] = _leaks(out)
        if fmt == "json":
            assert json.dumps(NOTE)[1:-1] in done.stdout, done.stdout  # read as it is
    assert not any(shown.values()), shown


def test_each_form_is_withheld_from_the_journal_and_put_back_exactly(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    profile = ("lab", PROFILE)
    forms = fix_withheld(sandbox, tmp_path, profile, _leaks)
    assert {"whole/base64+pct", "whole/base64+pct/", "whole/base64+pct-lower"} <= forms, forms
    assert {"whole@3:n,6:n,9:n", "whole@5:n"} <= forms, forms  # fold -w 3, two lines
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    env = sandbox.service(LAB, "app").template.containers[0].env
    assert {v.name: v.value for v in env if v.name in COPIES} == COPIES
    assert {v.name: v.value for v in env if v.name == "NOTE"} == {"NOTE": NOTE}
