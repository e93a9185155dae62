"""A service whose Binary Authorization is bypassed by breakglass is not one that enforces it.
BinaryAuthorization.breakglass_justification: "If present, indicates to use Breakglass using
this justification" (run v2); breakglass is how one deploys "an image on Cloud Run when the
image violates the Binary Authorization policy" (binary-authorization/docs/run/
using-breakglass-cloud-run). It stays on the service until a write leaves it out (gcloud's
update and deploy delete it first; the v2 API keeps what it is sent: Terraform's
`breakglass_justification`, a client's read-modify-write), and the revision serving was
deployed bypassing the policy.

The row read `use_default` and `policy` alone: `binary_authorization: default` read clean on a
service deploying under breakglass. Now the value read says so (`default (breakglass)`, the
justification itself never shown), a profile's `default` is drift, and `drift fix` writes the
policy without the bypass. A profile cannot state the bypass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.fields import FIELDS, Source
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world, updates
from tests.fix.test_cpu_below_one import _profile, _run

pytestmark = pytest.mark.sandbox


IMAGE = "us-docker.pkg.dev/lab/app:v1"
JUSTIFICATION = "INC-4471 hotfix, approved by on-call"
POLICY = f"projects/{LAB}/platforms/cloudRun/policies/strict"


def _read(binauthz: run_v2.BinaryAuthorization) -> Any:
    service = run_v2.Service(binary_authorization=binauthz)
    return FIELDS["binary_authorization"].read(Source(run_v2.Service.pb(service), None, None))


@pytest.mark.parametrize(
    ("binauthz", "read"),
    [
        (run_v2.BinaryAuthorization(use_default=True), "default"),
        pytest.param(
            run_v2.BinaryAuthorization(use_default=True, breakglass_justification=JUSTIFICATION),
            "default (breakglass)",
        ),
        pytest.param(
            run_v2.BinaryAuthorization(policy=POLICY, breakglass_justification=JUSTIFICATION),
            f"{POLICY} (breakglass)",
        ),
    ],
)
def test_a_breakglass_is_part_of_what_is_read(
    binauthz: run_v2.BinaryAuthorization, read: str
) -> None:
    row = FIELDS["binary_authorization"]
    assert _read(binauthz) == read
    stated = read.removesuffix(" (breakglass)")
    assert row.same(row.parse(stated), read) is (stated == read)
    assert JUSTIFICATION not in row.show(read)


def test_a_profile_cannot_state_the_bypass() -> None:
    with pytest.raises(ValueError, match="breakglass"):
        FIELDS["binary_authorization"].parse("default (breakglass)")


def test_writing_the_value_read_keeps_the_bypass_and_the_profiles_drops_it() -> None:
    """What a rollback or a by-hand comparison writes back (the value read) is the service as
    it was, justification included; the profile's value is the policy alone."""
    row = FIELDS["binary_authorization"]
    held = run_v2.BinaryAuthorization(use_default=True, breakglass_justification=JUSTIFICATION)
    service = run_v2.Service(binary_authorization=held)
    row.write(service, None, "default (breakglass)")
    assert service.binary_authorization == held
    row.write(service, None, "default")
    assert service.binary_authorization == run_v2.BinaryAuthorization(use_default=True)


def _world() -> dict[str, Any]:
    world = lab_world(template={"image": IMAGE, "port": 8080})
    world["projects"][LAB]["services"]["app"]["binaryAuthorization"] = {
        "useDefault": True,
        "breakglassJustification": JUSTIFICATION,
    }
    return world


def test_a_service_under_breakglass_is_drift_and_fix_ends_the_bypass(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    _profile(tmp_path, "      binary_authorization: default\n")
    check = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert check.returncode == 1, check.stdout + check.stderr
    (finding,) = json.loads(check.stdout)["findings"]
    assert finding["actual"] == "default (breakglass)", finding
    assert JUSTIFICATION not in check.stdout
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert updates(sandbox), "the fix wrote nothing"
    held = sandbox.service(LAB, "app").binary_authorization
    assert held.use_default and not held.breakglass_justification, held


def test_init_of_a_service_under_breakglass_writes_a_profile_drift_accepts(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """What is read (`default (breakglass)`) is no value a profile may state: `drift init`
    says it in a comment, as it does a cpu a profile cannot state, and the check that follows
    finds the bypass once the team states the policy."""
    sandbox = make_sandbox(_world())
    (tmp_path / "profiles").mkdir()
    init = _run(
        sandbox, tmp_path, "init", "lab", "--from-live", "--project", LAB, "--region", "us-central1"
    )
    assert init.returncode in (0, 3), init.stdout + init.stderr
    text = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert "# binary_authorization: default (breakglass)" in text, text
    assert JUSTIFICATION not in text
    done = _run(sandbox, tmp_path, "check", "lab", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr
