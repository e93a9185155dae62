"""A secret volume no container mounts is still a reference of the service: Cloud Run checks
every secret a revision uses at deploy ("During service deployment, Cloud Run checks all the
secrets you use", cloud.google.com/run/docs/configuring/secrets), and `check` checks it
(`RevisionConfig.unmounted`). `compare --live` read every mounted file and no unmounted one:
production holding a volume of staging's secret, mounted nowhere, was "equivalent"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from drift.sandbox import Sandbox
from tests.compare.conftest import compare_api


def _scenario(volumes: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """staging and e2e's api, each with the secret volumes given (mounted by no container).
    Fake values."""

    def api(environment: str, project: str) -> dict[str, Any]:
        template: dict[str, Any] = {
            "image": "us-docker.pkg.dev/acme/apps/api:1.0.0",
            "env": {"ENVIRONMENT": environment},
        }
        if volumes.get(project):
            template["volumes"] = volumes[project]
        return {"template": template}

    return {
        "projects": {
            "acme-staging": {
                "number": 700000000001,
                "region": "us-central1",
                "secrets": {"signing-key": {"versions": ["fake-signing-key-staging-5d7f9b1c"]}},
                "services": {"api": api("staging", "acme-staging")},
            },
            "acme-e2e": {
                "number": 800000000002,
                "region": "europe-west1",
                "secrets": {"signing-key": {"versions": ["fake-signing-key-e2e-8a2c4e6f0b"]}},
                "services": {"api": api("e2e", "acme-e2e")},
            },
        }
    }


def _compare(tmp_path: Path, scenario: dict[str, Any]) -> dict[str, Any]:
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    with Sandbox(tmp_path / "scenario.yaml") as sandbox:
        return compare_api(sandbox, tmp_path)


def _volume(secret: str) -> dict[str, Any]:
    return {"name": "keys", "secret": {"secret": secret, "items": [{"path": "k", "version": "1"}]}}


def test_an_unmounted_volume_of_the_other_projects_secret_is_foreign(tmp_path: Path) -> None:
    """e2e's api holds a volume of staging's signing-key, mounted nowhere; staging has none.
    main: "equivalent", exit 0."""
    scenario = _scenario({"acme-e2e": [_volume("projects/acme-staging/secrets/signing-key")]})
    document = _compare(tmp_path, scenario)
    found = {(d["kind"], d["side"]) for d in document["differences"]}
    assert ("value.foreign", "b") in found, document["differences"]
    assert ("env.only_in", "b") in found, document["differences"]
    foreign = next(d for d in document["differences"] if d["kind"] == "value.foreign")
    assert "volume keys (k)" in foreign["message"]
    assert "acme-staging" in foreign["message"]
    assert document["status"] == "different" and document["exit_code"] == 1


def test_the_same_unmounted_volume_on_both_sides_is_compared_as_one(tmp_path: Path) -> None:
    """Each side's own signing-key in a volume of the same name and item: nothing differs,
    and their values (different) are not `secret.shared`; the same value would be."""
    own = {p: [_volume("signing-key")] for p in ("acme-staging", "acme-e2e")}
    document = _compare(tmp_path, _scenario(own))
    assert document["differences"] == [] and document["exit_code"] == 0, document
    same = _scenario(own)
    for project in same["projects"].values():
        project["secrets"]["signing-key"]["versions"] = ["fake-signing-key-same-1b3d5f7a9c"]
    document = _compare(tmp_path, same)
    assert [d["kind"] for d in document["differences"]] == ["secret.shared"], document
    assert "fake-signing-key-same" not in json.dumps(document)
