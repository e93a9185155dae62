"""helper-618 F7: `compare` ignored a secret file's mode. staging's cert.pem is created 0400 (its
owner's only), production's 0777 (0555 once Cloud Run's umask 0222 applies): "equivalent",
exit 0, where `check` calls the same difference from a profile `mount.mode`. A file's mode is
how the workload reads it, not per-environment configuration: it is a difference
(`mount.mode`), between profiles and between live environments. The version a file pins is
not: each environment's secret counts its own versions (as a variable's pin is not compared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.compare.conftest import DATA

SCHEMA = json.loads((DATA / "compare.schema.json").read_text())
PROJECTS = {"staging": "acme-staging", "prod": "acme-prod"}


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    """`compare staging prod ARGS` as JSON (checked against the schema) and as a table."""
    common = ("compare", "staging", "prod", "--profiles", str(tmp_path), *args)
    done = drift(*common, "-f", "json", env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    table = drift(*common, env=env, cwd=tmp_path)
    assert table.returncode == done.returncode, table.stdout + table.stderr
    return done.returncode, document, table.stdout


# -- profiles -------------------------------------------------------------------------------


def _profiles(tmp_path: Path, staging: str, prod: str) -> None:
    """Each environment's api mounting its own tls-cert at /etc/tls/cert.pem, with the
    mount's other keys given (`mode: "0400"`, `version: "2"`)."""
    for environment, more in (("staging", staging), ("prod", prod)):
        (tmp_path / f"{environment}.yaml").write_text(
            f"project: {PROJECTS[environment]}\nregion: us-central1\nservices:\n  api:\n"
            "    env: {MODE: live}\n"
            f"    mounts:\n      /etc/tls/cert.pem: {{secret: tls-cert{more}}}\n"
        )


def test_two_profiles_with_other_modes_differ(tmp_path: Path) -> None:
    """main: "equivalent", exit 0."""
    _profiles(tmp_path, ', mode: "0400"', ', mode: "0440"')
    code, document, table = _run(tmp_path)
    assert code == 1 and document["status"] == "different", document
    (found,) = document["differences"]
    assert found["kind"] == "mount.mode" and found["target"] == "env.mount:/etc/tls/cert.pem"
    assert (found["a"], found["b"], found["side"]) == ("0400", "0440", None)
    assert "has mode 0400 in staging's profile, 0440 in prod's" in found["message"]
    assert document["summary"]["by_kind"] == {"mount.mode": 1}
    assert "  mount.mode  env.mount:/etc/tls/cert.pem" in table
    assert "staging: 0400" in table and "prod:    0440" in table
    assert "1 difference (1 mount.mode)" in table


def test_a_mode_one_profile_sets_and_the_other_leaves_open_differs(tmp_path: Path) -> None:
    """`init` writes no mode for a file created 0444 (the default): staging's profile says
    0400, production's any mode. main: "equivalent", exit 0."""
    _profiles(tmp_path, "", ', mode: "0400"')
    code, document, table = _run(tmp_path)
    assert code == 1, document
    (found,) = document["differences"]
    assert (found["kind"], found["side"]) == ("mount.mode", "b")
    assert (found["a"], found["b"]) == ("(any mode)", "0400")
    assert found["message"] == (
        "prod's profile requires mode 0400 for mount:/etc/tls/cert.pem on api; staging's sets "
        "none (any mode passes its check)"
    )
    assert "staging: (any mode)" in table


@pytest.mark.parametrize(
    ("staging", "prod"),
    [
        (', mode: "0400"', ', mode: "400"'),  # one mode, spelt two ways
        (', version: "2", mode: "0400"', ', version: "1", mode: "0400"'),  # pins: not compared
        ("", ""),
    ],
)
def test_profiles_alike_but_for_how_or_what_version_stay_equivalent(
    tmp_path: Path, staging: str, prod: str
) -> None:
    _profiles(tmp_path, staging, prod)
    code, document, _ = _run(tmp_path)
    assert (code, document["status"], document["differences"]) == (0, "equivalent", [])


# -- live -----------------------------------------------------------------------------------


def _api(project: str, item: dict[str, Any], default_mode: int | None = None) -> dict[str, Any]:
    """api (v2 JSON) mounting its own tls-cert's `item` at /etc/tls."""
    secret: dict[str, Any] = {"secret": "tls-cert", "items": [{"path": "cert.pem", **item}]}
    if default_mode is not None:
        secret["defaultMode"] = default_mode
    return {
        "template": {
            "serviceAccount": f"api@{project}.iam.gserviceaccount.com",
            "containers": [
                {
                    "image": "us-docker.pkg.dev/acme/apps/api:1.0.0",
                    "env": [{"name": "MODE", "value": "live"}],
                    "volumeMounts": [{"name": "tls", "mountPath": "/etc/tls"}],
                }
            ],
            "volumes": [{"name": "tls", "secret": secret}],
        }
    }


