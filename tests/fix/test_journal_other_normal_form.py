"""A plain copy of a secret's payload in its other Unicode normal form (NFD: macOS, some
clients) is masked in output (`Secrets.add` registers both forms) and withheld from the
journal too, and a rollback gives its exact text back (helper-669 F7: `secret_pieces` knew
only the exact forms, and `drift fix` wrote the copy into the journal in clear)."""

from __future__ import annotations

import base64
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import copy_world

LAB = "lab-nfd"
PW = unicodedata.normalize("NFC", "Pässwörd-Ünïcode-2026-xyz")
COPY = unicodedata.normalize("NFD", PW)
SHAPES = {  # the secret's payload, and the form its copy is withheld by
    "whole": (PW, "whole-nfd"),
    "piece": (json.dumps({"user": "svc-reader", "password": PW}), "piece/.password/NFD"),
}
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    unexpected_env: warn\n"
    "    env:\n      MODE: live\n      TOKEN: {secret: token, min_length: 8}\n"
)


def _world(secret: str) -> dict[str, Any]:
    env = {"MODE": "old", "TOKEN": {"secret": "token"}, "LEGACY_TOKEN": COPY}
    return copy_world(LAB, "token", secret, env)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_copy_in_the_other_normal_form_is_withheld_and_restored_exactly(
    make_sandbox: MakeSandbox, tmp_path: Path, shape: str
) -> None:
    """The secret whole, or a JSON secret's password (helper-673 N1: a piece's other form was
    masked but journaled in clear)."""
    secret, withheld = SHAPES[shape]
    sandbox = make_sandbox(_world(secret))
    profile = ("lab", PROFILE)
    done = drift_on(sandbox, tmp_path, profile, "check", "lab", "--format", "json")
    assert COPY not in done.stdout and PW not in done.stdout
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    (journal,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(journal.read_text())
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    assert COPY.encode() not in held and COPY not in journal.read_text()
    forms = {p["form"] for r in data["withheld"] for p in r["pieces"] if isinstance(p, dict)}
    assert forms == {withheld}, forms
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    env = sandbox.service(LAB, "app").template.containers[0].env
    assert {v.name: v.value for v in env if v.name == "LEGACY_TOKEN"} == {"LEGACY_TOKEN": COPY}
