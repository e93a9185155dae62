"""`since` judges each older revision only for the drift it follows (`drift.diff.judged`: the
rules of that target's family, on that target; each setting normalised when a rule reads it),
and answers exactly what judging every revision, normalised whole, by every rule answers: the
same revision, last good, notes, "or earlier" and unjudged revision for every finding, in
worlds where rules read more than their own target (a `same_as` reads another variable, a
sidecar's settings its container's, a revocation action the key beside it, min/max the
service's own scaling, an undescribed pool revision each of its containers)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.diff import since
from drift.diff.context import At
from drift.diff.engine import JUDGES, configuration_findings
from drift.diff.judged import Judged, Key, key_of
from drift.live.model import RevisionConfig, ServingRevision
from drift.profiles.loader import load_profile
from drift.rules import HISTORY, rule_info
from drift.sandbox import Sandbox
from drift.settings import load_settings

pytestmark = pytest.mark.sandbox

ACCOUNT = "api@acme.iam.gserviceaccount.com"
CI = "ci@acme.iam.gserviceaccount.com"


class Everything(Judged):
    """As `since` judged before: every revision normalised whole (`RevisionRecord.config`)
    and judged by every rule, its findings on every target kept."""

    def config(self, i: int) -> RevisionConfig:
        return self.records[i].config

    def own_config(self, i: int) -> RevisionConfig | None:
        record = self.records[i]
        return record.own_config if record.own else None

    def found(self, i: int, config: RevisionConfig, key: Key) -> set[Key]:
        revision = ServingRevision(self.records[i].name, 0, (), (), config)
        return {key_of(f) for f in configuration_findings(At(self.ctx, revision))}


def _app(**more: Any) -> dict[str, Any]:
    mounts = [{"name": "creds", "mountPath": "/etc/creds"}]
    return {"name": "app", "ports": [{"containerPort": 8080}], "volumeMounts": mounts, **more}


def _otel(level: str, memory: str = "256Mi") -> dict[str, Any]:
    limits = {"cpu": "1", "memory": memory}
    env = [{"name": "LEVEL", "value": level}, {"name": "DEBUG_DUMP", "value": "1"}]
    return {"name": "otel", "image": "otel/c:1", "env": env, "resources": {"limits": limits}}


PROXY = {"name": "proxy", "image": "img/proxy:1", "env": [{"name": "UPSTREAM", "value": "u"}]}


def _creds(version: str, mode: int | None = None) -> list[dict[str, Any]]:
    item: dict[str, Any] = {"path": "key.json", "version": version}
    if mode is not None:
        item["mode"] = mode
    return [{"name": "creds", "secret": {"secret": "creds", "items": [item]}}]


def _older(n: int, **changes: Any) -> dict[str, Any]:
    return {"created": f"{40 - 3 * n}d", "creator": CI if n % 2 else "bob@acme.example", **changes}


KEY = "projects/acme/locations/us-central1/keyRings/r/cryptoKeys/k"
EDGE = "projects/acme/locations/us-central1/connectors/edge"
GOOD = {"MODE": "good", "SAME_A": "s", "SAME_B": "s", "CROSS": "jwt", "PIN": "42", "TESTING": None}
SERVICE = {
    "ingress": "all",
    "scaling": {"minInstanceCount": 1},
    "template": {
        "image": "img/app:3",
        "service_account": ACCOUNT,
        "memory": "1Gi",
        "cpu": "1",
        "timeout": "600s",
        "concurrency": 50,
        "max_instances": 7,
        "min_instances": 2,
        "vpc_connector": "projects/111/locations/us-central1/connectors/main",
        "api": {"encryptionKey": KEY, "encryptionKeyRevocationAction": "PREVENT_NEW"},
        "containers": [_app(), _otel("debug", "512Mi")],
        "volumes": _creds("2", 0o400),
        "env": {
            "MODE": "bad",
            "SAME_A": "one",
            "SAME_B": "two",
            "CROSS": "other",
            "PIN": "x1",
            "TESTING": "1",
            "DB_PASSWORD": {"secret": "db-pass", "version": "2"},
            "STRAY": "here",
        },
    },
    "history": [
        # no otel yet (its rules on a container the revision lacks), a proxy since removed
        _older(1, containers=[_app(), PROXY], env={**GOOD, "STRAY": None}, memory="512Mi",
               min_instances=0, vpc_connector=EDGE, api={"encryptionKey": ""},
               max_instances=3, concurrency=80, timeout="300s", volumes=_creds("1")),
        _older(2, containers=[_app(), _otel("info"), PROXY], env=GOOD, memory="512Mi",
               min_instances=0, vpc_connector=EDGE, api={"encryptionKey": ""},
               max_instances=3, concurrency=80, timeout="300s", volumes=_creds("1")),
        _older(3, ready=False, message="boom", containers=[_app(), _otel("debug")],
               env={**GOOD, "MODE": "bad"}, memory="512Mi", volumes=_creds("1"), min_instances=0),
        _older(4, containers=[_app(), _otel("info", "1Gi")], env={**GOOD, "SAME_B": "t"},
               memory="512Mi", min_instances=2, concurrency=80, deleted="1d"),
        _older(5, containers=[_app(), _otel("debug")], env={"PIN": "x1", "CROSS": "jwt"},
               min_instances=2, max_instances=3, volumes=_creds("1", 0o400)),
        _older(6, env={"SAME_A": "one", "DB_PASSWORD": {"secret": "db-pass", "version": "1"}},
               deleted="1d"),
        _older(7, timeout="300s", service_account=CI),
    ],
}  # fmt: skip
AUTH = {"template": {"image": "img/auth:1", "env": {"JWT": "jwt"}}}
PROFILE = """
project: acme
region: us-central1
services:
  api:
    unexpected_env: warn
    env:
      MODE: good
      SAME_A: {same_as: api.SAME_B}
      SAME_B: {required: true}
      CROSS: {same_as: auth.JWT}
      PIN: {pattern: "^[0-9]+$"}
      TESTING: {forbidden: true}
      DB_PASSWORD: {secret: db-pass, version: "1"}
    mounts:
      /etc/creds/key.json: {secret: creds, version: "1", mode: "0444"}
    settings:
      memory: 512Mi
      max_instances: 3
      min_instances: 0
      concurrency: 80
      timeout: 300s
      service_account: api@acme.iam.gserviceaccount.com
      vpc_connector: projects/111/locations/us-central1/connectors/edge
      encryption_key_revocation_action: shut-down
    containers:
      otel:
        env:
          LEVEL: info
        settings:
          memory: 256Mi
      proxy:
        env:
          UPSTREAM: {required: true}
