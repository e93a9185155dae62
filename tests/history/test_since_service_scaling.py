"""min/max instances through `since` and `drift history`: each revision is judged, and shown,
by the bound it sets itself (RevisionScaling); the service's own level (ServiceScaling,
"applied at the service level rather than at the revision level", run v2
vendor_settings.proto) is today's for every revision, and a change of it makes no revision:
it never makes an older deploy the one that began a drift (revsincerows F1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.history.cli import profile_folder as _profile
from tests.history.cli import run as _run

CI = "ci@p.iam.gserviceaccount.com"
BOB = "bob@acme.example"
CAROL = "carol@acme.example"


def _deployed(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, field: str, revision: int, service: int
) -> Sandbox:
    """Revisions 1-4 by CI (Terraform, no bound), Bob's revision 5 setting the revision-level
    bound, then Carol's service-level one (no revision)."""
    history = [
        {"env": {"X": str(n)}, "creator": CI, "client": "terraform", "created": f"{10 - n}d"}
        for n in (1, 2, 3)
    ]
    app = {"template": {"env": {"X": "4"}}, "history": history}
    region = {"number": 3, "region": "us-central1", "services": {"app": app}}
    sandbox = make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})
    services = clients_for(sandbox).services
    name = "projects/p/locations/us-central1/services/app"
    sandbox.act_as(BOB)
    live = services.get_service(name=name)
    setattr(live.template.scaling, field, revision)
    live.client, live.client_version = "gcloud", "528.0.0"
    services.update_service(service=live).result(timeout=20)
    sandbox.act_as(CAROL)
    live = services.get_service(name=name)
    setattr(live.scaling, field, service)
    services.update_service(service=live).result(timeout=20)
    return sandbox


@pytest.mark.parametrize(
    ("row", "good", "field", "revision_value", "service_value"),
    [
        ("min_instances", 0, "min_instance_count", 2, 1),
        ("max_instances", 100, "max_instance_count", 3, 5),
    ],
)
def test_since_does_not_blame_the_first_revision_for_todays_service_level_bound(
    tmp_path: Path,
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    row: str,
    good: int,
    field: str,
    revision_value: int,
    service_value: int,
) -> None:
    """Revisions 1-4 (CI, Terraform) never set a bound. Bob's gcloud deploy (revision 5) sets
    the revision-level bound; then Carol sets the service-level one (`gcloud run services update
    --min/--max`: no revision). The drift on revision 5 began with revision 5 (last good 4),
    not "since app-00001 … no earlier revision listed" (every older revision judged with
    today's service-level bound); no last good (today's service-level bound binds revision 4
    too), said in a note; and `drift history` says revision 5 changed the bound from what
    revision 4 set itself (the default), never from today's service-level value."""
    sandbox = _deployed(make_sandbox, clients_for, field, revision_value, service_value)
    folder = _profile(
        tmp_path,
        f"project: p\nregion: us-central1\nservices:\n  app:\n    settings:\n      {row}: {good}\n",
    )
    report = json.loads(_run(sandbox, folder, "check", "lab", "--format", "json").stdout)
    (finding,) = report["findings"]
    since = finding.get("since")
    assert since is not None, finding
    assert since["revision"].startswith("app-00005-") and since["creator"] == BOB, since
    # revision 4 set no bound itself, but today's service-level one binds it: no good one
    assert since["last_good"] is None, since
    assert "app-00004-" in since["note"] and "service's own scaling" in since["note"], since
    shown = _run(sandbox, folder, "history", "lab", "--format", "json").stdout
    revisions = json.loads(shown)["services"][0]["revisions"]
    bob = next(r for r in revisions if r["revision"].startswith("app-00005-"))
    changed = [c for c in bob["changes"] if c["target"] == f"setting.{row}"]
    # revision 4 had no bound of its own: "before" is never today's service-level value
    assert [(c["before"], c["after"]) for c in changed] == [(str(good), str(revision_value))]
    older = [c for r in revisions for c in r["changes"] or () if c["target"] == f"setting.{row}"]
    assert older == changed  # no older revision "changed" it: the service level did
    assert any(row in n and "makes no revision" in n for n in json.loads(shown)["notes"])


@pytest.mark.parametrize(
    ("row", "field", "revision_value", "service_value"),
    [("min_instances", "min_instance_count", 2, 1), ("max_instances", "max_instance_count", 3, 5)],
)
def test_a_revision_that_set_no_bound_is_good_where_todays_service_level_one_is_the_profiles(
    tmp_path: Path,
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    row: str,
    field: str,
    revision_value: int,
    service_value: int,
) -> None:
    """The profile wants the service-level bound Carol set: revision 5's own bound is the
    drift. Revisions 1-4 set none (0 and the default 100 by themselves, off the profile) but
    run with the profile's value today: they did not have the drift, and revision 4 is the
    one to go back to. Judged by their own bound alone, the run would reach revision 1."""
    sandbox = _deployed(make_sandbox, clients_for, field, revision_value, service_value)
    folder = _profile(
        tmp_path,
        "project: p\nregion: us-central1\nservices:\n  app:\n"
        f"    settings:\n      {row}: {service_value}\n",
    )
    report = json.loads(_run(sandbox, folder, "check", "lab", "--format", "json").stdout)
    (finding,) = report["findings"]
    assert finding["actual"] == str(revision_value), finding
    since = finding["since"]
    assert since["revision"].startswith("app-00005-") and since["creator"] == BOB, since
    assert (since["last_good"] or "").startswith("app-00004-"), since
