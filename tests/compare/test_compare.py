"""`drift compare`: the shipped profiles (staging vs e2e), the heuristics on profiles of two
deployments, two live environments in the sandbox, the JSON document and the exit codes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from drift.compare.formats import CompareFormat
from drift.compare.model import Comparison
from drift.compare.render import comparison_document, render_comparison
from drift.compare.run import compare_live, compare_profiles
from drift.errors import ExitCode, UsageError
from drift.findings import Location
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift, scenario_secret_values
from tests.compare.conftest import DATA, TWO_ENV_PROFILES, TWO_ENV_SCENARIO

SHIPPED = REPO / "profiles"
SCHEMA = json.loads((DATA / "compare.schema.json").read_text())
E2E_NEEDS = {
    ("env.unsatisfied", "api", "env.E2E_OAUTH_SIMULATION_KEY", "b"),
    ("env.unsatisfied", "api", "env.E2E_TEST_MODE", "b"),
    ("env.unsatisfied", "api", "env.JWT_SECRET_STAGING", "b"),
    ("env.unsatisfied", "auth", "env.E2E_OAUTH_SIMULATION_KEY", "b"),
    ("env.unsatisfied", "auth", "env.E2E_TEST_MODE", "b"),
}


def keys(comparison: Comparison) -> set[tuple[str, str | None, str, str | None]]:
    return {(d.kind.value, d.service, d.target, d.side) for d in comparison.differences}


def profiles(a: str, b: str, directory: Path = SHIPPED) -> Comparison:
    return compare_profiles(load_profile(directory, a), load_profile(directory, b))


def live(a: str, b: str, directory: Path, *, secret_values: bool = True) -> Comparison:
    pa, pb = load_profile(directory, a), load_profile(directory, b)
    return asyncio.run(compare_live(pa, pb, load_settings(), secret_values=secret_values))


# -- profiles -------------------------------------------------------------------------------


def test_shipped_staging_vs_e2e_lists_what_e2e_needs() -> None:
    comparison = profiles("staging", "e2e")
    assert keys(comparison) == E2E_NEEDS
    assert comparison.exit_code == ExitCode.DRIFT
    # the same project and region: the same services, so no "should differ" heuristics
    assert comparison.notes and "the same services" in comparison.notes[0]
    reverse = profiles("e2e", "staging")
    assert keys(reverse) == {(k, s, t, "a") for k, s, t, _ in E2E_NEEDS}
    first = next(d for d in comparison.differences if d.target == "env.E2E_TEST_MODE")
    assert first.message == "e2e requires E2E_TEST_MODE on api; staging does not name it"
    assert (first.a, first.b) == (None, "true")


def test_one_profile_under_two_names_is_refused() -> None:
    """A link, or `Staging` on a file system that ignores case: one file, compared with
    itself always "equivalent" (helper-531 HIGH-1), as one environment named twice is
    refused (`test_compare_revcmp89`)."""
    staging = load_profile(SHIPPED, "staging")
    with pytest.raises(UsageError, match="staging and staging-copy are one profile, "):
        compare_profiles(staging, replace(staging, environment="staging-copy"))


def test_a_copied_profile_of_the_same_project_is_no_parity() -> None:
    """helper-531 HIGH-1: prod.yaml copied from staging.yaml and never edited read the same
    project and region, and compared "equivalent", exit 0, with only a note; in live mode one
    environment was read twice. Neither extends the other: that is a shared project."""
    staging = load_profile(SHIPPED, "staging")
    copy = replace(
        staging,
        environment="prod",
        location=Location("profiles/prod.yaml", 1),
        files=("profiles/prod.yaml", "profiles/base.yaml"),
        chain=("profiles/base.yaml", "profiles/prod.yaml"),
    )
    comparison = compare_profiles(staging, copy)
    (shared,) = comparison.differences
    assert (shared.kind.value, shared.target) == ("value.shared", "project")
    assert "both read acme-chat-staging/us-central1: one deployment, not two" in shared.message
    assert comparison.exit_code == ExitCode.DRIFT and comparison.notes == ()


def test_two_siblings_of_one_base_are_not_built_on_each_other(tmp_path: Path) -> None:
    """helper-534: prod.yaml that only `extends: base` gave no value of its own, so its files
    were a part of qa's, and the two read as one built on the other: "equivalent", exit 0."""
    (tmp_path / "base.yaml").write_text(
        "project: acme-one\nregion: us-central1\nservices:\n  api:\n    env:\n      A: '1'\n"
    )
    (tmp_path / "prod.yaml").write_text("extends: base\n")
    (tmp_path / "qa.yaml").write_text("extends: base\nservices:\n  api:\n    env:\n      A: '1'\n")
    comparison = compare_profiles(*(load_profile(tmp_path, e) for e in ("prod", "qa")))
    assert [(d.kind.value, d.target) for d in comparison.differences] == [
        ("value.shared", "project")
    ]