"""
POOL_PROFILE = """
project: acme
region: us-central1
worker_pools:
  pool:
    env:
      MODE: live
      FLAG: {required: true}
    settings:
      memory: 512Mi
    containers:
      agent:
        env:
          LEVEL: info
"""


def _pool_container(name: str, **env: str) -> dict[str, Any]:
    limits = {"cpu": "1", "memory": "512Mi" if name == "agent" else "1Gi"}
    pairs = [{"name": k, "value": v} for k, v in env.items()]
    return {"name": name, "image": f"img/{name}:1", "env": pairs, "resources": {"limits": limits}}


POOL = {
    "instances": 1,
    "template": {"containers": [_pool_container("consumer", MODE="debug")]},
    "history": [
        _older(1, containers=[_pool_container("consumer", MODE="live", FLAG="1")]),
        _older(2, containers=[_pool_container("agent", LEVEL="info", MODE="debug"),
                              _pool_container("consumer", MODE="debug")]),
        _older(3, containers=[_pool_container("agent", LEVEL="debug"),
                              _pool_container("worker", MODE="debug", FLAG="1")]),
        _older(4, containers=[_pool_container("consumer", MODE="debug", FLAG="1")]),
    ],
}  # fmt: skip
GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
WORLDS = {
    "service": (
        {"services": {"api": SERVICE, "auth": AUTH}},
        PROFILE + "  auth:\n    env:\n      JWT: jwt\n",
    ),
    "pool": ({"worker_pools": {"pool": POOL}}, POOL_PROFILE),
}


def _world(kind: str, deleted: str) -> dict[str, Any]:
    owners, _ = WORLDS[kind]
    secrets = {n: {"versions": [f"{n}-1", f"{n}-2"], "iam": GRANT} for n in ("db-pass", "creds")}
    project = {"number": 111, "region": "us-central1", "secrets": secrets, **owners}
    return {"options": {"seed": 3, "deleted_revisions": deleted}, "projects": {"acme": project}}


@pytest.fixture(params=[("service", "listed"), ("service", "gone"), ("pool", "listed")])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    kind, deleted = request.param
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(WORLDS[kind][1])
    with Sandbox(_world(kind, deleted)) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        yield kind


def _sinces() -> dict[str, tuple[str, str, Any]]:
    """Each finding's `since` (None: none), by id, with its rule and target; and each revision
    `since` read piece by piece (`RevisionRecord.lazy`) the same, read whole, as normalised
    at once (`config`)."""
    profile = load_profile(Path("profiles"), "prod")
    result = asyncio.run(run_check(profile, load_settings(wait=0, history=True)))
    for record in (r for records in result.state.history.values() for r in records):
        lazy, config = record.lazy, record.config
        assert lazy is config or _whole(lazy) == _whole(config), record.name
    return {f.id: (f.rule, f.target, f.since) for f in result.report.findings}


def _whole(config: RevisionConfig) -> tuple[Any, ...]:
    containers = [(c, dict(c.settings), dict(c.unreadable)) for c in config.containers]
    return (config, list(config.settings.items()), dict(config.unreadable), containers)


SERVICE_TRACED = {
    "env.MODE", "env.SAME_A", "env.CROSS", "env.PIN", "env.TESTING", "env.DB_PASSWORD",
    "env.STRAY", "env.LEVEL", "env.DEBUG_DUMP", "env.UPSTREAM", "container.proxy",
    "mount./etc/creds/key.json", "setting.memory", "setting.min_instances",
    "setting.max_instances", "setting.concurrency", "setting.timeout", "setting.vpc_connector",
    "setting.encryption_key_revocation_action",
}  # fmt: skip
"""The targets whose drift `since` traces in the service's world: every family, a `same_as`
within the service and with another, a sidecar's variable and setting, a container missing, a
setting named by the project's number, one `void` without the key beside it, min/max with the
service's own scaling."""
POOL_TRACED = {"env.MODE", "env.FLAG", "env.LEVEL", "container.agent", "setting.memory"}


def test_judging_only_what_a_drift_concerns_answers_as_judging_everything(
    world: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    restricted = _sinces()
    monkeypatch.setattr(since, "Judged", Everything)
    everything = _sinces()
    assert restricted == everything
    traced = {target: s for _, target, s in everything.values() if s is not None}
    # the worlds hold what they are for: each of these drifts walked back
    assert set(traced) == (SERVICE_TRACED if world == "service" else POOL_TRACED)
    notes = " ".join(s.note for s in traced.values())
    assert sum(s.last_good is not None for s in traced.values()) > len(traced) / 2
    if world == "service":
        assert "the service's own scaling gives it 1 today" in notes
        assert "not ready now and taken as never served" in notes
        assert "not listed" in notes or "is deleted" in notes
        assert traced["setting.encryption_key_revocation_action"].last_good is not None
    else:
        assert "none with a port" in notes
        assert traced["setting.memory"].unjudged is not None


def test_every_rule_since_follows_has_the_judges_of_its_family() -> None:
    """A rule `since` follows finds drift on targets of its own family (`engine.JUDGES`): a
    rule of another family would be judged by every rule, each setting read (none missed)."""
    assert {rule_info(rule).family for rule in HISTORY} == set(JUDGES)
