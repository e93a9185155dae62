"""The project and the region every resource name is built from are checked where they are
given — `--project`/`--region`, DRIFT_PROJECT/DRIFT_REGION, `[tool.drift]`, the profile at
its line — in the forms Google gives them (drift/gcp_ids.py): a region with a stray space
from a CI variable once reached every resource name, and every service read as missing, exit
1, under a region that printed right. Now: exit 2 (nothing was checked), naming where the
value came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.gcp_ids import project_problem, region_problem
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift


@pytest.mark.parametrize(
    "value",
    ["acme-chat-staging", "p", "my-project-30-characters-long1", "415104041262", "example.com:app"],
)
def test_project_ids_and_numbers_are_accepted(value: str) -> None:
    assert project_problem(value) == ""


@pytest.mark.parametrize(
    "value",
    [
        "acme-chat-staging ",
        " acme",
        "../x",
        "\x1b[31mred",
        "Acme-Staging",
        "acme-",
        "1acme",
        "acme_staging",
        "a" * 31,
        "acme/locations/x",
        "0123",
    ],
)
def test_what_is_no_project_id_is_refused(value: str) -> None:
    assert project_problem(value).startswith("not a Google Cloud project id or number: ")


@pytest.mark.parametrize(
    "value", ["us-central1", "europe-west12", "northamerica-northeast1", "me-central2"]
)
def test_cloud_run_regions_are_accepted(value: str) -> None:
    assert region_problem(value) == ""


@pytest.mark.parametrize(
    "value",
    ["us-central1 ", "us-central", "US-CENTRAL1", "global", "us-central1/services/api", "r", ""],
)
def test_what_is_no_cloud_run_region_is_refused(value: str) -> None:
    assert region_problem(value).startswith("not a Cloud Run region: ")


@pytest.mark.parametrize(
    ("how", "named"),
    [
        ("option", "drift: error: invalid configuration: --region: not a Cloud Run region: "),
        ("env", "drift: error: invalid configuration: DRIFT_REGION: not a Cloud Run region: "),
        ("pyproject", "[tool.drift] region: not a Cloud Run region: "),
        ("profile", "staging.yaml:2: region: not a Cloud Run region: "),
    ],
)
def test_a_region_with_a_stray_space_is_a_usage_error_naming_where_it_came_from(
    sandbox: Sandbox, tmp_path: Path, how: str, named: str
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    region = '"us-central1 "' if how == "profile" else "us-central1"
    (profiles / "staging.yaml").write_text(
        f"project: acme-chat-staging\nregion: {region}\nservices: {{api: {{}}}}\n"
    )
    env = sandbox.environ()
    args = ["check", "staging", "--profiles", str(profiles), "--no-history"]
    if how == "option":
        args += ["--region", "us-central1 "]
    elif how == "env":
        env["DRIFT_REGION"] = "us-central1 "
    elif how == "pyproject":
        (tmp_path / "pyproject.toml").write_text('[tool.drift]\nregion = "us-central1 "\n')
    done = drift(*args, env=env, cwd=tmp_path)
    assert done.returncode == 2, (done.returncode, done.stdout[-400:], done.stderr)
    assert named in done.stderr and "'us-central1 '" in done.stderr, done.stderr
    assert "service.missing" not in done.stdout and done.stdout == ""
    assert [c.short for c in sandbox.calls] == []  # nothing was read


@pytest.mark.parametrize(
    "value", ["../x", "\x1b[31mred", "acme-chat-staging/locations/us-central1/services/api"]
)
def test_a_malformed_project_never_reaches_the_api(
    sandbox: Sandbox, tmp_path: Path, value: str
) -> None:
    """Once, exit 3 on the server's INVALID_ARGUMENT (or a name holding other path parts):
    the value is refused before any call, shown escaped."""
    args = ["check", "staging", "--profiles", str(REPO / "profiles"), "--project", value]
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "--project: not a Google Cloud project id or number: " in done.stderr
    assert "\x1b" not in done.stderr
    assert [c.short for c in sandbox.calls] == []


def test_profiles_validate_names_the_line_of_a_bad_region(tmp_path: Path) -> None:
    (tmp_path / "staging.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1/services/api\nservices: {api: {}}\n"
    )
    done = drift("profiles", "validate", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("staging.yaml:2: region: not a Cloud Run region: ")
