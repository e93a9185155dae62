"""A plain copy of a secret that the journal withholds (`drift.fix.withheld`) must come back
exactly from the form it records, and no part of it may stay in the journal in clear
(helper-679): a piece's form read back as another piece whose name ends the same way (F1), a
piece's base64 or percent-encoding in its other Unicode normal form (F4), and two copies that
overlap in one value (F5)."""

from __future__ import annotations

import base64
import json
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import copy_world

LAB = "lab-forms"
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    unexpected_env: warn\n"
    "    env:\n      MODE: live\n      TOKEN: {secret: token, min_length: 8}\n"
)
FIRST, SECOND = "Tk7fJd6Ls1Yv5gXb", "Zz9Qw8Er4Ty0Ui3Op"
PW = unicodedata.normalize("NFC", "Pässwörd-Ünïcode-2026-xyz")
NFD = unicodedata.normalize("NFD", PW).encode()


def _round_trip(
    make_sandbox: MakeSandbox, tmp_path: Path, secret: str, copy: str
) -> tuple[str, dict[str, Any]]:
    """`check`'s output and the journal entry of `fix` of a service whose `LEGACY` variable is
    `copy`, after `rollback`, which must put `copy` back exactly."""
    env = {"MODE": "old", "TOKEN": {"secret": "token"}, "LEGACY": copy}
    sandbox = make_sandbox(copy_world(LAB, "token", secret, env))
    profile = ("lab", PROFILE)
    shown = drift_on(sandbox, tmp_path, profile, "check", "lab", "--format", "json").stdout
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    (journal,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(journal.read_text())
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    data["text"] = journal.read_text() + held.decode("utf-8", "replace")
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    env_back = sandbox.service(LAB, "app").template.containers[0].env
    assert {v.name: v.value for v in env_back if v.name == "LEGACY"} == {"LEGACY": copy}
    return shown, data


def test_a_pieces_encoding_comes_back_as_itself_not_as_a_piece_named_like_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A link's `token` and `token/base64` are two pieces: the first's base64 was recorded as
    `piece/.url0.query.token/base64`, which names the second, and a rollback put the second
    token in place of the first's base64 (F1)."""
    secret = f"https://api.example.com/v1?token={FIRST}&token/base64={SECOND}"
    copy = base64.b64encode(FIRST.encode()).decode()
    shown, data = _round_trip(make_sandbox, tmp_path, secret, copy)
    assert copy not in data["text"] and copy not in shown


@pytest.mark.parametrize(
    "shape",
    ["whole/base64", "whole/quote", "piece/base64", "piece/quote"],
)
def test_an_encoding_of_the_other_normal_form_is_masked_and_withheld(
    make_sandbox: MakeSandbox, tmp_path: Path, shape: str
) -> None:
    """The base64 or percent-encoding of the NFD text of an NFC-stored payload, or of a JSON
    secret's password (F4): shown by `check`, and a piece's written into the journal."""
    kind, encoding = shape.split("/")
    encode = {"base64": lambda b: base64.b64encode(b).decode(), "quote": quote}[encoding]
    secret = PW if kind == "whole" else json.dumps({"user": "svc-reader", "password": PW})
    copy = encode(NFD)
    shown, data = _round_trip(make_sandbox, tmp_path, secret, copy)
    assert copy not in shown and copy not in data["text"]
    assert "LEGACY" in shown  # the variable is reported, its value masked


def test_two_overlapping_copies_are_withheld_whole(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """One key's tail is the next one's head (a list of rotated keys pasted together): the
    output masked both, the journal kept the second's rest in clear (F5)."""
    keys = ["AAAAbbbbCCCC1234", "CCCC1234ddddEEEEffff"]
    shown, data = _round_trip(
        make_sandbox, tmp_path, json.dumps(keys), "AAAAbbbbCCCC1234ddddEEEEffff"
    )
    assert "ddddEEEEffff" not in shown and "ddddEEEEffff" not in data["text"]
