"""A manifest variable whose value YAML reads as a number (`value: 31415926535`, a numeric
password written unquoted) is refused at its line, exit 2, saying the kind of value it found
and never the value: it went to stderr, and so to CI logs, whatever `--format` (helper-526 F1).
Services and jobs share the path; a float too."""

from __future__ import annotations

from pathlib import Path
from textwrap import indent

import pytest

from tests.cliutil import drift
from tests.manifest.conftest import JOB_MINIMAL, MINIMAL

PROFILE = """\
project: acme-staging
region: us-central1
services:
  api: {env: {MODE: x}}
jobs:
  migrate: {env: {MODE: x}}
"""
VARIABLES = "- name: MODE\n  value: x\n- name: {name}\n  value: {value}\n"
SERVICE = MINIMAL + "        env:\n" + indent(VARIABLES, " " * 8)
JOB = JOB_MINIMAL + "            env:\n" + indent(VARIABLES, " " * 12)


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "github", "markdown"])
@pytest.mark.parametrize(
    ("document", "name", "value", "line"),
    [
        (SERVICE, "ADMIN_PASSWORD", "31415926535", 14),
        (SERVICE, "REDIS_PORT", "6379", 14),  # a value's name tells nothing: none is shown
        (JOB, "DB_PIN", "2.718281828", 16),
    ],
    ids=["service-password", "service-port", "job-float"],
)
def test_a_numeric_value_is_refused_without_being_shown(
    tmp_path: Path, fmt: str, document: str, name: str, value: str, line: int
) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(PROFILE)
    manifest = tmp_path / "m.yaml"
    manifest.write_text(document.format(name=name, value=value))
    done = drift(
        "check", "staging", "--profiles", str(tmp_path / "profiles"), "-m", str(manifest),
        "--offline", "--format", fmt,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout
    assert value not in done.stdout + done.stderr
    assert value.split(".")[-1][:6] not in done.stderr  # no part of it either
    (said,) = done.stderr.splitlines()
    assert said.startswith(f"drift: error: {manifest}:{line}: spec.template.spec."), said
    assert said.endswith(".value: expected a string, not a number (quote it: the API takes text)")
