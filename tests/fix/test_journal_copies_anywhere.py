"""A secret's value drift read, copied anywhere in the service's configuration, never goes into
the journal: an argument, a shell command, a probe's HTTP header, an annotation, as much as a
plain variable (SPEC safety invariant 1; helper-538 F2: only `env` values were withheld, the
others were written as they are, in the JSON and in the `…_pb` bytes). A rollback reads the
version again and puts each back exactly."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from drift.secretforms import echoed_forms
from tests.conftest import Clients
from tests.fix.conftest import LAB, ScriptedUI, fix, fixed_journal, lab_here, lab_name, rollback

VALUE = "Zq8vX2mLk9PwR4tY"
ACCOUNT = f"app@{LAB}.iam.gserviceaccount.com"
READER = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
APP = {
    "name": "app",
    "image": "us-docker.pkg.dev/p1/app:v1",
    "ports": [{"containerPort": 8080}],
    "args": [f"--token={VALUE}"],
    "command": ["/bin/sh", "-c", f"TOKEN={VALUE} exec /app"],
    "env": [
        {"name": "DEBUG", "value": "true"},
        {"name": "TOKEN", "valueSource": {"secretKeyRef": {"secret": "s-main", "version": "2"}}},
    ],
    "startupProbe": {"httpGet": {"path": "/healthz", "port": 8080,
                                 "httpHeaders": [{"name": "X-Token", "value": VALUE}]}},
}  # fmt: skip
SIDE = {
    "name": "side",
    "image": "us-docker.pkg.dev/p1/side:v1",
    "env": [{"name": "C", "value": VALUE}],
}
WORLD: dict[str, Any] = {
    "options": {"seed": 3},
    "projects": {LAB: {"number": 111000111000, "region": "us-central1", "iam": READER,
        "secrets": {"s-main": {"versions": ["old-value-1234", VALUE]}},
        "services": {"app": {"annotations": {"acme.dev/tok": VALUE}, "labels": {"team": "x"},
            "template": {"service_account": ACCOUNT, "containers": [APP, SIDE]}}}}},
}  # fmt: skip
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      DEBUG: {forbidden: true}\n      TOKEN: {secret: s-main, min_length: 8}\n"
)


def _copies(clients: Clients) -> list[str]:
    """Where the value stands on the live service, in order."""
    svc = clients.services.get_service(name=lab_name())
    app, side = svc.template.containers
    probe = app.startup_probe.http_get.http_headers[0].value
    return [*app.args, *app.command, probe, svc.annotations["acme.dev/tok"], side.env[0].value]


def test_a_copy_outside_env_is_withheld_and_rollback_puts_it_back(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients: Clients
) -> None:
    default = sandbox.scenario
    sandbox.reset(WORLD)
    try:
        before = _copies(clients)
        assert sum(VALUE in c for c in before) == 5
        text, held = fixed_journal(sandbox, tmp_path, monkeypatch, PROFILE)
        for needle in echoed_forms(VALUE):
            assert needle not in text and needle.encode() not in held, needle
        assert rollback(tmp_path).exit_code is ExitCode.OK
        assert _copies(clients) == before
    finally:
        sandbox.reset(default)


def test_what_cloud_run_writes_itself_is_not_withheld() -> None:
    """helper-540 F7: a payload equal to the service's own URL (a secret holding it) is not a
    copy in its configuration: withheld, it made a rollback need that version again."""
    from drift import redact
    from drift.fix.withheld import withhold

    url = "https://app-xyz123-uc.a.run.app"
    redact.register_payload(url.encode(), "projects/5/secrets/url/versions/1")
    data: dict[str, Any] = {
        "kind": "service",
        "service_before": {"uri": url, "urls": [url], "annotations": {"x": url}},
        "base_template": {},
    }
    withhold(data)
    assert [r["path"] for r in data["withheld"]] == [["annotations", "x"]]
    assert data["service_before"] == {"uri": url, "urls": [url], "annotations": {"x": ""}}


def test_a_secret_as_a_label_name_stops_the_fix_before_anything_is_written(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-541 F2: a payload drift read as a label's name has no place a withheld record
    could name: the journal would hold it as it is. The fix stops before its first write."""
    secret = "zq8vx2mlk9pwr4ty"  # a valid label key
    world = copy.deepcopy(WORLD)
    project = world["projects"][LAB]
    project["secrets"]["s-main"]["versions"] = ["old-value-1234", secret]
    project["services"]["app"]["labels"] = {secret: "y"}
    default = sandbox.scenario
    sandbox.reset(world)
    try:
        folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
        sandbox.clear_calls()
        done = fix(
            tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder
        )
        said = done.summary()
        assert done.exit_code is ExitCode.ABORTED, said
        assert "a label or annotation name holds the value of a secret" in said, said
        assert secret not in said
        assert not [c for c in sandbox.calls if c.short == "UpdateService"]
        for path in (tmp_path / ".drift").rglob("*"):
            assert not path.is_file() or secret.encode() not in path.read_bytes(), path
    finally:
        sandbox.reset(default)
