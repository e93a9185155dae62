"""`drift plan --format yaml` of a workload whose share is pinned by name to what serves (a
service's traffic on its serving revision, a worker pool's instance split): the file keeps the
pin as read (`replace` writes it back), so the revision it creates serves nothing until it is
moved. The gcloud script says so beside its command and gives the move; the YAML said only
"Apply: gcloud run services replace FILE", and the patch never served."""

from __future__ import annotations

import copy
from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import lab_cli, lab_world
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

TEMPLATE = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": {"DEBUG": "true"}}


def test_a_service_pinned_by_name_says_its_new_revision_gets_no_traffic(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(
        lab_world(
            template=dict(TEMPLATE),
            history=[dict(TEMPLATE)],
            traffic=[{"revision": 1, "percent": 100}],
        )
    )
    done = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    head = [line for line in done.stdout.splitlines() if line.startswith("#")]
    said = " ".join(line.removeprefix("# ") for line in head)
    assert "Traffic: app-00001-goj is pinned by name" in said, said
    assert "the revision `replace` creates gets none of it until it is moved" in said, said
    assert "update-traffic app" in said and "--to-revisions" in said, said


def test_a_pool_whose_split_is_pinned_says_so(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [
        {"image": "us-docker.pkg.dev/example/consumer:1"}
    ]  # revision 1: the same config
    pool["instance_splits"] = [{"revision": 2, "percent": 100}]
    sandbox = make_sandbox(world(pools={"pool": pool}, jobs={}))
    profiles = write_profile(
        tmp_path / "profiles",
        "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
        "    env:\n      QUEUE: events\n      NEW: '1'\n",
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(profiles)}
    done = drift("plan", "prod", "--format", "yaml", env=env, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(
        line.removeprefix("# ") for line in done.stdout.splitlines() if line.startswith("#")
    )
    assert "Instance split: " in said and "gets none of it until it is moved" in said, said
