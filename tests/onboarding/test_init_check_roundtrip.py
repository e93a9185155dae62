"""The first day: `drift init ENV --from-live`, then `drift check ENV`, through the CLI. What init
calls alike, check finds clean; what check would report, init says (exit 3, `incomplete:`); the
line init suggests is one drift reads (helper-565: each of these failed on 31efddb4 — revisions
differing only in a secret file's mode were "alike" and then `mount.mode`; a `$(HOST)`
reference and the value written out, two configurations since Cloud Run expands none, were
one; `check_tags: [null]`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

PROJECT, REGION = "p1", "us-central1"
ACCOUNT = "serviceAccount:500000000009-compute@developer.gserviceaccount.com"


def project(services: dict[str, Any]) -> dict[str, Any]:
    return {
        "projects": {
            PROJECT: {
                "number": 500000000009,
                "region": REGION,
                "iam": {"roles/secretmanager.secretAccessor": [ACCOUNT]},
                "secrets": {"s": {"versions": ["fake-value-1"]}},
                "services": services,
            }
        }
    }


def init(sandbox: Sandbox, tmp_path: Path, *more: str) -> Any:
    return drift(
        "init", "prod", "--from-live", "--project", PROJECT, "--region", REGION,
        "--profiles", str(tmp_path / "profiles"), "--wait", "0", *more,
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip


def check(sandbox: Sandbox, tmp_path: Path) -> Any:
    return drift(
        "check", "prod", "--profiles", str(tmp_path / "profiles"), "--no-history",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip


# -- F1: a secret file's mode is not part of `RevisionConfig.fingerprint` -----------------------

BOTH_READ = pytest.mark.parametrize(
    "traffic",
    [
        [{"latest": True, "percent": 60}, {"revision": 1, "percent": 40}],
        [{"latest": True, "percent": 100}, {"revision": 1, "percent": 0, "tag": "prev"}],
    ],
    ids=["split", "tag"],
)
"""The other revision on a 40 % split, or reached only through a 0 % tag."""


def _mode_service(traffic: list[dict[str, Any]]) -> dict[str, Any]:
    """The template mounts secret `s` with default_mode 0400 (256); the older revision with
    the default 0444: the revisions differ only in the file's mode."""
    mount = {"name": "v", "mountPath": "/etc/v"}
    return {
        "template": {
            "containers": [
                {
                    "name": "app",
                    "image": "us-docker.pkg.dev/p1/app:2",
                    "ports": [{"containerPort": 8080}],
                    "volumeMounts": [mount],
                }
            ],
            "volumes": [{"name": "v", "secret": {"secret": "s", "defaultMode": 256}}],
        },
        "history": [{"volumes": [{"name": "v", "secret": {"secret": "s"}}]}],
        "traffic": traffic,
    }


@BOTH_READ
def test_revisions_differing_only_in_a_secret_files_mode_are_an_incomplete_init(
    tmp_path: Path, traffic: list[dict[str, Any]]
) -> None:
    """init says the revisions are "alike" and exits 0; the check it hands over to exits 1
    (mount.mode on the other revision). README: revisions that differ in configuration are
    an `incomplete:` line and exit 3 (with the `check_tags` way out for a tag)."""
    with Sandbox(project({"svc": _mode_service(traffic)})) as sandbox:
        done = init(sandbox, tmp_path)
        checked = check(sandbox, tmp_path)
    assert checked.returncode == 1 and "mount.mode" in checked.stdout, checked.stdout
    assert "alike;" not in done.stdout, done.stdout
    assert done.returncode == 3 and "incomplete: svc:" in done.stdout, done.stdout


# -- F2: `$(NAME)` as written vs the same value written out ------------------------------------
def _expanded_service(traffic: list[dict[str, Any]]) -> dict[str, Any]:
    """The template writes URL as `postgres://$(HOST)/x` (HOST=db before it), the older
    revision as `postgres://db/x`: Cloud Run expands no reference (run v2 k8s.min.proto
    EnvVar.value: "Variable references are not supported in Cloud Run"), so their containers
    get two values."""
    return {
        "template": {
            "image": "us-docker.pkg.dev/p1/app:2",
            "env": {"HOST": "db", "URL": "postgres://$(HOST)/x"},
        },
        "history": [{"env": {"URL": "postgres://db/x"}}],
        "traffic": traffic,
    }


@BOTH_READ
def test_a_reference_and_the_value_written_out_are_two_configurations(
    tmp_path: Path, traffic: list[dict[str, Any]]
) -> None:
    """init names the revisions that differ (exit 3) and check finds URL on the one that
    writes the value out (589ebdac took them for one configuration: init exit 0, check
    clean)."""
    with Sandbox(project({"svc": _expanded_service(traffic)})) as sandbox:
        done = init(sandbox, tmp_path)
        checked = check(sandbox, tmp_path)
    assert done.returncode == 3 and "incomplete: svc:" in done.stdout, done.stdout
    assert checked.returncode == 1 and "URL on svc-00001-" in checked.stdout, checked.stdout


def test_a_reference_that_expands_to_another_value_is_still_drift(tmp_path: Path) -> None:
    traffic = [{"latest": True, "percent": 60}, {"revision": 1, "percent": 40}]
    service = _expanded_service(traffic)
    service["history"] = [{"env": {"URL": "postgres://elsewhere/x"}}]
    with Sandbox(project({"svc": service})) as sandbox:
        done = init(sandbox, tmp_path)
        checked = check(sandbox, tmp_path)
    assert done.returncode == 3 and "incomplete: svc:" in done.stdout, done.stdout
    assert checked.returncode == 1 and "URL on svc-00001-" in checked.stdout, checked.stdout


# -- F3: the `check_tags: [...]` init suggests is not quoted -----------------------------------
def test_the_check_tags_line_init_suggests_is_one_drift_reads(tmp_path: Path) -> None:
    """A tag at 0 % on another configuration (tag `e2e`) beside one on the same (tag `null`):
    init suggests `check_tags: [null]`, which YAML reads as [None]: pasted as the incomplete
    line says, `drift profiles validate` and `drift check` refuse the profile (exit 2)."""
    service = {
        "template": {"image": "us-docker.pkg.dev/p1/app:2", "env": {"A": "2"}},
        "history": [{"env": {"A": "1"}}, {"image": "us-docker.pkg.dev/p1/app:3"}],
        "traffic": [
            {"latest": True, "percent": 100},
            {"revision": 1, "percent": 0, "tag": "e2e"},
            {"revision": 2, "percent": 0, "tag": "null"},
        ],
    }
    with Sandbox(project({"svc": service})) as sandbox:
        done = init(sandbox, tmp_path)
        assert done.returncode == 3, done.stdout + done.stderr
        said = re.search(r"`(check_tags: [^`]*)` in its entry", done.stdout)
        assert said, done.stdout
        path = tmp_path / "profiles" / "prod.yaml"
        text = path.read_text()
        path.write_text(text.replace("  svc:  #", f"  svc:\n    {said.group(1)}\n    #", 1))
        valid = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
        checked = check(sandbox, tmp_path)
    assert valid.returncode == 0, said.group(1) + "\n" + valid.stdout + valid.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr
