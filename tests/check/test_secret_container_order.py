"""helper-608 F2: a secret's findings were scoped by (and named the uses in the order of)
whichever container the template listed first. Cloud Run gives that order no meaning (the
ingress container is the one with a port, startup order is `depends_on`'s) and Terraform or a
YAML edit reorders freely, so the same drift got another id — `[new]` plus "resolved" under
`--baseline` — and a `container` that was not the one the located rule describes. Now the
main container's use comes first, then each sidecar's by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run

PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n      K: {{secret: k}}\n"
)
LATEST = {"secretKeyRef": {"secret": "k", "version": "latest"}}
MAIN = {
    "name": "app",
    "image": "us-docker.pkg.dev/lab/app:v1",
    "ports": [{"containerPort": 8080}],
    "env": [{"name": "K", "valueSource": LATEST}],
}
SIDES = [
    {
        "name": name,
        "image": "us-docker.pkg.dev/lab/side:v1",
        "env": [{"name": f"K_{name}", "valueSource": LATEST}],
    }
    for name in ("zeta", "beta")
]


def _world(containers: list[dict[str, Any]]) -> dict[str, Any]:
    """`app` with `containers` in that order, each using secret k, whose latest is DISABLED."""
    account = f"app@{LAB}.iam.gserviceaccount.com"
    service = {"template": {"serviceAccount": account, "containers": containers}}
    secret = {"versions": ["first-value-aaaa", {"value": "second-value-b", "state": "DISABLED"}]}
    return app_lab(account, {"k": secret}, service)


def app_lab(account: str, secrets: dict[str, Any], app: dict[str, Any]) -> dict[str, Any]:
    """Project LAB (us-central1) holding `secrets`, which `account` may read (granted on the
    project), and service `app`."""
    return {
        "options": {"seed": 7},
        "projects": {
            LAB: {
                "number": 555000111444,
                "region": "us-central1",
                "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]},
                "secrets": secrets,
                "services": {"app": app},
            }
        },
    }


def _disabled(tmp_path: Path, containers: list[dict[str, Any]]) -> dict[str, Any]:
    tmp_path.mkdir()
    with Sandbox(_world(containers)) as sandbox:
        done = run(sandbox, tmp_path, PROFILE, "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    (found,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "secret.disabled"]
    return dict(found)


@pytest.fixture(scope="module")
def in_order(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The finding with the containers in their order (MAIN first), checked once for the
    module: the same run of the same world that each order below was compared with."""
    return _disabled(tmp_path_factory.mktemp("in-order") / "b", [MAIN, *SIDES])


@pytest.mark.parametrize(
    "order",
    [(0, 1, 2), (1, 0, 2), (2, 1, 0), (1, 2, 0)],
    ids=["main-first", "zeta", "beta", "sides"],
)
def test_a_secrets_finding_is_the_same_whatever_the_container_order(
    tmp_path: Path, in_order: dict[str, Any], order: tuple[int, ...]
) -> None:
    containers = [[MAIN, *SIDES][i] for i in order]
    found = _disabled(tmp_path / "a", containers)
    first = in_order
    assert (found["id"], found["container"]) == (first["id"], "app"), found
    assert found["message"] == first["message"], found["message"]
    assert "(referenced by K, K_beta in beta, K_zeta in zeta on " in found["message"], found


@pytest.mark.parametrize("rule", ["secret.disabled", "secret.no_access"])
def test_a_baseline_scoped_by_the_first_listed_sidecar_is_the_same_drift(
    tmp_path: Path, rule: str
) -> None:
    """helper-613 M5: a baseline written before 67a71a48 scoped the finding by the container
    listed first (`@zeta` in the id's text): the same drift, unchanged, never `new` beside a
    `resolved` one — under this run's id, which the next run makes again (helper-615 F1: the
    baseline's, kept, came back `new` a run later), whether or not the rule says what failed
    (helper-615 F2: `secret.no_access` has no `failed`)."""
    from drift.findings import finding_id

    (tmp_path / "a").mkdir()
    world = _world([SIDES[0], MAIN])
    if rule == "secret.no_access":
        world["projects"][LAB]["iam"] = {}
        world["projects"][LAB]["secrets"]["k"]["versions"][1]["state"] = "ENABLED"

    def check(*args: str) -> Any:
        return run(sandbox, tmp_path / "a", PROFILE, "check", "lab", "--format", "json", *args)

    with Sandbox(world) as sandbox:
        report = json.loads(check().stdout)
        (found,) = [f for f in report["findings"] if f["rule"] == rule]
        now_id = found["id"]
        found["id"] = finding_id("lab", "app", rule, found["target"] + "@zeta")  # the old drift's
        found["container"] = "zeta"
        baseline = tmp_path / "last.json"
        baseline.write_text(json.dumps(report))
        done = check("--baseline", str(baseline), "--fail-on-new", "--output", str(baseline))
        chained = check("--baseline", str(baseline), "--fail-on-new")
    for out in (done, chained):
        doc = json.loads(out.stdout if out is chained else baseline.read_text())
        (again,) = [f for f in doc["findings"] if f["rule"] == rule]
        assert (again["id"], again["baseline"]) == (now_id, "unchanged"), again
        assert doc["resolved"] == [], doc["resolved"]
        assert out.returncode == 0, out.stdout
    notes = " ".join(json.loads(baseline.read_text())["notes"])
    assert "a secret's finding scoped by another of its containers, or a revision's" in notes
