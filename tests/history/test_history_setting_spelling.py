"""`drift history` names a resource as `check` does (revhist95): a setting naming a project
(VpcAccess.connector "projects/{project}/locations/{location}/connectors/{connector}, where
{project} can be project id or number", run v2 vendor_settings.proto) written by number in
gcloud's revisions and by id in Terraform's is one connector once GetProject told the
number's id (one call per number, only where a service's revisions write it both ways): the
respelling is no change, in every format. Where GetProject is denied, the revision is said
`undecided` with the failed call, never a change and never left out, and the history exits 3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.history.cli import profile_folder, run
from tests.history.conftest import unescaped

pytestmark = pytest.mark.sandbox

PROD, NUMBER = "acme-prod", 500000000001
REGION = "us-central1"
IMAGE = "us-docker.pkg.dev/acme-prod/app/api"
PROFILE = f"project: {PROD}\nregion: {REGION}\nservices:\n  api: {{}}\n"
RESPELT = "api-00003-ccc"


def _vpc(project: str | int, connector: str) -> dict[str, Any]:
    name = f"projects/{project}/locations/{REGION}/connectors/{connector}"
    return {"api": {"vpcAccess": {"connector": name, "egress": "PRIVATE_RANGES_ONLY"}}}


def _revision(n: int, client: str, image: int, vpc: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"api-0000{n}-{'abc'[n - 1] * 3}",
        "created": f"{40 - 10 * n}d",
        "client": client,
        "client_version": "528.0.0" if client == "gcloud" else "1.9.0",
        "image": f"{IMAGE}:{image}",
        **vpc,
    }


def _world(*, denied: bool = False, terraform: bool = True) -> dict[str, Any]:
    """gcloud deploys twice (the connector by number), Terraform applies the same connector
    by id (`google_vpc_access_connector.run.id`: nothing else changes), then a real change:
    another connector and a new image."""
    third = _vpc(PROD, "run") if terraform else _vpc(NUMBER, "run")
    history = [
        _revision(1, "gcloud", 1, _vpc(NUMBER, "run")),
        _revision(2, "gcloud", 2, _vpc(NUMBER, "run")),
        _revision(3, "terraform", 2, third),
    ]
    template = {"image": f"{IMAGE}:3", "port": 8080, **_vpc(PROD, "other")}
    service = {"client": "terraform", "template": template, "history": history}
    deny = {"deny": ["GetProject"]} if denied else {}
    return {
        "projects": {
            PROD: {"number": NUMBER, "region": REGION, **deny, "services": {"api": service}}
        }
    }


def _history(sandbox: Sandbox, tmp_path: Path, fmt: str) -> tuple[int, str]:
    done = run(sandbox, _folder(tmp_path, fmt), "history", "lab", "--format", fmt)
    return done.returncode, done.stdout + done.stderr


def _folder(tmp_path: Path, fmt: str) -> Path:
    where = tmp_path / fmt
    where.mkdir()
    return profile_folder(where, PROFILE)


def _asked(sandbox: Sandbox) -> list[str]:
    return sorted(c.request.name for c in sandbox.calls if c.short == "GetProject")


def _changes(text: str) -> dict[str, list[dict[str, Any]]]:
    [service] = json.loads(text)["services"]
    return {r["revision"]: r["changes"] for r in service["revisions"]}


def test_a_connector_respelt_by_terraform_is_no_change_in_any_format(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    code, text = _history(sandbox, tmp_path, "json")
    assert code == 0, text
    changes = _changes(text)
    assert changes[RESPELT] == [], changes[RESPELT]  # only respelt: nothing changed
    # the real change is one, shown by one name (short: the own project's connector)
    [latest] = [r for r in changes if r.startswith("api-00004")]
    [connector] = [c for c in changes[latest] if c["target"] == "setting.vpc_connector"]
    assert (connector["action"], connector["before"], connector["after"]) == (
        "changed",
        "run",
        "other",
    )
    assert _asked(sandbox) == [f"projects/{NUMBER}"]  # one GetProject, for the number
    for fmt in ("table", "markdown"):
        code, text = _history(sandbox, tmp_path, fmt)
        shown = unescaped(text) if fmt == "markdown" else text
        assert code == 0, shown
        assert str(NUMBER) not in shown, shown
        assert "respelt" not in shown, shown
        assert shown.count("setting.vpc_connector") == 1, shown  # the real change only
        assert "setting.vpc_connector: run -> other" in shown, shown


def test_denied_getproject_says_undecided_never_a_change_and_exits_3(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world(denied=True))
    code, text = _history(sandbox, tmp_path, "json")
    assert code == 3, text
    document = json.loads(text)
    assert document["status"] == "incomplete", document
    [undecided] = _changes(text)[RESPELT]
    assert undecided["action"] == "undecided", undecided
    assert undecided["before"].startswith(f"projects/{NUMBER}/"), undecided
    assert undecided["after"] == "run", undecided
    assert f"GetProject on projects/{NUMBER}: PERMISSION_DENIED" in undecided["why"], undecided
    for fmt in ("table", "markdown"):
        code, text = _history(sandbox, tmp_path, fmt)
        shown = unescaped(text) if fmt == "markdown" else text
        assert code == 3, shown
        assert "changed or only respelt? setting.vpc_connector" in shown, shown
        assert "changed setting.vpc_connector: projects/" not in shown, shown
        assert f"GetProject on projects/{NUMBER}: PERMISSION_DENIED" in shown, shown
        assert "1 setting change could not be told from a project respelt" in shown, shown


def test_no_getproject_where_every_revision_writes_the_project_one_way(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """gcloud's revisions all by number, the latest another connector by id: its own
    revisions' numbers compare as written, and the change against the last is told by the
    connector's own name without any project."""
    world = _world(terraform=False)
    world["projects"][PROD]["services"]["api"]["template"].update(_vpc(NUMBER, "other"))
    sandbox = make_sandbox(world)
    code, text = _history(sandbox, tmp_path, "json")
    assert code == 0, text
    assert _changes(text)[RESPELT] == []
    assert _asked(sandbox) == []


