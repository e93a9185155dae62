"""helper-609 F1: `drift plan --format gcloud` of a workload under a Binary Authorization
breakglass printed a bare `gcloud run services|jobs update` / `gcloud beta run worker-pools
update`, which deletes the breakglass before applying its flags ("Next update or deploy
command will automatically clear existing breakglass justification", command_lib/run/flags.py
`AddBinAuthzBreakglassFlag`; surface/run/services/update.py `_GetBaseChanges`, flags.py
`GetJobConfigurationChanges`, surface/run/worker_pools/update.py): the new revision is then
judged by the policy (FAILED_PRECONDITION for the image the breakglass let through), a change
the plan does not name, while `drift fix` keeps the breakglass. Every update drift prints now
gives it again with `--breakglass=JUSTIFICATION` (flags.py `_GetConfigurationChanges` sets it
after the delete; v2 flags_parser.py `_GetBinaryAuthorizationChanges`), quoted like any value;
a justification drift may not print leaves the command to a manual step; a plan that sets the
policy itself ends the bypass, as `drift fix` does. A worker pool's update keeps it
(helper-614 M2: surface/run/worker_pools/update.py inserts `BinaryAuthorizationChange(
breakglass_justification=None)`, whose `Adjust` sets nothing then, and the pool read is sent
back whole): its command gives none, and needs none."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest

from drift.fix.formats.gcloud import plan_script
from drift.fix.formats.json_plan import plan_data
from tests.conftest import MakeSandbox
from tests.jobs.world import planned_prod
from tests.profilecopy import API_HEAD
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, RUNNER, world

pytestmark = pytest.mark.sandbox

IMAGE = "us-docker.pkg.dev/example/api:hotfix"
PROFILE = (
    API_HEAD
    + """\
    env:
      MODE: b
      LOG_LEVEL: {one_of: [INFO, WARNING]}
jobs:
  job:
    env:
      MODE: next
worker_pools:
  pool:
    container: consumer
    env:
      QUEUE: events2
"""
)


def _world(justification: str, *, pinned: bool = False) -> dict[str, Any]:
    glass = {"useDefault": True, "breakglassJustification": justification}
    job = copy.deepcopy(JOB_SPEC) | {"binaryAuthorization": glass}
    pool = copy.deepcopy(POOL_SPEC) | {"binaryAuthorization": glass}
    if pinned:  # revision 1 holds the template's configuration: the fix moves its instances
        pool["history"] = [{"created": "3d"}]
        pool["instance_splits"] = [{"latest": True, "percent": 60}, {"revision": 1, "percent": 40}]
    out = world(jobs={"job": job}, pools={"pool": pool}, binauthz_denied_images=[IMAGE])
    out["projects"]["p"]["services"] = {
        "api": {
            "binaryAuthorization": glass,
            **({"traffic": [{"revision": 1, "percent": 100}]} if pinned else {}),
            "template": {
                "image": IMAGE,
                "service_account": RUNNER,
                "env": {"MODE": "a", "LOG_LEVEL": "DEBUG"},
            },
        }
    }
    return out


def _plan(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    scenario: dict[str, Any],
    profile: str = PROFILE,
) -> Any:
    sandbox = make_sandbox(scenario)
    planned = planned_prod(sandbox, monkeypatch, tmp_path, profile)
    return planned.plan


def _argvs(script: str, tmp_path: Path) -> list[list[str]]:
    """Each gcloud command of the script as bash hands it to gcloud."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    gcloud = fake / "gcloud"
    gcloud.write_text("#!/usr/bin/env bash\nprintf '%s\\0' \"$@\"; printf '\\n\\0'\n")
    gcloud.chmod(0o755)
    path = f"{fake}:/usr/bin:/bin"
    ran = subprocess.run(
        ["bash", "-c", script], capture_output=True, env={"PATH": path}, check=True
    )
    out: list[list[str]] = [[]]
    for arg in ran.stdout.decode().split("\0")[:-1]:
        if arg == "\n":
            out.append([])
        else:
            out[-1].append(arg)
    return [argv for argv in out if argv]


