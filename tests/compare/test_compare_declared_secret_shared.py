"""revcmp89 F2 (failed before its fix): a plain value where the profiles expect a secret
(`PARTNER_CODE: {secret: …}`), equal in staging and prod: one credential, pasted in plain text
into both environments. `compare --live` looked for an equal credential by its name and value
only (`looks_like_credential`), and one whose name and shape do not look like a credential
(`PARTNER_CODE=bluefin-77`) was not flagged: "equivalent", exit 0. The profile's word makes it
a credential (`check` holds it so: `env.plaintext_secret`, its value masked), so its being the
same in both is `value.shared` ("holds the same credential"), shown masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox

SHARED_PLAIN = "bluefin-77"
"""A value that does not look like a credential by itself (nor does its variable's name)."""


def _project(name: str, number: str) -> dict[str, Any]:
    return {
        "number": number,
        "region": "us-central1",
        "services": {
            "api": {
                "template": {
                    "image": "us-docker.pkg.dev/shop/app:v2",
                    "service_account": f"api@{name}.iam.gserviceaccount.com",
                    # pasted in plain where a secret belongs, the same in both environments
                    "env": {"PARTNER_CODE": SHARED_PLAIN},
                }
            }
        },
    }


PROFILE = """project: {p}
region: us-central1
services:
  api:
    env:
      PARTNER_CODE: {{secret: partner-code}}
"""


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_same_plain_value_where_the_profiles_expect_a_secret_is_shared(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    world = {
        "projects": {
            "shop-staging": _project("shop-staging", "300000000001"),
            "shop-prod": _project("shop-prod", "300000000002"),
        }
    }
    sandbox = make_sandbox(world)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").write_text(PROFILE.format(p="shop-staging"))
    (profiles / "prod.yaml").write_text(PROFILE.format(p="shop-prod"))
    done = drift(
        "compare", "staging", "prod", "--live", "--format", fmt, "--profiles", str(profiles),
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert SHARED_PLAIN not in done.stdout + done.stderr  # shown masked, as `check` shows it
    if fmt == "json":
        document = json.loads(done.stdout)
        found = [(d["kind"], d["target"]) for d in document["differences"]]
        assert found == [("value.shared", "env.PARTNER_CODE")], found
        assert "the same credential" in document["differences"][0]["message"]
