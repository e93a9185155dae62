"""The secret leak guarantee: every secret in the world holds a recognisable marker, a few
plain variables hold credential-looking values, and none of them appears in any output
format, `--output`/`--sarif` file, the GitHub step summary, the journal (secrets), the logs
at `--verbose`, or the text of any error, across check, probe, plan, fix and rollback (real
processes against the sandbox, including failures whose server message quotes a secret)."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox, default_scenario_path, mint_test_jwt
from tests.cliutil import REPO, drift

PROJECT = "acme-chat-staging"
SECRET_MARK = "leakmark"  # every secret value starts with it: a truncated copy is caught too
PLAIN_MARK = "plainmark"
PLAIN_CREDENTIALS = {
    "STRIPE_API_KEY": f"sk_live_{PLAIN_MARK}0123456789abcdef",
    "CACHE_URL": f"redis://cache:{PLAIN_MARK}pass42@10.24.0.9:6379/0",
    "SESSION_TOKEN": f"{PLAIN_MARK}-session-7d6c5b4a3f2e1d0c",
}
PROFILES = str(REPO / "profiles")


def marked_world() -> tuple[dict[str, Any], dict[tuple[str, int], str]]:
    """The default scenario with every secret value replaced by a marker, and credential-
    looking plain values on api; returns the scenario and the marker of each version."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(default_scenario_path().read_text())
    project = data["projects"][PROJECT]
    markers: dict[tuple[str, int], str] = {}
    for name, secret in project["secrets"].items():
        versions = []
        for number, version in enumerate(secret["versions"], start=1):
            spec = {"value": version} if isinstance(version, str) else copy.deepcopy(version)
            if spec.get("state") != "DESTROYED":
                spec["value"] = f"{SECRET_MARK}-{name}-v{number}-9f3c1d2e8b7a6f5e4d3c2b1a"
                markers[(name, number)] = spec["value"]
            versions.append(spec)
        secret["versions"] = versions
    project["services"]["api"]["template"]["env"].update(PLAIN_CREDENTIALS)
    return dict(data), markers


@dataclass
class Leaks:
    """Every text drift produced, by where it came from."""

    secrets: list[str]
    texts: dict[str, str] = field(default_factory=dict)

    def add(self, where: str, done: subprocess.CompletedProcess[str]) -> None:
        assert "Traceback" not in done.stderr, (where, done.stderr)
        self.texts[f"{where} (stdout)"] = done.stdout
        self.texts[f"{where} (stderr)"] = done.stderr

    def add_files(self, where: str, directory: Path) -> None:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            self.texts[f"{where}: {path.name}"] = path.read_text(errors="replace")

    def found(self, *, plain: bool = True) -> list[str]:
        leaked = []
        for where, text in self.texts.items():
            lowered = text.lower()
            if SECRET_MARK in lowered or any(s in text for s in self.secrets):
                leaked.append(f"secret in {where}")
            if plain and PLAIN_MARK in lowered and "journal" not in where:
                leaked.append(f"plain credential in {where}")
        return leaked


@pytest.fixture(scope="module")
def leak_world() -> Iterator[tuple[Sandbox, dict[tuple[str, int], str]]]:
    data, markers = marked_world()
    with Sandbox(data) as sandbox:
        yield sandbox, markers


def test_no_secret_leaks_anywhere(
    leak_world: tuple[Sandbox, dict[tuple[str, int], str]], tmp_path: Path
) -> None:
    sandbox, markers = leak_world
    token = mint_test_jwt(markers[("jwt-secret-staging", 2)])
    leaks = Leaks([*markers.values(), token])
    summary = tmp_path / "step-summary.md"
    env = {
        **sandbox.environ(),
        "ACME_TEST_JWT": token,
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    out = tmp_path / "out"
    out.mkdir()
    work = tmp_path / "work"  # the journal goes to work/.drift/journal
    work.mkdir()
    # the profiles are the repository's: without this the journal would go beside them
    env["DRIFT_JOURNAL_DIR"] = str(work / ".drift" / "journal")

    def run(where: str, *args: str) -> subprocess.CompletedProcess[str]:
        done = drift(*args, "--verbose", env=env, cwd=work, timeout=120)
        leaks.add(where, done)
        return done

    # every read-only command and format, side by side
    reads: list[tuple[str, ...]] = [
        ("check", "e2e", "--probe", "--format", "table"),
        ("check", "e2e", "--probe", "--format", "json"),
        ("check", "staging", "--format", "github", "--sarif", str(out / "check.sarif")),
        ("check", "staging", "--format", "markdown", "--output", str(out / "check.md")),
        ("check", "staging", "--format", "sarif", "--output", str(out / "out.sarif")),
    ]
    reads.extend(("probe", "e2e", "--format", fmt) for fmt in ("table", "json"))
    reads.extend(("plan", "e2e", "--format", fmt) for fmt in ("table", "json", "gcloud", "yaml"))
    reads.append(("fix", "e2e", "--dry-run"))
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda a: run(" ".join(a), *a, "--profiles", PROFILES), reads))
    assert [d.returncode for d in done[:5]] == [1] * 5, done[0].stderr
    report = json.loads(done[1].stdout)
    assert report["probes"] and report["findings"]  # the run really read and probed
    assert any(f["target"] == "env.STRIPE_API_KEY" for f in report["findings"])

    # errors whose server message quotes a secret value drift has read
    key = markers[("secret-key-staging", 3)]
    sandbox.inject(Fault("GetIamPolicy", "PERMISSION_DENIED", message=f"denied: {key}"))
    failed = run("check, quoting error", "check", "staging", "-f", "json", "--profiles", PROFILES)
    assert failed.returncode == 1 and "denied: ***" in failed.stdout
    sandbox.clear_faults()
    sandbox.inject(Fault("UpdateService", "PERMISSION_DENIED", message=f"no: {key}"))
    # api: its check reads the value (min_length), so drift knows it is a secret
    refused = run("fix refused", "fix", "e2e", "--yes", "--service", "api", "--profiles", PROFILES)
    # an abort is an answer, printed with the result (the server's message scrubbed)
    assert refused.returncode == 4 and "PERMISSION_DENIED: no: ***" in refused.stdout
    sandbox.clear_faults()

    # a fix that goes through, then its rollback
    fixed = run("fix", "fix", "e2e", "--yes", "--profiles", PROFILES)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    rolled = run("rollback", "rollback", "--yes")
    assert rolled.returncode == 0, rolled.stderr
    listed = run("rollback --list", "rollback", "--list")
    assert listed.returncode == 0

    leaks.add_files("output file", out)
    leaks.texts["step summary"] = summary.read_text()
    journal = work / ".drift" / "journal"
    assert len(list(journal.glob("*.json"))) == 4  # fix refused + fix of three services
    leaks.add_files("journal", journal)
    assert leaks.found() == []
    # the step summary and the logs are really there
    assert "drift" in leaks.texts["step summary"]
    assert "GetService" in leaks.texts["fix (stderr)"]  # --verbose logs the calls
