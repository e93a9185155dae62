"""Regression (found by review revown30): the "promoted by hand" recognition
(drift/fix/byhand.py `promoted_by_hand`) compares generation, template and traffic only, so a
write that carries the printed promotion AND a teammate's service-level change (ingress,
labels, …) is journalled as drift's own instruction and rolled back without a word."""

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


def _promotion_with_ingress(clients_for: ClientsFor, sandbox: Sandbox, command: str) -> None:
    """The printed promotion (as `_gcloud_update_traffic` sends it), with a teammate's
    ingress and label change in the same UpdateService (a console edit of traffic and
    networking together, or a Terraform apply of both)."""
    name = f"projects/{LAB}/locations/us-central1/services/app"
    tag = re.search(r"--remove-tags (\S+)", command)
    assert tag
    services = clients_for(sandbox).services
    service = services.get_service(name=name)
    kept = [t for t in service.traffic if t.tag and t.tag != tag.group(1) and not t.percent]
    service.traffic = [run_v2.TrafficTarget(type_=LATEST, percent=100), *kept]
    service.ingress = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY
    service.labels["owner"] = "teammate"
    services.update_service(service=service).result()


def test_promotion_carrying_a_teammates_ingress_change_is_not_drifts_own(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history))
    command, change = _no_promote(sandbox, tmp_path)
    _promotion_with_ingress(clients_for, sandbox, command)

    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith(change))
    # main: "promoted by hand (--no-promote, then its printed promotion)"
    assert "promoted by hand" not in row, row
    done = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    said = done.stdout + done.stderr
    # main: exit 0, "the canary … was promoted by hand, as `drift fix --no-promote` printed"
    assert "promoted by hand, as" not in said, said
    assert done.returncode == 4, said
