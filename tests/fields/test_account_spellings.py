"""A profile's service_account is written by `fix` as given, and RevisionTemplate.service_account
is the "Email address of the IAM service account associated with the revision" (run v2
revision_template.proto). Other spellings of the account were taken: IAM's resource name
`projects/-/serviceAccounts/EMAIL` made `fix --yes` deploy that string as the runtime
account (moving all traffic to it), and `plan` said the account "cannot access" a secret it
can, with a grant to the member `serviceAccount:projects/-/…`; upper case was another
account to drift. Now the profile is refused at its line, saying the email to write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions

from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.helpers import service_name

ACCOUNT = "api@p-acme.iam.gserviceaccount.com"
GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}


def _run(make_sandbox: MakeSandbox, tmp_path: Path, account: str, *args: str) -> Any:
    secrets = {"k": {"versions": [{"value": "fake-k-0123456789abcdef"}], "iam": GRANT}}
    template = {"image": "us-docker.pkg.dev/p-acme/r/api:1", "service_account": ACCOUNT}
    template["env"] = {"K": {"secret": "k"}}  # type: ignore[assignment]
    world = {"projects": {"p-acme": {"number": 5, "secrets": secrets}}}
    world["projects"]["p-acme"]["services"] = {"api": {"template": template}}
    sandbox = make_sandbox(world)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p-acme\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        f"      service_account: {account}\n"
    )
    return drift(*args, "--profiles", "profiles", env=sandbox.environ(), cwd=tmp_path)


@pytest.mark.parametrize(
    "account",
    [f"projects/-/serviceAccounts/{ACCOUNT}", f"serviceAccount:{ACCOUNT}", ACCOUNT.upper()],
)
def test_fix_refuses_a_service_account_not_spelled_as_its_email(
    make_sandbox: MakeSandbox, tmp_path: Path, account: str
) -> None:
    run = _run(make_sandbox, tmp_path, account, "fix", "prod", "--yes", "--no-verify")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "deploying canary" not in run.stdout + run.stderr
    assert "prod.yaml:6" in run.stderr and f"write '{ACCOUNT}'" in run.stderr, run.stderr


def test_plan_gives_no_grant_to_an_account_by_its_iam_resource_name(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    account = f"projects/-/serviceAccounts/{ACCOUNT}"
    run = _run(make_sandbox, tmp_path, account, "plan", "prod", "--format", "gcloud")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "serviceAccount:projects/" not in run.stdout, run.stdout


def test_the_sandbox_refuses_a_runtime_account_that_is_not_an_email(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """So no test passes on a form Cloud Run does not hold (the proto comment above)."""
    client = clients_for(make_sandbox(None)).services
    api = client.get_service(name=service_name("api"))
    own = api.template.service_account
    api.template.service_account = f"projects/-/serviceAccounts/{own}"
    with pytest.raises(exceptions.InvalidArgument, match="not a service account email"):
        client.update_service(service=api)
    api.template.service_account = own
    assert client.update_service(service=api).result(timeout=10).uri
