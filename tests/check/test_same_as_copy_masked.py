"""helper-835 F1 (failed before): a `same_as` between two variables holding the very same
secret version compares the references and needs no value, so `check` read none, and a plain
variable holding a copy of that value (`MODE`), or the password of a URL secret (`PW`), was
shown as it is in every format and in the baseline file (`--json FILE`), where `drift history`
reads it and masks it. `check` reads a `same_as`'s own side as history does (once a version,
`drift.live.reads.same_as_own`); a refusal is nobody's finding but one note's (SPEC Safety
invariant 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.reliability.conftest import call_resource

ACCOUNT = "api@acme-prod.iam.gserviceaccount.com"
COPIED = "Zq9-HiddenSharedPayload42"
PASSWORD = "Hq4Zr8Lw2Nb7Tk5Vx"
URL = f"postgresql://app:{PASSWORD}@10.24.0.5:5432/app"
SIDES = "A: {secret: s1, same_as: web.A}, D: {secret: s2, same_as: web.D}"
PROFILE = (
    "project: acme-prod\nregion: us-central1\nservices:\n"
    f"  api: {{env: {{{SIDES}, MODE: dev, PW: x}}}}\n"
    "  web: {env: {A: {secret: s1}, D: {secret: s2}}}\n"
)
FORMATS = ["table", "json", "sarif", "github", "markdown"]


def _world(make_sandbox: MakeSandbox, refused: bool) -> Sandbox:
    refs = {"A": {"secret": "s1"}, "D": {"secret": "s2"}}
    api = {
        "template": {"service_account": ACCOUNT, "env": {**refs, "MODE": COPIED, "PW": PASSWORD}}
    }
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    secrets = {"s1": {"versions": [COPIED], "iam": grant}, "s2": {"versions": [URL], "iam": grant}}
    services = {"api": api, "web": {"template": {"service_account": ACCOUNT, "env": refs}}}
    project = {"number": 111, "secrets": secrets, "services": services}
    sandbox: Sandbox = make_sandbox({"projects": {"acme-prod": project}})
    if refused:
        sandbox.inject(Fault(method="AccessSecretVersion", code="PERMISSION_DENIED"))
    return sandbox


def _check(sandbox: Sandbox, tmp_path: Path, fmt: str, *more: str) -> str:
    (tmp_path / "prod.yaml").write_text(PROFILE)
    args = ("check", "prod", "--profiles", str(tmp_path), "-f", fmt, *more)
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)
    assert "Traceback" not in done.stderr and done.returncode == 1, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_copy_of_a_same_as_value_is_masked_in_every_format_and_the_baseline(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    sandbox = _world(make_sandbox, refused=False)
    out = _check(sandbox, tmp_path, fmt, "--json", str(tmp_path / "base.json"))
    written = (tmp_path / "base.json").read_text()
    for value in (COPIED, PASSWORD):
        assert value not in out and value not in written, out
    targets = {f["target"] for f in json.loads(written)["findings"]}
    assert {"env.MODE", "env.PW"} <= targets  # still reported, masked
    reads = sorted(call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion")
    assert len(reads) == 2 and "could not read" not in out, reads  # once each version


def test_a_refused_read_is_one_note_and_no_finding(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    report = json.loads(_check(_world(make_sandbox, refused=True), tmp_path, "json"))
    notes = [n for n in report["notes"] if n.startswith("could not read")]
    assert len(notes) == 1 and "s1" in notes[0] and "s2" in notes[0], report["notes"]
    assert report["unverified"] == [] and report["exit_code"] == 1
    assert sorted(f["target"] for f in report["findings"]) == ["env.MODE", "env.PW"]