def test_a_profile_built_on_the_other_reads_its_services() -> None:
    """e2e extends staging: both read staging's services, as meant; a note, no difference."""
    staging, e2e = (load_profile(SHIPPED, name) for name in ("staging", "e2e"))
    comparison = compare_profiles(staging, e2e)
    assert all(d.target != "project" for d in comparison.differences)
    assert any("both read acme-chat-staging/us-central1" in n for n in comparison.notes)


def shop(project: str, public_url: str, rest: str) -> str:
    """A shop profile of `project`: api's env as staging states it but for its PUBLIC_URL, then
    `rest` (more of api's env, indent 6, and more services)."""
    return (
        f"""
project: {project}
region: us-central1
services:
  api:
    settings: {{service_account: ci@shop-shared.iam.gserviceaccount.com}}
    env:
      ENVIRONMENT: staging
      DB_HOST: db.internal.shop
      REDIS_URL: redis://10.0.0.7:6379
      PUBLIC_URL: {public_url}
      AUTH_PROVIDER_URL: https://accounts.google.com
      CACHE_TTL: "60"
      API_TOKEN: {{secret: api-token-staging}}
"""
        + rest
    )


STAGING = shop(
    "shop-staging",
    "https://staging.shop.dev",
    """\
      SMTP_PASSWORD: {secret: smtp-password-staging}
      TESTING: {forbidden: true}
      FEATURE_FLAGS: {optional: true}
      LOG_LEVEL: {one_of: [INFO, DEBUG]}
  web:
    env: {NODE_ENV: production}
""",
)
PROD = shop(
    "shop-prod",
    "https://shop.dev",
    """\
      SMTP_PASSWORD: hunter2-prod-mailer
      TESTING: {required: true}
      LOG_LEVEL: INFO
      GCP_PROJECT: shop-staging
""",
)


def write_profiles(directory: Path, **files: str) -> Path:
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(text)
    return directory


def test_a_difference_s_message_never_begins_a_line(tmp_path: Path) -> None:
    """A difference's message begins with the variable's name, which Cloud Run takes as any
    text without `=` (from a live service with --live): the table's message line starts
    with drift's mark, never with the name, which a CI runner would run as a command."""
    one = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
    staging = one + '      "::stop-commands::pwn": x\n'
    prod = one + '      "::stop-commands::pwn": {secret: s}\n'
    comparison = profiles("staging", "prod", write_profiles(tmp_path, staging=staging, prod=prod))
    text = render_comparison(comparison, CompareFormat.TABLE)
    assert "· ::stop-commands::pwn is a plain value in staging, a secret reference" in text
    assert [line for line in text.splitlines() if line.lstrip().startswith("::")] == []


