"""A template resent unchanged after the cause of its failed revision is fixed (revsbx67 F4):
Google does not document whether a revision that failed its deploy checks is tried again, so
`options.failed_resend` models both — no revision (the failed one stays latest created) or a
new revision, checked again."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox

SA = "api@p.iam.gserviceaccount.com"
NAME = "projects/p/locations/us-central1/services/g"


def world(side: str) -> dict[str, Any]:
    return {
        "options": {"seed": 1, "failed_resend": side},
        "projects": {
            "p": {
                "number": 5,
                "secrets": {"k": {"versions": ["fake-v1"]}},  # granted to nobody yet
                "services": {
                    "g": {"template": {"image": "x/g:1", "port": 8080, "service_account": SA}}
                },
            }
        },
    }


@pytest.mark.parametrize(("side", "ready"), [("stays_failed", False), ("new_revision", True)])
def test_an_unchanged_template_after_the_fix_follows_the_option(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, side: str, ready: bool
) -> None:
    sandbox = make_sandbox(world(side))
    services = clients_for(sandbox).services
    service = services.get_service(name=NAME)
    service.template.revision = ""  # the server names it, as terraform and drift leave it
    service.template.containers[0].env.append(
        run_v2.EnvVar(
            name="K",
            value_source=run_v2.EnvVarSource(
                secret_key_ref=run_v2.SecretKeySelector(secret="k", version="latest")
            ),
        )
    )
    with pytest.raises(exceptions.GoogleAPICallError, match="Permission denied on secret"):
        services.update_service(service=service).result(timeout=10)
    failed = services.get_service(name=NAME)
    sandbox.grant(
        "projects/p/secrets/k", "roles/secretmanager.secretAccessor", f"serviceAccount:{SA}"
    )
    failed.template.revision = ""
    services.update_service(service=failed).result(timeout=10)  # the operation succeeds
    after = services.get_service(name=NAME)
    assert (after.latest_created_revision != failed.latest_created_revision) is ready
    assert (after.latest_ready_revision == after.latest_created_revision) is ready
