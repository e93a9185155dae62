"""`drift init` writes a memory limit in the unit a person would (note15's left item): a Cloud
Run function's `256M` (decimal megabytes, as the Functions memory page spells its sizes) was
written `memory: 250000Ki` — the same bytes, since 256,000,000 = 250,000 × 1,024, but a number
no one set. `units.show_memory` took the first binary unit that divides exactly; now the unit,
binary or decimal, that gives the smallest number (binary on a tie)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.units import parse_memory, show_memory
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.test_function_cpu_exact import _function


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("256M", "256M"),
        ("2G", "2G"),  # 2,000,000,000 = 1,953,125 Ki
        ("3000M", "3G"),
        ("512Mi", "512Mi"),
        ("1Gi", "1Gi"),
        ("1024", "1Ki"),
        ("1536Mi", "1536Mi"),
        ("123", "123"),
    ],
)
def test_memory_is_shown_in_the_unit_with_the_smallest_number(written: str, shown: str) -> None:
    assert show_memory(parse_memory(written)) == shown
    assert parse_memory(shown) == parse_memory(written)


@pytest.mark.sandbox
def test_init_writes_a_functions_256M_as_256M_and_check_is_clean(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_function("0.1666"))
    env = {**os.environ, **sandbox.environ()}
    done = drift(
        "init", "prod", "--from-live", "--project", "p", "--region", "us-central1",
        "--profiles", str(tmp_path), env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "prod.yaml").read_text()
    assert "memory: 256M\n" in text and "Ki" not in text, text
    clean = drift("check", "prod", "--profiles", str(tmp_path), env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