def test_a_secret_and_a_connector_by_the_same_number_ask_getproject_once(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """gcloud wrote the secret reference by number too, Terraform by id (`secret: k`, the own
    project's): both compare as one, and the project is asked for once."""
    world = _world()
    projects = world["projects"][PROD]
    projects["secrets"] = {"k": {"versions": ["v1"]}}
    service = projects["services"]["api"]
    for entry in service["history"]:
        spelt = f"projects/{NUMBER}/secrets/k" if entry["client"] == "gcloud" else "k"
        entry["env"] = {"K": {"secret": spelt}}
    service["template"]["env"] = {"K": {"secret": "k"}}
    sandbox = make_sandbox(world)
    code, text = _history(sandbox, tmp_path, "json")
    assert code == 0, text
    assert _changes(text)[RESPELT] == []  # neither the reference nor the connector changed
    assert _asked(sandbox) == [f"projects/{NUMBER}"]


@pytest.mark.parametrize(("limit", "asked"), [("1", []), ("2", [f"projects/{NUMBER}"])])
def test_getproject_only_for_the_revisions_shown_and_what_they_are_compared_with(
    make_sandbox: MakeSandbox, tmp_path: Path, limit: str, asked: list[str]
) -> None:
    """`--limit 1` shows the latest revision against Terraform's, both naming the project by
    id: gcloud's older revisions by number are neither shown nor compared, so no GetProject
    (nor their normalising) is spent on them. `--limit 2` compares Terraform's with gcloud's:
    the number is looked up, and the respelling is no change."""
    sandbox = make_sandbox(_world())
    folder = _folder(tmp_path, "json")
    done = run(sandbox, folder, "history", "lab", "--format", "json", "--limit", limit)
    assert done.returncode == 0, done.stdout + done.stderr
    changes = _changes(done.stdout)
    assert len(changes) == int(limit), changes
    assert _asked(sandbox) == asked
    if RESPELT in changes:
        assert changes[RESPELT] == [], changes[RESPELT]


CANARY = "api-drift-20261130-120000-0a1b"


@pytest.mark.parametrize("limit", ["2", "3", "0"])
def test_a_canary_put_back_with_the_project_respelt_never_served_at_any_limit(
    make_sandbox: MakeSandbox, tmp_path: Path, limit: str
) -> None:
    """drift's canary (no journal of it here), then within 2 h a revision by the same creator
    putting back what served before it, the connector's project written by id where the
    revision before the canary wrote it by number (helper-587 F1): the canary never served
    (`unserved` compares the two once their projects are named alike, whichever revisions
    `--limit` shows), so the revision after it changed nothing against the first."""
    history = [
        {"created": "300m", "client": "gcloud", "image": f"{IMAGE}:1", **_vpc(NUMBER, "run")},
        {"name": CANARY, "created": "240m", "image": f"{IMAGE}:1", "env": {"X": "1"}}
        | _vpc(NUMBER, "run"),
        {"created": "230m", "image": f"{IMAGE}:1", **_vpc(PROD, "run")},
    ]
    template = {"image": f"{IMAGE}:2", **_vpc(PROD, "run")}
    service = {"history": history, "template": template}
    projects = {PROD: {"number": NUMBER, "region": REGION, "services": {"api": service}}}
    sandbox = make_sandbox({"projects": projects})
    done = run(
        sandbox, _folder(tmp_path, "json"), "history", "lab", "--format", "json", "--limit", limit
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [service_history] = json.loads(done.stdout)["services"]
    entries = {r["revision"]: r for r in service_history["revisions"]}
    [put_back] = [name for name in entries if name.startswith("api-00003")]
    assert entries[put_back]["changes"] == [], entries[put_back]
    if CANARY in entries:
        assert "never served" in entries[CANARY]["never_served"], entries[CANARY]


@pytest.mark.parametrize(("limit", "noted"), [("1", False), ("0", True)])
def test_the_service_level_note_speaks_of_the_revisions_shown_only(
    make_sandbox: MakeSandbox, tmp_path: Path, limit: str, noted: bool
) -> None:
    """A failed revision sets its own min instances under the service's scaling: `--limit 1`
    neither shows it nor compares the latest with it (it never served), so no note speaks of
    what it sets itself (helper-588 H1); `--limit 0` shows it, and says so."""
    failed = {"created": "10d", "ready": False, "message": "boom", "min_instances": 0}
    template = {"image": f"{IMAGE}:2", "port": 8080, "env": {"A": "1"}, "min_instances": 2}
    service = {"template": template, "history": [{"created": "20d"}, failed]}
    service["scaling"] = {"minInstanceCount": 2}
    projects = {PROD: {"number": NUMBER, "region": REGION, "services": {"api": service}}}
    sandbox = make_sandbox({"projects": projects})
    done = run(sandbox, _folder(tmp_path, "json"), "history", "lab", "--limit", limit)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("sets it itself" in done.stdout + done.stderr) is noted, done.stdout + done.stderr
