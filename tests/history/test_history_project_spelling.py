"""Review revcomp67 F3: `drift history` said a secret was "repointed" where only the way its
project is written changed (another project by number, then by id; the own project by number,
then omitted), while `since` on the same revisions takes them for one secret. History now
asks the one judgement `since` asks (`LiveState.same_ref`, the projects named by number looked
up as `check` looks them up); a reference to another secret is still a repoint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

PROFILE = "project: acme-prod\nregion: us-central1\nservices:\n  api: {}\n"


def _world(first: str, then: str) -> dict[str, Any]:
    history = [
        {"name": "api-00001-aaa", "created": "10d", "image": "img/api:1", "env": {"K": first}},
        {"name": "api-00002-bbb", "created": "5d", "image": "img/api:2", "env": {"K": first}},
    ]
    template = {"image": "img/api:3", "env": {"K": {"secret": then}}}
    return {
        "projects": {
            "acme-shared": {"number": 600000000002, "secrets": {"k": {"versions": ["v1"]}}},
            "acme-prod": {
                "number": 500000000001,
                "secrets": {"k2": {"versions": ["v1"]}, "other": {"versions": ["v1"]}},
                "services": {"api": {"template": template, "history": history}},
            },
        }
    }


@pytest.mark.parametrize(
    ("first", "then", "repointed"),
    [
        ("projects/600000000002/secrets/k", "projects/acme-shared/secrets/k", False),
        ("projects/500000000001/secrets/k2", "k2", False),
        ("projects/500000000001/secrets/k2", "other", True),  # another secret: a repoint
    ],
)
def test_a_project_spelt_otherwise_is_no_repoint(
    reseedable: Sandbox, tmp_path: Path, first: str, then: str, repointed: bool
) -> None:
    reseedable.reset(_world({"secret": first}, then))
    (tmp_path / "prod.yaml").write_text(PROFILE)
    env = reseedable.environ()
    done = drift("history", "prod", "--profiles", str(tmp_path), "-f", "json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    [service] = json.loads(done.stdout)["services"]
    newest = service["revisions"][0]
    assert newest["revision"].startswith("api-00003"), newest
    actions = {(c["action"], c["target"]) for c in newest["changes"]}
    assert (("repointed", "env.K") in actions) is repointed, newest["changes"]
