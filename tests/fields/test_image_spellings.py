"""Spellings of one image reference were reported as drift (setting.value): drift compared
the strings. run v2 Container.image: "If the host is not provided, Dockerhub is assumed";
by distribution/reference (normalize.go) `nginx:1.25` is `docker.io/library/nginx:1.25`, a
name without a tag is `:latest`, and a tag beside a digest is not what is pulled. The image
row's `equivalent` now compares references in that normal form; a tag is still not its
digest, and another image is still drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.images import normalised_image, same_image
from tests.cliutil import drift
from tests.conftest import MakeSandbox

DIGEST = "sha256:" + "a" * 64
AR = "us-docker.pkg.dev/p-acme/r/api"


def _drifted(make_sandbox: MakeSandbox, tmp_path: Path, pairs: dict[str, Any]) -> list[str]:
    world = {
        "projects": {
            "p-acme": {
                "number": 5,
                "services": {
                    name: {"template": {"image": live}} for name, (live, _) in pairs.items()
                },
            }
        }
    }
    services = {n: {"settings": {"image": want}} for n, (_, want) in pairs.items()}
    profile = {"project": "p-acme", "region": "us-central1", "services": services}
    sandbox = make_sandbox(world)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(yaml.safe_dump(profile))
    run = drift(
        "check", "prod", "--format", "json", "--profiles", "profiles",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    report = json.loads(run.stdout)
    return sorted(f["service"] for f in report["findings"] if f["target"] == "setting.image")


def test_spellings_of_one_image_reference_are_no_drift(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    pairs = {
        "hub": ("nginx:1.25", "docker.io/library/nginx:1.25"),
        "untagged": (AR, f"{AR}:latest"),
        "tagdigest": (f"{AR}:1@{DIGEST}", f"{AR}@{DIGEST}"),
        # still drift: a tag is not resolved to its digest, and another tag is another image
        "resolved": (f"{AR}:1", f"{AR}@{DIGEST}"),
        "other": (f"{AR}:1", f"{AR}:2"),
    }
    assert _drifted(make_sandbox, tmp_path, pairs) == ["other", "resolved"]


@pytest.mark.parametrize(
    ("reference", "normal"),
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("index.docker.io/nginx:1", "docker.io/library/nginx:1"),
        ("someone/app", "docker.io/someone/app:latest"),
        ("localhost/app:1", "localhost/app:1"),
        ("localhost:5000/app", "localhost:5000/app:latest"),
        (f"gcr.io/p/api:1@{DIGEST}", f"gcr.io/p/api@{DIGEST}"),
    ],
)
def test_an_image_reference_in_its_normal_form(reference: str, normal: str) -> None:
    assert normalised_image(reference) == normal
    assert same_image(reference, normal)
