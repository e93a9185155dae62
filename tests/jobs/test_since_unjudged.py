"""`since` where an older revision cannot be judged (helper-628): a worker pool that ran two
containers, none with a port, and no `container:` in the profile (which one its `env` describes
cannot be told, `drift.diff.undescribed`). The drift is known to hold from the revision after
it: `since` names that one "or earlier", names the revision that could not be judged and why,
and names no last good; before, the finding had no `since` at all, which every format showed
as a drift with no past (read as new). A service's revisions cannot be such: several
containers have exactly one with a port (https://cloud.google.com/run/docs/deploying#sidecars);
its unjudged revisions (a secret version or a project's number not read) are tested in
tests/test_since_paths.py, tests/test_since_project_spelling.py and
tests/history/test_since_masked_constraint.py. A job has no revisions, nor `since`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.reportschema import schema_errors

pytestmark = pytest.mark.sandbox

AGENT = {"name": "agent", "image": "img/agent:1", "env": [{"name": "LEVEL", "value": "info"}]}
DEBUG = {"name": "consumer", "image": "img/c:1", "env": [{"name": "MODE", "value": "debug"}]}
LIVE = {"name": "consumer", "image": "img/c:1", "env": [{"name": "MODE", "value": "live"}]}
PROFILE = "project: acme\nregion: us-central1\nworker_pools:\n  pool:\n    env:\n      MODE: live\n"
WHY = (
    "the drift may be older: before it, pool-00002-bav could not be judged (it ran containers "
    "agent and consumer, none with a port: which one the profile's `env` describes cannot be "
    "told)"
)


def _world(*history: list[dict[str, Any]]) -> dict[str, Any]:
    """A pool running [consumer] MODE=debug now, after `history` (oldest first)."""
    revisions = [
        {"created": f"{30 - 10 * n}d", "creator": f"user{n}@x.io", "containers": containers}
        for n, containers in enumerate(history)
    ]
    body = {"instances": 1, "template": {"containers": [DEBUG]}, "history": revisions}
    project = {"number": 111, "region": "us-central1", "worker_pools": {"pool": body}}
    return {"options": {"seed": 3}, "projects": {"acme": project}}


def _since(sandbox: Any, tmp_path: Path, profile: str = PROFILE) -> dict[str, Any]:
    done = drift_on(sandbox, tmp_path, ("prod", profile), "check", "prod", "--format", "json")
    assert done.returncode == 1, done.stderr
    (found,) = [f for f in json.loads(done.stdout)["findings"] if f["target"] == "env.MODE"]
    assert "since" in found, found
    return dict(found["since"])


def test_since_is_the_earliest_revision_known_or_earlier(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """alice's [consumer MODE=live], then bob's [agent, consumer MODE=debug] (not judged: no
    port, no `container:`), now [consumer MODE=debug]: since 00003 or earlier, never bob's
    revision as last good, never no `since` (helper-624 F1's left part)."""
    sandbox = make_sandbox(_world([LIVE], [AGENT, DEBUG]))
    since = _since(sandbox, tmp_path)
    assert since["revision"] == "pool-00003-zmv" and since["last_good"] is None, since
    assert (since["earlier"], since["unjudged"], since["note"]) == (True, "pool-00002-bav", WHY)


def test_the_formats_say_or_earlier_and_why(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """Table, markdown, GitHub annotations and SARIF say it in words: "or earlier", and which
    revision could not be judged (never "no earlier revision listed": one is)."""
    sandbox = make_sandbox(_world([LIVE], [AGENT, DEBUG]))
    said = {}
    for form in ("table", "markdown", "github", "sarif"):
        done = drift_on(sandbox, tmp_path, ("prod", PROFILE), "check", "prod", "--format", form)
        assert done.returncode == 1, done.stderr
        said[form] = done.stdout
    words = "since pool-00003-zmv or earlier, "
    for form in ("table", "markdown", "github"):
        flat = " ".join(said[form].replace("%0A", " ").split())
        assert words in flat and "pool-00002-bav could not be judged" in flat, (form, flat)
        assert "no earlier revision listed" not in flat, (form, flat)
    results = json.loads(said["sarif"])["runs"][0]["results"]
    (mode,) = [r for r in results if "MODE" in r["message"]["text"]]
    assert mode["properties"]["since"].startswith(words), mode["properties"]
    assert WHY in mode["properties"]["since"], mode["properties"]
    assert mode["properties"]["sinceRevision"] == "pool-00003-zmv"


def test_a_drift_every_container_has_runs_through(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """FLAG is in no container of bob's [agent, consumer]: it is missing there whichever
    container the profile's `env` describes, so the run goes on through it, to alice's
    revision, which lacked it too (the oldest listed: no last good, nothing "or earlier")."""
    sandbox = make_sandbox(_world([LIVE], [AGENT, DEBUG]))
    profile = PROFILE + "      FLAG: 'on'\n"
    done = drift_on(sandbox, tmp_path, ("prod", profile), "check", "prod", "--format", "json")
    (found,) = [f for f in json.loads(done.stdout)["findings"] if f["target"] == "env.FLAG"]
    since = found["since"]
    assert since["revision"] == "pool-00001-goj" and since["last_good"] is None, since
    assert "earlier" not in since and "unjudged" not in since, since


def test_a_revision_of_the_same_drift_in_every_container_begins_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """bob's [agent, consumer] both ran MODE=debug: it had the drift whichever container is
    the one the profile describes, so it began it, and alice's revision before it is the
    last good (what helper-624 F1 asked for where the containers agree)."""
    agent = {**AGENT, "env": [{"name": "MODE", "value": "debug"}]}
    sandbox = make_sandbox(_world([LIVE], [agent, DEBUG]))
    since = _since(sandbox, tmp_path)
    assert (since["revision"], since["creator"]) == ("pool-00002-bav", "user1@x.io"), since
    assert since["last_good"] == "pool-00001-goj" and "unjudged" not in since, since
    assert since["note"] == (
        "pool-00002-bav ran containers agent and consumer, none with a port: it had the drift "
        "whichever of them the profile's `env` describes"
    ), since


def test_a_revision_good_in_every_container_is_the_last_good(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """bob's [agent, consumer] both ran MODE=live: nothing wrong on MODE whichever container
    the profile describes, so it is the last good before the drift began."""
    agent = {**AGENT, "env": [{"name": "MODE", "value": "live"}]}
    sandbox = make_sandbox(_world([DEBUG], [agent, LIVE]))
    since = _since(sandbox, tmp_path)
    assert since["revision"] == "pool-00003-zmv" and since["last_good"] == "pool-00002-bav"
    assert since["note"].endswith(
        "it had nothing wrong there whichever of them the profile's `env` describes"
    ), since


def test_a_revision_judged_again_before_the_unjudged_one_is_not_reached(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """[agent, consumer] long ago, then two [consumer MODE=live|debug] revisions: the run stops
    at the good one, which is judged; the unjudged revision before it changes nothing."""
    sandbox = make_sandbox(_world([AGENT, DEBUG], [LIVE]))
    since = _since(sandbox, tmp_path)
    assert since["revision"] == "pool-00003-zmv" and since["last_good"] == "pool-00002-bav"
    assert "earlier" not in since and "unjudged" not in since, since


def _sized(memory: str) -> dict[str, Any]:
    return {**DEBUG, "resources": {"limits": {"memory": memory, "cpu": "1"}}}


def test_history_tells_the_limits_of_a_container_across_an_undescribed_revision(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`drift history` compares a revision with the one that served before it container by
    container, by name; the workload's limits (its main container's) are not read on
    [agent, consumer] (no port, no `container:`), and consumer's own went unsaid: its memory
    went 512Mi -> 1Gi -> 2Gi and history showed no change of it at all."""
    agent = {**AGENT, "resources": {"limits": {"memory": "512Mi", "cpu": "1"}}}
    world = _world([_sized("512Mi")], [agent, _sized("1Gi")])
    world["projects"]["acme"]["worker_pools"]["pool"]["template"]["containers"] = [_sized("2Gi")]
    sandbox = make_sandbox(world)
    done = drift_on(sandbox, tmp_path, ("prod", PROFILE), "history", "prod", "--format", "json")
    assert done.returncode == 0, done.stderr
    (pool,) = json.loads(done.stdout)["services"]
    changed = {
        r["revision"]: [
            (c["target"], c["container"], c["before"], c["after"]) for c in r["changes"]
        ]
        for r in pool["revisions"]
        if r["changes"]
    }
    memory = ("setting.memory", "consumer")
    assert (*memory, "1Gi", "2Gi") in changed["pool-00003-zmv"], changed
    assert (*memory, "512Mi", "1Gi") in changed["pool-00002-bav"], changed


def test_a_container_the_profile_names_a_sidecar_is_no_reading(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The profile names agent under `containers:`: `env` does not describe it, so bob's
    revision is read with consumer alone, which had MODE=debug: bob began the drift."""
    sandbox = make_sandbox(_world([LIVE], [AGENT, DEBUG]))
    profile = PROFILE + "    containers:\n      agent:\n        env:\n          LEVEL: info\n"
    since = _since(sandbox, tmp_path, profile)
    assert (since["revision"], since["last_good"]) == ("pool-00002-bav", "pool-00001-goj"), since
    assert "unjudged" not in since, since
    assert since["note"] == (
        "pool-00002-bav ran containers agent and consumer, none with a port: it had the drift "
        "in consumer, the only one not a sidecar under `containers:`"
    ), since


def test_the_report_keeps_its_schema_and_a_baseline_reads_it_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`since.unjudged` is additive and in the schema; a baseline holding it reads it back,
    takes the start as not known, and the same drift the next run is unchanged."""
    sandbox = make_sandbox(_world([LIVE], [AGENT, DEBUG]))
    first = drift_on(sandbox, tmp_path, ("prod", PROFILE), "check", "prod", "--format", "json")
    report = json.loads(first.stdout)
    assert schema_errors(report) == [], schema_errors(report)
    (tmp_path / "last.json").write_text(first.stdout)
    args = ("check", "prod", "--format", "json", "--baseline", str(tmp_path / "last.json"))
    again = json.loads(drift_on(sandbox, tmp_path, ("prod", PROFILE), *args).stdout)
    assert schema_errors(again) == [], schema_errors(again)
    (found,) = [f for f in again["findings"] if f["target"] == "env.MODE"]
    assert found["baseline"] == "unchanged" and found["since"]["unjudged"] == "pool-00002-bav"