def test_every_update_gives_the_breakglass_again(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan = _plan(make_sandbox, monkeypatch, tmp_path, _world("INC-4711 hotfix approved"))
    script = plan_script(plan)
    argvs = _argvs(script, tmp_path)
    assert [argv[:4] for argv in argvs] == [
        ["run", "services", "update", "api"],
        ["run", "jobs", "update", "job"],
        ["beta", "run", "worker-pools", "update"],
    ], script
    for argv in argvs[:2]:
        assert "--breakglass=INC-4711 hotfix approved" in argv, argv
    service = argvs[0]  # a revision's flag: before `--container`, where gcloud parses it
    assert "--container" not in service or service.index(
        "--breakglass=INC-4711 hotfix approved"
    ) < service.index("--container")
    assert not any(a.startswith("--breakglass") for a in argvs[2]), argvs[2]  # a pool's: kept
    assert "gcloud's update clears it first" in script
    # the JSON plan's `gcloud` carries the same commands
    commands = [s["gcloud"] for s in plan_data(plan)["services"]]
    assert all("'--breakglass=INC-4711 hotfix approved'" in c for c in commands[:2]), commands
    assert "--breakglass" not in commands[2], commands
    # a manual step's update of the service gives it again too
    (step,) = [c for sp in plan.services for m in sp.manual for c in m.commands]
    assert "update api" in step and "'--breakglass=INC-4711 hotfix approved'" in step, step


HOSTILE = 'it\'s $(touch /tmp/pwned) `id` "q" ; | ^,^ ##[error]x \\ é'


def test_a_hostile_justification_is_given_back_exactly(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan = _plan(make_sandbox, monkeypatch, tmp_path, _world(HOSTILE))
    script = plan_script(plan)
    assert "##[" not in script  # no workflow command for a CI runner reading the text
    for argv in _argvs(script, tmp_path)[:2]:  # the pool's keeps it: none given
        assert f"--breakglass={HOSTILE}" in argv, argv
    assert not Path("/tmp/pwned").exists()


def test_a_justification_drift_does_not_print_leaves_the_command_to_a_step(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shaped = "INC-1 password=Hunter2-Very-Secret"
    plan = _plan(make_sandbox, monkeypatch, tmp_path, _world(shaped))
    script = plan_script(plan)
    assert "Hunter2" not in script, script
    run = [line for line in script.splitlines() if line.startswith("gcloud ")]
    assert [line.split()[:5] for line in run] == [
        ["gcloud", "beta", "run", "worker-pools", "update"]  # a pool's keeps it: runs as is
    ], script
    assert "holds a value drift does not print" in script
    assert [s["gcloud"] is None for s in plan_data(plan)["services"]] == [True, True, False]
    (step,) = [c for sp in plan.services for m in sp.manual for c in m.commands]
    assert "--breakglass=<BREAKGLASS_JUSTIFICATION>" in step, step


def test_a_plan_setting_the_policy_ends_the_bypass_as_drift_fix_does(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    policy = "    settings:\n      binary_authorization: default\n"
    profile = PROFILE.replace("      MODE: next\n", "      MODE: next\n" + policy)
    plan = _plan(make_sandbox, monkeypatch, tmp_path, _world("INC-4711"), profile)
    (job,) = [argv for argv in _argvs(plan_script(plan), tmp_path) if argv[1] == "jobs"]
    assert "--binary-authorization=default" in job
    assert not any(a.startswith("--breakglass") for a in job), job


@pytest.mark.parametrize("policy", ["default", "none"])
def test_a_pool_whose_plan_sets_the_policy_ends_the_bypass_as_drift_fix_does(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, policy: str
) -> None:
    """helper-615 F3: a worker pool's `--binary-authorization=POLICY` keeps its breakglass
    (v2 config_changes.py `BinaryAuthorizationChange.Adjust` sets `use_default` and leaves the
    justification), so the new revision was deployed under the bypass the plan says it ends.
    Only `--clear-binary-authorization` blanks it, and it may not go with
    `--binary-authorization` (flags.py: mutually exclusive): it runs first, alone."""
    policy_lines = f"    settings:\n      binary_authorization: {policy}\n"
    profile = PROFILE.replace("      QUEUE: events2\n", "      QUEUE: events2\n" + policy_lines)
    plan = _plan(make_sandbox, monkeypatch, tmp_path, _world("INC-4711"), profile)
    script = plan_script(plan)
    pool = [argv for argv in _argvs(script, tmp_path) if "worker-pools" in argv]
    where = ["--project=p", "--region=us-central1"]
    if policy == "none":  # its own flag blanks the justification too: one command
        (update,) = pool
        assert "--clear-binary-authorization" in update, update
        assert "--clear-binary-authorization first" not in script
        return
    clear, update = pool
    assert clear == ["beta", "run", "worker-pools", "update", "pool", *where,
                     "--clear-binary-authorization"], clear  # fmt: skip
    assert "--binary-authorization=default" in update and "--update-env-vars=QUEUE=events2" in (
        update
    ), update
    assert "--clear-binary-authorization" not in update, update
    assert "--clear-binary-authorization first ends the worker pool's" in script
    (data,) = [s["gcloud"] for s in plan_data(plan)["services"] if "worker-pools" in s["gcloud"]]
    assert data.index("--clear-binary-authorization") < data.index("--binary-authorization="), data


def test_the_pool_split_line_needs_none_and_update_traffic_says_it_clears_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan = _plan(make_sandbox, monkeypatch, tmp_path, _world("INC-9", pinned=True))
    script = plan_script(plan)
    (split,) = [line for line in script.splitlines() if "update-instance-split" in line]
    assert split.endswith("--project=p --region=us-central1"), split  # kept: helper-614 M2
    moves = [line for line in script.splitlines() if line.startswith("#   gcloud run services")]
    (move,) = [line for line in moves if "update-traffic" in line]
    assert "--breakglass" not in move  # GA and beta update-traffic take none
    said = "`gcloud run services update-traffic` clears the service's Binary Authorization"
    assert said in script


def test_the_header_says_services_update_pins_images_by_digest(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-609 F5: gcloud's services update writes the ingress container's image by the
    digest its template's revision runs (serverless_operations.py `_EnsureImageDigest`; a
    sidecar's stays: helper-614 L4); drift fix keeps the tag."""
    plan = _plan(make_sandbox, monkeypatch, tmp_path, _world("INC-1"))
    head = plan_script(plan).split("\nset -euo pipefail\n")[0]
    assert (
        "writes the ingress container's image by the digest its template's revision runs" in head
    ), head
    assert "drift fix keeps the tag as written" in head
