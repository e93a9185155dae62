"""helper-646 F1 and F2: a plain variable holding a secret payload's base64 wrapped in lines (as
`base64 key.json` prints it, 76 columns), or one piece of a structured payload (a database URL's
password, decoded; a service account key's `private_key_id`; a line of its private key), was
shown whole by `check` in every format, written into the profile `init --from-live` writes,
and into the journal of `drift fix`. Each is masked, never copied by init, withheld from the
journal by its version and form (`piece/NAME`, `base64-wrap76`), and a rollback puts the exact
value back."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    app_run_as,
    init_copy_withheld,
    one_project,
    reading,
    rolled_back_to,
    warned_app,
)

LAB = "lab-pieces"
PASSWORD = "Hq7#Zr2Kc9dPm4W"
URL = f"postgresql://app:{PASSWORD.replace('#', '%23')}@10.0.0.5:5432/app?token=Tn3fJd6Ls1Yv5gXb"
KEY_ID = "7c2e9a4b1d8f3e6a0c5b9d2e7f1a4c8b3d6e9f0a"
PEM_LINE = "3Kd7Fh2Gp9Nc5Xv1Bm6Qw8Er4Ty0Ui3Op7As2Df5Gh8Jk1Lz4Xc7Vb0Nm3Qw6Er9T"
PRIVATE = f"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n{PEM_LINE}\n"
PRIVATE += "-----END PRIVATE KEY-----\n"
KEY = json.dumps(
    {
        "type": "service_account",
        "project_id": LAB,
        "private_key_id": KEY_ID,
        "private_key": PRIVATE,
        "client_email": f"firebase@{LAB}.iam.gserviceaccount.com",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/firebase-2024",
        "token_uri": "https://oauth2.googleapis.com/token",
    },
    indent=2,
)
_B64 = base64.b64encode(KEY.encode()).decode()
WRAPPED = "\n".join(_B64[i : i + 76] for i in range(0, len(_B64), 76))  # `base64 key.json`
COPIES = {
    "FIREBASE_SERVICE_ACCOUNT": WRAPPED,
    "REPLICA_SUFFIX": PASSWORD,
    "REPLICA_QUERY": "Tn3fJd6Ls1Yv5gXb",
    "FIREBASE_SA_CRLF": WRAPPED.replace("\n", "\r\n"),  # helper-656 HIGH-3
    "FIREBASE_KEY_ID": KEY_ID,
    "KEY_LINE": PEM_LINE,
}
SECRETS = (*COPIES.values(), *WRAPPED.splitlines(), KEY, URL)
SHOWN = {  # ordinary fields of the key, copied as plain values: no secret (helper-656 HIGH-1)
    "CERT_URL": "https://www.googleapis.com/robot/v1/metadata/x509/firebase-2024",
    "SA_TYPE": "service_account",
}
ACCOUNT = f"api@{LAB}.iam.gserviceaccount.com"
PROFILE = (
    warned_app(LAB) + "      FIREBASE_SA: {secret: firebase-sa, min_length: 100}\n"
    '      DATABASE_URL: {secret: database-url, pattern: "^postgresql://"}\n'
)


def _world() -> dict[str, Any]:
    reader = reading(ACCOUNT)
    env: dict[str, Any] = {
        "MODE": "old",
        "FIREBASE_SA": {"secret": "firebase-sa"},
        "DATABASE_URL": {"secret": "database-url"},
        **COPIES,
        **SHOWN,
    }
    secrets = {
        "firebase-sa": {"versions": [KEY], "iam": reader},
        "database-url": {"versions": [URL], "iam": reader},
    }
    return one_project(app_run_as(ACCOUNT, env), secrets=secrets, project=LAB, number=555000111333)


def _leaks(text: str) -> list[str]:
    return [s[:12] for s in SECRETS if s in text or s.replace("\n", "\\n") in text]


def test_pieces_and_wrapped_base64_are_masked_withheld_and_restored(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    profile = ("lab", PROFILE)
    for fmt in ("table", "json", "github", "sarif", "markdown"):
        done = drift_on(sandbox, tmp_path, profile, "check", "lab", "--format", fmt)
        out = done.stdout + done.stderr
        assert done.returncode == 1 and "Traceback" not in out, out
        assert not _leaks(out), (fmt, _leaks(out))
    assert "FIREBASE_KEY_ID" in done.stdout  # the finding is there, its value masked
    assert all(value in done.stdout for value in SHOWN.values()), done.stdout
    planned = drift_on(sandbox, tmp_path, profile, "plan", "lab", "--format", "yaml")
    assert not _leaks(planned.stdout + planned.stderr), _leaks(planned.stdout)
    written = init_copy_withheld(sandbox, tmp_path, profile, _leaks, LAB)
    assert all(f"{name}: {value}" in written for name, value in SHOWN.items()), written
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert not _leaks(fixed.stdout + fixed.stderr)
    (journal,) = (tmp_path / ".drift" / "journal").glob("*.json")
    text = journal.read_text()
    data = json.loads(text)
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    # the `_pb` fields are base64: a shown value (CERT_URL) can repeat a line of the key's
    # base64 there by alignment alone; they are searched decoded (`held`)
    readable = json.dumps({k: v for k, v in data.items() if not k.endswith("_pb")})
    assert not _leaks(readable) and not [s for s in SECRETS if s.encode() in held], _leaks(text)
    rolled_back_to(sandbox, tmp_path, profile, LAB, COPIES)


def test_rollback_names_its_project_though_a_secret_begins_with_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-646 O2: a payload that begins with the project's id (read again by the rollback,
    to restore a plain copy the journal withheld) made the rollback's lines say `project ***`
    and `…/***/app…`: the journal's project, region and workload were not taken for names
    drift prints, as a profile's are."""
    value = f"{LAB}-XyZ9q7Lm2PwK4s-us-central1-app"
    world = _world()
    project = world["projects"][LAB]
    project["secrets"]["s-public"] = {
        "versions": [value],
        "iam": project["secrets"]["firebase-sa"]["iam"],
    }
    env = project["services"]["app"]["template"]["env"]
    env.update({"PUBLIC": {"secret": "s-public"}, "PUBLIC_COPY": value})
    sandbox = make_sandbox(world)
    profile = ("lab", PROFILE + "      PUBLIC: {secret: s-public, min_length: 8}\n")
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 0, said
    assert f"(project {LAB}, region us-central1)" in said, said
    assert "project ***" not in said and value not in said, said
    restored = {v.name: v.value for v in sandbox.service(LAB, "app").template.containers[0].env}
    assert restored["PUBLIC_COPY"] == value
