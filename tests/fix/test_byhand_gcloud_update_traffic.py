"""Review revown31 (failed on main before its fix 312f130): `drift fix --no-promote` prints "Finish
with: promote (gcloud run services update-traffic …)". fixown30 (e096460) made
`byhand.promoted_by_hand` also require every Service field but traffic/template/client/
output-only to be as drift's canary write left it (`_rest_as_drift_left`). But gcloud's
update-traffic does not write the traffic only — googlecloudsdk/surface/run/services/
update_traffic.py:

    changes.insert(0, config_changes.DeleteAnnotationChange(
        k8s_object.BINAUTHZ_BREAKGLASS_ANNOTATION))
    changes.append(config_changes.SetLaunchStageAnnotationChange(self.ReleaseTrack()))

- it always deletes `run.googleapis.com/binary-authorization-breakglass` (v2:
  `Service.binary_authorization.breakglass_justification`);
- `gcloud beta|alpha run services update-traffic` sets `run.googleapis.com/launch-stage`
  (v2: `Service.launch_stage`) to BETA / ALPHA.

So the very promotion drift printed, run on a service deployed under breakglass (or with the
beta track), is now called someone else's change: `rollback --list` does not say "promoted by
hand" and `drift rollback CHANGE` refuses with exit 4 ("changed since")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world
from tests.fix.test_no_promote_finish import LATEST, _no_promote

pytestmark = pytest.mark.sandbox
NAME = f"projects/{LAB}/locations/us-central1/services/app"


def _breakglass(clients_for: ClientsFor, sandbox: Sandbox) -> None:
    """The service was deployed under breakglass before drift's change (an incident deploy:
    `gcloud run deploy --breakglass=…`), as v2 shows it."""
    services = clients_for(sandbox).services
    service = services.get_service(name=NAME)
    service.binary_authorization = run_v2.BinaryAuthorization(
        use_default=True, breakglass_justification="INC-4711 hotfix"
    )
    services.update_service(service=service).result()


def _gcloud_promotion(
    clients_for: ClientsFor, sandbox: Sandbox, command: str, *, track: str
) -> None:
    """The printed promotion as gcloud sends it, in ONE write: traffic replaced, the tag
    gone, client gcloud, the breakglass annotation deleted, a non-GA track's launch stage."""
    tag = re.search(r"--remove-tags (\S+)", command)
    assert tag and "--to-latest" in command, command
    services = clients_for(sandbox).services
    service = services.get_service(name=NAME)
    kept = [t for t in service.traffic if t.tag and t.tag != tag.group(1) and not t.percent]
    service.traffic = [run_v2.TrafficTarget(type_=LATEST, percent=100), *kept]
    service.client, service.client_version = "gcloud", "467.0.0"
    if service.binary_authorization.breakglass_justification:  # the annotation deleted
        service.binary_authorization.breakglass_justification = ""
    if track != "GA":
        service.launch_stage = track
    services.update_service(service=service).result()


@pytest.mark.parametrize("case", ["control", "breakglass", "beta"])
def test_the_printed_promotion_sent_by_gcloud_is_still_drifts_own(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, case: str
) -> None:
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history))
    if case == "breakglass":
        _breakglass(clients_for, sandbox)
    command, change = _no_promote(sandbox, tmp_path)
    _gcloud_promotion(clients_for, sandbox, command, track="BETA" if case == "beta" else "GA")

    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith(change))
    assert "promoted by hand" in row, row
    done = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    from tests.fix.conftest import entries

    (entry,) = entries(tmp_path)  # its digest is this drift's, never matched the earlier way
    (by_hand,) = [w for w in entry.writes if w["step"] == "promotion-by-hand"]
    assert by_hand["literal"] is True, by_hand
    # "control" (no breakglass, GA track) passes on main: the promotion itself is recognised
