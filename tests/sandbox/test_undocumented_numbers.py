"""Two things Google's documents leave open, the sandbox doing either (helper-842 §1, §2):
a secret version's etag after a state write (option `version_etag`: a new one per write, or
one derived from the state, which a flip back gives back) and the number in a revision name
the server chooses (option `revision_numbers`: the service's generation, leaving a gap after
a write that made no revision, or Knative's count of template changes, leaving none)."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions

from tests.conftest import ClientsFor, MakeSandbox

SECRET = "projects/acme/secrets/s"
SERVICE = "projects/acme/locations/us-central1/services/api"


def _clients(make_sandbox: MakeSandbox, clients_for: ClientsFor, **options: Any) -> Any:
    project = {
        "number": 111,
        "region": "us-central1",
        "secrets": {
            "s": {"versions": ["fake-s-value-one-1234567890"], "version_destroy_ttl": "1d"}
        },
        "services": {"api": {"template": {"env": {"MODE": "one"}}}},
    }
    sandbox = make_sandbox({"options": {"seed": 3, **options}, "projects": {"acme": project}})
    return sandbox, clients_for(sandbox)


@pytest.mark.parametrize("option", ["per_write", "per_state"])
def test_a_version_flipped_back(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str
) -> None:
    """Each write gives another etag than the state before it, so an etag read before it no
    longer matches; only `per_state` gives the first one back once the state is back (a
    scheduled destruction is a state of its own)."""
    _, c = _clients(make_sandbox, clients_for, version_etag=option)
    name = f"{SECRET}/versions/1"
    first = c.secrets.get_secret_version(name=name).etag
    disabled = c.secrets.disable_secret_version(name=name).etag
    enabled = c.secrets.enable_secret_version(name=name).etag
    assert disabled != first and enabled != disabled
    with pytest.raises(exceptions.Aborted):
        c.secrets.disable_secret_version(request={"name": name, "etag": disabled})
    assert (enabled == first) is (option == "per_state")
    scheduled = c.secrets.destroy_secret_version(name=name).etag
    again = c.secrets.disable_secret_version(name=name).etag
    assert len({scheduled, again, disabled, enabled}) == 4 - (option == "per_state")
    assert (again == disabled) is (option == "per_state")


@pytest.mark.parametrize(
    ("option", "numbers"), [("service_generation", [1, 2, 4]), ("template_generation", [1, 2, 3])]
)
def test_numbers_after_a_write_that_made_no_revision(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, numbers: list[int]
) -> None:
    """A template change, a traffic-only write (generation 3, no revision), a template change
    again: the server names the last revision after the generation (00004: 00003 never
    existed) or after the template changes (00003)."""
    sandbox, c = _clients(make_sandbox, clients_for, revision_numbers=option)
    for mode in ("two", None, "three"):
        if mode is None:
            sandbox.update_traffic("acme", "api", {"LATEST": 100})
            continue
        service = c.services.get_service(name=SERVICE)
        service.template.revision = ""
        service.template.containers[0].env[0].value = mode
        c.services.update_service(service=service).result(timeout=10)
    assert c.services.get_service(name=SERVICE).generation == 4
    listed = c.revisions.list_revisions(parent=SERVICE)
    assert sorted(int(r.name.rsplit("-", 2)[-2]) for r in listed) == numbers
