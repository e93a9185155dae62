"""An output never replaces a file the run reads (helper-602 F1): `drift check staging
--output profiles/staging.yaml` replaced the hand-written profile with the JSON report and
said "no drift (exit 0)". Each such output is refused before anything is read from the cloud:
exit 2, the file named, the file as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

pytestmark = pytest.mark.sandbox

CASES = [
    ("check", "staging", "--output", "profiles/staging.yaml", "--format", "json"),
    ("check", "staging", "--json", "profiles/staging.yaml"),
    ("check", "staging", "--sarif", "profiles/staging.yaml"),
    ("check", "e2e", "--output", "profiles/staging.yaml"),  # the profile e2e extends
    ("check", "staging", "--output", "profiles/e2e.yaml"),  # another profile of the folder
    ("check", "staging", "--output", "profiles/profile.schema.json"),
    ("check", "staging", "--output", "profiles/new.yaml"),  # would become a profile
    ("check", "staging", "--output", "pyproject.toml"),  # holds [tool.drift]
    ("check", "staging", "--manifest", "api.yaml", "--output", "api.yaml"),
    ("plan", "staging", "--output", "profiles/staging.yaml"),
    ("plan", "staging", "--out", "profiles/staging.yaml"),
    ("history", "staging", "--output", "profiles/staging.yaml"),
    ("probe", "staging", "--output", "./profiles/../profiles/staging.yaml"),
    ("compare", "staging", "e2e", "--output", "profiles/e2e.yaml"),
    # helper-606 F1: the journal rollback reads (an entry replaced, or a file beside them)
    ("check", "staging", "--output", ".drift/journal/20261206-000000-abcde.json"),
    ("check", "staging", "--json", ".drift/journal/report.json"),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    (tmp_path / "pyproject.toml").write_text('[tool.drift]\nfail_on = "error"\n')
    (tmp_path / "api.yaml").write_text("apiVersion: serving.knative.dev/v1\nkind: Service\n")
    (tmp_path / ".drift" / "journal").mkdir(parents=True)
    (tmp_path / ".drift" / "journal" / "20261206-000000-abcde.json").write_text("{}\n")
    return tmp_path


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_an_output_that_would_replace_an_input_is_refused(
    sandbox: Sandbox, project: Path, args: tuple[str, ...]
) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    calls = len(sandbox.calls)
    done = drift(*args, env=sandbox.environ(), cwd=project)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("drift: error: --"), done.stderr
    assert "which this run reads" in lines[0] and "nothing was checked" in lines[0]
    assert "(report.json)" in done.stderr  # what to name instead
    assert "Traceback" not in done.stderr
    assert len(sandbox.calls) == calls  # nothing read from the cloud
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before  # no file replaced, none added


def test_a_report_beside_the_profiles_is_written_again(sandbox: Sandbox, project: Path) -> None:
    """helper-606 F3: with `--profiles .` the report lands in the profiles directory; the
    second run refused it as "a file of the profiles directory". Only a profile's name and
    the schema's are the profiles'."""
    for _ in range(2):
        done = drift(
            "check", "staging", "--profiles", "profiles", "--json", "profiles/report.json",
            env=sandbox.environ(), cwd=project,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
    assert (project / "profiles" / "report.json").read_text().startswith("{")


def test_a_report_of_its_own_is_written(sandbox: Sandbox, project: Path) -> None:
    done = drift(
        "check", "staging", "--output", "report.json", "--format", "json",
        env=sandbox.environ(), cwd=project,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert (project / "report.json").read_text().startswith("{")


@pytest.mark.parametrize(
    "args",
    [
        ("check", "staging", "--output", "-"),
        ("check", "staging", "--json", "-"),
        ("check", "staging", "--baseline", "-"),
        ("plan", "staging", "--output", "-"),
        ("history", "staging", "--output", "-"),
    ],
    ids=lambda a: " ".join(a),
)
def test_a_dash_is_no_file_name(sandbox: Sandbox, project: Path, args: tuple[str, ...]) -> None:
    """`--output -` wrote a file named `-` and printed nothing; `--baseline -` looked for
    one (helper-602 F2): only `--manifest -` reads standard input."""
    done = drift(*args, env=sandbox.environ(), cwd=project)
    assert done.returncode == 2, done.stderr
    assert "'-' names no file here" in done.stderr and "Traceback" not in done.stderr
    assert not (project / "-").exists()
