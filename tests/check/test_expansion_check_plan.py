"""A profile value with `$(NAME)` references is judged by `drift check` and planned by `drift
plan`/`fix` the same way (`drift.expansion.runs_as`): a name the profile states expands to the
profile's value, any other to the container's own, set before it. helper-566 F1: check expanded
with the live HOST while plan compared text, so check said "no drift" and `fix --yes` deployed
a canary and moved the traffic for nothing; F1b: an escaped `$$(HOST)` got advice that would
make it expand; F4: the mode of a secret file entered every configuration's digest, so changes
journaled by the drift before were no longer recognised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

P1, REGION = "p1", "us-central1"
ACCOUNT = "serviceAccount:500000000009-compute@developer.gserviceaccount.com"


def _world(env: dict[str, str]) -> dict[str, Any]:
    service = {"template": {"image": "us-docker.pkg.dev/p1/app:2", "env": env}}
    return {"projects": {P1: {
        "number": 500000000009, "region": REGION,
        "iam": {"roles/secretmanager.secretAccessor": [ACCOUNT]},
        "secrets": {"s": {"versions": ["fake-value-1"]}},
        "services": {"svc": service},
    }}}  # fmt: skip


def _run(sb: Sandbox, tmp: Path, profile: str, *args: str) -> Any:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "prod.yaml").write_text(profile)
    return drift(*args, "prod", "--profiles", str(tmp / "profiles"), env=sb.environ(), cwd=tmp)


def _profile(host: str, url: str) -> str:
    return (
        f"project: {P1}\nregion: {REGION}\nservices:\n  svc:\n    env:\n"
        f"      HOST: {host}\n      URL: {json.dumps(url)}\n"
    )


@pytest.mark.parametrize("profile_host", ["db", "prod-db"], ids=["host-as-stated", "host-differs"])
def test_every_variable_plan_changes_is_a_finding_of_check(
    tmp_path: Path, profile_host: str
) -> None:
    """The revision writes URL out (postgres://db/x, HOST=db before it); the profile states
    URL as postgres://$(HOST)/x. `_holds` (check) expands the profile's text with the LIVE
    HOST and calls URL clean; `env_change` (plan/fix) still compares with EnvVar.holds and
    rewrites URL. host-as-stated: check 'no drift' (exit 0), `drift fix --yes` deploys a
    canary and moves traffic anyway. host-differs: check reports HOST only; plan sets HOST and
    URL (URL runs postgres://db/x where the profile means postgres://prod-db/x)."""
    profile = _profile(profile_host, "postgres://$(HOST)/x")
    with Sandbox(_world({"HOST": "db", "URL": "postgres://db/x"})) as sb:
        checked = _run(sb, tmp_path, profile, "check", "--no-history", "-f", "json")
        planned = _run(sb, tmp_path, profile, "plan", "-f", "json")
    found = {f["target"] for f in json.loads(checked.stdout)["findings"]}
    changed = {f"env.{c['name']}" for s in json.loads(planned.stdout)["services"] for c in s["env"]}
    assert changed == found, (found, changed)  # the plan changes what check finds, no more
    if profile_host == "db":  # URL runs what the profile's text means there: nothing to do
        assert checked.returncode == 0 and found == set(), checked.stdout
    else:  # URL runs postgres://db/x; the profile means postgres://prod-db/x
        assert found == {"env.HOST", "env.URL"}, found


def test_an_escaped_reference_gets_no_advice_that_makes_it_expand(tmp_path: Path) -> None:
    """Profile URL: a$$(HOST) (the literal a$(HOST)); the revision writes a$(HOST) with HOST set
    after it, so it runs a$(HOST) too. HEAD: `held` via the expansion, then `_set_after` of the
    LIVE text says "set HOST before URL" - done, URL runs 'adb', what the profile rules out.
    On 9c67aef6^ it said 'differs from the profile'."""
    profile = _profile("db", "a$$(HOST)")
    with Sandbox(_world({"URL": "a$(HOST)", "HOST": "db"})) as sb:
        checked = _run(sb, tmp_path, profile, "check", "--no-history")
    assert "set HOST before URL" not in checked.stdout, checked.stdout


def test_older_journal_digests_still_match() -> None:
    """`Write.template_key` / a job's `config_key`, as the drift before 9c67aef6 journaled them
    for a template mounting secret s (default mode 0444): `routing.carries`, `landed_before`,
    `restored.carries_kind` compare them with the live workload. a6184965 (`Field.sparse`)
    keeps older digests matching for exactly this reason."""
    from google.cloud import run_v2

    from drift.fix.routing import template_key
    from drift.kinds import Kind
    from drift.live.normalize import config_key

    mount = run_v2.VolumeMount(name="v", mount_path="/etc/v")
    item = run_v2.VersionToPath(path="f", version="1")
    volume = run_v2.Volume(name="v", secret=run_v2.SecretVolumeSource(secret="s", items=[item]))
    port = run_v2.ContainerPort(container_port=8080)
    app = run_v2.Container(name="app", image="gcr.io/p1/app:1", volume_mounts=[mount])
    svc = run_v2.Service(
        name="projects/p1/locations/us-central1/services/svc",
        template=run_v2.RevisionTemplate(
            containers=[
                run_v2.Container(
                    name="app", image="gcr.io/p1/app:1", ports=[port], volume_mounts=[mount]
                )
            ],
            volumes=[volume],
        ),
    )
    job = run_v2.Job(
        name="projects/p1/locations/us-central1/jobs/j",
        template=run_v2.ExecutionTemplate(
            template=run_v2.TaskTemplate(containers=[app], volumes=[volume])
        ),
    )
    assert template_key(svc) == "23f21ad46230cf6278b6104173e3ac05"
    assert config_key(job, Kind.JOB) == "919366894bc7533e068b47ef535315dd"


def test_a_long_chain_of_stated_references_is_no_recursion_error() -> None:
    """2,000 stated values, each referring to the next: judged, never a RecursionError."""
    from drift.expansion import runs_as
    from drift.findings import Location
    from drift.live.model import EnvVar
    from drift.profiles.model import VarRule

    def chain(n: int) -> dict[str, VarRule]:
        here = Location("p.yaml", 1)
        rules = {f"V{i}": VarRule(f"V{i}", here, value=f"$(V{i + 1})") for i in range(n)}
        return rules | {f"V{n}": VarRule(f"V{n}", here, value="end")}

    env = {"URL": EnvVar("URL", value="end")}
    assert runs_as(env, "URL", "end", chain(2000))  # as written
    assert not runs_as(env, "URL", "$(V0)", chain(2000))  # too deep to follow: not known
    assert runs_as(env, "URL", "$(V0)", chain(5))
