"""Which profiles are environments (a base without a project is not one), and a check on an
environment reports every problem of the profiles it extends, as `profiles validate` does."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from drift.cli.session import Invocation
from drift.errors import Problem, ProfileError, UsageError
from drift.profiles.loader import available, load_profile, validate_directory
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.profiles.conftest import WriteProfile, assert_refused

UNKNOWN = (
    "unknown key '{key}'; expected one of: check_tags, defaults, expiry_warning, extends, "
    "ignore, jobs, project, region, services, worker_pools"
)


@pytest.fixture
def chain(write: WriteProfile) -> None:
    """base <- staging <- e2e, and prod on its own."""
    write("base", "region: us-central1\nservices:\n  api: {}\n")
    write("staging", "extends: base\nproject: acme-staging\n")
    write("e2e", "extends: staging\nservices:\n  api:\n    env: {E2E: 'on'}\n")
    write("prod", "project: acme-prod\nregion: europe-west1\nservices:\n  api: {}\n")


def test_a_base_is_not_an_environment(chain: None, profiles_dir: Path) -> None:
    assert available(profiles_dir) == ["e2e", "prod", "staging"]
    with pytest.raises(UsageError) as caught:
        load_profile(profiles_dir, "base")
    assert caught.value.message == (
        "base is not an environment: it has no project (it is extended by staging, e2e)"
    )


def test_unknown_environment_lists_only_environments(chain: None, profiles_dir: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_profile(profiles_dir, "qa")
    assert caught.value.message.endswith("(available: e2e, prod, staging)")


def test_a_profile_nobody_extends_still_needs_a_project(
    write: WriteProfile, profiles_dir: Path
) -> None:
    """Not a base: a broken environment, reported at its line (and not offered)."""
    write("dev", "region: us-central1\nservices:\n  api: {}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "dev")
    assert [str(p) for p in caught.value.problems] == [
        "profiles/dev.yaml:1: project is not set (here or in a profile it extends); set it "
        "here, or give --project or DRIFT_PROJECT"
    ]
    assert available(profiles_dir) == []


def test_the_command_line_or_the_environment_supplies_what_the_profile_omits(
    write: WriteProfile, profiles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--project/--region and DRIFT_PROJECT/DRIFT_REGION (SPEC configuration) give what the
    profile leaves out, and replace what it says."""
    monkeypatch.setattr(logging.getLogger("drift"), "handlers", [])  # an Invocation sets one
    write("dev", "services:\n  api: {}\n")
    given = Invocation(environment="dev", profiles=profiles_dir, project="p1", region="us-east1")
    profile = given.profile(given.settings())
    assert (profile.project, profile.region) == ("p1", "us-east1")
    monkeypatch.setenv("DRIFT_PROJECT", "p2")
    monkeypatch.setenv("DRIFT_REGION", "us-east4")
    from_env = Invocation(environment="dev", profiles=profiles_dir)
    assert from_env.profile(from_env.settings()).where == "p2/us-east4"
    write("dev", "project: mine\nregion: europe-west1\nservices:\n  api: {}\n")
    assert (load_profile(profiles_dir, "dev", project="p3").project) == "p3"


def test_a_base_may_be_extended_even_when_it_is_not_listed(
    chain: None, write: WriteProfile, profiles_dir: Path
) -> None:
    write("qa", "extends: nope\nproject: p\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "qa")
    assert "(available: base, e2e, prod, qa, staging)" in str(caught.value.problems[0])


def test_check_base_through_the_cli() -> None:
    done = drift("check", "base")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "drift: error: base is not an environment: it has no project "
        "(it is extended by staging, e2e)\n"
    )


@pytest.fixture
def broken(write: WriteProfile) -> None:
    """A problem in each file of the chain base <- staging <- e2e."""
    write("base", "region: us-central1\nbogus: 1\nservices:\n  api: {}\n")
    write("staging", "extends: base\nproject: acme-staging\ntypo: 2\n")
    write("e2e", "extends: staging\nservices:\n  api:\n    env: {A: {one_of: 3}}\n")


def test_check_reports_every_problem_of_the_chain(broken: None, profiles_dir: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "e2e")
    shown = [str(p) for p in caught.value.problems]
    assert [s.split(": ", 1)[0] for s in shown] == [
        "profiles/base.yaml:2",
        "profiles/e2e.yaml:4",
        "profiles/staging.yaml:3",
    ]
    _, everything = validate_directory(profiles_dir)
    assert shown == [str(p) for p in everything]  # the same problems, each once
    assert available(profiles_dir) == ["e2e"]  # broken, but no other profile builds on it


