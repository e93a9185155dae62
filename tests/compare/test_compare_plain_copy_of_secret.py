"""revmatrix 1 (failed before its fix): `drift compare --live` reads both sides' secret
values from Secret Manager (AccessSecretVersion, in memory, to tell equal from different) and
then prints a plain variable whose value is that very secret, unmasked: `a: VALUE`. `drift
check` on the same service masks the same plain value (`actual: ***`) because it learned the
secret. SPEC invariant 1: no secret value leaves Secret Manager into any output, in any
format; README "What drift never shows": every value drift reads from Secret Manager is
remembered and any text that becomes part of a result is searched for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox


def world(secret: str) -> dict[str, Any]:
    def project(name: str, number: str, value: str, copy: bool) -> dict[str, Any]:
        env: dict[str, Any] = {"MODE": "live", "TOKEN": {"secret": "tok"}}
        if copy:
            env["COPY"] = value  # someone pasted the secret's value as a plain variable
        return {
            "number": number,
            "region": "us-central1",
            "iam": {
                "roles/secretmanager.secretAccessor": [
                    f"serviceAccount:svc@{name}.iam.gserviceaccount.com"
                ]
            },
            "secrets": {"tok": {"versions": [value]}},
            "services": {
                "svc": {
                    "template": {
                        "image": f"us-docker.pkg.dev/{name}/app:v2",
                        "service_account": f"svc@{name}.iam.gserviceaccount.com",
                        "env": env,
                    }
                }
            },
        }

    return {
        "projects": {
            "p-a": project("p-a", "111111111111", secret, copy=True),
            "p-b": project("p-b", "222222222222", secret + "X", copy=False),
        }
    }


PROFILE = """project: {p}
region: us-central1
services:
  svc:
    env:
      MODE: live
      TOKEN: {{secret: tok}}
"""


@pytest.mark.parametrize("secret", ["AlphaBravoCharlieDelta", "alpha.bravo-charlie/7"])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_compare_live_never_prints_a_secret_value_it_read(
    make_sandbox: MakeSandbox, tmp_path: Path, secret: str, fmt: str
) -> None:
    sandbox = make_sandbox(world(secret))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "a.yaml").write_text(PROFILE.format(p="p-a"))
    (profiles / "b.yaml").write_text(PROFILE.format(p="p-b"))
    done = drift(
        "compare", "a", "b", "--live", "--format", fmt, "--verbose",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    # drift read the value from Secret Manager in this run (the log names the call) ...
    assert "AccessSecretVersion projects/p-a/secrets/tok/versions/latest: OK" in done.stderr
    if fmt == "json":
        json.loads(done.stdout)
    # ... and no output carries it
    assert secret not in done.stdout + done.stderr, done.stdout
    # the difference is still said, its value masked as `check` masks it (fixcompare2)
    assert "env.COPY" in done.stdout and "***" in done.stdout, done.stdout
