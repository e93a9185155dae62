"""Catalogue values a profile may give: what Google would not apply as written is refused at
file:line, and the JSON Schema accepts what the loader accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.errors import Problem, ProfileError
from drift.profiles.loader import load_profile, validate_directory


def _problems(profiles_dir: Path) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "staging")
    return [str(p) for p in caught.value.problems]


def _settings(profiles_dir: Path, settings: str) -> None:
    (profiles_dir / "staging.yaml").write_text(
        f"project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n      {settings}\n"
    )


def test_a_maximum_of_zero_instances_is_refused(profiles_dir: Path) -> None:
    # RevisionScaling.max_instance_count: "When unspecified, the field is set to the server
    # default value of 100" — a 0 written is unset: the cap would become 100
    _settings(profiles_dir, "max_instances: 0")
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:") and "max_instances" in problem
    assert "expected at least 1, not 0" in problem, problem
    _settings(profiles_dir, "max_instances: 1")
    assert load_profile(profiles_dir, "staging").services["api"].settings["max_instances"]
    _settings(profiles_dir, "min_instances: 0")
    assert load_profile(profiles_dir, "staging").services["api"].settings["min_instances"]


def _job(profiles_dir: Path, settings: str) -> None:
    (profiles_dir / "staging.yaml").write_text(
        f"project: p\nregion: us-central1\njobs:\n  nightly:\n    settings:\n      {settings}\n"
    )


@pytest.mark.parametrize(
    ("write", "setting", "maximum"),
    [
        # request-timeout page: "can be extended up to 60 minutes (3600 seconds)"
        (_settings, "timeout: 1000000", "3600s"),
        (_settings, "timeout: 3601s", "3600s"),
        # task-timeout page: "a longer time up to 168 hours (7 days)"
        (_job, "task_timeout: 169h", "604800s"),
    ],
)
def test_a_timeout_over_cloud_runs_maximum_is_a_profile_error(
    profiles_dir: Path, write: Any, setting: str, maximum: str
) -> None:
    write(profiles_dir, setting)
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:"), problem
    assert f"must be at most {maximum}" in problem and "e+" not in problem, problem


@pytest.mark.parametrize(
    ("write", "setting"),
    [
        # RevisionScaling / ServiceScaling.max_instance_count, RevisionTemplate.
        # max_instance_request_concurrency: int32 (revinput60 F1: proto-plus refused them
        # only in plan and fix); TaskTemplate.max_retries and ExecutionTemplate.task_count
        # are bounded lower by Cloud Run's documentation (tests/jobs/test_job_maximums.py)
        (_settings, "max_instances: 2147483648"),
        (_settings, "concurrency: 4294967296"),
        (_settings, f"manual_instances: {'9' * 30}"),
    ],
)
def test_a_number_the_api_field_cannot_hold_is_a_profile_error(
    profiles_dir: Path, write: Any, setting: str
) -> None:
    write(profiles_dir, setting)
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:"), problem
    assert setting.split(":")[0] in problem and "(at most 2147483647)" in problem, problem
    write(profiles_dir, setting.split(":")[0] + ": 2147483647")
    assert load_profile(profiles_dir, "staging")


def test_hours_a_duration_cannot_hold_are_a_profile_error(profiles_dir: Path) -> None:
    """revown60b F2: 100,000,000 hours passed validation, then `plan` ended in an internal
    OverflowError (timedelta), or a write of a Duration beyond protobuf's range."""
    _settings(profiles_dir, "encryption_key_shutdown_hours: 100000000")
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:"), problem
    assert "encryption_key_shutdown_hours" in problem and "(at most 87660000)" in problem
    _settings(profiles_dir, "encryption_key_shutdown_hours: 87660000")
    assert load_profile(profiles_dir, "staging")


