"""Services named with 50 to 63 characters could not be profiled (the profile and the
sandbox's scenario allowed 49: CreateServiceRequest.service_id, "fewer than 50 characters").
That is the v2 API's rule for creating one; the v1 API created services with up to 63
("Maximum length is 63 characters"; compute v1 NetworkEndpointGroupCloudRun.service: "1-63
characters long, and comply with RFC1035"), and drift checks services that exist. A name no
Cloud Run service can have (64 characters, upper case) is still refused at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox

LONG = "a" + "b" * 61 + "c"  # 63 characters


def _check(make_sandbox: MakeSandbox, tmp_path: Path, name: str) -> tuple[int, str]:
    template = {"image": "us-docker.pkg.dev/p-acme/r/api:1", "env": {"MODE": "live"}}
    services = {LONG: {"template": template}}
    sandbox = make_sandbox({"projects": {"p-acme": {"number": 5, "services": services}}})
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        f"project: p-acme\nregion: us-central1\nservices:\n  {name}:\n    env:\n      MODE: test\n"
    )
    run = drift("check", "prod", "--profiles", "profiles", env=sandbox.environ(), cwd=tmp_path)
    return run.returncode, run.stdout + run.stderr


def test_a_service_named_with_63_characters_is_checked(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    code, out = _check(make_sandbox, tmp_path, LONG)
    assert code == 1 and "env.value" in out and "MODE" in out, out


@pytest.mark.parametrize("name", [LONG + "d", "Api"])
def test_a_name_no_cloud_run_service_can_have_is_refused(
    make_sandbox: MakeSandbox, tmp_path: Path, name: str
) -> None:
    code, out = _check(make_sandbox, tmp_path, name)
    assert code == 2 and "prod.yaml:3" in out and "not a Cloud Run service name" in out, out
