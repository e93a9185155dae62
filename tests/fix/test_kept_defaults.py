"""A setting the workload meets only through a default the patch moves (helper-551 F1): below
one CPU Cloud Run runs gen1 and one request per instance where the revision sets neither (CPU
page: "If you use less than 1 CPU … You must use the first generation execution environment";
RevisionTemplate.max_instance_request_concurrency: "defaults to 80 when requested CPU >= 1 and
defaults to 1 when requested CPU < 1"). A profile stating `cpu: 1` with gen1 (or concurrency
1) had one change planned, cpu; the revision written left the other to Cloud Run's other
choice, and the re-check found a drift the plan never named. The patch now writes it as the
profile states it, and the plan says why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor
from tests.fix.conftest import LAB, lab_name, lab_world
from tests.fix.sidecar_lab import profile, run, served, world

LOW = {
    "image": "us-docker.pkg.dev/lab/app:v1",
    "port": 8080,
    "cpu": "0.5",
    "memory": "512Mi",
    "cpu_throttling": True,
}
HEAD = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n      cpu: 1\n"


def as_sent(scenario: dict[str, Any]) -> dict[str, Any]:
    """`scenario` with the sandbox keeping a write as sent (option `template_defaults:
    unset`): the reading of the API under which a revision can hold no concurrency at all."""
    scenario["options"]["template_defaults"] = "unset"
    return scenario


def _unset_concurrency(sandbox: Sandbox, clients_for: ClientsFor) -> None:
    """The revision sets no concurrency (0: "If not specified or 0"), as a deploy that never
    named it leaves it where the server keeps a write as sent (`as_sent`); the scenario's seed
    writes the default."""
    services = clients_for(sandbox).services
    service = services.get_service(name=lab_name())
    service.template.max_instance_request_concurrency = 0
    services.update_service(service=service).result()
    assert services.get_service(name=lab_name()).template.max_instance_request_concurrency == 0


@pytest.mark.parametrize(
    ("stated", "flag", "unset"),
    [
        ("execution_environment: gen1", "--execution-environment=gen1", False),
        ("concurrency: 1", "--concurrency=1", True),
    ],
)
def test_raising_cpu_keeps_what_the_profile_states_below_it(
    reseedable: Sandbox,
    tmp_path: Path,
    clients_for: ClientsFor,
    stated: str,
    flag: str,
    unset: bool,
) -> None:
    reseedable.reset(as_sent(lab_world(template=LOW)) if unset else lab_world(template=LOW))
    if unset:
        _unset_concurrency(reseedable, clients_for)
    text = HEAD + f"      {stated}\n"
    name = stated.split(":")[0]
    check = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    assert [f["target"] for f in json.loads(check.stdout)["findings"]] == ["setting.cpu"]

    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert sorted(s["name"] for s in sp["settings"]) == sorted(["cpu", name])
    table = run(reseedable, tmp_path, text, "plan", "lab").stdout
    assert f"{name} is written as" in table and "with cpu changed, Cloud Run would run" in table
    script = run(reseedable, tmp_path, text, "plan", "lab", "--format", "gcloud").stdout
    assert "--cpu=1" in script and flag in script, script

    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0


def test_a_concurrency_the_server_wrote_in_is_kept_by_the_template_itself(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    """Where the server writes the default in ("validated and default values populated",
    UpdateServiceRequest.validate_only; option `template_defaults: filled`), a write leaving
    concurrency out reads back as 1 at 0.5 CPU: the template drift patches states it, so
    raising cpu keeps it with no second change, and the re-check is clean."""
    reseedable.reset(lab_world(template=LOW))
    services = clients_for(reseedable).services
    service = services.get_service(name=lab_name())
    service.template.max_instance_request_concurrency = 0
    services.update_service(service=service).result()
    assert services.get_service(name=lab_name()).template.max_instance_request_concurrency == 1
    text = HEAD + "      concurrency: 1\n"
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert [s["name"] for s in sp["settings"]] == ["cpu"]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert reseedable.service(LAB, "app").template.max_instance_request_concurrency == 1
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0


def test_nothing_is_added_where_the_profile_does_not_state_it(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """Only what the profile states is kept: cpu alone moves the environment to Cloud Run's
    choice, which the profile leaves open."""
    reseedable.reset(lab_world(template=LOW))
    plan = json.loads(run(reseedable, tmp_path, HEAD, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert [s["name"] for s in sp["settings"]] == ["cpu"]


def _small_sidecar_world() -> dict[str, Any]:
    """app 0.5 CPU + otel 0.25 CPU: 0.75 in all, so an unset concurrency runs as 1, gen1."""
    out = world("service")
    listed = served()
    for c, cpu in zip(listed, ("0.5", "0.25"), strict=True):
        c["resources"] = {"limits": {"cpu": cpu, "memory": "256Mi"}, "cpuIdle": True}
    out["projects"][LAB]["services"]["app"]["template"]["containers"] = listed
    return out


@pytest.mark.parametrize("stated", ["concurrency: 1", "execution_environment: gen1"])
def test_a_sidecars_cpu_raised_keeps_what_the_profile_states_below_one_cpu(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor, stated: str
) -> None:
    """helper-554 F3: the defaults follow the instance's CPU, every container's: raising the
    sidecar's cpu to 1 (1.5 in all) moved them as the app's did, and the plan named neither."""
    reseedable.reset(as_sent(_small_sidecar_world()))
    _unset_concurrency(reseedable, clients_for)
    text = profile("        settings:\n          cpu: 1\n", app=f"    settings:\n      {stated}\n")
    check = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    assert [f["target"] for f in json.loads(check.stdout)["findings"]] == ["setting.cpu"]
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    name = stated.split(":")[0]
    assert sorted((s["name"], s.get("container")) for s in sp["settings"]) == sorted(
        [("cpu", "otel"), (name, None)]
    )
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0


def test_only_the_cpu_change_is_refused_without_the_value_it_keeps(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    """helper-554 F4: `--only app/setting.cpu` cut the kept concurrency and wrote cpu 1
    alone: concurrency went from 1 (met) to 80. It is refused, naming the change it needs,
    as below one CPU; with both named it goes through."""
    reseedable.reset(as_sent(lab_world(template=LOW)))
    _unset_concurrency(reseedable, clients_for)
    text = HEAD + "      concurrency: 1\n"
    before = reseedable.service(LAB, "app").template
    done = run(reseedable, tmp_path, text, "fix", "lab", "--only", "app/setting.cpu", "--yes")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "it needs app/setting.concurrency too" in done.stderr, done.stderr
    assert reseedable.service(LAB, "app").template == before
    both = ("--only", "app/setting.cpu", "--only", "app/setting.concurrency")
    done = run(reseedable, tmp_path, text, "fix", "lab", *both, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
