"""`drift init ENV --from-live` of a region where one workload is still being deployed (and
does not settle within --wait): the rest is written, that one is left out with a note naming
it and the command that describes it once settled; the exit code is SPEC's for an incomplete
read (3), the file written all the same (revfirstday 2). Any other workload that could not be
read still writes nothing."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Fault, Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import drift

PROJECT = "acme-prod"
REGION = "us-central1"
WHERE = ("--project", PROJECT, "--region", REGION)


@pytest.fixture
def shapes() -> Iterator[Sandbox]:
    """real-shapes: `search` is being deployed and never settles by itself."""
    with Sandbox(default_scenario_path().with_name("real-shapes.yaml")) as sandbox:
        yield sandbox


def init_prod(shapes: Sandbox, cwd: Path, *services: str) -> Any:
    """`drift init prod --from-live` of real-shapes, without waiting (of `services` only)."""
    chosen = [arg for name in services for arg in ("-s", name)]
    return drift(
        "init", "prod", "--from-live", *WHERE, "--wait", "0", *chosen,
        env=shapes.environ(), cwd=cwd,
    )  # fmt: skip


def test_one_deploy_in_progress_leaves_that_workload_out_and_writes_the_rest(
    shapes: Sandbox, tmp_path: Path
) -> None:
    done = init_prod(shapes, tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    written = tmp_path / "profiles" / "prod.yaml"
    profile = yaml.safe_load(written.read_text())
    assert "search" not in profile["services"]
    # the file the team commits says what it does not describe (its head, before the keys)
    head = written.read_text().split("\nproject:")[0]
    assert "# Left out, still deploying when this was written: search." in head
    assert {"chat", "billing", "ledger"} <= set(profile["services"])
    assert set(profile["jobs"]) == {"migrate-db", "e2e-runner"}
    incomplete = [line for line in done.stdout.splitlines() if line.startswith("incomplete:")]
    (left,) = [line for line in incomplete if "search left out" in line]
    assert "search left out: deploy in progress" in left
    # and chat's E2E tag, at 0 % with a configuration of its own, which check reads too
    (tag,) = [line for line in incomplete if line != left]
    assert tag.startswith("incomplete: chat: 2 revisions are reached with different conf"), tag
    assert "(tag e2e)" in tag
    command = left.split("`")[1]
    assert command == (
        f"drift init prod-search --from-live --project {PROJECT} --region {REGION} --service search"
    )
    assert "profiles/prod.yaml" in left and "`services:`" in left
    # and the profile of its own, once emptied into this one, is not left as an environment
    assert left.endswith(
        "then remove profiles/prod-search.yaml (an environment of its own until then)"
    )
    # the file written is a profile `drift check` takes as it is
    assert drift("profiles", "validate", "profiles", cwd=tmp_path).returncode == 0
    # once the deploy has settled, the command the note gives describes it
    shapes.finish_deploy(PROJECT, "search")
    later = drift(*shlex.split(command)[1:], env=shapes.environ(), cwd=tmp_path)
    assert later.returncode == 0, later.stdout + later.stderr
    alone = yaml.safe_load((tmp_path / "profiles" / "prod-search.yaml").read_text())
    assert set(alone["services"]) == {"search"}


def test_a_deploy_in_progress_beside_another_unread_workload_writes_nothing(
    shapes: Sandbox, tmp_path: Path
) -> None:
    # chat's tagged revision (not what its template describes) cannot be read
    shapes.inject(Fault(method="GetRevision", code="PERMISSION_DENIED", match="chat-00002"))
    done = init_prod(shapes, tmp_path, "chat", "search", "billing")
    assert done.returncode == 3
    assert "nothing was written" in done.stderr and "chat" in done.stderr
    assert not (tmp_path / "profiles" / "prod.yaml").exists()


def test_only_workloads_deploying_writes_nothing(shapes: Sandbox, tmp_path: Path) -> None:
    done = init_prod(shapes, tmp_path, "search")
    assert done.returncode == 3
    assert "nothing was written" in done.stderr and "deploy in progress" in done.stderr
    assert not (tmp_path / "profiles" / "prod.yaml").exists()


def test_a_workload_left_out_added_as_the_note_says_checks_clean(tmp_path: Path) -> None:
    """api and web set LOG_LEVEL alike; search, still deploying, does not. What init writes
    while search is left out, completed as its note says (search's entry moved in), checks
    clean against the unchanged services: nothing is hoisted into `defaults`, which would
    apply to search too (revfirst62 F1)."""
    search = {"image": "europe-docker.pkg.dev/p/apps/search:1", "env": {"INDEX": "main"}}
    scenario = {
        "projects": {
            "p": {
                "number": 700000000001,
                "region": "europe-west1",
                "services": {
                    name: {"template": {"image": f"europe-docker.pkg.dev/p/apps/{name}:1",
                                        "env": {"LOG_LEVEL": "info"}}}
                    for name in ("api", "web")
                }
                | {"search": {"template": search, "deploying": {"template": {**search,
                   "image": "europe-docker.pkg.dev/p/apps/search:2"}, "settles_in": "1h"}}},
            }
        }
    }  # fmt: skip
    where = ("--from-live", "--project", "p", "--region", "europe-west1")
    with Sandbox(scenario) as sandbox:
        env = sandbox.environ()
        first = drift("init", "prod", *where, "--wait", "0", env=env, cwd=tmp_path)
        assert first.returncode == 3, first.stdout + first.stderr
        sandbox.finish_deploy("p", "search")
        later = drift("init", "prod-search", *where, "-s", "search", env=env, cwd=tmp_path)
        assert later.returncode == 0, later.stdout + later.stderr
        profiles = tmp_path / "profiles"
        entry = (profiles / "prod-search.yaml").read_text().split("\nservices:\n", 1)[1]
        (profiles / "prod-search.yaml").unlink()
        with (profiles / "prod.yaml").open("a") as f:
            f.write(entry)
        assert set(yaml.safe_load((profiles / "prod.yaml").read_text())["services"]) == {
            "api", "web", "search"
        }  # fmt: skip
        check = drift("check", "prod", env=env, cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
