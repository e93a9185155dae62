"""A plain variable holding the very value of the secret the profile says it should reference
(someone pasted the secret in): `drift fix` turns it into the reference, and the journal it
writes first must not hold the pasted value (SPEC safety invariant 1). drift reads that
version's value when it may (`drift.live.reads.pasted`), so the entry records the version
instead (`drift.fix.withheld`), and a rollback restores the exact text by reading it again;
it was journaled whole, for a job, a worker pool and a service alike (helper-543 F1). A read
that fails is nobody's finding: the check's verdict is what it was."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.format.json import report_document
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from drift.settings import load_settings
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here, rollback

PASTED = "pg-Pw_7hQ2x!vN9zK4mR"
ACCOUNT = f"runner@{LAB}.iam.gserviceaccount.com"
KINDS = {"services": "service", "jobs": "job", "worker_pools": "worker pool"}


def _world(kind: str) -> dict[str, Any]:
    reader = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    template: dict[str, Any] = {
        "image": "us-docker.pkg.dev/lab/app:v1",
        "service_account": ACCOUNT,
        "env": {"MODE": "live", "DB_PASS": PASTED},
    }
    if kind == "services":
        template["port"] = 8080
    return {
        "options": {"seed": 5},
        "projects": {
            LAB: {
                "number": 555000111333,
                "region": "us-central1",
                "secrets": {"db-pass": {"versions": ["old-value", PASTED], "iam": reader}},
                kind: {"app": {"template": template}},
            }
        },
    }


def _profile(kind: str) -> str:
    return (
        f"project: {LAB}\nregion: us-central1\n{kind}:\n  app:\n    env:\n"
        "      MODE: live\n      DB_PASS: {secret: db-pass}\n"
    )


def _plain(sandbox: Sandbox, kind: str) -> dict[str, str]:
    if kind == "services":
        template = sandbox.service(LAB, "app").template
    elif kind == "jobs":
        template = sandbox.job(LAB, "app").template.template
    else:
        template = sandbox.worker_pool(LAB, "app").template
    return {v.name: v.value for v in template.containers[0].env if v.value}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_pasted_secret_is_journaled_by_its_version_and_rolled_back_exactly(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    reseedable.reset(_world(kind))
    folder = lab_here(reseedable, tmp_path, monkeypatch, _profile(kind))
    ui = ScriptedUI()
    done = fix(tmp_path, reseedable.environ(), ui, FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert "DB_PASS" not in _plain(reseedable, kind)  # now the reference
    files = [f for f in (tmp_path / ".drift").rglob("*") if f.is_file()]
    assert files
    assert PASTED.encode() not in b"".join(f.read_bytes() for f in files)
    assert PASTED not in "\n".join(ui.said) + done.summary()
    (entry,) = entries(tmp_path)
    versions = {p["version"] for r in entry.withheld for p in r["pieces"] if isinstance(p, dict)}
    assert versions == {"projects/555000111333/secrets/db-pass/versions/2"}
    assert rollback(tmp_path).exit_code is ExitCode.OK
    assert _plain(reseedable, kind)["DB_PASS"] == PASTED


def test_a_pasted_value_drift_may_not_read_leaves_the_verdict_as_it_was(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No access to the value (the caller may read the secret's state, not its payload): the
    check still reports the plain variable, and nothing is unverified for it."""
    reseedable.reset(_world("services"))
    folder = lab_here(reseedable, tmp_path, monkeypatch, _profile("services"))
    reseedable.inject(Fault("AccessSecretVersion", "PERMISSION_DENIED"))
    reseedable.clear_calls()
    done = asyncio.run(run_check(load_profile(folder, "lab"), load_settings()))
    reads = [c.short for c in reseedable.calls if c.short == "AccessSecretVersion"]
    assert reads == ["AccessSecretVersion"]
    report = done.report
    assert report.exit_code is ExitCode.DRIFT, report_document(report)
    assert not report.unverified
    assert [f.rule for f in report.findings] == ["env.plaintext_secret"], report_document(report)
    assert PASTED not in json.dumps(report_document(report))
