"""A plain variable holding a live Slack hook is registered as a secret (its token: drift/live/
remember.py); the plan `drift fix` shows is drift's own rendering, each value masked where it
is shown (`mask_plain`), as `drift plan` prints it: neither the profile's new URL nor the rest
of the live hook is hidden because it starts with the hook's `https://` (fixleft80a,
"Noticed, out of scope")."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

TOKEN = "Zq8Xv2Lm4Np6Rt1Yw3Kb5Hc7"
HOOK = f"https://hooks.slack.com:443/services/T0AB12CD3/B0EF45GH6/{TOKEN}"
WORLD = {
    "options": {"seed": 13},
    "projects": {
        "lk": {
            "number": 700000000007,
            "region": "us-central1",
            "services": {"api": {"template": {"env": {"ALERT_HOOK": HOOK}}}},
        }
    },
}
IDS_ONLY = HOOK.removesuffix(f"/{TOKEN}")
"""The hook without its token: no credential (tests/test_credentials_in_urls.py), shown whole
by `drift plan`, and by the plan `drift fix` shows, though a server's text that echoed it
would be masked (`redact.FRAGMENT_MIN`: it is the start of the live hook)."""


@pytest.mark.parametrize("new", ["https://example.com/x", IDS_ONLY])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_fix_plan_shows_a_new_url_whole_beside_a_live_hook(
    reseedable: Sandbox, tmp_path: Path, fmt: str, new: str
) -> None:
    reseedable.reset(WORLD)
    (tmp_path / "lk.yaml").write_text(
        f"project: lk\nregion: us-central1\nservices:\n  api: {{env: {{ALERT_HOOK: {new}}}}}\n"
    )
    env = {**reseedable.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    args = ("fix", "lk", "--dry-run", "--format", fmt, "--profiles", str(tmp_path))
    done = drift(*args, env=env, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert TOKEN not in said
    (line,) = [x for x in said.splitlines() if "set_value" in x and "ALERT_HOOK" in x]
    shown = HOOK.replace(TOKEN, "***")
    assert line.split() == ["set_value", "ALERT_HOOK", shown, "->", new]
