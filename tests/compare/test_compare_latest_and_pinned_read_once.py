"""helper-781 C2 (failed before): `drift compare --live` read one secret version twice when one
side's reference says `latest` and the other pins the version `latest` is: the values are read
by the name each reference gives, so `…/versions/latest` and `…/versions/1` were two
AccessSecretVersion calls, two entries in Secret Manager's data-access audit log, for one
version (SPEC: each API call is made once). `latest` is read first, and its answer names the
version it resolved to (AccessSecretVersionResponse.name, google/cloud/secretmanager/v1
service.proto): the pinned reference to that number takes that answer. A pin to another
version, or a `latest` whose read was refused, is still read on its own, and said as before."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.compare.test_compare_credential_shaped_halves import _leaked
from tests.compare.test_compare_reads_every_referenced_value import (
    GRANT,
    HALVES,
    PAYLOAD,
    PAYLOADS,
    SHOWN,
    VAULT,
    _run,
    _world,
)
from tests.conftest import MakeSandbox


def _refs(version: str) -> dict[str, Any]:
    """Every payload's secret of the shared project, at `version`."""
    secret = f"projects/{VAULT}/secrets/"
    return {n: {"secret": secret + n.lower(), "version": version} for n in PAYLOAD}


def _reads(sandbox: Sandbox) -> collections.Counter[str]:
    calls = sandbox.calls
    return collections.Counter(c.request.name for c in calls if c.short == "AccessSecretVersion")


def _leaks(text: str) -> dict[str, Any]:
    """What `text` shows of each payload (`_leaked`), for those it shows some of."""
    found = {name: _leaked(text, parts) for name, (_, _, parts) in PAYLOADS.items()}
    return {name: runs for name, runs in found.items() if runs}


def _shared(out: str) -> list[str]:
    found = json.loads(out)["differences"]
    return sorted(d["target"] for d in found if d["kind"] == "secret.shared")


@pytest.mark.parametrize("order", [("prod", "dev"), ("dev", "prod")])
def test_latest_and_the_version_it_is_pinned_are_read_once(
    make_sandbox: MakeSandbox, tmp_path: Path, order: tuple[str, str]
) -> None:
    sandbox = make_sandbox(_world(_refs("latest") | HALVES, _refs("1"), True))
    code, out, text = _run(sandbox, tmp_path, *order, "-f", "json")
    assert code == 1, text
    # one call per version, by `latest`: the pinned reference took its answer
    secret = f"projects/{VAULT}/secrets/"
    assert _reads(sandbox) == {f"{secret}{n.lower()}/versions/latest": 1 for n in PAYLOAD}
    # what it says is unchanged: the same secret on both sides, and no part of a value
    assert _shared(out) == sorted(f"env.{n}" for n in PAYLOAD), text
    assert _leaks(text) == {}, text
    assert "could not read" not in text, text


def test_a_pin_to_another_version_than_latest_is_read_on_its_own(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    world = _world(_refs("latest") | HALVES, _refs("1"), True)
    for n, payload in PAYLOAD.items():  # version 2, another value, is `latest`
        world["projects"][VAULT]["secrets"][n.lower()] = {
            "versions": [payload, payload[::-1]],
            "iam": GRANT,
        }
    sandbox = make_sandbox(world)
    code, _, text = _run(sandbox, tmp_path, "prod", "dev", "-f", "json")
    assert code == 1, text
    assert sorted(_reads(sandbox).values()) == [1] * (2 * len(PAYLOAD)), _reads(sandbox)
    # the halves prod holds are version 1's, which only dev's pin reads: masked all the same
    assert _leaks(text) == {}, text


def test_a_refused_latest_leaves_the_pin_read_and_both_said_as_before(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`latest` refused names no version: the pinned one is read, refused too, and the one
    note names both, each with its call's answer."""
    refs = {"DOTENV": {"secret": f"projects/{VAULT}/secrets/dotenv"}}
    pinned = {"DOTENV": refs["DOTENV"] | {"version": "1"}}
    sandbox = make_sandbox(_world(refs, pinned, True))
    sandbox.inject(Fault(method="AccessSecretVersion", code="PERMISSION_DENIED"))
    _, out, text = _run(sandbox, tmp_path, "prod", "dev", "-f", "json")
    secret = f"projects/{VAULT}/secrets/dotenv/versions"
    assert _reads(sandbox) == {f"{secret}/1": 1, f"{secret}/latest": 1}, text
    named = ", ".join(
        f"{secret}/{v} (AccessSecretVersion: PERMISSION_DENIED)" for v in ("1", "latest")
    )
    assert json.loads(out)["notes"][-1:] == [f"could not read the values of {named}: {SHOWN}"]
