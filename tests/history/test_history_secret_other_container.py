"""A variable the profile expects to be a secret, held as a plain value by an older revision in
another container than the one the rule names: the sidecar under its former name, the variable
moved from the main container into the sidecar, or from a sidecar into the main container.
`drift history` masks that older value in every format, as it masks the current one
(helper-619 F1: `Masking` matched the rules by container name only)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift import redact
from drift.history.changes import Masking
from drift.history.formats import HistoryFormat
from drift.live.model import ContainerConfig
from drift.live.remember import remember_configs
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from tests.history.cli import profile_folder, run
from tests.history.conftest import unescaped
from tests.livestate import config, plain

OLD = "rotatedpw-0ld-quartz"  # harmless shape: only the profile's rule says it is a secret
NOW = "rotatedpw-n0w-fjord"
SIDECAR_RULE = "    containers:\n      proxy:\n        env:\n          PEER_VALUE: {secret: peer}\n"
MAIN_RULE = "    env:\n      PEER_VALUE: {secret: peer}\n"


def _app(*env: dict[str, str]) -> dict[str, Any]:
    return {
        "name": "app",
        "image": "img/app:1",
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "X", "value": "1"}, *env],
    }


def _proxy(name: str, *env: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "image": "img/proxy:1", "env": list(env)}


def _peer(value: str) -> dict[str, str]:
    return {"name": "PEER_VALUE", "value": value}


CASES = {
    "sidecar renamed": (
        [_app(), _proxy("proxy-old", _peer(OLD))],
        [_app(), _proxy("proxy", _peer(NOW))],
        SIDECAR_RULE,
    ),
    "main to sidecar": (
        [_app(_peer(OLD)), _proxy("proxy")],
        [_app(), _proxy("proxy", _peer(NOW))],
        SIDECAR_RULE,
    ),
    "sidecar to main": (
        [_app(), _proxy("proxy", _peer(OLD))],
        [_app(_peer(NOW)), _proxy("proxy")],
        MAIN_RULE,
    ),
}


def scenario(old: list[dict[str, Any]], now: list[dict[str, Any]]) -> dict[str, Any]:
    service = {"template": {"containers": now}, "history": [{"created": "10d", "containers": old}]}
    region = {
        "number": 111,
        "region": "us-central1",
        "secrets": {"peer": {"versions": ["peer-secret-payload-1"]}},
        "services": {"api": service},
    }
    return {"options": {"seed": 3}, "projects": {"acme": region}}


@pytest.mark.parametrize("case", list(CASES))
def test_an_older_plain_value_in_another_container_is_masked(tmp_path: Path, case: str) -> None:
    old, now, rule = CASES[case]
    folder = profile_folder(
        tmp_path, "project: acme\nregion: us-central1\nservices:\n  api:\n" + rule
    )
    outs = {}
    with Sandbox(scenario(old, now)) as sandbox:
        for fmt in HistoryFormat:
            done = run(sandbox, folder, "history", "lab", "--format", fmt.value)
            assert done.returncode == 0, done.stdout + done.stderr
            outs[fmt] = done.stdout
    changes = json.loads(outs[HistoryFormat.JSON])["services"][0]["revisions"][0]["changes"]
    peer = [c for c in changes if c["target"] == "env.PEER_VALUE"]
    assert len(peer) == 2, changes  # removed from one container, added to the other
    assert {c["before"] for c in peer} == {None, "***"}, peer
    assert {c["after"] for c in peer} == {None, "***"}, peer
    for fmt, out in outs.items():
        text = unescaped(out) if fmt is HistoryFormat.MARKDOWN else out
        assert "PEER_VALUE" in text, text
        assert OLD not in text and NOW not in text, (fmt, text)


@pytest.mark.parametrize("rule", [SIDECAR_RULE, MAIN_RULE], ids=["sidecar", "main"])
def test_the_values_remembered_are_those_of_every_container(tmp_path: Path, rule: str) -> None:
    """What history registers with `redact` before any text (`remember_configs`, judged by
    `Masking.secret`, as `drift.history.read` calls it) holds the value wherever the revision
    holds it: the former sidecar, the main container, a sidecar the main container's rule
    does not name."""
    (tmp_path / "prod.yaml").write_text(
        "project: acme\nregion: us-central1\nservices:\n  api:\n" + rule
    )
    profile = load_profile(tmp_path, "prod").services["api"]
    masking = Masking(profile)
    main = config([plain("PEER_VALUE", OLD)])
    sidecar = ContainerConfig("proxy-old", env={"PEER_VALUE": plain("PEER_VALUE", NOW)})
    old = replace(main, containers=(*main.containers, sidecar))
    assert not redact.is_secret(OLD) and not redact.is_secret(NOW)
    remember_configs(profile, [old.variables], masking.secret)
    assert redact.is_secret(OLD) and redact.is_secret(NOW)
