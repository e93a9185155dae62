"""A service-level minimum emptied by someone else (helper-700 F3). The service's own
`scaling.min_instance_count` ("Minimum number of instances for the service, to be divided among
all revisions receiving traffic", google/cloud/run/v2/service.proto ServiceScaling; "Configure
service-level minimum instances", cloud.google.com/run/docs/configuring/min-instances) is set to
0, which proto3 reads as unset, and a revision-level minimum below the profile's binds. The
plan, the fix and the gcloud script wrote the revision's `--min-instances`, so the service's
own minimum stayed 0; where the journal's last read of the service held it at the service
level, the write goes there (`--min`), and a rollback puts it back to 0."""

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
    "      DEBUG: {forbidden: true}\n    settings:\n      min_instances: 2\n",
)


def test_a_service_minimum_emptied_since_drift_read_it_is_written_at_the_service(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(history=[{"image": "us-docker.pkg.dev/lab/app:v0"}]))
    services = clients_for(sandbox).services
    service = services.get_service(name=lab_name())
    service.scaling.min_instance_count = 2  # the service's own minimum, as the profile says
    services.update_service(service=service).result()
    first = drift_on(sandbox, tmp_path, PROFILE, "fix", "lab", "--yes", "--no-verify")
    assert first.returncode == 0, first.stdout + first.stderr  # the journal reads min 2 there

    service = services.get_service(name=lab_name())
    service.scaling.min_instance_count = 0  # a teammate empties it; revisions keep 1
    service.template.scaling.min_instance_count = 1
    service.template.revision = ""
    services.update_service(service=service).result()

    script = drift_on(sandbox, tmp_path, PROFILE, "plan", "lab", "--format", "gcloud")
    assert "--min=2" in script.stdout, script.stdout + script.stderr
    assert "--min-instances=2" not in script.stdout, script.stdout
    plan = json.loads(drift_on(sandbox, tmp_path, PROFILE, "plan", "lab", "-f", "json").stdout)
    (planned,) = plan["services"]
    assert planned["at_once"] == ["min_instances"], planned

    done = drift_on(sandbox, tmp_path, PROFILE, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    after = sandbox.service(LAB, "app")
    assert after.scaling.min_instance_count == 2, done.stdout  # main: 0, the revision's 2
    assert after.template.scaling.min_instance_count == 1  # below the service's: no need

    change = re.findall(r"change (\S+) recorded", done.stdout)
    assert change, done.stdout
    back = drift_on(sandbox, tmp_path, PROFILE, "rollback", change[-1], "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 0
