"""`compare` knows a project by its id and by its number (`SecretKeySelector.secret`:
`projects/{project}/secrets/{secret}`, the project an id or a number, run v2 k8s_min.proto;
a default compute account `NUMBER-compute@developer.gserviceaccount.com`): through the numbers
either side's read learned (`LiveState.projects`), a reference by number to the other side's
project is that project's, and the same secret named both ways is one secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox

DATA = REPO / "tests" / "data" / "compare"
STAGING = "project: acme-staging\nregion: us-central1\n"
E2E = "project: acme-e2e\nregion: europe-west1\n"


def _live(scenario: Path, tmp_path: Path, *more: str) -> dict[str, Any]:
    (tmp_path / "staging.yaml").write_text(STAGING + "services:\n  api: {}\n")
    (tmp_path / "e2e.yaml").write_text(E2E + "services:\n  api: {}\n")
    with Sandbox(scenario) as sandbox:
        done = drift(
            "compare", "staging", "e2e", "--live", "--profiles", str(tmp_path), "-f", "json",
            *more, env=sandbox.environ(),
        )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return dict(json.loads(done.stdout))


def _by_target(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["target"]): d for d in document["differences"]}


def test_a_secret_named_by_its_projects_number_is_the_same_secret(tmp_path: Path) -> None:
    """e2e's JWT_SECRET is `projects/700000000001/secrets/jwt-secret`: staging's own
    jwt-secret. main: nothing without secret values; with them, "two secrets that hold the
    same value" (a copy), and their values read for nothing."""
    for more in (("--no-secret-values",), ()):
        found = _by_target(_live(DATA / "by_number.yaml", tmp_path, *more))
        shared = found[("secret.shared", "env.JWT_SECRET")]
        assert shared["message"] == (
            "JWT_SECRET references the same secret jwt-secret of project acme-staging in "
            "staging and e2e"
        ), more
        assert [k for k in found if k[1] == "env.JWT_SECRET"] == [
            ("secret.shared", "env.JWT_SECRET")
        ]


def test_a_reference_into_the_other_environments_project_is_foreign(tmp_path: Path) -> None:
    """e2e reads staging's signing-key by number and by id (staging uses neither) and runs as
    staging's default compute account, by its number. main: `env.only_in` only."""
    found = _by_target(_live(DATA / "other_project.yaml", tmp_path, "--no-secret-values"))
    foreign = {t: d["message"] for (k, t), d in found.items() if k == "value.foreign"}
    assert foreign == {
        "env.SIGNING_KEY": "SIGNING_KEY in e2e references a secret of staging's project "
        "acme-staging",
        "env.SIGNING_KEY_BY_ID": "SIGNING_KEY_BY_ID in e2e references a secret of staging's "
        "project acme-staging",
        "setting.service_account": "service_account of api in e2e names staging's project "
        "acme-staging (number 700000000001)",
    }
    assert {d["side"] for (k, _), d in found.items() if k == "value.foreign"} == {"b"}


def test_profiles_a_secret_in_the_other_environments_project_is_foreign(tmp_path: Path) -> None:
    """In profiles, by id (no number is known without reading): `{secret: signing, project:
    acme-staging}` in e2e's profile is staging's secret."""
    (tmp_path / "staging.yaml").write_text(STAGING + "services:\n  api: {}\n")
    (tmp_path / "e2e.yaml").write_text(
        E2E + "services:\n  api:\n    env:\n"
        "      SIGNING: {secret: signing, project: acme-staging, optional: true}\n"
        "    settings:\n      service_account: 700000000001-compute@developer.gserviceaccount.com\n"
    )
    done = drift("compare", "staging", "e2e", "--profiles", str(tmp_path), "-f", "json")
    found = _by_target(json.loads(done.stdout))
    signing = found[("value.foreign", "env.SIGNING")]
    assert signing["message"] == (
        "SIGNING in e2e references a secret of staging's project acme-staging"
    )
    # shown with its project: `secret signing:latest` looked like e2e's own (revcompare U2)
    assert signing["b"] == "secret acme-staging/signing:latest (optional)"
    # a number drift has not learned names no project: nothing is claimed of it
    assert ("value.foreign", "setting.service_account") not in found


def test_check_expects_a_secret_of_another_project_with_its_project(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`check`'s `expected` names the project too (`drift.diff.describe.describe_rule`)."""
    project = {"number": 800000000002, "region": "europe-west1"}
    service = {
        "template": {"image": "us-docker.pkg.dev/example/api:1", "env": {"LOG_LEVEL": "INFO"}}
    }
    sandbox = make_sandbox({"projects": {"acme-e2e": {**project, "services": {"api": service}}}})
    (tmp_path / "e2e.yaml").write_text(
        E2E
        + "services:\n  api:\n    env:\n      SIGNING: {secret: signing, project: acme-staging}\n"
    )
    done = drift("check", "e2e", "--profiles", str(tmp_path), "-f", "json", env=sandbox.environ())
    (missing,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "env.missing"]
    assert missing["expected"] == "secret acme-staging/signing:latest"
