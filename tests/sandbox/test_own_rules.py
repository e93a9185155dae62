"""The sandbox's own readings of Google's rules, each checked against its source and never
against drift's code (a sandbox sharing drift's parser agrees with drift's mistakes: the
revshared review): Kubernetes quantities (k8s.io/apimachinery/pkg/api/resource quantity.go),
Cloud Run's CPU rule (cloud.google.com/run/docs/configuring/services/cpu) and CRC-32C (RFC 3720
appendix B.4)."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox import quantity
from drift.sandbox.checksum import crc32c
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_world

SANDBOX = Path(__file__).resolve().parents[2] / "drift" / "sandbox"
SHARED = {
    "drift.live.crc32c": None,
    "drift.units": {"parse_quantity", "parse_cpu", "parse_memory", "format_memory", "show_memory"},
}
"""drift's code for Google's rules the sandbox must not use (None: nothing of the module)."""


def test_the_sandbox_reads_googles_rules_with_its_own_code() -> None:
    """main: validate.py, scenario_fields.py (drift.units quantities) and secrets_api.py
    (drift.live.crc32c)."""
    found = []
    for path in sorted(SANDBOX.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [(node.module, alias.name) for alias in node.names]
                names += [(f"{node.module}.{alias.name}", None) for alias in node.names]
            else:
                continue
            for module, name in names:
                if module in SHARED and (SHARED[module] is None or name in SHARED[module]):
                    found.append(f"{path.name}:{node.lineno}: {module} {name or ''}")
    assert not found, found


QUANTITIES = [
    ("1", Fraction(1)),
    ("+1", Fraction(1)),
    ("-1", Fraction(-1)),
    ("500m", Fraction(1, 2)),
    ("0.5", Fraction(1, 2)),
    (".5", Fraction(1, 2)),
    ("1.", Fraction(1)),
    ("100n", Fraction(1, 10**7)),
    ("5u", Fraction(5, 10**6)),
    ("1k", Fraction(1000)),
    ("1Ki", Fraction(1024)),
    ("1.5Gi", Fraction(3 * 2**29)),
    ("1Ei", Fraction(2**60)),
    ("1E", Fraction(10**18)),
    ("1E3", Fraction(1000)),
    ("1e-3", Fraction(1, 1000)),
    ("1e+3", Fraction(1000)),
    ("007", Fraction(7)),
]


@pytest.mark.parametrize(("text", "value"), QUANTITIES)
def test_the_kubernetes_quantity_grammar(text: str, value: Fraction) -> None:
    assert quantity.parse(text) == value


@pytest.mark.parametrize("text", ["", ".", "1K", "1ki", "1Ki3", "1e", "1ee3", "abc", "1 ", "Gi"])
def test_not_quantities(text: str) -> None:
    with pytest.raises(quantity.QuantityError):
        quantity.parse(text)


def test_finer_than_a_unit_rounds_up_as_kubernetes_does() -> None:
    """quantity.go: "0.1m will rounded up to 1m"."""
    assert quantity.millis("0.0001") == 1 and quantity.millis("100n") == 1
    assert quantity.units("1.5") == 2 and quantity.millis("2") == 2000


@pytest.mark.parametrize(
    ("cpu", "refused"),
    [("0.08", ""), ("0.081", ""), ("1", ""), ("2", ""), ("20", ""), ("2000m", "")]
    + [("1.5", "integer"), ("2.5", "integer"), ("0.05", "0.08"), ("0.0805", "0.001")]
    + [("-1", "0.08"), ("x", "not a quantity")],
)
def test_the_cpu_cloud_run_applies(cpu: str, refused: str) -> None:
    """The CPU page: "any value between 0.08 and 1, in increments of 0.001. Values greater than
    1 must be integer values"; "The minimum vCPU setting is 0.08 vCPU"."""
    why = quantity.cpu_refusal(cpu)
    assert (refused in why) if refused else not why, why


