"""revshared repros (failed before its fix): Google's quantity rules where the sandbox and drift
share drift's own parser (`drift.units.parse_cpu` / `parse_memory`), so no integration test
could see a disagreement with the source.

Sources, independent of drift:
- Kubernetes resource.Quantity (k8s.io/apimachinery/pkg/api/resource; the reference page
  kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity): `<quantity> ::=
  <signedNumber><suffix>`, `<signedNumber> ::= <number> | <sign><number>`, `<sign> ::= "+" |
  "-"`, `<binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei`; "Numbers larger or more precise will be
  capped or rounded up. (E.g.: 0.1m will rounded up to 1m.)". Cloud Run's
  `ResourceRequirements.limits` (run v2 k8s_min.proto) are these quantities.
- Cloud Run CPU page (cloud.google.com/run/docs/configuring/services/cpu): "if you want to use
  less than 1 vCPU, you can select any value between 0.08 and 1, in increments of 0.001.
  Values greater than 1 must be integer values."
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.check import CheckResult
from drift.errors import ProfileError
from drift.profiles.loader import load_profile
from tests.test_live_quantity_unread import LimitsCheck, check_limits

__all__ = ["check_limits"]  # the fixture, shared


def _profile(key: str, value: str) -> str:
    return (
        f"project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        f"      {key}: '{value}'\n"
    )


def _run(check_limits: LimitsCheck, key: str, live: str, want: str) -> CheckResult:
    return check_limits({key: live}, _profile(key, want))


@pytest.mark.parametrize(("key", "live", "want"), [("cpu", "+1", "1"), ("memory", "+1Gi", "1Gi")])
def test_a_signed_live_quantity_is_the_same_quantity(
    check_limits: LimitsCheck, key: str, live: str, want: str
) -> None:
    """Quantity grammar: `+1` is 1 and `+1Gi` is 1Gi. main: `cpu on api-… is 1m, the profile
    says 1` (the raw "+1" kept by access.quantity, then read as millicores by
    catalogue._cpu_text) and `memory … is +1Gi, the profile says 1Gi`: drift that is none."""
    result = _run(check_limits, key, live, want)
    messages = [f.message for f in result.report.findings if f.service == "api"]
    assert not any("1m" in m for m in messages), messages  # never one millicore
    assert result.report.exit_code == 0, messages


def test_a_live_cpu_drift_cannot_read_does_not_end_the_whole_check(
    check_limits: LimitsCheck,
) -> None:
    """`0.0001` is a quantity (rounded up to 1m by Kubernetes); whatever Cloud Run holds, a value
    drift cannot read is that setting unverified (exit 3), as `unreadable_settings` does for
    others. main: ValueError out of catalogue._cpu_text (`int('0.0001')`), the CLI says
    "internal error" and exits 2 for every service of the run."""
    result = _run(check_limits, "cpu", "0.0001", "1")
    assert result.report.exit_code in (1, 3)


def test_exbibytes_are_a_binary_suffix_not_an_exponent() -> None:
    """`Ei` is a binarySI suffix (2^60). main: parse_quantity takes the `E` of `Ei` for an
    exponent and says "invalid literal for int() with base 10: 'i'" at the profile line."""
    from drift.units import parse_memory

    assert parse_memory("1Ei") == 2**60


@pytest.mark.parametrize("cpu", ["1.5", "2.5", "0.05"])
def test_a_cpu_cloud_run_never_applies_is_a_profile_error(tmp_path: Path, cpu: str) -> None:
    """CPU page: over 1 only integers; below 1 from 0.08. main: loaded; `check` then reports a
    drift no deploy can remove and `fix` proposes a patch Cloud Run refuses (the sandbox takes
    it: validate.validate_cpu only checks what goes with < 1 CPU)."""
    (tmp_path / "prod.yaml").write_text(_profile("cpu", cpu))
    with pytest.raises(ProfileError):
        load_profile(tmp_path, "prod")


@pytest.mark.parametrize("cpu", ["1.5", "0.05"])
def test_the_sandbox_refuses_a_cpu_cloud_run_refuses(cpu: str) -> None:
    from google.cloud import run_v2

    from drift.sandbox.names import RpcError
    from drift.sandbox.validate import validate_cpu

    limits = {"cpu": cpu, "memory": "512Mi"}
    container = run_v2.Container(
        image="x", resources=run_v2.ResourceRequirements(limits=limits, cpu_idle=True)
    )
    template = run_v2.RevisionTemplate(
        containers=[container],
        max_instance_request_concurrency=1,
        execution_environment=run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1,
    )
    with pytest.raises(RpcError):
        validate_cpu(run_v2.RevisionTemplate.pb(template))
