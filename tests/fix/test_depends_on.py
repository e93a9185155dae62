"""A container's startup order (Container.depends_on: "Names of the containers that must start
before this container", run v2 k8s.min.proto) as a setting of that container: the app that
starts after its collector (or a Cloud SQL proxy) takes no request before the sidecar listens.
A teammate's deploy that drops the order is drift; `init` writes it, `plan` renders gcloud's
`--container NAME --depends-on=…`, `fix` writes that container's order alone and `rollback`
puts back what served. helper-545 F4: it was not compared at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor
from tests.fix.conftest import LAB, lab_name
from tests.fix.sidecar_lab import containers, profile, run, served, world

INIT = ("init", "lab", "--from-live", "--project", LAB, "--region", "us-central1")


def _ordered(kind: str = "service") -> dict[str, Any]:
    """The lab's app starting after its collector."""
    make = served if kind == "service" else containers
    listed = make()
    listed[0]["dependsOn"] = ["otel"]
    out = world(kind)
    section = next(iter(k for k in out["projects"][LAB] if k.endswith("s") and k != "secrets"))
    out["projects"][LAB][section]["app"]["template"]["containers"] = listed
    return out


def _findings(sandbox: Sandbox, tmp_path: Path, text: str) -> tuple[int, list[dict[str, Any]]]:
    done = run(sandbox, tmp_path, text, "check", "lab", "--format", "json")
    return done.returncode, json.loads(done.stdout)["findings"]


def _drop_the_order(clients_for: ClientsFor, sandbox: Sandbox) -> run_v2.Service:
    """A teammate's deploy of the app without its startup order (gcloud run deploy
    --container app --depends-on= ; here UpdateService through the official client)."""
    services = clients_for(sandbox).services
    service = services.get_service(name=lab_name())
    del service.template.containers[0].depends_on[:]
    return services.update_service(service=service).result()


def test_init_writes_the_order_and_a_deploy_that_drops_it_is_drift(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    reseedable.reset(_ordered())
    done = drift(*INIT, env=reseedable.environ(), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "profiles" / "lab.yaml").read_text()
    app = text.split("  app:", 1)[1].split("    containers:\n", 1)[0]
    assert "      depends_on: otel\n" in app, text
    otel = text.split("      otel:\n", 1)[1]
    assert "depends_on" not in otel, text  # none: not written
    check = drift("check", "lab", "--format", "json", env=reseedable.environ(), cwd=tmp_path)
    assert (check.returncode, json.loads(check.stdout)["findings"]) == (0, []), check.stdout

    _drop_the_order(clients_for, reseedable)
    check = drift("check", "lab", "--format", "json", env=reseedable.environ(), cwd=tmp_path)
    assert check.returncode == 1, check.stdout
    (finding,) = json.loads(check.stdout)["findings"]
    assert (finding["rule"], finding["target"]) == ("setting.value", "setting.depends_on")
    assert (finding["expected"], finding["actual"]) == ("otel", "none")


RULES = profile("", app="    settings:\n      depends_on: [otel]\n")


def test_fix_writes_the_order_on_that_container_alone_and_rollback_drops_it_again(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    reseedable.reset(_ordered())
    assert _findings(reseedable, tmp_path, RULES) == (0, [])
    dropped = _drop_the_order(clients_for, reseedable)

    script = run(reseedable, tmp_path, RULES, "plan", "lab", "--format", "gcloud").stdout
    assert "--container app \\\n  --depends-on=otel\n" in script, script
    done = run(reseedable, tmp_path, RULES, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    fixed = reseedable.service(LAB, "app").template
    assert list(fixed.containers[0].depends_on) == ["otel"]
    # nothing else of either container changed
    for before, after in zip(dropped.template.containers, fixed.containers, strict=True):
        kept = run_v2.Container.pb(after)
        was = run_v2.Container.pb(before)
        if before.name == "app":
            was.depends_on[:] = ["otel"]
        assert kept == was, before.name

    back = run(reseedable, tmp_path, RULES, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert list(reseedable.service(LAB, "app").template.containers[0].depends_on) == []


@pytest.mark.parametrize("kind", ["job", "worker_pool"])
def test_a_job_or_pool_order_is_judged_and_written_too(
    reseedable: Sandbox, tmp_path: Path, kind: str
) -> None:
    reseedable.reset(world(kind))  # no order
    rules = profile("", kind, app="    settings:\n      depends_on: otel\n")
    code, findings = _findings(reseedable, tmp_path, rules)
    assert code == 1
    assert [(f["target"], f["expected"], f["actual"]) for f in findings] == [
        ("setting.depends_on", "otel", "none")
    ]
    done = run(reseedable, tmp_path, rules, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _findings(reseedable, tmp_path, rules) == (0, [])


@pytest.mark.parametrize(
    ("app", "otel", "said"),
    [
        ("[sqlproxy]", "", "'app' starts after 'sqlproxy', which is no container of this"),
        ("[otel]", "[app]", "the containers wait on each other ("),
        ("[app]", "", "the containers wait on each other ('app' -> 'app')"),
    ],
)
def test_an_order_cloud_run_cannot_deploy_is_a_step_not_a_change(
    reseedable: Sandbox, tmp_path: Path, app: str, otel: str, said: str
) -> None:
    """helper-554 F5: a name no container of the template has, or containers waiting on each
    other, was planned as `--depends-on=…`, which Cloud Run (and gcloud, before sending:
    "references nonexistent containers") refuses; the sandbox let a cycle through."""
    reseedable.reset(world())
    sidecar = f"        settings:\n          depends_on: {otel}\n" if otel else ""
    text = profile(sidecar, app=f"    settings:\n      depends_on: {app}\n")
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert [s for s in sp["settings"] if s["name"] == "depends_on"] == []
    (step,) = [m["reason"] for m in sp["manual"] if m["target"] == "setting.depends_on"]
    assert "the startup order the profile states cannot be deployed: " in step and said in step
    before = reseedable.service(LAB, "app").template
    run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert reseedable.service(LAB, "app").template == before
