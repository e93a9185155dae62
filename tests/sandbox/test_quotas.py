"""Option `quotas`: per-minute request quotas per project, on the sandbox's clock. Past one a
call is refused with RESOURCE_EXHAUSTED, Google's quota message, an ErrorInfo
RATE_LIMIT_EXCEEDED (google/api/error_reason.proto) and a QuotaFailure naming the project
(google/rpc/error_details.proto); a minute later (sandbox time) the quota is there again; each
quota counts its own calls (Cloud Run reads are not Secret Manager reads)."""

from __future__ import annotations

import grpc
import pytest
from google.api_core import exceptions
from google.rpc import error_details_pb2, status_pb2

from drift.sandbox import generate
from tests.conftest import ClientsFor, MakeSandbox

PROJECT = "bench-project"
REGION = "us-central1"


def _scenario(**quotas: int) -> object:
    scenario = generate(services=3, vars=2, secret_refs=1, secrets=2)
    return scenario.model_copy(
        update={"options": scenario.options.model_copy(update={"quotas": quotas})}
    )


def _service(i: int) -> str:
    return f"projects/{PROJECT}/locations/{REGION}/services/svc-{i:04d}"


def _details(err: exceptions.GoogleAPICallError) -> list[object]:
    trailers = dict(err.response.trailing_metadata())  # type: ignore[union-attr]
    status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    out: list[object] = []
    for any_ in status.details:
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.QuotaFailure):
            if any_.Is(kind.DESCRIPTOR):
                message = kind()
                any_.Unpack(message)
                out.append(message)
    return out


def test_past_the_quota_a_read_is_refused_as_google_refuses_it(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(_scenario(run=3))
    clients = clients_for(sandbox)
    for i in range(3):
        clients.services.get_service(name=_service(i), retry=None)
    with pytest.raises(exceptions.ResourceExhausted) as caught:
        clients.services.get_service(name=_service(0), retry=None)
    assert "Quota exceeded for quota metric 'Read requests'" in caught.value.message
    info, failure = _details(caught.value)
    assert isinstance(info, error_details_pb2.ErrorInfo)
    assert (info.reason, info.domain) == ("RATE_LIMIT_EXCEEDED", "googleapis.com")
    assert info.metadata["service"] == "run.googleapis.com"
    assert info.metadata["consumer"] == f"projects/{PROJECT}"
    assert isinstance(failure, error_details_pb2.QuotaFailure)
    assert failure.violations[0].subject == f"project:{PROJECT}"
    assert [c.code for c in sandbox.calls][-1] == "RESOURCE_EXHAUSTED"
    # Secret Manager reads have their own quota (none here)
    clients.secrets.list_secrets(parent=f"projects/{PROJECT}", retry=None)


def test_the_quota_comes_back_a_minute_later_on_the_sandbox_clock(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(_scenario(secrets=1))
    clients = clients_for(sandbox)
    parent = f"projects/{PROJECT}"
    clients.secrets.list_secrets(parent=parent, retry=None)
    with pytest.raises(exceptions.ResourceExhausted):
        clients.secrets.list_secrets(parent=parent, retry=None)
    sandbox.advance(59)
    with pytest.raises(exceptions.ResourceExhausted):  # a refused call took no quota
        clients.secrets.list_secrets(parent=parent, retry=None)
    sandbox.advance(2)
    clients.secrets.list_secrets(parent=parent, retry=None)
    # Cloud Run reads are unlimited here
    clients.services.get_service(name=_service(0), retry=None)


def test_a_zero_quota_refuses_every_call_and_reset_restores_the_scenarios(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(_scenario(access=0))
    clients = clients_for(sandbox)
    version = f"projects/{PROJECT}/secrets/secret-0000/versions/latest"
    with pytest.raises(exceptions.ResourceExhausted):
        clients.secrets.access_secret_version(name=version, retry=None)
    clients.secrets.get_secret_version(name=version, retry=None)  # a read, not an access
    sandbox.reset()
    with pytest.raises(exceptions.ResourceExhausted):
        clients.secrets.access_secret_version(name=version, retry=None)
    assert grpc.StatusCode.RESOURCE_EXHAUSTED.name in {c.code for c in sandbox.calls}