def test_every_integer_row_knows_its_api_fields() -> None:
    """Each place a row writes its number is a field of every kind the row has (the
    descriptor walk finds it): the bound is the type's, or less where Cloud Run documents
    less and the row says where (`Field.why_max`: helper-617 F3)."""
    from drift.fields import FIELDS

    bounded = {name: f.largest() for name, f in FIELDS.items() if f.numbers_at}
    assert bounded["max_instances"] == bounded["concurrency"] == 2**31 - 1, bounded
    assert (bounded["task_count"], bounded["max_retries"]) == (10_000, 10), bounded
    documented = {n for n, f in FIELDS.items() if f.why_max}
    assert documented == {"task_count", "max_retries", "port"}  # port: 0 < container_port < 65536
    unbounded = {n for n, f in FIELDS.items() if f.annotation is int and f.largest() is None}
    assert not unbounded, unbounded
    # a number of hours written as a Duration, not to an integer field: its seconds' range
    assert FIELDS["encryption_key_shutdown_hours"].largest() == 87_660_000


@pytest.mark.parametrize(
    ("write", "setting"),
    [
        (_settings, "timeout: 0"),
        (_settings, "timeout: 0s"),
        # revtime 5: below the nanosecond a Duration keeps, rounded to 0s: unset
        (_settings, "timeout: 0.0000000001s"),
        (_settings, "timeout: 1e-10"),
        (_job, "task_timeout: 0.0000000004"),
    ],
)
def test_a_timeout_of_nothing_is_refused(profiles_dir: Path, write: Any, setting: str) -> None:
    write(profiles_dir, setting)
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:"), problem
    assert "must be more than 0s" in problem, problem


@pytest.mark.parametrize(
    ("write", "setting"),
    [
        (_settings, "timeout: .nan"),
        (_settings, "timeout: .inf"),
        (_settings, f"timeout: {'9' * 400}s"),
        (_job, "task_timeout: .nan"),
    ],
)
def test_a_duration_that_is_no_number_is_refused(
    profiles_dir: Path, write: Any, setting: str
) -> None:
    """revtime 5: NaN passed both bounds (every comparison with it is False) as "NaNs"."""
    write(profiles_dir, setting)
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:"), problem
    assert "must be a finite duration" in problem, problem


@pytest.mark.parametrize(
    ("write", "setting", "value"),
    [
        (_settings, "timeout: 3600", "3600s"),
        (_settings, "timeout: 90.5s", "90.5s"),
        (_settings, "timeout: 1h", "3600s"),
        (_job, "task_timeout: 168h", "604800s"),
        (_job, "task_timeout: 600000.4", "600000.4s"),  # not rounded to 6 digits
    ],
)
def test_a_timeout_is_held_exactly(
    profiles_dir: Path, write: Any, setting: str, value: str
) -> None:
    write(profiles_dir, setting)
    profile = load_profile(profiles_dir, "staging")
    (workload,) = profile.services.values()
    (held,) = workload.settings.values()
    assert held.value == value


def test_a_duration_is_read_exactly() -> None:
    from google.cloud.run_v2.types import RevisionTemplate, TaskTemplate

    from drift.fields import FIELDS, Source
    from drift.kinds import Kind

    task = TaskTemplate.pb()()
    task.timeout.seconds, task.timeout.nanos = 600000, 400000000
    job = Source(None, task, None, Kind.JOB)
    assert FIELDS["task_timeout"].read(job) == "600000.4s"
    template = RevisionTemplate.pb()()
    template.timeout.seconds, template.timeout.nanos = 90, 1
    assert FIELDS["timeout"].read(Source(None, template, None)) == "90.000000001s"
    assert FIELDS["timeout"].read(Source(None, RevisionTemplate.pb()(), None)) == "300s"


