"""A secret that exists but has no version yet, referenced at `latest`: GetSecretVersion answers
NOT_FOUND "Secret [NAME] not found or has no versions." (which of the two is for the caller to
learn: GetSecret tells). In the workload's own project the list of secrets told it; in another
project drift went by the message alone and reported "secret shared/s does not exist" — an
operator told to create a secret that exists (revsecret90 F3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile

SA = "api@p.iam.gserviceaccount.com"
GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
PROFILE = "project: p\nregion: us-central1\nservices:\n  api: {}\n"


def world(reference: str, secrets: dict[str, Any]) -> dict[str, Any]:
    template = {"image": "x/a:1", "service_account": SA, "env": {"K": {"secret": reference}}}
    return {
        "projects": {
            "p": {"number": 5, "iam": GRANT, "services": {"api": {"template": template}}},
            "shared": {"number": 6, "iam": GRANT, "secrets": secrets},
        }
    }


@pytest.mark.parametrize("reference", ["projects/shared/secrets/s", "projects/6/secrets/s"])
def test_a_secret_of_another_project_without_versions_is_not_said_not_to_exist(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, reference: str
) -> None:
    result = check_profile(
        make_sandbox, monkeypatch, tmp_path, world(reference, {"s": {"versions": []}}), PROFILE
    )
    (missing,) = [f for f in result.report.findings if f.rule == "secret.missing"]
    assert "version latest of shared/s does not exist" in missing.message, missing.message


def test_a_secret_of_another_project_that_does_not_exist_is_still_said_so(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    w = world("projects/shared/secrets/s", {"other": {"versions": ["fake-other-aaaaaaaa"]}})
    result = check_profile(make_sandbox, monkeypatch, tmp_path, w, PROFILE)
    (missing,) = [f for f in result.report.findings if f.rule == "secret.missing"]
    assert "secret shared/s does not exist" in missing.message, missing.message