def test_profiles_of_two_deployments(tmp_path: Path) -> None:
    comparison = profiles("staging", "prod", write_profiles(tmp_path, staging=STAGING, prod=PROD))
    assert keys(comparison) == {
        ("service.only_in", "web", "service", "a"),
        ("env.unsatisfied", "api", "env.TESTING", "b"),
        ("env.unsatisfied", "api", "env.GCP_PROJECT", "b"),
        ("env.only_in", "api", "env.FEATURE_FLAGS", "a"),
        ("env.shape", "api", "env.SMTP_PASSWORD", None),
        ("value.shared", "api", "env.ENVIRONMENT", None),
        ("value.shared", "api", "env.DB_HOST", None),
        ("value.shared", "api", "env.REDIS_URL", None),
        ("value.shared", "api", "setting.service_account", None),
        ("value.foreign", "api", "env.API_TOKEN", "b"),
        ("value.foreign", "api", "env.GCP_PROJECT", "b"),
    }  # not: PUBLIC_URL, AUTH_PROVIDER_URL, CACHE_TTL (fine to share), LOG_LEVEL (fits one_of)
    by_target = {(d.kind.value, d.target): d for d in comparison.differences}
    assert by_target[("env.unsatisfied", "env.TESTING")].message == (
        "prod requires TESTING on api; staging forbids it"
    )
    shape = by_target[("env.shape", "env.SMTP_PASSWORD")]
    assert shape.message == (
        "SMTP_PASSWORD is a secret reference in staging, a plain value in prod"
    )
    assert (shape.a, shape.b) == ("secret smtp-password-staging:latest", "***")
    assert "hunter2" not in render_comparison(comparison, CompareFormat.TABLE)
    assert by_target[("value.foreign", "env.GCP_PROJECT")].message == (
        "GCP_PROJECT in prod names staging's project shop-staging"
    )


def test_two_regions_of_one_project_share_its_secrets(tmp_path: Path) -> None:
    us = "project: shop\nregion: us-central1\nservices:\n  api:\n    env:\n"
    us += "      KEY: {secret: signing-key}\n      REGION_NAME: us\n"
    eu = us.replace("us-central1", "europe-west1").replace("REGION_NAME: us", "REGION_NAME: eu")
    comparison = profiles("us", "eu", write_profiles(tmp_path, us=us, eu=eu))
    assert keys(comparison) == {
        ("value.shared", None, "project", None),
        ("secret.shared", "api", "env.KEY", None),
    }
    assert comparison.notes == ()


# -- live -----------------------------------------------------------------------------------

TWO_ENVS = {
    ("service.only_in", "worker", "service", "a"),
    ("env.only_in", "api", "env.DEBUG_TOOLBAR", "a"),
    ("env.only_in", "api", "env.CALLBACK_URL", "b"),
    ("env.shape", "api", "env.SMTP_PASSWORD", None),
    ("value.shared", "api", "env.DB_HOST", None),
    ("value.foreign", "api", "env.CALLBACK_URL", "b"),
    ("secret.shared", "api", "env.JWT_SECRET", None),
}


def test_two_live_environments(two_envs: Sandbox) -> None:
    comparison = live("staging", "prod", TWO_ENV_PROFILES)
    assert keys(comparison) == TWO_ENVS
    assert comparison.unverified == () and comparison.exit_code == ExitCode.DRIFT
    shared = next(d for d in comparison.differences if d.kind.value == "secret.shared")
    assert "hold the same value (compared in memory, not shown)" in shared.message
    # values are read once per version: the two secret pairs (JWT_SECRET, DB_PASSWORD), and
    # prod's smtp-password, referenced on one side only, read to mask its copies (task 777)
    assert two_envs.call_counts()["AccessSecretVersion"] == 5
    # no secret value, nor the credential-looking plain value, in any output
    secrets = [*scenario_secret_values(TWO_ENV_SCENARIO), "fake-smtp-password-staging-77"]
    for fmt in CompareFormat:
        text = render_comparison(comparison, fmt)
        assert not [s for s in secrets if s in text], fmt


def test_live_without_secret_values(two_envs: Sandbox) -> None:
    comparison = live("staging", "prod", TWO_ENV_PROFILES, secret_values=False)
    assert keys(comparison) == TWO_ENVS - {("secret.shared", "api", "env.JWT_SECRET", None)}
    assert two_envs.call_counts()["AccessSecretVersion"] == 0


