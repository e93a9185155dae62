"""revwild F1: `init --from-live` on a service running as the default compute service account
(no `service_account` in its template, as `gcloud run deploy` and most Terraform write it), with
an older revision of the very same configuration still reached — a tag at 0 % (blue/green, a
Terraform `traffic { tag = "blue" }`) or a 90/10 split — exits 3 saying "2 revisions are
reached with different configurations (a rollout in progress?)", while the `drift check` that
follows is clean.

Why: the template names no account (read: "default compute service account") while the
Revision the server returns names it (`PROJECT_NUMBER-compute@developer.gserviceaccount.com`;
Revision.service_account is filled in by the server, RevisionTemplate.service_account is
"Email address of the IAM service account associated with the revision of the service": empty
in the template means the default). drift/onboarding/draft.py `rollout()` compares the raw
`RevisionConfig.fingerprint`, not `same_configuration()` / `comparable_fingerprints()`
(drift/live/normalize.py), which check uses and which reads both as one account.
Expected (README "Quickstart": init exits 3 only for "a service whose revisions differ in
configuration"): exit 0, no `rollouts`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.onboarding.test_init_rollout import init_then_check

SAME_TWICE = """\
projects:
  acme-prod:
    number: 500000000001
    region: us-central1
    services:
      web:
        template:
          image: us-docker.pkg.dev/acme-prod/apps/web:2
          env: {{LOG_LEVEL: info}}
        history:
          - image: us-docker.pkg.dev/acme-prod/apps/web:2
            env: {{LOG_LEVEL: info}}
        traffic:
{traffic}"""

TAG_AT_ZERO = (
    "          - {latest: true, percent: 100}\n          - {revision: 1, percent: 0, tag: blue}\n"
)
SPLIT = "          - {latest: true, percent: 90}\n          - {revision: 1, percent: 10}\n"


@pytest.mark.parametrize("traffic", [TAG_AT_ZERO, SPLIT], ids=["tag-at-0", "split-90-10"])
def test_init_on_identical_revisions_with_the_default_account_is_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, traffic: str
) -> None:
    result, findings = init_then_check(tmp_path, monkeypatch, SAME_TWICE.format(traffic=traffic))
    # check agrees the two revisions run one configuration: nothing to report
    assert [f.rule for f in findings] == [], findings
    # so init has nothing to call incomplete
    assert result.rollouts == (), result.rollouts
    assert int(result.exit_code) == 0, result.summary()
