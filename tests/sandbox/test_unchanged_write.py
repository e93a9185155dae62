"""Option `unchanged_write` (helper-556 S5): an update that resends what is stored moves
`generation` (`bumps`, as any write) or leaves it (`keeps`, as Knative does); a labels-only
write is `labels_bump_generation`'s either way, and the etag always changes."""

from __future__ import annotations

import pytest

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.test_template_defaults import SERVICE, _sandbox


@pytest.mark.parametrize(("option", "moved"), [("bumps", 1), ("keeps", 0)])
def test_a_resend_of_what_is_stored(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, moved: int
) -> None:
    services = clients_for(_sandbox(make_sandbox, "filled", unchanged_write=option)).services
    was = services.get_service(name=SERVICE)
    services.update_service(service=was).result()
    now = services.get_service(name=SERVICE)
    assert now.generation == was.generation + moved
    assert now.etag != was.etag and now.latest_created_revision == was.latest_created_revision
    labelled = services.get_service(name=SERVICE)
    labelled.labels["team"] = "chat"
    services.update_service(service=labelled).result()
    assert services.get_service(name=SERVICE).generation == now.generation + 1
