"""`compare --live` of two deployments whose references both name a third project by number
asks GetProject for it once (helper-633 F6): a project is the run's, not a side's, whichever
of the reads names it first. Each side's own calls are still its own."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNTS = [
    "serviceAccount:api@shop-staging.iam.gserviceaccount.com",
    "serviceAccount:api@shop-prod.iam.gserviceaccount.com",
]


def _service(project: str, version: str) -> dict[str, Any]:
    ref = {"secret": "projects/900000000009/secrets/jwt", "version": version}
    return {
        "api": {
            "template": {
                "service_account": f"api@{project}.iam.gserviceaccount.com",
                "env": {"JWT": ref, "MODE": project},
            }
        }
    }


WORLD = {
    "projects": {
        "vault": {
            "number": 900000000009,
            "secrets": {
                "jwt": {
                    "versions": ["fake-v1-aa", "fake-v2-bb"],
                    "iam": {"roles/secretmanager.secretAccessor": ACCOUNTS},
                }
            },
        },
        "shop-staging": {"number": 300000000001, "services": _service("shop-staging", "1")},
        "shop-prod": {"number": 300000000002, "services": _service("shop-prod", "2")},
    }
}


def _compare(tmp_path: Path, env: dict[str, str], *flags: str) -> Any:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for name in ("staging", "prod"):
        text = f"project: shop-{name}\nregion: us-central1\nservices:\n  api: {{}}\n"
        (profiles / f"{name}.yaml").write_text(text)
    return drift(
        "compare", "staging", "prod", "--live", "--format", "json", "--profiles", str(profiles),
        *flags, env=env, cwd=tmp_path,
    )  # fmt: skip


def _key(call: Any) -> str:
    body = json_format.MessageToJson(getattr(call.request, "_pb", call.request), sort_keys=True)
    return f"{call.short} {body}"


@pytest.mark.parametrize(
    "flags", [[], ["--no-secret-values"], ["--service", "api"]], ids=["all", "no-values", "one"]
)
def test_a_project_both_deployments_name_is_asked_for_once(
    make_sandbox: MakeSandbox, tmp_path: Path, flags: list[str]
) -> None:
    sandbox = make_sandbox(WORLD)
    sandbox.clear_calls()
    done = _compare(tmp_path, sandbox.environ(), *flags)
    assert done.returncode == 1, done.stdout + done.stderr
    kinds = {d["kind"] for d in json.loads(done.stdout)["differences"]}
    assert kinds >= {"secret.shared"}, kinds  # the number was looked up: vault's, on both
    calls = list(sandbox.calls)
    asked = collections.Counter(c.request.name for c in calls if c.short == "GetProject")
    assert asked["projects/900000000009"] == 1, asked
    counts = collections.Counter(_key(c) for c in calls)
    assert [k for k, n in counts.items() if n > 1] == []
