"""helper-781 C1 (failed before): a value `check` reads only to mask it (a variable the
profile expects from Secret Manager set as a plain value: the secret pasted in,
`SecretReads.read_pasted`) whose read is refused left a plain copy or a part of it shown as it
is, and nothing said so. One note names each version not read and the call's answer; no
finding, no unverified item, the exit code the findings give, as `compare --live` says it
(SPEC Safety invariant 1: what drift could not mask is never shown unsaid)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNT = "api@acme-prod.iam.gserviceaccount.com"
VALUE = "Xq7Lm2Rk9Wz4Tn8Vb3Hc6Yp1"
NOTE = (
    "could not read the value of projects/acme-prod/secrets/dotenv/versions/latest "
    "(AccessSecretVersion: PERMISSION_DENIED): a plain variable holding a copy or a part of "
    "one is shown as Cloud Run shows it"
)


def _check(make_sandbox: MakeSandbox, tmp_path: Path, refused: bool, fmt: str) -> str:
    env = {"DOTENV": VALUE, "START": VALUE[:12]}  # the secret pasted in, and its start
    service = {"template": {"service_account": ACCOUNT, "env": env}}
    secrets = {"dotenv": {"versions": [VALUE]}}
    project = {"number": 111, "secrets": secrets, "services": {"api": service}}
    sandbox: Sandbox = make_sandbox({"projects": {"acme-prod": project}})
    if refused:
        sandbox.inject(Fault(method="AccessSecretVersion", code="PERMISSION_DENIED"))
    (tmp_path / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      DOTENV: {secret: dotenv}\n      START: y\n"
    )
    done = drift(
        "check", "prod", "--profiles", str(tmp_path), "-f", fmt, env=sandbox.environ(), cwd=tmp_path
    )
    assert "Traceback" not in done.stderr and done.returncode == 1, done.stdout + done.stderr
    assert [c.code for c in sandbox.calls if c.short == "AccessSecretVersion"] == [
        "PERMISSION_DENIED" if refused else "OK"
    ]
    return done.stdout


def test_a_refused_read_of_a_value_pasted_in_is_said_in_a_note(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    report = json.loads(_check(make_sandbox, tmp_path, True, "json"))
    assert [n for n in report["notes"] if n.startswith("could not read")] == [NOTE]
    assert report["unverified"] == [] and report["exit_code"] == 1
    assert sorted(f["target"] for f in report["findings"]) == ["env.DOTENV", "env.START"]
    assert f"note: {NOTE}" in _check(make_sandbox, tmp_path, True, "table").splitlines()


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_value_read_is_no_note(make_sandbox: MakeSandbox, tmp_path: Path, fmt: str) -> None:
    assert "could not read" not in _check(make_sandbox, tmp_path, False, fmt)
