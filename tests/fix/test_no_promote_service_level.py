"""`drift fix --no-promote` of a change with a setting the service holds itself (its own
`scaling` min, google/cloud/run/v2/service.proto: "Scaling settings that apply to the whole
service"): the canary's write applies it to the service at once (helper-632 F2). The hand-off
says what is in effect already and what finishing the change decides; the re-check does not
call drift's own held canary unfixed drift for that bound, which the service holds for it once
promoted — while a revision that only a team's tag reaches stays an error, as before."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cliutil import drift_on
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_name, lab_world

pytestmark = pytest.mark.sandbox

PROFILE = (
    "lab",
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n      MODE: live\n"
    "      DEBUG: {forbidden: true}\n    settings:\n      min_instances: 3\n",
)


def test_no_promote_says_the_service_level_setting_is_live_and_its_canary_is_drifts(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    sandbox = make_sandbox(
        lab_world(
            history=[{"image": "us-docker.pkg.dev/lab/app:v0"}],
            traffic=[{"latest": True, "percent": 100}, {"revision": 1, "percent": 0, "tag": "e2e"}],
        )
    )
    services = clients_for(sandbox).services
    service = services.get_service(name=lab_name())
    service.scaling.min_instance_count = 1  # the service's own: the fix writes it there
    services.update_service(service=service).result()

    done = drift_on(sandbox, tmp_path, PROFILE, "fix", "lab", "--yes", "--no-promote")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out  # what serves keeps its variables until promoted
    change = re.search(r"`drift rollback (\S+)`", done.stdout)
    assert change, out
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 3  # written at once
    handoff = next(line for line in done.stdout.splitlines() if "(--no-promote)" in line)
    assert "Already in effect: min_instances 1 → 3" in handoff, handoff
    assert "it applies to what serves now, not only once the canary is promoted" in handoff
    assert f"promoting keeps it, `drift rollback {change.group(1)}` puts it back" in handoff

    check = drift_on(sandbox, tmp_path, PROFILE, "check", "lab", "--format", "json")
    found = json.loads(check.stdout)["findings"]
    bounds = {
        f.get("tag"): f
        for f in found
        if (f["rule"], f["target"]) == ("setting.value", "setting.min_instances")
    }
    assert set(bounds) == {"e2e", f"drift-{change.group(1)}"}, found
    held = bounds[f"drift-{change.group(1)}"]
    assert held["severity"] == "warning", held
    assert f"drift's canary of change {change.group(1)}, held with no traffic" in held["message"]
    assert "holds for it once it is promoted" in held["message"], held["message"]
    # a revision only the team's tag reaches runs its own bound: drift, as ever
    assert bounds["e2e"]["severity"] == "error", bounds["e2e"]
    assert "holds only for revisions with traffic" in bounds["e2e"]["message"]


def test_a_team_tag_on_drifts_held_canary_keeps_its_finding_an_error(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """helper-642 F3: someone adds a traffic tag `e2e` to drift's held canary; the e2e URL now
    serves min_instances 0 where the profile says 3. The finding was still a warning (drift's
    own tag was present), and with no other error `check` exited 0. A revision a team's tag
    reaches is judged as ever: an error."""
    sandbox = make_sandbox(
        lab_world(
            history=[{"image": "us-docker.pkg.dev/lab/app:v0"}],
            traffic=[{"latest": True, "percent": 100}],
        )
    )
    services = clients_for(sandbox).services
    service = services.get_service(name=lab_name())
    service.scaling.min_instance_count = 1
    services.update_service(service=service).result()
    done = drift_on(sandbox, tmp_path, PROFILE, "fix", "lab", "--yes", "--no-promote")
    assert done.returncode == 1, done.stdout + done.stderr
    from google.cloud import run_v2

    service = services.get_service(name=lab_name())
    [canary] = [t.revision for t in service.traffic if t.tag and t.revision]
    kind = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
    service.traffic.append(run_v2.TrafficTarget(type_=kind, revision=canary, tag="e2e"))
    services.update_service(service=service).result()
    check = drift_on(sandbox, tmp_path, PROFILE, "check", "lab", "--format", "json")
    [bound] = [
        f
        for f in json.loads(check.stdout)["findings"]
        if (f["rule"], f["target"], f["revision"])
        == ("setting.value", "setting.min_instances", canary)
    ]
    assert bound["severity"] == "error", bound
    assert "held with no traffic" not in bound["message"], bound["message"]
    # helper-647 F2b: the finding names the team's tag, whose URL reaches the canary, not
    # drift's own (listed first): what their ignore entry names
    assert bound["tag"] == "e2e", bound