@pytest.mark.parametrize(
    "setting",
    [
        "cpu: 1",
        "cpu: 0.5",
        "cpu: 500m",
        "memory: 536870912",
        "memory: 1Gi",
        "timeout: 300",
        "timeout: 90.5",
        "timeout: 5m",
        "max_instances: 10",
    ],
)
def test_the_json_schema_accepts_what_the_loader_accepts(profiles_dir: Path, setting: str) -> None:
    import jsonschema
    import yaml

    from drift.profiles.spec import json_schema

    _settings(profiles_dir, setting)
    load_profile(profiles_dir, "staging")  # the loader accepts it
    document = yaml.safe_load((profiles_dir / "staging.yaml").read_text())
    jsonschema.Draft202012Validator(json_schema()).validate(document)
    _job(profiles_dir, "task_timeout: 900")
    load_profile(profiles_dir, "staging")
    document = yaml.safe_load((profiles_dir / "staging.yaml").read_text())
    jsonschema.Draft202012Validator(json_schema()).validate(document)


@pytest.mark.parametrize("account", ['""', "default compute service account"])
def test_a_service_account_is_named_by_its_address(profiles_dir: Path, account: str) -> None:
    # what drift shows for an account left unset is no address a write could set
    _settings(profiles_dir, f"service_account: {account}")
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:"), problem
    assert "-compute@developer.gserviceaccount.com" in problem, problem
    _settings(profiles_dir, "service_account: 555-compute@developer.gserviceaccount.com")
    assert load_profile(profiles_dir, "staging").services["api"].settings["service_account"]


@pytest.mark.parametrize(
    ("stated", "problem"),
    [
        ("concurrency: 80", "concurrency 80 with cpu 500m"),
        ("cpu_throttling: false", "cpu_throttling false with cpu 500m"),
        ("execution_environment: gen2", "execution_environment gen2 with cpu 500m"),
        ("memory: 2Gi", "memory 2Gi with cpu 500m"),
    ],
)
def test_a_cpu_below_one_with_what_cloud_run_refuses_there_is_noted(
    profiles_dir: Path, stated: str, problem: str
) -> None:
    # CPU page (cloud.google.com/run/docs/configuring/services/cpu): "If you use less than 1
    # CPU, the following requirements are enforced": concurrency 1, CPU allocated only during
    # requests, the first generation environment, at most 1 GiB of memory. The instance's CPU
    # ("Total cpu < 1"), to which containers the profile does not name may add: noted, the
    # plan judges the revision it would write (tests/fix/test_sidecar_cpu_profile_fix.py)
    _settings(profiles_dir, f"cpu: 0.5\n      {stated}")
    notes: list[Problem] = []
    assert validate_directory(profiles_dir, notes)[1] == []
    found = [str(n) for n in notes if "said, not refused" in n.message]
    assert len(found) == 1 and found[0].startswith("profiles/staging.yaml:7: api: " + problem)
    assert "(profiles/staging.yaml:6)" in found[0] and "services/cpu" in found[0], found
    assert load_profile(profiles_dir, "staging").services["api"].settings["cpu"]
    _settings(profiles_dir, f"cpu: 1\n      {stated}")
    notes.clear()
    validate_directory(profiles_dir, notes)
    assert not [n for n in notes if "said, not refused" in n.message], notes


def test_a_cpu_below_one_with_what_cloud_run_requires_is_valid(profiles_dir: Path) -> None:
    _settings(
        profiles_dir,
        "cpu: 0.5\n      concurrency: 1\n      cpu_throttling: true\n"
        "      execution_environment: gen1\n      memory: 1Gi",
    )
    assert load_profile(profiles_dir, "staging").services["api"].settings["cpu"].value == "500m"


@pytest.mark.parametrize("setting", ["timeout: -1m", "timeout: -90s", "timeout: -5"])
def test_a_negative_duration_is_called_negative(profiles_dir: Path, setting: str) -> None:
    """`-1m` was "not a duration" as if the minus sign were the problem's whole story."""
    _settings(profiles_dir, setting)
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:"), problem
    assert "negative duration" in problem or "must be more than 0s" in problem, problem
