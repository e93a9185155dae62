"""Resource Manager reads (GetProject, GetFolder, the GetIamPolicy of projects, folders and the
organisation) are made once per resource a run, however many secrets, services and names (a
project's id or number) lead to it: iam.py, "Each resource is asked for once"; they share a
300 reads/minute budget (`Limits.resources_rpm`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO
from tests.conftest import MakeSandbox
from tests.live.shapes import PROFILES, SHAPES, resource, run
from tests.live.test_secret_named_by_number import own_by_number

RESOURCE_MANAGER = {"GetProject", "GetFolder", "GetIamPolicy"}


def repeated(sandbox: Sandbox) -> dict[tuple[str, str], int]:
    seen = Counter((c.short, resource(c)) for c in sandbox.calls if c.short in RESOURCE_MANAGER)
    return {key: n for key, n in seen.items() if n > 1}


def test_folder_and_organisation_policies_are_read_once_per_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """real-shapes: chat's secrets live in acme-prod and in acme-shared (named both by id and
    by number, 600000000002), both under folders/2000 > organizations/1000: each of those
    policies, the folder and acme-shared's project policy, is read once at most (the folder
    and the organisation not at all where the project's own policy grants)."""
    with Sandbox(SHAPES) as sandbox:
        run(sandbox, monkeypatch, PROFILES, "chat")
        calls = Counter((c.short, resource(c)) for c in sandbox.calls)
    assert repeated(sandbox) == {}
    assert calls[("GetIamPolicy", "folders/2000")] <= 1
    assert calls[("GetIamPolicy", "organizations/1000")] <= 1
    assert calls[("GetIamPolicy", "projects/600000000002")] == 1


OWN_PROFILE = """project: p
region: us-central1
services:
  api:
    env:
      DB: {secret: db-url}
  web:
    env:
      DB: {secret: db-url}
"""


def test_the_own_project_policy_is_read_once_when_a_secret_names_it_by_number(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A reference to the workload's own project by number (`projects/111/secrets/db-url`,
    which Cloud Run accepts and keeps as written) beside one by plain name: the project's
    policy is one resource, `projects/111`, read once."""
    sandbox = make_sandbox(own_by_number())
    (tmp_path / "prod.yaml").write_text(OWN_PROFILE)
    run(sandbox, monkeypatch, tmp_path)
    # the secret's own policy is read again once, on purpose, to confirm its
    # `secret.no_access` (drift.live.held_still); its project's, asked for once the secret's
    # and the services were read, needs no read again; it is one resource however the
    # references spell it (not read for each)
    assert repeated(sandbox) == {("GetIamPolicy", "projects/p/secrets/db-url"): 2}
    calls = Counter((c.short, resource(c)) for c in sandbox.calls)
    assert calls[("GetIamPolicy", "projects/p")] == 0


GRANTED = REPO / "tests" / "data" / "iam_granted"
"""sec-b grants secretAccessor to both runtime accounts (api, worker) with no condition; its
folder 9100 and organisation 9000 (whose policy is denied) are above it."""


def test_no_ancestor_policy_once_the_project_grants(monkeypatch: pytest.MonkeyPatch) -> None:
    """IAM allow policies only add: the project's own grant decides, whatever the folder and
    the organisation say, so neither is read (a denied organisation policy would otherwise
    cost a call and a permission for nothing)."""
    with Sandbox(GRANTED / "world.yaml") as sandbox:
        result = run(sandbox, monkeypatch, GRANTED / "profiles")
        above = [
            f"{c.short} {resource(c)}"
            for c in sandbox.calls
            if resource(c).startswith(("folders/", "organizations/"))
        ]
    assert above == []
    assert result.state.unverified == []
    granted = {ref.key: v.grant.value for (_, ref), v in result.state.access.items()}
    assert granted["sec-b/key-b"] == "granted", result.state.access


def test_no_own_project_lookup_once_every_number_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """worker names key-b by number 333000000003, which GetProject sec-b (api names it by id)
    already tells: the workloads' own project is not looked up for it."""
    with Sandbox(GRANTED / "world.yaml") as sandbox:
        result = run(sandbox, monkeypatch, GRANTED / "profiles")
        looked_up = [resource(c) for c in sandbox.calls if c.short == "GetProject"]
    assert looked_up == ["projects/sec-b"]
    assert result.state.projects["333000000003"] == "sec-b"


WALK = REPO / "tests" / "data" / "iam_walk"
"""sec-a grants nothing: its ancestors are read, folders/9100 then organizations/9000."""


def test_a_folder_policy_and_its_parent_are_asked_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GetFolder needs only the folder's name, as its GetIamPolicy does: it does not wait for
    the policy. That policy is answered no sooner than HOLD after it arrives, so a GetFolder
    that waited for it would arrive HOLD or more after it (causality, not a timing target)."""
    hold = 3.0
    with Sandbox(WALK / "world.yaml") as sandbox:
        sandbox.inject(Fault("GetIamPolicy", None, latency_ms=hold * 1000, match="folders/9100"))
        run(sandbox, monkeypatch, WALK / "profiles")
        calls = list(sandbox.calls)
    # the first read (a second one confirms a `secret.no_access`: drift.live.held_still)
    policy = min(c.at for c in calls if c.short == "GetIamPolicy" and resource(c) == "folders/9100")
    [folder] = [c.at for c in calls if c.short == "GetFolder" and resource(c) == "folders/9100"]
    assert folder - policy < hold


def test_access_reads_do_not_wait_for_a_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """real-shapes: acme-shared's project policy needs partner-api-key's own policy and
    GetProject acme-shared, not chat's revision history (ListRevisions, for `since`). That
    list is answered no sooner than HOLD after it arrives, so a policy read that waited for
    it would arrive HOLD or more after it (causality, not a timing target)."""
    hold = 3.0
    with Sandbox(SHAPES) as sandbox:
        sandbox.inject(Fault("ListRevisions", None, latency_ms=hold * 1000))
        run(sandbox, monkeypatch, PROFILES)
        calls = list(sandbox.calls)
    listed = min(c.at for c in calls if c.short == "ListRevisions")
    policy = [
        c.at for c in calls if c.short == "GetIamPolicy" and resource(c) == "projects/600000000002"
    ]
    assert len(policy) == 1 and policy[0] - listed < hold
