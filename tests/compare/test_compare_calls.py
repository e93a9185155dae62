"""`compare --live` reads what it compares and nothing else, each thing once (fixcalls2 C1–C3):
the workloads, their revisions and the projects references name; never a secret's value
(unless it compares values), state, policy, nor the IAM above it. staging and e2e both name
acme-chat-staging/us-central1: one read serves both sides."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

SECRET_READS = {"ListSecrets", "GetSecret", "GetSecretVersion", "GetIamPolicy", "GetFolder"}


def compare(sandbox: Sandbox, tmp_path: Path, *extra: str) -> list[Any]:
    sandbox.clear_calls()
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(REPO / "profiles")}
    done = drift("compare", "staging", "e2e", "--live", *extra, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return list(sandbox.calls)


def test_no_secret_values_reads_no_secret_value(sandbox: Sandbox, tmp_path: Path) -> None:
    """The profiles' `min_length` rule on secret-key-staging is check's, not compare's."""
    calls = compare(sandbox, tmp_path, "--no-secret-values")
    assert [c for c in calls if c.short == "AccessSecretVersion"] == []


def test_compare_reads_no_secret_metadata(sandbox: Sandbox, tmp_path: Path) -> None:
    calls = compare(sandbox, tmp_path)
    assert collections.Counter(c.short for c in calls if c.short in SECRET_READS) == {}
    assert {c.short for c in calls} >= {"ListServices"}


def test_one_project_and_region_is_read_once(sandbox: Sandbox, tmp_path: Path) -> None:
    calls = compare(sandbox, tmp_path)

    def key(call: Any) -> str:
        body = json_format.MessageToJson(getattr(call.request, "_pb", call.request), sort_keys=True)
        return f"{call.short} {body}"

    counts = collections.Counter(key(c) for c in calls)
    assert [k for k, n in counts.items() if n > 1] == []
    assert counts, "nothing was read"
