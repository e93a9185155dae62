"""A baseline written by an older drift (8f08d3b, before 3525eff and a023d56) compared by this
one: a finding whose name changed with the upgrade is the same drift, not new and resolved
(revbaseline2 F3, F5)."""

from __future__ import annotations

import json
from pathlib import Path

from drift.findings import finding_id
from tests.conftest import MakeSandbox
from tests.oldstate import as_8f08d3b_wrote_it, check_json, secret_world, write_profile


def test_a_secret_finding_named_by_project_number_in_an_older_baseline_is_unchanged(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Was wrong: the older drift named the finding of a `projects/5/secrets/k` reference
    `secret.5/k` (its id from that); this one names it `secret.k`. The same DISABLED version
    read again was `[new]` (so `--fail-on-new` failed the upgrade's first run) and the same
    drift listed "resolved". The baseline's secret targets are now read as this drift names
    them (the project number through what the run learnt), the id recomputed, and one note
    says so."""
    env = make_sandbox(secret_world()).environ()
    write_profile(tmp_path)
    now, _ = check_json(tmp_path, env)
    (tmp_path / "old.json").write_text(json.dumps(as_8f08d3b_wrote_it(now)))
    report, code = check_json(tmp_path, env, "--baseline", "old.json", "--fail-on-new")
    new = [(f["rule"], f["target"]) for f in report["findings"] if f["baseline"] == "new"]
    resolved = [(f["rule"], f["target"]) for f in report["resolved"]]
    assert (new, resolved, code) == ([], [], 0), (new, resolved, report["notes"])
    assert any("secret.5/k → secret.k" in n for n in report["notes"]), report["notes"]


def test_an_older_tag_finding_of_a_setting_the_service_holds_is_not_resolved_while_it_holds(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Was wrong: a023d56 made a setting the service holds (`Service.ingress`) one finding for
    the service; the older drift gave it one more for a tag at 0 % (id of
    `setting.ingress~e2e`). With the ingress still `all` on the tag's URL, that finding was
    listed "Resolved since the baseline" (and SARIF dropped it). It is part of the service's
    finding: not resolved (README: "`resolved` lists the findings of the baseline that are
    gone"), and a note says so."""
    template = {"image": "us-docker.pkg.dev/p-acme/r/api:1", "env": {"MODE": "live"}}
    service = {
        "ingress": "all",
        "template": template,
        "history": [{"name": "api-00001-old"}],
        "traffic": [
            {"latest": True, "percent": 100},
            {"revision": "api-00001-old", "percent": 0, "tag": "e2e"},
        ],
    }
    world = {"projects": {"p-acme": {"number": 5, "services": {"api": service}}}}
    env = make_sandbox(world).environ()
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p-acme\nregion: us-central1\nservices:\n  api:\n"
        "    settings: {ingress: internal}\n"
    )
    now, _ = check_json(tmp_path, env)
    [ingress] = [f for f in now["findings"] if f["target"] == "setting.ingress"]
    tagged = {
        **ingress,
        "id": finding_id("prod", "api", "setting.value", "setting.ingress~e2e"),
        "revision": "api-00001-old",
        "tag": "e2e",
        "message": "ingress on api-00001-old (tag e2e) is all, the profile says internal",
    }
    now["findings"].append(tagged)  # as 8f08d3b wrote it
    (tmp_path / "old.json").write_text(json.dumps(now))
    report, _ = check_json(tmp_path, env, "--baseline", "old.json", "--fail-on-new")
    assert [f["message"] for f in report["resolved"]] == [], report["resolved"]
    assert any("(`~TAG`)" in n for n in report["notes"]), report["notes"]