def test_unreadable_secret_value_is_unverified(two_envs: Sandbox) -> None:
    two_envs.inject(
        Fault(method="AccessSecretVersion", code="PERMISSION_DENIED", match="jwt-secret-prod")
    )
    comparison = live("staging", "prod", TWO_ENV_PROFILES)
    assert [(u.side, u.service, u.target) for u in comparison.unverified] == [
        ("b", "api", "env.JWT_SECRET")
    ]
    assert "PERMISSION_DENIED" in comparison.unverified[0].reason
    assert comparison.exit_code == ExitCode.DRIFT  # the rest differs: 1 wins over 3


def test_same_deployment_live_is_equivalent(sandbox_env: dict[str, str]) -> None:
    comparison = live("staging", "e2e", SHIPPED)
    assert comparison.differences == () and comparison.exit_code == ExitCode.OK
    assert comparison.notes


def test_a_copied_profile_live_is_a_shared_project(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """helper-531 HIGH-1, live: prod.yaml a copy of staging.yaml read staging's services once
    for both, "equivalent", exit 0."""
    for name in ("base", "staging"):
        (tmp_path / f"{name}.yaml").write_text((SHIPPED / f"{name}.yaml").read_text())
    (tmp_path / "prod.yaml").write_text((SHIPPED / "staging.yaml").read_text())
    comparison = live("staging", "prod", tmp_path)
    assert [(d.kind.value, d.target) for d in comparison.differences] == [
        ("value.shared", "project")
    ]
    assert comparison.exit_code == ExitCode.DRIFT


def test_unread_service_is_incomplete_never_equivalent(
    sandbox_env: dict[str, str], sandbox: Sandbox
) -> None:
    sandbox.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED", match="/services/web"))
    comparison = live("staging", "e2e", SHIPPED)
    assert comparison.differences == ()
    assert {(u.side, u.service) for u in comparison.unverified} == {("a", "web"), ("b", "web")}
    assert comparison.exit_code == ExitCode.INCOMPLETE
    document = comparison_document(comparison)
    jsonschema.validate(document, SCHEMA)
    assert document["status"] == "incomplete"
    assert "incomplete: 2 items not compared" in render_comparison(comparison, CompareFormat.TABLE)


def test_unknown_service_is_bad_input() -> None:
    with pytest.raises(UsageError, match="unknown service 'ghost'"):
        compare_profiles(load_profile(SHIPPED, "staging"), load_profile(SHIPPED, "e2e"), ["ghost"])


# -- the command ----------------------------------------------------------------------------


def test_cli_profiles_json_and_exit_codes() -> None:
    done = drift("compare", "staging", "e2e", "--format", "json")
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["status"] == "different" and document["exit_code"] == 1
    assert document["summary"] == {
        "services": 3,
        "differences": 5,
        "by_kind": {"env.unsatisfied": 5},
        "unverified": 0,
    }
    assert {(d["kind"], d["service"], d["target"], d["side"]) for d in document["differences"]} == (
        E2E_NEEDS
    )
    waits = drift("compare", "staging", "e2e", "--wait", "5")  # --live waits as check does
    assert waits.returncode == 1, waits.stderr
    same = drift("compare", "staging", "staging")  # one environment twice: bad input
    assert same.returncode == 2 and "named twice" in same.stderr, same.stdout + same.stderr
    bad = drift("compare", "staging", "nope")
    assert bad.returncode == 2 and "no profile for environment 'nope'" in bad.stderr


def test_cli_fail_on_never_prints_the_differences_and_exits_0() -> None:
    """SPEC Exit codes (all commands): 0 when nothing at or above --fail-on drifted.
    Differences carry no severity: `never` (flag > DRIFT_FAIL_ON > [tool.drift]) exits 0 and
    still prints them; error and warning exit 1 as before; incomplete stays 3 (revspec1)."""
    never = drift("compare", "staging", "e2e", "--fail-on", "never")
    assert never.returncode == 0, never.stderr
    assert "JWT_SECRET" in never.stdout  # the differences, still said
    assert drift("compare", "staging", "e2e", env={"DRIFT_FAIL_ON": "never"}).returncode == 0
    assert drift("compare", "staging", "e2e", "--fail-on", "warning").returncode == 1
    flag = drift("compare", "staging", "e2e", "--fail-on", "error", env={"DRIFT_FAIL_ON": "never"})
    assert flag.returncode == 1
    document = json.loads(
        drift("compare", "staging", "e2e", "-f", "json", "--fail-on", "never").stdout
    )
    assert document["status"] == "different" and document["exit_code"] == 0


def test_cli_fail_on_never_with_something_unread_is_incomplete(two_envs: Sandbox) -> None:
    two_envs.inject(Fault("AccessSecretVersion", "PERMISSION_DENIED"))
    args = ("compare", "staging", "prod", "--live", "--profiles", str(TWO_ENV_PROFILES))
    live = drift(*args, "-f", "json", "--fail-on", "never", env=two_envs.environ())
    document = json.loads(live.stdout)
    assert document["differences"] and document["unverified"], document
    assert live.returncode == 3 == document["exit_code"], live.stderr


def test_cli_two_live_environments(two_envs: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "parity.json"
    done = drift(
        "compare", "staging", "prod", "--live", "--profiles", str(TWO_ENV_PROFILES),
        "--format", "json", "--output", str(out), env=two_envs.environ(),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    # what was written where, and why exit 1: never an exit status alone (revdocs60 F3)
    assert f"wrote {out}: staging and prod differ: " in done.stderr
    assert done.stderr.rstrip().endswith("(exit 1)")
    document = json.loads(out.read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["mode"] == "live" and document["b"]["project"] == "shop-prod"
    found = {(d["kind"], d["service"], d["target"], d["side"]) for d in document["differences"]}
    assert found == TWO_ENVS
    for value in scenario_secret_values(TWO_ENV_SCENARIO):
        assert value not in out.read_text() and value not in done.stdout + done.stderr


EXPECTS_SECRETS = """
project: shop-staging
region: us-central1
services:
  api:
    env:
      WEBHOOK_SIG: {secret: webhook-sig}
      SEED_ONLY: {secret: seed-only}
"""


def test_live_masks_a_plain_value_where_a_secret_is_expected_as_check_does(
    two_envs: Sandbox, tmp_path: Path
) -> None:
    """Short values no name marks as credentials: staging's WEBHOOK_SIG and SEED_ONLY are plain
    where its profile expects secrets (prod has neither: `env.only_in`); SIGNING_SEED is plain
    in staging, a secret in prod, and staging's profile does not name it (`env.shape`)."""
    two_envs.set_env("shop-staging", "api", "WEBHOOK_SIG", "whsig-9")
    two_envs.set_env("shop-staging", "api", "SEED_ONLY", "seed-1x")
    two_envs.set_env("shop-staging", "api", "SIGNING_SEED", "sd-4b2a")
    two_envs.set_env("shop-prod", "api", "SIGNING_SEED", None, secret="jwt-secret-prod")
    prod = "project: shop-prod\nregion: us-central1\nservices:\n  api: {}\n"
    directory = write_profiles(tmp_path, staging=EXPECTS_SECRETS, prod=prod)
    comparison = live("staging", "prod", directory)
    by_target = {d.target: d for d in comparison.differences}
    assert by_target["env.WEBHOOK_SIG"].kind.value == "env.only_in"
    assert by_target["env.SIGNING_SEED"].kind.value == "env.shape"
    assert by_target["env.SIGNING_SEED"].a == "*** (plain value)"
    for fmt in CompareFormat:
        text = render_comparison(comparison, fmt)
        assert [v for v in ("whsig-9", "seed-1x", "sd-4b2a") if v in text] == [], fmt


def test_live_a_sidecar_without_variables_on_one_side_only_differs(tmp_path: Path) -> None:
    """staging runs a Cloud SQL proxy sidecar (no variables, no mounts), prod does not: that
    differs (`container.only_in`), where the views of variables alone saw nothing."""
    from dataclasses import replace

    from drift.compare.run import _compare_read
    from drift.live.model import ContainerConfig
    from tests.livestate import service

    staging, prod = LiveState(), LiveState()
    api = service("api", [])
    proxy = ContainerConfig("cloud-sql-proxy", image="gcr.io/cloud-sql-connectors/proxy:2")
    config = replace(api.template, containers=(*api.template.containers, proxy))
    staging.services["api"] = replace(api, serving=(replace(api.serving[0], config=config),))
    prod.services["api"] = api
    text = "project: {}\nregion: us-central1\nservices:\n  api: {{}}\n"
    write_profiles(tmp_path, staging=text.format("shop-staging"), prod=text.format("shop-prod"))
    a, b = load_profile(tmp_path, "staging"), load_profile(tmp_path, "prod")
    comparison = asyncio.run(_compare_read(a, b, ["api"], staging, prod, None))
    (only,) = [d for d in comparison.differences if d.target.startswith("container.")]
    assert (only.kind.value, only.service, only.target, only.side) == (
        "container.only_in", "api", "container.cloud-sql-proxy", "a"
    )  # fmt: skip
    assert only.message == "container cloud-sql-proxy runs only in staging"
    assert (only.a, only.b) == ("gcr.io/cloud-sql-connectors/proxy:2", None)
    jsonschema.validate(comparison_document(comparison), SCHEMA)
    reverse = asyncio.run(_compare_read(b, a, ["api"], prod, staging, None))
    assert ("container.cloud-sql-proxy", "b") in [(d.target, d.side) for d in reverse.differences]


def test_a_secret_of_a_project_by_number_is_not_known_in_profiles(tmp_path: Path) -> None:
    """helper-531 MEDIUM-3: prod's profile naming a secret's project by number (staging's,
    perhaps: prod would read staging's password) compared "equivalent", exit 0; `--live`
    looks the number up and says so when it cannot."""
    head = "region: us-central1\nservices:\n  api:\n    env:\n"
    (tmp_path / "staging.yaml").write_text(
        "project: st-proj\n" + head + "      DB_PASSWORD: {secret: db-password}\n"
    )
    (tmp_path / "prod.yaml").write_text(
        "project: pr-proj\n"
        + head
        + '      DB_PASSWORD: {secret: db-password, project: "300000000001"}\n'
    )
    comparison = compare_profiles(*(load_profile(tmp_path, e) for e in ("staging", "prod")))
    (unread,) = comparison.unverified
    assert (unread.side, unread.service, unread.target) == ("b", "api", "env.DB_PASSWORD")
    assert "number 300000000001, is not looked up when profiles are compared" in unread.reason
    assert comparison.exit_code == ExitCode.INCOMPLETE


def test_a_profile_without_its_project_is_told_to_set_it_there(tmp_path: Path) -> None:
    """helper-531 LOW-3: the hint said "or give --project or DRIFT_PROJECT", which compare
    neither takes nor reads: each environment's project is its profile's."""
    (tmp_path / "a.yaml").write_text("region: us-central1\nservices:\n  api: {}\n")
    (tmp_path / "b.yaml").write_text("project: p2\nregion: us-central1\nservices:\n  api: {}\n")
    done = drift("compare", "a", "b", "--profiles", str(tmp_path), env={"DRIFT_PROJECT": "p1"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"drift: error: {tmp_path}/a.yaml:1: project is not set (here or in a profile it "
        "extends); set it here"
    ]


def test_one_secret_by_number_on_both_sides_is_shared_not_unknown(tmp_path: Path) -> None:
    """helper-534: both profiles referencing `projects/NUMBER/secrets/org-ca` (the form Cloud
    Run returns, and `drift init` writes) is the same secret on both sides, certain: shared,
    never also "not known" (exit 3 where it was 0)."""
    head = "region: us-central1\nservices:\n  api:\n    env:\n"
    ref = '      CA: {secret: "projects/111111111111/secrets/org-ca"}\n'
    (tmp_path / "staging.yaml").write_text("project: st-proj\n" + head + ref)
    (tmp_path / "prod.yaml").write_text("project: pr-proj\n" + head + ref)
    comparison = compare_profiles(*(load_profile(tmp_path, e) for e in ("staging", "prod")))
    assert comparison.unverified == ()
    assert [(d.kind.value, d.target) for d in comparison.differences] == [
        ("secret.shared", "env.CA")
    ]
