"""A finding's `tag` is masked on the data with its message (helper-573 F1): a tag named by a
secret value drift read, one word of letters and `-` (which the scrub after rendering passes
over), was printed whole in `check --format json` and `sarif` while the table said `tag ***`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

WORD = "correct-horse-battery-staple"
ACCOUNT = "api@p1.iam.gserviceaccount.com"
PROFILE = """project: p1
region: us-central1
services:
  api:
    env:
      PASSPHRASE: {secret: pass-phrase, min_length: 40}
"""


def _world() -> dict[str, Any]:
    secret = {
        "versions": [WORD],
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
    }
    service = {
        "template": {
            "service_account": ACCOUNT,
            "env": {"PASSPHRASE": {"secret": "pass-phrase"}},
        },
        "history": [{"env": {"PASSPHRASE": {"secret": "pass-phrase"}, "X": "1"}}],
        "traffic": [{"latest": True, "percent": 100}, {"revision": 1, "tag": WORD}],
    }
    return {"options": {"seed": 7}, "projects": {"p1": {
        "number": 123456789012, "region": "us-central1",
        "secrets": {"pass-phrase": secret}, "services": {"api": service},
    }}}  # fmt: skip


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "markdown", "table"])
def test_a_tag_named_by_a_secret_is_never_shown(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    with Sandbox(_world()) as sb:
        done = drift("check", "prod", "-f", fmt, "--no-history", env=sb.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "***" in done.stdout and WORD not in done.stdout + done.stderr, done.stdout
