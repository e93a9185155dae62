"""Option `mask_message` (review 848 F1's brief): an UpdateService whose `update_mask` names a
message field. run v2 says only "Optional. The list of fields to be updated": `replaced`, the
message is replaced whole (AIP-161's read-write consistency: "If a user updates a resource with
a given mask, and then reads the same resource with the same mask, the exact same data must be
returned"); `merged`, google/protobuf/field_mask.proto's default ("new value will be merged into
the existing sub-message"). Under either, a field the mask does not name keeps what was stored,
a named list is replaced, a named scalar sent empty is cleared. drift's writes under both:
tests/fix/test_update_mask.py."""

from __future__ import annotations

import pytest
from google.cloud import run_v2
from google.protobuf import field_mask_pb2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.test_template_defaults import SERVICE, _sandbox

READINGS = pytest.mark.parametrize("reading", ["replaced", "merged"])


@READINGS
def test_a_masked_write_of_a_message_field(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, reading: str
) -> None:
    services = clients_for(_sandbox(make_sandbox, "filled", mask_message=reading)).services
    first = services.get_service(name=SERVICE)
    first.template.scaling = run_v2.RevisionScaling(min_instance_count=1, max_instance_count=5)
    first.labels["team"] = "chat"
    first.description = "the service"
    services.update_service(service=first).result()
    sent = services.get_service(name=SERVICE)
    sent.template.scaling = run_v2.RevisionScaling(max_instance_count=7)  # min left out (0)
    sent.labels.clear()  # not named: kept
    sent.description = ""  # named: cleared
    sent.template.containers[0].env = [run_v2.EnvVar(name="B", value="2")]
    mask = ["template.scaling", "description", "template.containers"]
    services.update_service(service=sent, update_mask=field_mask_pb2.FieldMask(paths=mask)).result()
    now = services.get_service(name=SERVICE)
    scaling = (now.template.scaling.min_instance_count, now.template.scaling.max_instance_count)
    assert scaling == ((0, 7) if reading == "replaced" else (1, 7))
    assert (dict(now.labels), now.description) == ({"team": "chat"}, "")
    assert [(e.name, e.value) for e in now.template.containers[0].env] == [("B", "2")]
