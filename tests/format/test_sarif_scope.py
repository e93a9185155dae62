"""The SARIF of a run that checked less than the profile (`--service`, a manifest) is an
analysis of its own code-scanning category: GitHub closes the open alerts of a category
whose results its newest analysis lacks (sarif-support-for-code-scanning,
`runAutomationDetails`), so sharing the full live run's category closed the alerts of all
it did not check. The category is stable across runs of the same scope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox, mint_test_jwt
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox
PROJECT = "acme-chat-staging"


def sarif_run(sandbox: Sandbox, *args: str) -> tuple[int, dict[str, Any]]:
    done = drift("check", "staging", *args, "--format", "sarif", env=sandbox.environ())
    assert done.returncode in (0, 1, 3), done.stderr
    run: dict[str, Any] = json.loads(done.stdout)["runs"][0]
    return done.returncode, run


def services(run: dict[str, Any]) -> set[str]:
    return {r["properties"]["service"] for r in run["results"]}


def test_a_partial_run_is_a_category_of_its_own(sandbox: Sandbox, tmp_path: Path) -> None:
    _, full = sarif_run(sandbox)
    _, api = sarif_run(sandbox, "--service", "api")
    _, again = sarif_run(sandbox, "--service", "api")
    _, both = sarif_run(sandbox, "--service", "web", "--service", "api")
    manifest = tmp_path / "api.yaml"
    planned = drift(
        "plan", "staging", "--service", "api", "--format", "yaml", env=sandbox.environ()
    )
    manifest.write_text(planned.stdout)
    code, gate = sarif_run(sandbox, "--manifest", str(manifest))
    assert code == 0 and not gate["results"]

    assert full["automationDetails"] == {"id": "drift/staging/"}
    assert {"api", "web"} <= services(full)
    ids = [run["automationDetails"]["id"] for run in (full, api, both, gate)]
    assert len(set(ids)) == 4  # none closes another's alerts
    assert ids[1:] == [
        "drift/staging/service=api/",
        "drift/staging/service=api,web/",
        "drift/staging/manifest/service=api/",
    ]
    assert again["automationDetails"] == api["automationDetails"]  # stable
    assert "not all of it" in api["automationDetails"]["description"]["text"]
    # it read all it was asked to: a success, in its own category
    assert api["invocations"][0]["executionSuccessful"] is True
    assert services(api) == {"api"}


def test_a_partial_run_carries_forward_only_what_it_covers(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Compared with a full baseline, a `--service api` run keeps web's findings in its JSON
    report (still known), but not as results of its own category: there they would open
    alerts the full run's category already has."""
    baseline = tmp_path / "full.json"
    done = drift("check", "staging", "--json", str(baseline), "--quiet", env=sandbox.environ())
    assert done.returncode == 1, done.stderr
    report = tmp_path / "api.json"
    code, api = sarif_run(
        sandbox, "--service", "api", "--baseline", str(baseline), "--json", str(report)
    )
    assert code == 1
    unchecked = json.loads(report.read_text())["unchecked"]
    assert {u["finding"]["service"] for u in unchecked} == {"web"}
    assert services(api) == {"api"}
    assert not [r for r in api["results"] if "notCheckedAgain" in r["properties"]]


def test_probes_are_an_analysis_of_their_own(sandbox: Sandbox, tmp_path: Path) -> None:
    """helper-603 F2: `check` and `check --probe` shared a category, so a check without the
    probe closed the 1011's alert as fixed and the next probed run opened it again; and
    `drift probe` raised a second alert for the same failed handshake."""
    env = {
        **sandbox.environ(),
        "ACME_TEST_JWT": mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging")),
    }

    def log(*args: str) -> tuple[int, list[dict[str, Any]]]:
        done = drift(*args, "--format", "sarif", env=env)
        assert done.returncode in (1, 3), done.stderr
        runs: list[dict[str, Any]] = json.loads(done.stdout)["runs"]
        return done.returncode, runs

    def rules(run: dict[str, Any]) -> set[str]:
        return {r["ruleId"] for r in run["results"]}

    baseline = tmp_path / "probed.json"
    _, probed = log("check", "e2e", "--probe", "--json", str(baseline))
    _, plain = log("check", "e2e")
    _, alone = log("probe", "e2e")
    _, since = log("check", "e2e", "--baseline", str(baseline))

    config, probes = probed
    assert config["automationDetails"]["id"] == "drift/e2e/"
    assert probes["automationDetails"]["id"] == "drift/e2e/probe/"
    assert "probe.close_1011" in rules(probes)
    assert all(r.startswith("probe.") for r in rules(probes))
    assert not [r for r in rules(config) if r.startswith("probe.")]
    # the configuration's results are the same with or without the probe
    assert [run["automationDetails"]["id"] for run in plain] == ["drift/e2e/"]
    assert rules(plain[0]) == rules(config)
    # `drift probe` is the same analysis: the same category, the same alerts
    [run] = alone
    assert run["automationDetails"]["id"] == probes["automationDetails"]["id"]

    def prints(run: dict[str, Any]) -> set[str]:
        return {r["partialFingerprints"]["driftFindingId/v1"] for r in run["results"]}

    assert prints(run) == prints(probes)
    # a check without the probe, against a probed baseline, carries no probe result into the
    # configuration's category (the probe's category is left as it is)
    assert [r["automationDetails"]["id"] for r in since] == ["drift/e2e/"]
    assert not [r for r in rules(since[0]) if r.startswith("probe.")]
