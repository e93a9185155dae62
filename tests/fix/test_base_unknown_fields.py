"""A fix built on the serving revision (traffic pinned on a revision the template does not
describe) copies that Revision's known fields into a RevisionTemplate (`base.template_from_
revision`). A Revision numbers its fields differently from a RevisionTemplate (containers: 17
on a Revision, 10 on a template; scaling 12 and 4: googleapis google/cloud/run/v2/revision.proto
and revision_template.proto), so a field a newer Cloud Run added to the Revision, which the
installed client does not know, has no template number to go to; and the template's own
unknown fields are not the serving revision's. Before: the canary and the promotion silently
dropped them ("fix changes only what its plan names", SPEC). Now the plan says so and the fix
refuses the service, naming it, the revision and the way on; nothing is written. Fields
unknown inside a message both share (a Container, a RevisionScaling…) are carried exactly.

Repro: .venv/bin/python -m pytest -q tests/fix/test_base_unknown_fields.py -n 0"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world, updates
from tests.jobs.world import write_profile
from tests.newer.test_unknown_fields import CTR, TPL, unknown, writes
from tests.sandbox.jobworld import POOL_SPEC, world

pytestmark = pytest.mark.sandbox

TEMPLATE = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": {"DEBUG": "true"}}
REV = b"NEWGOOGLE-revision"


def pinned(make_sandbox: MakeSandbox) -> tuple[Sandbox, str]:
    """Two revisions of the same configuration, traffic pinned on the older one: a fix builds
    on that revision (read with GetRevision), not on the template."""
    sandbox = make_sandbox(
        lab_world(history=[dict(TEMPLATE)], traffic=[{"revision": 1, "percent": 100}])
    )
    name = sandbox.service(LAB, "app").traffic[0].revision
    return sandbox, name


def newer(sandbox: Sandbox, name: str, *, revision: bool, template: bool) -> None:
    """A newer Cloud Run: an unknown field on the Revision `name` and/or the template, and on
    the revision's container (a Container on both: carried exactly)."""

    def apply() -> None:
        world: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        rec = world.find_service(LAB, "app")
        if revision:
            rec.revisions[name].MergeFromString(unknown(900, REV.decode()))
        if template:
            rec.pb.template.MergeFromString(unknown(900, TPL.decode()))
        rec.revisions[name].containers[0].MergeFromString(unknown(900, CTR.decode()))

    sandbox._run(apply)  # noqa: SLF001


@pytest.mark.parametrize("where", ["revision", "template"])
def test_a_fix_on_the_serving_revision_refuses_to_drop_unknown_fields(
    make_sandbox: MakeSandbox, tmp_path: Path, where: str
) -> None:
    sandbox, name = pinned(make_sandbox)
    newer(sandbox, name, revision=where == "revision", template=where == "template")
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert updates(sandbox) == [], out  # nothing written
    assert "Traceback" not in out
    assert "app:" in out and name in out and "field 900" in out, out
    assert "google-cloud-run" in out and "--from-template" in out, out
    assert "nothing was changed" in out, out
    plan = lab_cli(sandbox, tmp_path, "plan", "lab")  # the plan says so too
    assert "field 900" in plan.stdout and name in plan.stdout, plan.stdout + plan.stderr


def test_a_saved_plan_refuses_the_same(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox, name = pinned(make_sandbox)
    newer(sandbox, name, revision=True, template=False)
    saved = tmp_path / "plan.json"
    done = lab_cli(sandbox, tmp_path, "plan", "lab", "--out", str(saved))
    assert saved.exists(), done.stdout + done.stderr
    assert "field 900" in json.dumps(json.loads(saved.read_text())), saved.read_text()
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--plan", str(saved), "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and updates(sandbox) == [], out
    assert "field 900" in out and name in out, out
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--dry-run")
    assert done.returncode == 2 and "field 900" in done.stdout + done.stderr


def test_from_template_carries_them(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """The way on the refusal names: the template is what serves here (same configuration),
    and it carries its own unknown fields."""
    sandbox, name = pinned(make_sandbox)
    newer(sandbox, name, revision=False, template=True)
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--from-template")
    assert done.returncode == 0, done.stdout + done.stderr
    sent = writes(sandbox)
    assert sent and all(TPL in b for b in sent)


def test_unknown_fields_inside_shared_messages_are_carried(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A Container is the same message on a Revision and a template: its unknown fields go
    with it, and the fix goes ahead."""
    sandbox, name = pinned(make_sandbox)
    newer(sandbox, name, revision=False, template=False)
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    sent = writes(sandbox)
    assert sent and all(CTR in b for b in sent)


POOL_PROFILE = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: events\n      MODE: live\n"
)


def test_a_pool_fix_refuses_to_move_instances_off_unknown_fields(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A worker pool is updated in place, and its instances pinned on a revision of the
    template's configuration move to the patched revision (instances.moved_splits): that
    revision, compared by its known fields only, loses what the client does not know."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [copy.deepcopy(pool["template"])]
    pool["instance_splits"] = [{"revision": 1, "percent": 100}]
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool}))
    names: list[str] = []

    def apply() -> None:
        w: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        rec = w.owner(w.find("p", "pool", "workerPools"))
        names.append(next(iter(rec.revisions)))
        rec.revisions[names[0]].MergeFromString(unknown(900, REV.decode()))

    sandbox._run(apply)  # noqa: SLF001
    profiles = write_profile(tmp_path / "profiles", POOL_PROFILE)
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(profiles),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
    }
    sandbox.clear_calls()
    done = drift("fix", "prod", "--yes", env=env, cwd=tmp_path, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert not [c for c in sandbox.calls if c.short == "UpdateWorkerPool"], out
    assert "worker pool pool:" in out and names[0] in out and "field 900" in out, out
    assert "blocked: drift fix stops here before any write: " in out, out  # the plan
    assert "nothing was changed" in out and "Traceback" not in out, out


@pytest.mark.parametrize("on_its_revision", [False, True])
def test_from_template_says_a_template_field_it_cannot_compare_may_roll_out(
    make_sandbox: MakeSandbox, tmp_path: Path, on_its_revision: bool
) -> None:
    """The template's field this client does not know cannot be compared with what serves (a
    Revision numbers its fields otherwise): `--from-template` says it rolls out unless what
    serves has it too — never that nothing else rolls out (revown40 F3), nor that the
    template "is what serves" when its revision (a ready --no-traffic deploy) is not the one
    serving (revown41 F5)."""
    sandbox, name = pinned(make_sandbox)
    newer(sandbox, name, revision=False, template=True)

    def deployed_no_traffic() -> None:  # the template's own revision has it
        rec: Any = sandbox._core.world.find_service(LAB, "app")  # noqa: SLF001
        latest = rec.pb.latest_created_revision.rsplit("/", 1)[-1]
        assert latest != name
        rec.revisions[latest].MergeFromString(unknown(900, TPL.decode()))

    if on_its_revision:
        sandbox._run(deployed_no_traffic)  # noqa: SLF001
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--from-template")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "(it is what serves)" not in out, out
    assert "field 900 this drift's client does not know, unless what serves has it too" in out
