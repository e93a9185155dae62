"""A secret pasted as two plain variables (`KEY_A` its start, `KEY_B` its end), or its start
in an annotation, never goes into the journal as it is (SPEC safety invariant 1): each is
withheld as that version's first or last characters (`FORM~N`, `FORM#N`), and a rollback
reads the version again and puts each back exactly. Before, the journal held both halves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import LAB, fixed_journal, lab_name, rollback

VALUE = "Zq8vX2mLk9/PwR4tY+bawdy-42"
HALVES = {"KEY_A": VALUE[:13], "KEY_B": VALUE[13:]}
ACCOUNT = f"app@{LAB}.iam.gserviceaccount.com"
READER = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
PADDED = {"KEY_A": f" {VALUE[:13]}\n", "KEY_B": f"{VALUE[13:]}\n"}
"""The halves as a copy from a terminal leaves them: outer whitespace around each."""


def _world(halves: dict[str, str]) -> dict[str, Any]:
    env: dict[str, Any] = {"DEBUG": "true", "TOKEN": {"secret": "s-main"}, **halves}
    return {
        "options": {"seed": 3},
        "projects": {LAB: {"number": 111000111000, "region": "us-central1", "iam": READER,
            "secrets": {"s-main": {"versions": [VALUE]}},
            "services": {"app": {"annotations": {"acme.dev/tok": VALUE[:12]},
                "template": {"service_account": ACCOUNT, "env": env}}}}},
    }  # fmt: skip


WORLD = _world(HALVES)
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      DEBUG: {forbidden: true}\n      TOKEN: {secret: s-main, min_length: 8}\n"
    "      KEY_A: {required: true}\n      KEY_B: {required: true}\n"
)


S_MAIN = f"projects/{LAB}/secrets/s-main"


def _copies(clients: Clients) -> list[str]:
    svc = clients.services.get_service(name=lab_name())
    env = {e.name: e.value for e in svc.template.containers[0].env}
    return [env["KEY_A"], env["KEY_B"], svc.annotations["acme.dev/tok"]]


@pytest.mark.parametrize("halves", [HALVES, PADDED], ids=["bare", "padded"])
def test_halves_of_a_secret_are_withheld_and_rollback_puts_them_back(
    halves: dict[str, str],
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients: Clients,
) -> None:
    """Padded: masked (the masker strips the value), and the journal withheld neither half
    before (helper-757 F4: both halves in the entry's JSON and its bytes)."""
    reseedable.reset(_world(halves))
    before = _copies(clients)
    assert before == [*halves.values(), VALUE[:12]]
    text, held = fixed_journal(reseedable, tmp_path, monkeypatch, PROFILE)
    for piece in (p.strip() for p in before):
        assert piece not in text and piece.encode() not in held, piece
    assert rollback(tmp_path).exit_code is ExitCode.OK
    assert _copies(clients) == before


def test_a_half_whose_version_is_gone_stops_the_rollback_with_what_to_do(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients: Clients
) -> None:
    reseedable.reset(WORLD)
    fixed_journal(reseedable, tmp_path, monkeypatch, PROFILE)
    clients.secrets.disable_secret_version(name=f"{S_MAIN}/versions/1")
    refused = rollback(tmp_path)
    said = refused.summary()
    assert refused.exit_code is ExitCode.ABORTED and "nothing was changed" in said, said
    enable = "gcloud secrets versions enable 1 --secret=s-main --project=111000111000"
    assert enable in said and "run the rollback again" in said, said
    assert said.count(enable) == 1 and "set those variables by hand" in said, said
