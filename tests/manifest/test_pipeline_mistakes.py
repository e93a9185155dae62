"""What a pipeline gives `--manifest` by mistake in place of a plan's JSON is told as what it is,
with what to give instead, in one line and exit 2 (helper-698 F2-F6). Each was told as the
invalid JSON or YAML it is, which sends a person looking for a syntax error in a file Terraform
wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.manifest.conftest import CHAT, PLAN, PROFILES

PLAN_TEXT = PLAN.read_text()
HUMAN_PLAN = """\

Terraform used the selected providers to generate the following execution
plan. Resource actions are indicated with the following symbols:
  ~ update in-place

Terraform will perform the following actions:

  # google_cloud_run_v2_service.api will be updated in-place
  ~ resource "google_cloud_run_v2_service" "api" {
        id   = "projects/acme-prod/locations/us-central1/services/chat"
        name = "chat"
    }

Plan: 0 to add, 1 to change, 0 to destroy.
"""

CASES = {
    # hashicorp/setup-terraform's wrapper (terraform_wrapper: true, its default)
    "wrapped": (
        (
            "[command]/home/runner/work/_temp/3f2a/terraform-bin show -json tfplan\n"
            f"{PLAN_TEXT}\n::debug::Terraform exited with code 0.\n::debug::exitcode: 0\n"
        ).encode(),
        "setup-terraform's wrapper",
        "terraform_wrapper: false",
    ),
    "human": (HUMAN_PLAN.encode(), "human-readable plan", "terraform show -json"),
    "coloured": (
        b"\x1b[0m\x1b[1m\x1b[32mNo changes.\x1b[0m\x1b[1m Your infrastructure matches the "
        b"configuration.\x1b[0m\n",
        "human-readable plan",
        "terraform show -json",
    ),
    "utf16": (PLAN_TEXT.encode("utf-16"), "UTF-16 text", "as UTF-8"),
    # helper-766: without a byte order mark, the JSON was read (Python's reader tells UTF-16
    # by its NULs), the same file with one refused; YAML was "unacceptable character #x0000"
    "utf16 unmarked": (PLAN_TEXT.encode("utf-16-le"), "UTF-16 text", "as UTF-8"),
    "utf32 unmarked": (PLAN_TEXT.encode("utf-32-be"), "UTF-32 text", "as UTF-8"),
    "yaml utf16 unmarked": (CHAT.read_text().encode("utf-16-be"), "UTF-16 text", "as UTF-8"),
    "two plans": ((PLAN_TEXT + "\n") * 2, "a second JSON document", "its own --manifest"),
    "nothing shown": (b'{"format_version":"1.0"}\n', "no state or plan to show", "saved plan"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_mistaken_file_is_told_as_what_it_is(tmp_path: Path, case: str) -> None:
    raw, what, instead = CASES[case]
    (tmp_path / "plan.json").write_bytes(raw if isinstance(raw, bytes) else raw.encode())
    done = drift("check", "prod", "--profiles", str(PROFILES), "-m", "plan.json", "--offline",
                 cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2, done.stdout
    (line,) = done.stderr.splitlines()
    assert line.startswith("drift: error: plan.json:"), line
    assert what in line and instead in line, line
    assert "invalid JSON" not in line and "invalid YAML" not in line, line


def test_a_second_document_is_named_at_its_line(tmp_path: Path) -> None:
    first = json.dumps({"format_version": "1.2", "resource_changes": []}, indent=1)
    (tmp_path / "plan.json").write_text(f"{first}\n{first}\n")
    done = drift("check", "prod", "--profiles", str(PROFILES), "-m", "plan.json", "--offline",
                 cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert f"plan.json:{first.count(chr(10)) + 2}: a second JSON document" in done.stderr
