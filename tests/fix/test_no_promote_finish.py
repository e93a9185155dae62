"""What an operator does twice, or does after
`drift fix --no-promote` told them how to finish.

`--no-promote` prints "Finish with: promote (gcloud run services update-traffic SVC
--to-latest --remove-tags drift-CHANGE …), or `drift rollback CHANGE`" (SPEC invariant 9: "the
output says so and how to finish (promote or `drift rollback CHANGE`)"). Finishing the first
way is drift's own instruction, not "someone else's change" (invariant 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world

pytestmark = pytest.mark.sandbox

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


def _no_promote(sandbox: Sandbox, tmp_path: Path) -> tuple[str, str]:
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--no-promote")
    assert "--no-promote" in done.stdout, done.stdout + done.stderr
    promote = re.search(r"promote \((gcloud run services update-traffic [^)]*)\)", done.stdout)
    change = re.search(r"`drift rollback (\S+)`", done.stdout)
    assert promote and change, done.stdout
    return promote.group(1), change.group(1)


def _gcloud_update_traffic(clients_for: ClientsFor, sandbox: Sandbox, command: str) -> None:
    """What the printed `gcloud run services update-traffic SVC (--to-latest |
    --to-revisions REV=100) --remove-tags TAG` sends: the service as read, its traffic
    replaced, the tag gone, written by gcloud."""
    name = f"projects/{LAB}/locations/us-central1/services/app"
    tag = re.search(r"--remove-tags (\S+)", command)
    assert tag
    services = clients_for(sandbox).services
    service = services.get_service(name=name)
    to = re.search(r"--to-revisions (\S+)=100", command)
    target = (
        run_v2.TrafficTarget(type_=REVISION, revision=to.group(1), percent=100)
        if to
        else run_v2.TrafficTarget(type_=LATEST, percent=100)
    )
    kept = [t for t in service.traffic if t.tag and t.tag != tag.group(1) and not t.percent]
    service.traffic = [target, *kept]
    service.client, service.client_version = "gcloud", "467.0.0"
    services.update_service(service=service).result()


@pytest.mark.parametrize("traffic", [None, "pinned"])
def test_rollback_after_the_promotion_no_promote_printed_is_not_someone_elses_change(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, traffic: str | None
) -> None:
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(
        lab_world(history=history, traffic=[{"revision": 2, "percent": 100}] if traffic else None)
    )
    command, change = _no_promote(sandbox, tmp_path)
    _gcloud_update_traffic(clients_for, sandbox, command)  # the user finishes as told

    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith(change))
    assert " pinned " not in row, row  # main: the canary serves 100 %, the journal says pinned

    done = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    # main: exit 4, "app was changed since drift's last write … (last modified by … with
    # gcloud 467.0.0): rolling back would undo their change too … (`drift rollback --force`)"
    assert done.returncode == 0, done.stdout + done.stderr
    assert "restored" in done.stdout


@pytest.mark.parametrize("theirs", ["split", "template"])
def test_a_teammates_change_after_no_promote_is_still_refused(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, theirs: str
) -> None:
    """Not the printed promotion: half the traffic to the canary, or the promotion's traffic
    with another configuration (a deploy of theirs): someone else's change, refused."""
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history))
    command, change = _no_promote(sandbox, tmp_path)
    _gcloud_update_traffic(clients_for, sandbox, command)
    services = clients_for(sandbox).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    service = services.get_service(name=name)
    if theirs == "split":  # written over the promotion: two writes past drift's, not one
        canary = next(short for t in service.traffic_statuses if (short := t.revision))
        service.traffic = [
            run_v2.TrafficTarget(type_=REVISION, revision=canary, percent=50),
            run_v2.TrafficTarget(type_=LATEST, percent=50),
        ]
    else:
        service.template.containers[0].env.append(run_v2.EnvVar(name="THEIRS", value="1"))
        service.template.revision = ""
    services.update_service(service=service).result()

    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith(change))
    assert " pinned " in row, row
    done = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "changed since" in done.stdout + done.stderr


def test_a_teammates_traffic_instead_of_the_promotion_is_refused(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """One write past drift's, the canary's tag removed, but not the promotion's traffic
    (the canary at 30 %): someone else's split, not drift's instruction."""
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history))
    command, change = _no_promote(sandbox, tmp_path)
    services = clients_for(sandbox).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    service = services.get_service(name=name)
    tag = re.search(r"--remove-tags (\S+)", command)
    assert tag
    canary = next(t.revision for t in service.traffic if t.tag == tag.group(1))
    base = next(t.revision for t in service.traffic if t.percent)
    service.traffic = [
        run_v2.TrafficTarget(type_=REVISION, revision=canary, percent=30),
        run_v2.TrafficTarget(type_=REVISION, revision=base, percent=70),
    ]
    services.update_service(service=service).result()
    done = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "changed since" in done.stdout + done.stderr


def test_a_second_fix_after_no_promote_names_both_ways_to_finish_and_the_right_routing(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A pinned service (100 % on a named revision, not LATEST): a second `drift fix` after
    `--no-promote` refuses (right), but calls the canary "left by a fix that did not finish",
    offers only the rollback, and says the rollback "routes the traffic back to LATEST" — the
    service was never on LATEST, and the journal's rollback restores the pin
    (drift/fix/stops.py `what_stops`)."""
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history, traffic=[{"revision": 2, "percent": 100}]))
    command, change = _no_promote(sandbox, tmp_path)
    again = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert again.returncode == 4, again.stdout + again.stderr
    said = again.stdout + again.stderr
    assert f"drift rollback {change}" in said
    assert "back to LATEST" not in said, said
    assert "held with no traffic by `drift fix --no-promote`" in said, said
    assert command in said, said  # the other way to finish, as the first fix printed it
    # what the rollback restores, from the journal: the pin
    assert re.search(r"as it was before the change \(app-00002-\w+ 100%\)", said), said


def test_rollback_list_says_when_a_pinned_service_could_not_be_read(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`rollback --list` reads each change pinned by `--no-promote` to see whether it was
    promoted by hand since; where that read is refused, the row keeps the journal's `pinned`
    and says it was not checked, never passing it off as what runs."""
    from drift.sandbox.faults import Fault

    sandbox = make_sandbox(lab_world())
    _command, change = _no_promote(sandbox, tmp_path)
    sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED"))
    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith(change))
    assert "pinned (its service could not be read" in row, row


def test_a_pinned_canarys_own_tag_is_no_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`--no-promote --only` one change: the canary still runs the other drift. The plan said,
    beside promote / `drift rollback CHANGE`, "tag drift-…: … point the tag at a revision
    without this drift, or remove the tag" — removing drift's canary tag by hand leaves the
    traffic pinned and the journal's change open (helper-700 F8). Only the ways to finish."""
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history, traffic=[{"revision": 2, "percent": 100}]))
    done = lab_cli(
        sandbox, tmp_path, "fix", "lab", "--yes", "--no-promote", "--only", "app/env.MODE"
    )
    change = re.search(r"`drift rollback (\S+)`", done.stdout)
    assert change, done.stdout + done.stderr
    for form in ("table", "json", "gcloud"):
        plan = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", form)
        said = plan.stdout + plan.stderr
        assert f"drift rollback {change.group(1)}" in said, said
        assert f"--update-tags=drift-{change.group(1)}" not in said, said
        assert "or remove the tag" not in said, said
        assert "tag.drift-" not in said, said
