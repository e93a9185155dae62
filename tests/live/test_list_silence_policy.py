"""revown43 F1: what a complete ListSecrets did not bring was judged on the list's silence by
the IAM policy read (fixed: asked unless GetSecret says the secret is gone).

fixpaging (4b472ad) made `_secret` and `_secret_gone` (drift/live/secrets.py) ask GetSecret
for a referenced secret the list (read to the end) did not bring, because AIP-158
(google.aip.dev/158) promises no consistency across pages while the collection changes. The
third read of the same secret, `_policy`, still returns before GetIamPolicy when the list did
not bring it ("no such secret: nothing to ask"). The version read (GetSecretVersion) then
proves the secret exists and is ENABLED, but no policy is known: `LiveState.grant` answers
UNKNOWN, `access._known` answers None ("reported elsewhere": it is not), so `secret.no_access`
is never judged and nothing is unverified — check is clean for a service account that cannot
read its secret (the next deploy fails its secret check)."""

from __future__ import annotations

from pathlib import Path

import pytest

import drift.sandbox.secrets_api as secrets_api
from tests.conftest import MakeSandbox
from tests.live.test_paging_as_google_pages import (
    API_PROFILE,
    check,
    offset_pages_losing_the_first_item,
    secret_world,
)


@pytest.mark.parametrize("skipped", [False, True], ids=["full-pages", "s-on-no-page"])
def test_no_access_is_judged_for_a_secret_the_list_did_not_bring(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, skipped: bool
) -> None:
    """`a` is deleted while ListSecrets is paged two at a time, so `s` falls between the pages
    (as revpaging's F2 repro). With full pages (control) drift says `secret.no_access` for
    `s`; with `s` on no page it should say the same (or leave `s` unverified), never clean."""
    sandbox = make_sandbox(secret_world())  # no accessor binding anywhere
    if skipped:
        monkeypatch.setattr(secrets_api, "paginate", offset_pages_losing_the_first_item(2))
    report = check(sandbox, monkeypatch, tmp_path, API_PROFILE, timeout=60).report
    rules = [(f.rule, f.target) for f in report.findings]
    unverified = [u.target for u in report.unverified]
    assert ("secret.no_access", "secret.s") in rules or "secret.s" in unverified, (
        rules,
        unverified,
        sandbox.call_counts()["GetIamPolicy"],
    )