def _world(staging: dict[str, Any], prod: dict[str, Any]) -> dict[str, Any]:
    """Each project's api (`_api`) and its own tls-cert (fake values, two versions)."""

    def project(number: int, environment: str, api: dict[str, Any]) -> dict[str, Any]:
        versions = [f"FAKE-CERT-{environment}-1-7c1e", f"FAKE-CERT-{environment}-2-9d3a"]
        return {
            "number": number,
            "region": "us-central1",
            "secrets": {"tls-cert": {"versions": versions}},
            "services": {"api": api},
        }

    return {
        "projects": {
            "acme-staging": project(700000000001, "staging", staging),
            "acme-prod": project(700000000002, "prod", prod),
        }
    }


def _live(tmp_path: Path, scenario: dict[str, Any]) -> tuple[int, Any, str]:
    for environment, project in PROJECTS.items():
        (tmp_path / f"{environment}.yaml").write_text(
            f"project: {project}\nregion: us-central1\nservices:\n  api: {{}}\n"
        )
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    with Sandbox(tmp_path / "scenario.yaml") as sandbox:
        return _run(tmp_path, "--live", env=sandbox.environ())


def test_two_environments_creating_a_file_with_other_modes_differ(tmp_path: Path) -> None:
    """helper-618 F7's repro: 0400 in staging, 0777 (created 0555) in production. main:
    "equivalent", exit 0."""
    scenario = _world(
        _api("acme-staging", {"version": "2", "mode": 0o400}),
        _api("acme-prod", {"version": "2", "mode": 0o777}),
    )
    code, document, table = _live(tmp_path, scenario)
    assert code == 1 and document["status"] == "different", document
    (found,) = document["differences"]
    assert (found["kind"], found["target"]) == ("mount.mode", "env.mount:/etc/tls/cert.pem")
    assert (found["a"], found["b"]) == ("0400", "0555")
    assert "is created with mode 0400 in staging, 0555 in prod" in found["message"]
    assert "staging: 0400" in table and "prod:    0555" in table
    assert "FAKE-CERT" not in json.dumps(document) + table


@pytest.mark.parametrize(
    ("staging", "prod"),
    [
        # one mode however it is set: the volume's default, or the item's
        (({"version": "2"}, 0o400), ({"version": "2", "mode": 0o400}, None)),
        # 0644 and 0444 are both created 0444 (the umask 0222)
        (({"version": "2", "mode": 0o644}, None), ({"version": "2"}, None)),
        # helper-618 F7's `itemver`: version 2 in staging, 1 in production: not compared
        (({"version": "2"}, None), ({"version": "1"}, None)),
    ],
)
def test_files_created_alike_stay_equivalent(
    tmp_path: Path, staging: tuple[dict[str, Any], int | None], prod: tuple[dict[str, Any], int]
) -> None:
    scenario = _world(_api("acme-staging", *staging), _api("acme-prod", *prod))
    code, document, _ = _live(tmp_path, scenario)
    assert (code, document["status"], document["differences"]) == (0, "equivalent", [])


def test_a_split_serving_a_file_with_another_mode_is_not_compared(tmp_path: Path) -> None:
    """production serves 40 % of its requests from an older revision whose cert.pem is
    0444: another configuration than the one compared, so not compared (exit 3), as one
    with another variable is (`test_compare_split`). main: "equivalent", exit 0."""
    prod = _api("acme-prod", {"version": "2", "mode": 0o400})
    older = _api("acme-prod", {"version": "2"})["template"]
    prod["history"] = [{"volumes": older["volumes"]}]
    prod["traffic"] = [{"latest": True, "percent": 60}, {"revision": 1, "percent": 40}]
    scenario = _world(_api("acme-staging", {"version": "2", "mode": 0o400}), prod)
    code, document, _ = _live(tmp_path, scenario)
    assert code == 3 and document["status"] == "incomplete", document
    (reason,) = [u["reason"] for u in document["unverified"] if u["target"] == "revision"]
    assert " (40 %) serves traffic with another configuration " in reason, reason
    assert "env.mount:/etc/tls/cert.pem" in reason, reason