def test_check_through_the_cli_shows_every_problem(broken: None, profiles_dir: Path) -> None:
    done = drift("check", "e2e", cwd=profiles_dir.parent)
    validated = drift("profiles", "validate", cwd=profiles_dir.parent)
    assert done.returncode == validated.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0] == "drift: error: 3 profile errors:"
    assert lines[1:] == validated.stderr.splitlines()
    assert UNKNOWN.format(key="bogus") in lines[1] and UNKNOWN.format(key="typo") in lines[3]


def test_an_environment_that_names_no_workload_is_a_profile_error(
    chain: None, write: WriteProfile, profiles_dir: Path
) -> None:
    """revmulti 2: a check of an environment with no service left read nothing and said "0
    services — no drift" (exit 0), a CI gate passing on nothing. It is a profile error (exit
    2) at the `null` that removed them, or at the profile's `services:`."""
    write("e2e", "extends: staging\nservices: null\n")
    write("empty", "project: acme-prod\nregion: europe-west1\nservices: {}\n")
    write("last", "extends: staging\nservices:\n  api: null\n")
    said = {
        "e2e": "profiles/e2e.yaml:2: e2e names no service, job or worker pool: a check would "
        "read nothing (`services: null` removes the last one named before it); name at least one",
        "empty": "profiles/empty.yaml:3: empty names no service, job or worker pool: a check "
        "would read nothing; name at least one",
        "last": "profiles/last.yaml:3: last names no service, job or worker pool: a check would "
        "read nothing (`services.api: null` removes the last one named before it); name at "
        "least one",
    }
    for name, problem in said.items():
        with pytest.raises(ProfileError) as caught:
            load_profile(profiles_dir, name)
        assert [str(p) for p in caught.value.problems] == [problem]
    assert [str(p) for p in validate_directory(profiles_dir)[1]] == sorted(said.values())
    done = drift("check", "e2e", cwd=profiles_dir.parent)
    assert done.returncode == 2 and said["e2e"] in done.stderr, done.stdout + done.stderr


def test_what_a_child_removes_is_not_fatal_to_it_and_is_said_at_its_null(
    write: WriteProfile, profiles_dir: Path, sandbox: Sandbox
) -> None:
    """revmulti 3 and 4: e2e, extending staging, drops web (`web: null`) and api's JWT rule.
    staging's ignore entry for web goes with web, said in a note naming e2e's null (it made
    e2e unloadable, blamed on staging.yaml); auth's inherited `same_as: api.JWT` is an error
    that names both staging's line and e2e's null, as merged into e2e, in `check` as in
    `profiles validate`."""
    write(
        "staging",
        """\
        project: acme-chat-staging
        region: us-central1
        services:
          api:
            env: {JWT: {secret: jwt}}
          auth:
            env: {JWT: {secret: jwt, same_as: api.JWT}}
          web: {}
        ignore:
          - {service: web, env: NEXT_TELEMETRY_DISABLED, reason: set by the build image}
        """,
    )
    write("e2e", "extends: staging\nservices:\n  web: null\n")
    profile = load_profile(profiles_dir, "e2e")
    assert sorted(profile.services) == ["api", "auth"] and profile.ignores == ()
    note = (
        "profiles/staging.yaml:10: ignore left out: the `null` at profiles/e2e.yaml:3 removes "
        "service web"
    )
    assert profile.notes == (note,)
    notes: list[Problem] = []
    assert validate_directory(profiles_dir, notes) == (["e2e", "staging"], [])
    assert [str(n) for n in notes] == [note]
    validated = drift("profiles", "validate", cwd=profiles_dir.parent)
    assert validated.returncode == 0 and f"{note.replace(': ', ': note: ', 1)}" in validated.stderr
    checked = drift(
        "check",
        "e2e",
        "--format",
        "json",
        "--no-history",
        env=sandbox.environ(),
        cwd=profiles_dir.parent,
    )
    assert note in json.loads(checked.stdout)["notes"], checked.stdout + checked.stderr

    write("e2e", "extends: staging\nservices:\n  api:\n    env:\n      JWT: null\n")
    problem = (
        "profiles/staging.yaml:7: auth.JWT: same_as names api.JWT, which the `null` at "
        "profiles/e2e.yaml:5 removes (as merged into e2e)"
    )
    assert_refused(profiles_dir, "e2e", problem)
