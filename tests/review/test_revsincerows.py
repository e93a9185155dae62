"""revsincerows (review, session 2026-11-30i): catalogue rows, env vars and secrets through
`since`, `drift history` and baselines. These tests show bugs on main: they are expected to
FAIL until drift is fixed. Harness and logs: /work/notes/repro/revsincerows/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox

CI = "ci@p.iam.gserviceaccount.com"
BOB = "bob@acme.example"
CAROL = "carol@acme.example"


def _run(sandbox: Sandbox, folder: Path, *args: str) -> Any:
    done = drift(*args, env={**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}, cwd=folder)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _profile(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(text)
    return folder


# -- F1: an older revision judged with today's service-level min/max ------------------------


@pytest.mark.parametrize(
    ("row", "good", "field", "revision_value", "service_value"),
    [
        ("min_instances", 0, "min_instance_count", 2, 1),
        ("max_instances", 100, "max_instance_count", 3, 5),
    ],
)
def test_since_does_not_blame_the_first_revision_for_todays_service_level_bound(
    tmp_path: Path,
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    row: str,
    good: int,
    field: str,
    revision_value: int,
    service_value: int,
) -> None:
    """Revisions 1-4 (CI, Terraform) never set a bound. Bob's gcloud deploy (revision 5) sets
    the revision-level bound; then Carol sets the service-level one (`gcloud run services update
    --min/--max`: no revision). The drift on revision 5 began with revision 5 (last good 4),
    or drift cannot tell: it must not be "since app-00001 … no revision listed without it",
    and `drift history` must not say revision 5 changed the bound from a value revision 4 never
    had (the service-level value of today, read into every older revision)."""
    history = [
        {"env": {"X": str(n)}, "creator": CI, "client": "terraform", "created": f"{10 - n}d"}
        for n in (1, 2, 3)
    ]
    service = {"template": {"env": {"X": "4"}}, "history": history}
    region = {"number": 3, "region": "us-central1", "services": {"app": service}}
    sandbox = make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})
    services = clients_for(sandbox).services
    name = "projects/p/locations/us-central1/services/app"
    sandbox.act_as(BOB)
    live = services.get_service(name=name)
    setattr(live.template.scaling, field, revision_value)
    live.client, live.client_version = "gcloud", "528.0.0"
    services.update_service(service=live).result(timeout=20)
    sandbox.act_as(CAROL)
    live = services.get_service(name=name)
    setattr(live.scaling, field, service_value)
    services.update_service(service=live).result(timeout=20)
    folder = _profile(
        tmp_path,
        f"project: p\nregion: us-central1\nservices:\n  app:\n    settings:\n      {row}: {good}\n",
    )
    report = json.loads(_run(sandbox, folder, "check", "lab", "--format", "json").stdout)
    (finding,) = report["findings"]
    since = finding.get("since")
    assert since is None or (
        since["revision"].startswith("app-00005-") and since["creator"] == BOB
    ), since
    shown = _run(sandbox, folder, "history", "lab", "--format", "json").stdout
    revisions = json.loads(shown)["services"][0]["revisions"]
    bob = next(r for r in revisions if r["revision"].startswith("app-00005-"))
    changed = [c for c in bob["changes"] if c["target"] == f"setting.{row}"]
    # revision 4 had no bound of its own: "before" is never today's service-level value
    assert all(c["before"] != str(service_value) for c in changed), changed


# -- F2: env.constraint on a plain value that looks like a credential: no since ------------

LONG = "Aq7Kp2Lm9Xw4Rt8Yv3Nb6Hc1Ds5Fg0Jk2Pw9Qe4"  # 40: meets min_length 32
SHORT = "Zq7Kp2Lm9Xw4Rt8Yv3Nb6Hc1"  # 24: too short; both masked (SIGNING_KEY, opaque)


def test_a_constraint_on_a_plain_credential_value_gets_its_since(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """SIGNING_KEY is plain in every revision (never read from Secret Manager): revisions 1-2
    hold a long key, Bob's revision 3 a short one, revision 4 keeps it. The revisions hold the
    answer (drift history itself says revision 3 changed it): since app-00003 by Bob, last
    good app-00002. drift/diff/since.py:112 takes every masked constraint for a secret's
    value it did not read and gives no since, and no note says why."""

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
    assert since["last_good"].startswith("app-00002-"), since
