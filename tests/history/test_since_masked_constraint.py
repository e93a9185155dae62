"""`since` of an `env.constraint` on a plain value shown masked (it looks like a credential):
the revisions hold the plain values, so the comparison runs on the data (masking is for
output only, and no value is put in the words): only a secret's value the check did not read
leaves it unknown (revsincerows F2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import MakeSandbox
from tests.history.cli import profile_folder as _profile
from tests.history.cli import run as _run

CI = "ci@p.iam.gserviceaccount.com"
BOB = "bob@acme.example"


LONG = "Aq7Kp2Lm9Xw4Rt8Yv3Nb6Hc1Ds5Fg0Jk2Pw9Qe4"  # 40: meets min_length 32
SHORT = "Zq7Kp2Lm9Xw4Rt8Yv3Nb6Hc1"  # 24: too short; both masked (SIGNING_KEY, opaque)


def test_a_constraint_on_a_plain_credential_value_gets_its_since(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """SIGNING_KEY is plain in every revision (never read from Secret Manager): revisions 1-2
    hold a long key, Bob's revision 3 a short one, revision 4 keeps it. The revisions hold the
    answer (drift history itself says revision 3 changed it): since app-00003 by Bob, last
    good app-00002 were it not for revision 2's own env.plaintext_secret on the same variable
    (a revision with anything wrong on the target is no good one: said in the note)."""

    def older(value: str, n: int, who: str) -> dict[str, Any]:
        return {
            "env": {"SIGNING_KEY": value},
            "creator": who,
            "client": "gcloud",
            "client_version": "528.0.0",
            "created": f"{10 - n}d",
        }

    service = {
        "template": {"env": {"SIGNING_KEY": SHORT, "Z": "1"}},
        "history": [older(LONG, 1, CI), older(LONG, 2, CI), older(SHORT, 3, BOB)],
    }
    region = {"number": 3, "region": "us-central1", "services": {"app": service}}
    sandbox = make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})
    folder = _profile(
        tmp_path,
        "project: p\nregion: us-central1\nservices:\n  app:\n"
        "    env:\n      SIGNING_KEY: {min_length: 32}\n",
    )
    report = json.loads(_run(sandbox, folder, "check", "lab", "--format", "json").stdout)
    finding = next(f for f in report["findings"] if f["rule"] == "env.constraint")
    assert finding["actual"] == "***"
    since = finding.get("since")
    assert since is not None, finding
    assert since["revision"].startswith("app-00003-") and since["creator"] == BOB, since
    assert since["last_good"] is None, since
    assert "app-00002-" in since["note"] and "env.plaintext_secret" in since["note"], since
    assert LONG not in json.dumps(report) and SHORT not in json.dumps(report)


def test_a_constraint_on_a_secret_an_older_revision_reads_at_an_unread_version_is_bounded(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """SECRET_KEY references `sk` pinned to version 1 (short: the check reads it); revisions 1-2
    referenced version 2, which the check does not read: whether they had the drift is not
    known, so no revision is said to have begun it: `since` is revision 3 "or earlier", with
    no last good (and no value is in the report)."""
    short, long = "short-sk-v1", "long-enough-secret-key-value-version-2-abcdef"

    def older(version: str, n: int) -> dict[str, Any]:
        env = {"SECRET_KEY": {"secret": "sk", "version": version}}
        return {"env": env, "creator": CI, "client": "gcloud", "created": f"{10 - n}d"}

    service = {
        "template": {"env": {"SECRET_KEY": {"secret": "sk", "version": "1"}, "X": "1"}},
        "history": [older("2", 1), older("2", 2), older("1", 3)],
    }
    region = {
        "number": 3,
        "region": "us-central1",
        "services": {"app": service},
        "secrets": {"sk": {"versions": [short, long]}},
    }
    sandbox = make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})
    sandbox.grant(
        "projects/p/secrets/sk",
        "roles/secretmanager.secretAccessor",
        "serviceAccount:3-compute@developer.gserviceaccount.com",
    )
    folder = _profile(
        tmp_path,
        "project: p\nregion: us-central1\nservices:\n  app:\n"
        '    env:\n      SECRET_KEY: {secret: sk, version: "1", min_length: 32}\n',
    )
    report = json.loads(_run(sandbox, folder, "check", "lab", "--format", "json").stdout)
    finding = next(f for f in report["findings"] if f["rule"] == "env.constraint")
    since = finding["since"]
    assert since["revision"].startswith("app-00003-") and since["last_good"] is None, since
    assert since["earlier"] is True and since["unjudged"].startswith("app-00002-"), since
    assert "SECRET_KEY there takes secret sk:2, which this check did not read" in since["note"]
    assert short not in json.dumps(report) and long not in json.dumps(report)
