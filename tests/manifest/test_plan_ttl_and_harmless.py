"""What a plan does to a secret's expiry, judged as applied, and plan shapes that take nothing
away (helper-566): a `ttl` the plan changes is judged, not the stale `expire_time` the plan
still carries (F2); a ttl at Duration's maximum is no internal error (F5); a Secret Manager API
resource destroyed that leaves the API enabled (provider 7.x, `deletion_policy = ABANDON`) and a
deny policy that cannot deny a secret read are clean, not "incomplete" (F3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.manifest.test_plan_access_lost import _check as _check_access
from tests.manifest.test_plan_access_lost import _plan as _plan_access
from tests.manifest.test_plan_access_lost import _rc
from tests.manifest.test_plan_secret_expiry import _check, _expiring, _in, _plan


@pytest.mark.parametrize(
    "before",
    [{"expire_time": _in(80), "ttl": "7776000s"}, {"expire_time": _in(80), "ttl": None}],
    ids=["ttl-shortened", "expire_time-to-ttl"],
)
def test_a_ttl_the_plan_changes_is_judged(
    sandbox: Sandbox, tmp_path: Path, before: dict[str, Any]
) -> None:
    """expire_time is `default_from_api` (Optional+Computed) in magic-modules Secret.yaml: the
    plan's `after` keeps the prior value; the provider then sends ttl alone (pre_update
    secret_manager_secret.go.tmpl: `if d.HasChange("ttl") && !d.HasChange("expire_time")
    { delete(obj, "expireTime") }`), so once applied the secret expires in a day. HEAD reads
    the stale expire_time first: clean, exit 0, with --fail-on warning."""
    after = {"expire_time": before["expire_time"], "ttl": "86400s"}
    done = _check(sandbox, tmp_path, _plan(before, after))
    assert done.returncode == 1, done.stdout
    (found,) = _expiring(done)
    assert found["actual"] == f"{dt.datetime.now(dt.UTC) + dt.timedelta(days=1):%Y-%m-%d}"


def test_a_long_ttl_is_no_internal_error(sandbox: Sandbox, tmp_path: Path) -> None:
    """ttl 315576000000s is Duration's documented maximum (google/protobuf/duration.proto:
    "+315,576,000,000 seconds"): `state.now + ttl` overflows datetime (year 9999). HEAD:
    "internal error: OverflowError", exit 2."""
    done = _check(sandbox, tmp_path, _plan({"expire_time": ""}, {"ttl": "315576000000s"}))
    assert done.returncode == 0 and "internal error" not in done.stderr, done.stderr


API = {"service": "secretmanager.googleapis.com", "project": "acme-chat-staging"}


@pytest.mark.parametrize(
    "before",
    [
        {**API, "disable_on_destroy": None, "deletion_policy": "DELETE"},
        {**API, "disable_on_destroy": True, "deletion_policy": "ABANDON"},
    ],
    ids=["provider-7-unset", "abandon"],
)
def test_an_api_resource_destroyed_that_leaves_the_api_enabled(
    sandbox: Sandbox, tmp_path: Path, before: dict[str, Any]
) -> None:
    """google provider 7.x version_7_upgrade: "`disable_on_destroy` no longer defaults to
    `true` ... destroying the resource will only remove it from Terraform's state and leave the
    service enabled"; resourceGoogleProjectServiceDelete disables only if
    d.Get("disable_on_destroy") is true, and not at all under deletion_policy ABANDON
    (DeletionPolicyPreDelete). HEAD: "disabled by this plan", exit 3."""
    extra = _rc("google_project_service", ["delete"], before)
    done = _check_access(sandbox, tmp_path, _plan_access(extra))
    assert done.returncode == 0, done.stdout


def test_a_deny_policy_on_secret_deletion_takes_no_read_away(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Denying secretmanager.googleapis.com/secrets.delete cannot deny versions.access, the one
    permission a revision's secret reads use. HEAD: any `secretmanager.` permission: exit 3."""
    rules = [
        {
            "description": "",
            "deny_rule": [
                {
                    "denied_principals": ["principalSet://goog/public:all"],
                    "denied_permissions": ["secretmanager.googleapis.com/secrets.delete"],
                    "exception_principals": [],
                    "exception_permissions": [],
                    "denial_condition": [],
                }
            ],
        }
    ]
    after = {
        "name": "no-secret-deletes",
        "display_name": "",
        "rules": rules,
        "parent": "cloudresourcemanager.googleapis.com%2Fprojects%2Facme-chat-staging",
    }
    extra = _rc("google_iam_deny_policy", ["create"], None, after)  # fmt: skip
    done = _check_access(sandbox, tmp_path, _plan_access(extra))
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("permission", "reads"),
    [
        ("secretmanager.googleapis.com/versions.access", True),
        ("secretmanager.googleapis.com/versions.*", True),
        ("secretmanager.googleapis.com/*", True),
        ("*.googleapis.com/*", True),
        ("secretmanager.googleapis.com/secrets.delete", False),
        ("secretmanager.googleapis.com/versions.destroy", False),
        ("compute.googleapis.com/instances.delete", False),
        (None, True),  # not a value drift reads: it may
    ],
)
def test_which_deny_permissions_may_deny_a_secret_read(permission: Any, reads: bool) -> None:
    from drift.manifest.removed import _reads

    assert _reads(permission) is reads
