"""`drift check` as a GitHub Actions job runs it (GITHUB_ACTIONS, GITHUB_WORKSPACE and
GITHUB_STEP_SUMMARY set) against the sandbox: what the run page, the PR's files and the step
summary get."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drift.format.markdown import STEP_SUMMARY_LIMIT
from drift.sandbox import Fault, Sandbox, generate
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox
from tests.profilecopy import fleet_profiles
from tests.runner_commands import commands

pytestmark = pytest.mark.sandbox


def actions_env(sandbox: Sandbox, workspace: Path, summary: Path) -> dict[str, str]:
    return {
        **sandbox.environ(),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
    }


def test_an_unverified_service_is_annotated_on_its_profile_entry(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED", match="services/api"))
    env = actions_env(sandbox, REPO, tmp_path / "summary.md")
    done = drift("check", "staging", "--format", "github", env=env)
    assert done.returncode in (1, 3), done.stderr
    incomplete = [line for line in done.stdout.splitlines() if "title=drift incomplete" in line]
    assert incomplete, done.stdout
    lines = (REPO / "profiles" / "staging.yaml").read_text().splitlines()
    for annotation in incomplete:
        service = annotation.split("::")[2].split(":")[0]
        entry = lines.index(f"  {service}:") + 1
        assert annotation.startswith(
            f"::warning file=profiles/staging.yaml,line={entry},title=drift incomplete::"
        ), annotation


def test_a_profile_error_is_annotated_on_its_line(sandbox: Sandbox, tmp_path: Path) -> None:
    """A PR that breaks a profile: `file:line: message` on stderr, exit 2, and under
    `--format github` the same as an `::error` on the PR's line (revci F7)."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for name in ("base.yaml", "staging.yaml"):
        (profiles / name).write_text((REPO / "profiles" / name).read_text())
    base = profiles / "base.yaml"
    text = base.read_text()
    base.write_text(text.replace("concurrency: 250", "concurrency: lots,100%"))
    line = text[: text.index("concurrency: 250")].count("\n") + 1
    env = actions_env(sandbox, tmp_path, tmp_path / "summary.md")
    done = drift("check", "staging", "--profiles", str(profiles), "--format", "github", env=env)
    assert done.returncode == 2
    assert f"profiles/base.yaml:{line}: " in done.stderr
    (annotation,) = commands(done.stdout)
    level, properties, message = annotation
    assert (level, properties) == (
        "error",
        {"file": "profiles/base.yaml", "line": str(line), "title": "drift"},
    )
    assert "concurrency" in message and "\n" not in message
    # without --format github: no workflow command
    plain = drift("check", "staging", "--profiles", str(profiles), env=env)
    assert plain.returncode == 2 and commands(plain.stdout + plain.stderr) == []


def test_a_cut_step_summary_keeps_every_error_the_annotations_send_to_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """200 services, an error and 29 warnings each: the annotations show 10 errors and send
    the rest to the step summary, which is over 1 MiB whole (1.4 MB: 1,575 of the 5,800
    warnings left out; 300 services, as this test had, only cost more). Cut, it keeps every
    error (the most severe first across services) and counts the warnings it left out (revci
    F1)."""
    sandbox = make_sandbox(
        generate(services=200, vars=30, secret_refs=0, secrets=0, project="fleet-proj")
    )
    profiles = fleet_profiles(tmp_path / "profiles", 200)
    env = actions_env(sandbox, tmp_path, tmp_path / "summary.md")
    done = drift(
        "check", "prod", "--profiles", str(profiles), "--format", "github", "--no-history",
        env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "see the step summary" in done.stdout
    text = (tmp_path / "summary.md").read_text()
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT
    errors = re.findall(r"^\| error \| `env\.value` \| (svc-\d{4}) \|", text, re.MULTILINE)
    assert sorted(errors) == [f"svc-{i:04d}" for i in range(200)]
    assert re.search(r"\d+ warnings left out, the least severe[^\n]*JSON report", text), text[-600:]


def test_markdown_on_stdout_fits_a_step_summary(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """`--format markdown` is the step summary's format: on stdout it is kept within GitHub's
    limit too, by the same cut (2.4 MB whole for these 400 services) (revci F3)."""
    sandbox = make_sandbox(
        generate(services=400, vars=12, secret_refs=0, secrets=0, project="fleet-proj")
    )
    profiles = fleet_profiles(tmp_path / "profiles", 400)
    done = drift(
        "check", "prod", "--profiles", str(profiles), "--format", "markdown", "--no-history",
        env={**sandbox.environ(), "GITHUB_ACTIONS": "false"}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert len(done.stdout.encode()) <= STEP_SUMMARY_LIMIT
    assert done.stdout.count("| error | `env.value` | svc-") == 400 and "left out" in done.stdout


def test_markdown_written_to_the_step_summary_by_the_job_is_not_doubled(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`drift check staging --format markdown >> "$GITHUB_STEP_SUMMARY"`: the job writes the
    summary; drift does not append its own copy (it still does for the other formats, and
    for markdown written to --output) (revci F3)."""
    summary = tmp_path / "summary.md"
    env = actions_env(sandbox, tmp_path, summary)
    done = drift("check", "staging", "--format", "markdown", env=env)
    assert done.returncode == 1, done.stderr
    with summary.open("a") as handle:  # what `>> "$GITHUB_STEP_SUMMARY"` does with stdout
        handle.write(done.stdout)
    assert summary.read_text().count("## drift · staging") == 1
    to_file = drift(
        "check", "staging", "--format", "markdown", "--output", str(tmp_path / "s.md"), env=env
    )
    assert to_file.returncode == 1, to_file.stderr
    assert summary.read_text().count("## drift · staging") == 2