@pytest.mark.parametrize("cpu", ["1.5", "0.05", "0.0001", "1e-3", "abc"])
def test_update_service_refuses_a_cpu_cloud_run_does_not_apply(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, cpu: str
) -> None:
    """main: accepted (the sandbox only checked what goes with less than 1 CPU, and skipped a
    quantity drift's parser could not read)."""
    sandbox = make_sandbox(lab_world(template={"image": "us-docker.pkg.dev/lab/app:v1"}))
    services = clients_for(sandbox).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    service = services.get_service(name=name)
    generation = service.generation
    template = service.template
    template.max_instance_request_concurrency = 1
    template.execution_environment = run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1
    template.containers[0].resources.limits["cpu"] = cpu
    template.containers[0].resources.cpu_idle = True
    with pytest.raises(exceptions.InvalidArgument) as refused:
        services.update_service(service=service).result()
    assert "limits.cpu: Invalid value specified for cpu." in str(refused.value)
    assert services.get_service(name=name).generation == generation


@pytest.mark.parametrize(
    ("data", "crc"),
    [
        (b"", 0),
        (b"123456789", 0xE3069283),
        (bytes(32), 0x8A9136AA),
        (b"\xff" * 32, 0x62A8AB43),
        (bytes(range(32)), 0x46DD794E),
        (bytes(range(31, -1, -1)), 0x113FDB5C),
    ],
)
def test_crc32c_rfc_3720_vectors(data: bytes, crc: int) -> None:
    """RFC 3720 B.4 (32 bytes of zeros, of ones, incrementing, decrementing) and the usual
    check value of "123456789"."""
    assert crc32c(data) == crc


@pytest.mark.parametrize("mode", ["refused", "operation"])
def test_traffic_to_a_revision_that_does_not_exist(
    mode: str, make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """`options.missing_traffic`: refused at once, nothing stored; or accepted (the spec and
    generation change) and the operation fails with terraform-docs-samples#269's words,
    traffic staying where it was."""
    world = lab_world()
    world["options"] = {**world.get("options", {}), "missing_traffic": mode}
    sandbox = make_sandbox(world)
    services = clients_for(sandbox).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    before = services.get_service(name=name)
    service = services.get_service(name=name)
    kind = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
    service.traffic = [run_v2.TrafficTarget(type_=kind, revision="app-00009-zzz", percent=100)]
    if mode == "refused":
        with pytest.raises(exceptions.InvalidArgument) as refused:
            services.update_service(service=service)
        assert "spec.traffic: Revision 'app-00009-zzz' does not exist." in str(refused.value)
        assert services.get_service(name=name).generation == before.generation
        return
    operation = services.update_service(service=service)
    with pytest.raises(exceptions.GoogleAPICallError) as failed:
        operation.result(timeout=10)
    assert "Revision 'app-00009-zzz' does not exist or is deleted" in str(failed.value)
    after = services.get_service(name=name)
    assert after.generation > before.generation and after.traffic[0].revision == "app-00009-zzz"
    assert list(after.traffic_statuses) == list(before.traffic_statuses)


@pytest.mark.parametrize(
    ("stale", "code"),
    [
        ("aborted", exceptions.Aborted),
        ("failed_precondition", exceptions.FailedPrecondition),
        ("failed_precondition_unsaid", exceptions.FailedPrecondition),
        ("ignored", None),
    ],
)
def test_delete_revision_answers_a_stale_etag_as_every_write_does(
    stale: str, code: type[Exception] | None, make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """`options.stale_etag` for DeleteRevisionRequest.etag too ("This may be used to detect
    modification conflict during updates"): it answered ABORTED whatever the option
    (helper-575 F4)."""
    world = lab_world(history=[{"image": "us-docker.pkg.dev/lab/app:v0"}])
    world["options"] = {**world.get("options", {}), "stale_etag": stale}
    sandbox = make_sandbox(world)
    revisions = clients_for(sandbox).revisions
    parent = f"projects/{LAB}/locations/us-central1/services/app"
    old = next(r for r in revisions.list_revisions(parent=parent) if "-00001-" in r.name)
    if code is None:
        revisions.delete_revision(request=_stale(old.name)).result(timeout=10)
        assert all("-00001-" not in r.name for r in revisions.list_revisions(parent=parent))
        return
    with pytest.raises(code):
        revisions.delete_revision(request=_stale(old.name))
    assert any("-00001-" in r.name for r in revisions.list_revisions(parent=parent))


def _stale(name: str) -> run_v2.DeleteRevisionRequest:
    return run_v2.DeleteRevisionRequest(name=name, etag="stale")
