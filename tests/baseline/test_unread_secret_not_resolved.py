"""A baseline finding on a secret this run could not read is not resolved (revbaseline2 F1)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import MakeSandbox
from tests.oldstate import check_json, secret_world, write_profile


def test_a_baseline_finding_on_a_secret_whose_read_is_refused_is_not_resolved(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Was wrong (3525eff): the finding's target is `secret.k`, the unverified item of the
    same refused read stayed `secret.5/k` (`secret.{ref.key}`), so `_not_checked_again`
    (drift/baseline.py) did not see that the secret was not read: listed resolved, and
    dropped from SARIF, whose code scanning then closes the alert as fixed (README: "A
    finding counts as resolved only where this run looked again … its target verified")."""
    write_profile(tmp_path)
    before, _ = check_json(tmp_path, make_sandbox(secret_world()).environ())
    assert any(f["target"] == "secret.k" for f in before["findings"]), before["findings"]
    (tmp_path / "base.json").write_text(json.dumps(before))
    refused = [{"method": "GetSecretVersion", "code": "PERMISSION_DENIED", "match": "secrets/k"}]
    env = make_sandbox(secret_world(faults=refused)).environ()
    report, _ = check_json(tmp_path, env, "--baseline", "base.json")
    assert [u["reason"][:16] for u in report["unverified"]] == ["GetSecretVersion"]
    resolved = [f["target"] for f in report["resolved"]]
    assert resolved == [], (resolved, report["unverified"])
