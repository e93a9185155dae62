"""revcmp89 F3 (failed before its fix): a secret reference names its project by number
(`projects/900000000009/secrets/jwt`, as `gcloud run deploy --update-secrets` writes one of
another project). `compare --live` tells which project that is only from GetProject
(`LiveState.projects`); when that call is refused (the caller may read the services, not the
project: `resourcemanager.projects.get` is in no Cloud Run role), drift does not know the
project, and still said "equivalent", exit 0:

- staging's `projects/900000000009/secrets/jwt` (version 1) and prod's
  `projects/vault/secrets/jwt` (version 2) are one secret shared by both environments
  (`secret.shared` when the number is known); the two versions' values differ, so the
  comparison of values found nothing either;
- staging's `projects/300000000002/secrets/jwt` is prod's own secret, by prod's number
  (`value.foreign` when the number is known).

What cannot be told is unverified (exit 3), never equivalent (SPEC exit codes: "Never
reported as clean")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault
from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNTS = [
    "serviceAccount:api@shop-staging.iam.gserviceaccount.com",
    "serviceAccount:api@shop-prod.iam.gserviceaccount.com",
]


def _service(project: str, ref: dict[str, str]) -> dict[str, Any]:
    return {
        "api": {
            "template": {
                "service_account": f"api@{project}.iam.gserviceaccount.com",
                "env": {"JWT": ref},
            }
        }
    }


def _secret(*versions: str) -> dict[str, Any]:
    return {
        "versions": list(versions),
        "iam": {"roles/secretmanager.secretAccessor": ACCOUNTS},
    }


def world(staging_ref: dict[str, str], prod_ref: dict[str, str]) -> dict[str, Any]:
    return {
        "projects": {
            "vault": {
                "number": 900000000009,
                "secrets": {"jwt": _secret("fake-v1-aa", "fake-v2-bb")},
            },
            "shop-staging": {
                "number": 300000000001,
                "services": _service("shop-staging", staging_ref),
            },
            "shop-prod": {
                "number": 300000000002,
                "secrets": {"jwt": _secret("fake-prod-jwt-cc"), "signing": _secret("fake-dd")},
                "services": _service("shop-prod", prod_ref),
            },
        }
    }


SHARED_BY_NUMBER = world(
    {"secret": "projects/900000000009/secrets/jwt", "version": "1"},
    {"secret": "projects/vault/secrets/jwt", "version": "2"},
)
PRODS_BY_NUMBER = world({"secret": "projects/300000000002/secrets/jwt"}, {"secret": "signing"})
CASES = [(SHARED_BY_NUMBER, "secret.shared"), (PRODS_BY_NUMBER, "value.foreign")]


def _compare(
    make_sandbox: MakeSandbox, tmp_path: Path, scenario: Any, *faults: Fault, flags: Any = ()
) -> Any:
    sandbox = make_sandbox(scenario)
    for fault in faults:
        sandbox.inject(fault)
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    for env in ("staging", "prod"):
        text = f"project: shop-{env}\nregion: us-central1\nservices:\n  api: {{}}\n"
        (profiles / f"{env}.yaml").write_text(text)
    return drift(
        "compare", "staging", "prod", "--live", "--format", "json",
        "--profiles", str(profiles), *flags,
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip


@pytest.mark.parametrize(("scenario", "kind"), CASES)
def test_known_numbers_tell_the_difference(
    make_sandbox: MakeSandbox, tmp_path: Path, scenario: Any, kind: str
) -> None:
    """The sandbox's answer when GetProject is allowed: what the fault below hides."""
    done = _compare(make_sandbox, tmp_path, scenario)
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert [d["kind"] for d in document["differences"]] == [kind]


DENIED = Fault(method="GetProject", code="PERMISSION_DENIED")


@pytest.mark.parametrize(("scenario", "kind"), CASES)
def test_the_value_reads_answers_tell_the_numbers_get_project_does_not(
    make_sandbox: MakeSandbox, tmp_path: Path, scenario: Any, kind: str
) -> None:
    """Task 832 (failed before: exit 3, "could not be looked up"): compare reads the value of
    every version referenced (to mask its copies), each asked for by its project's id where a
    profile or a reference gives one (`projects/vault/…`, the sides' own projects); Secret
    Manager names the version in its answer by the project's number
    (AccessSecretVersionResponse.name; `learn_number`). So the numbers are learnt from those
    answers, as GetProject would tell them: the same difference, no number left unknown."""
    done = _compare(make_sandbox, tmp_path, scenario, DENIED)
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert [d["kind"] for d in document["differences"]] == [kind], done.stdout
    assert document["unverified"] == [], done.stdout


@pytest.mark.parametrize(("scenario", "kind"), CASES)
def test_a_project_number_drift_cannot_look_up_is_never_equivalent(
    make_sandbox: MakeSandbox, tmp_path: Path, scenario: Any, kind: str
) -> None:
    """`--no-secret-values`: no answer names a number, GetProject is refused."""
    done = _compare(make_sandbox, tmp_path, scenario, DENIED, flags=["--no-secret-values"])
    assert done.returncode == 3, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert document["status"] == "incomplete" and document["differences"] == []
    unread = [(u["side"], u["service"], u["target"]) for u in document["unverified"]]
    assert ("a", "api", "env.JWT") in unread, unread
    reason = document["unverified"][0]["reason"]
    assert "GetProject" in reason and "prod" in reason, reason
    assert "fake-" not in done.stdout + done.stderr
