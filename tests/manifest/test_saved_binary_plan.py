"""The binary file `terraform plan -out tfplan` writes (a zip archive), given to --manifest
instead of its JSON (helper-600 F4): the most common mistake with the flag. It was "not UTF-8
text" (or, with ASCII after the zip signature, "invalid YAML: unacceptable character
#x0003"), which told nobody what to do; it is now named for what it is, with the command that
gives the JSON."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from drift.errors import Problem
from drift.manifest.files import parse
from tests.cliutil import drift


def _saved_plan() -> bytes:
    """A zip laid out as Terraform's saved plan is (tfplan, tfstate, tfconfig/...)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("tfplan", b"\x0a\x05\x08\x01\x12\x01\xff" * 40)
        z.writestr("tfstate", '{"version": 4}')
        z.writestr("tfconfig/m-/main.tf", 'resource "google_cloud_run_v2_service" "api" {}')
    return out.getvalue()


@pytest.mark.parametrize(
    "raw", [_saved_plan(), b"PK\x03\x04plain ascii after the signature\n"], ids=["zip", "ascii"]
)
def test_a_saved_binary_plan_is_named_and_the_json_asked_for(raw: bytes) -> None:
    problems: list[Problem] = []
    manifest = parse("tfplan", raw, problems)
    assert manifest.workloads == ()
    ((line, message),) = [(p.line, p.message) for p in problems]
    assert line == 1
    assert "saved Terraform plan" in message, message
    assert "terraform show -json" in message, message


def test_the_cli_says_so_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  api: {}\n"
    )
    (tmp_path / "tfplan").write_bytes(_saved_plan())
    done = drift(
        "check", "staging", "--profiles", "profiles", "-m", "tfplan", "--offline", cwd=tmp_path
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "saved Terraform plan" in done.stderr and "terraform show -json" in done.stderr, (
        done.stderr
    )
    assert "UTF-8" not in done.stderr and "YAML" not in done.stderr, done.stderr
