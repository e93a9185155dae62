"""A secret's value copied into plain fields of a workload never goes into the journal, whatever
rules the profile has (helper-848 F3): a sidecar's variable, an argument, a command, a probe's
header, annotations and the description held the payload of a version no rule made the check
read, and the entry kept all 12 copies in the clear (`service_before`, `base_template` and
their `…_pb` bytes); a `min_length` on the variable took them to 0. The fix now reads every
version its entry's configurations reference before its first journal write (once each: not
one the check read already), a job's and a pool's too, and so does a rollback before it
journals an entry rebuilt from the live service. A version it cannot read is said, naming it,
before the question (SPEC safety invariant 1)."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from drift import redact
from drift.diff.unserved import CLEANUP_WINDOW
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_here, rollback, settings
from tests.jobs.world import JOB_ENV, POOL_HEAD, pointed_at, write_profile
from tests.sandbox.jobworld import world as jobs_world

PASSWORD = "fake-db-password-2b4d"
DSN = f"postgresql://chat:{PASSWORD}@10.8.0.3:5432/chat"
ACCOUNT = f"chat@{LAB}.iam.gserviceaccount.com"
APP = {
    "name": "app",
    "image": "us-docker.pkg.dev/p1/leaky:1",
    "ports": [{"containerPort": 8080}],
    "args": [f"--db={DSN}"],
    "env": [
        {"name": "LOG_LEVEL", "value": "DEBUG"},
        {"name": "DATABASE_URL",
         "valueSource": {"secretKeyRef": {"secret": "db-url", "version": "latest"}}},
    ],
    "startupProbe": {"httpGet": {"path": "/healthz", "port": 8080,
                                 "httpHeaders": [{"name": "X-Dsn", "value": DSN}]}},
}  # fmt: skip
SIDE = {
    "name": "side",
    "image": "us-docker.pkg.dev/p1/side:1",
    "command": ["/bin/side", DSN],
    "env": [{"name": "DSN_COPY", "value": DSN}],
}
LEAKY: dict[str, Any] = {
    "description": f"dsn {DSN}",
    "annotations": {"acme.example/dsn": DSN},
    "template": {
        "service_account": ACCOUNT,
        "annotations": {"acme.example/tdsn": DSN},
        "containers": [APP, SIDE],
    },
}
WORLD: dict[str, Any] = {
    "options": {"seed": 3},
    "projects": {LAB: {"number": 111000111000, "region": "us-central1",
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
        "secrets": {"db-url": {"versions": [DSN]}},
        "services": {"leaky": LEAKY}}},
}  # fmt: skip
RULE = "{secret: db-url}"
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  leaky:\n    container: app\n"
    "    env:\n      LOG_LEVEL: INFO\n      DATABASE_URL: {rule}\n"
)


def copies(tmp_path: Path, needle: str = PASSWORD) -> dict[str, int]:
    """How many times `needle` (the payload's password: the payload too) stands in each
    journal file: in its text, and in its `…_pb` bytes decoded."""
    found = {}
    for path in (tmp_path / ".drift" / "journal").glob("*.json"):
        text = path.read_text()
        data = json.loads(text)
        held = b"".join(base64.b64decode(v) for k, v in data.items() if k.endswith("_pb") and v)
        found[path.name] = text.count(needle) + held.count(needle.encode())
    assert found, "no journal entry"
    return found


def where(sandbox: Sandbox) -> list[str]:
    """Each place of the live service that holds the payload (12 in the journal: the 5 of the
    template in `service_before` and in `base_template`, and the 2 of the service)."""
    svc = sandbox.service(LAB, "leaky")
    app, side = svc.template.containers
    header = app.startup_probe.http_get.http_headers[0].value
    held = [svc.description, svc.annotations["acme.example/dsn"]]
    held += [svc.template.annotations["acme.example/tdsn"], *app.args, header]
    return held + [*side.command, side.env[0].value]


@pytest.fixture
def leaky(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox(copy.deepcopy(WORLD))


@pytest.mark.parametrize("rule", [RULE, "{secret: db-url, min_length: 8}"])
def test_no_copy_is_journaled_whatever_the_rule(
    leaky: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str
) -> None:
    """With or without a rule that reads the value, the entry holds no copy, and the value is
    read once a run (the check's read, when a rule made one, is the fix's); the rollback puts
    each copy back exactly."""
    before = where(leaky)
    assert sum(DSN in text for text in before) == 7
    folder = lab_here(leaky, tmp_path, monkeypatch, PROFILE.format(rule=rule))
    leaky.clear_calls()
    done = fix(tmp_path, leaky.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert list(copies(tmp_path).values()) == [0]
    reads = [c for c in leaky.calls if c.short == "AccessSecretVersion"]
    recheck = 1 if "min_length" in rule else 0  # the re-check after the fix reads it again
    assert len(reads) == 1 + recheck, [c.request.name for c in reads]
    leaky.clear_calls()
    assert rollback(tmp_path).exit_code is ExitCode.OK
    assert where(leaky) == before
    reads = [c for c in leaky.calls if c.short == "AccessSecretVersion"]
    assert len(reads) == 1, [c.request.name for c in reads]  # the withheld version's, by it


def test_a_version_that_cannot_be_read_is_said_before_the_question(
    leaky: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account drift runs as may not read the secret (PERMISSION_DENIED): one line names
    the secret, the version, its project and the answer before the question, and says what the
    entry then holds; the fix goes on (Cloud Run checks the revision's account, not the
    deployer's), and no output holds the value."""
    folder = lab_here(leaky, tmp_path, monkeypatch, PROFILE.format(rule=RULE))
    leaky.inject(Fault("AccessSecretVersion", "PERMISSION_DENIED", match="db-url"))
    asked: list[int] = []  # how many lines were said when each question came
    ui = ScriptedUI([True, True], on_confirm=lambda _: asked.append(len(ui.said)))
    done = fix(tmp_path, leaky.environ(), ui, FixOptions(), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    said = [line for line in ui.said if "could not read secret" in line]
    assert said == [
        f"could not read secret version: db-url version 1 of project {LAB} (AccessSecretVersion: "
        "PERMISSION_DENIED): a plain copy of one in a configuration, if any, stays in the "
        "journal entry as Cloud Run returns it (file mode 0600)"
    ]
    assert ui.said.index(said[0]) < asked[0]  # before the question, and so before any write
    assert PASSWORD not in "\n".join(ui.said + [done.summary()])


def test_a_disabled_version_is_said_without_a_read(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sidecar's variable reads version 1, which the check's state read found DISABLED, and
    the fix moves it to version 2: version 1's value is not asked for (its answer is known),
    and the line says so; db-url's is read, once (version 2 is in no configuration the entry
    records)."""
    world = copy.deepcopy(WORLD)
    project = world["projects"][LAB]
    project["secrets"]["tok"] = {
        "versions": [{"value": "old-token-value-1", "state": "DISABLED"}, "new-token-value-2"]
    }
    side = project["services"]["leaky"]["template"]["containers"][1]
    ref = {"secretKeyRef": {"secret": "tok", "version": "1"}}
    side["env"].append({"name": "TOKEN", "valueSource": ref})
    sandbox = make_sandbox(world)
    text = PROFILE.format(rule=RULE) + (
        "    containers:\n      side:\n        env:\n          TOKEN: {secret: tok, version: '2'}\n"
    )
    folder = lab_here(sandbox, tmp_path, monkeypatch, text)
    sandbox.clear_calls()
    ui = ScriptedUI()
    done = fix(tmp_path, sandbox.environ(), ui, FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    said = [line for line in ui.said if "could not read secret" in line]
    assert len(said) == 1 and said[0].startswith(
        f"could not read secret version: tok version 1 of project {LAB} (GetSecretVersion: "
        "DISABLED, not read): "
    ), said
    reads = sorted(c.request.name for c in sandbox.calls if c.short == "AccessSecretVersion")
    assert reads == [f"projects/{LAB}/secrets/db-url/versions/1"]  # `latest`, as the check read it
    assert list(copies(tmp_path).values()) == [0]


def test_the_versions_not_read_are_said_once_in_one_line(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two versions not read, each named once in one line before the question, grouped by the
    answer, and what that leaves in the journal said once (task 855: a line each, ~330
    characters apiece, before): `db-url`'s refused (AccessSecretVersion: PERMISSION_DENIED),
    and `tok`'s latest, DISABLED, which the plan's step for the tag `e2e` names already
    ("it uses secret.tok (secret.disabled)"): referred to by that, not named again."""
    world = copy.deepcopy(WORLD)
    project = world["projects"][LAB]
    project["secrets"]["tok"] = {
        "versions": ["old-token-value-1", {"value": "new-token-value-2", "state": "DISABLED"}]
    }
    service = project["services"]["leaky"]
    side = service["template"]["containers"][1]
    ref = {"secretKeyRef": {"secret": "tok", "version": "latest"}}
    side["env"].append({"name": "TOKEN", "valueSource": ref})
    service["history"] = [{"name": "leaky-00001-old"}, {"name": "leaky-00002-new"}]
    service["traffic"] = [
        {"latest": True, "percent": 100},
        {"revision": "leaky-00001-old", "percent": 0, "tag": "e2e"},
    ]
    sandbox = make_sandbox(world)
    text = PROFILE.format(rule=RULE) + (
        "    containers:\n      side:\n        env:\n          TOKEN: {secret: tok, version: '1'}\n"
    )
    folder = lab_here(sandbox, tmp_path, monkeypatch, text)
    sandbox.inject(Fault("AccessSecretVersion", "PERMISSION_DENIED", match="db-url"))
    ui = ScriptedUI()
    done = fix(tmp_path, sandbox.environ(), ui, FixOptions(yes=True), None, "lab", folder)
    steps = [m.reason for sp in done.plan.services for m in sp.manual]
    assert any("secret.tok (secret.disabled)" in reason for reason in steps), steps  # tag e2e's
    said = [line for line in ui.said if "could not read secret" in line]
    assert said == [
        f"could not read secret versions: db-url version 1 of project {LAB} "
        "(AccessSecretVersion: PERMISSION_DENIED); those of secret.tok, which the plan names "
        "DISABLED: a plain copy of one in a configuration, if any, stays in the journal entry "
        "as Cloud Run returns it (file mode 0600)"
    ], said
    assert done.exit_code in (ExitCode.OK, ExitCode.DRIFT), done.summary()


TOKEN = "fake-token-v1"
"""The jobs world's secret `token` (its only version), which the job and the pool reference."""


def _job_and_pool() -> dict[str, Any]:
    """The jobs world, its job and its pool each holding a plain copy of `token` beside its
    reference: a variable, and an annotation (the job's) or an argument (the pool's)."""
    made = jobs_world()
    job = made["projects"]["p"]["jobs"]["job"]["template"]
    job["env"]["TOKEN_COPY"] = TOKEN
    job["annotations"] = {"acme.example/token": f"--token={TOKEN}"}
    pool = made["projects"]["p"]["worker_pools"]["pool"]["template"]
    pool["containers"][0]["env"].append({"name": "TOKEN_COPY", "value": TOKEN})
    pool["containers"][0]["args"] = [f"--token={TOKEN}"]
    return made


@pytest.mark.parametrize(
    "profile",
    [JOB_ENV.replace("MODE: live", "MODE: batch"), POOL_HEAD + "    env:\n      QUEUE: events2\n"],
)
def test_a_job_and_a_pool_journal_no_copy(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    """Updated in place, a job's and a pool's entries hold no copy of `token`, which no rule
    reads; their rollback puts the copies back."""
    sandbox = pointed_at(make_sandbox(_job_and_pool()), monkeypatch, tmp_path)
    folder = write_profile(tmp_path / "profiles", profile)
    done = fix(
        tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "prod", folder
    )
    assert done.exit_code is ExitCode.OK, done.summary()
    assert list(copies(tmp_path, TOKEN).values()) == [0]
    assert rollback(tmp_path).exit_code is ExitCode.OK
    job, pool = sandbox.job("p", "job"), sandbox.worker_pool("p", "pool")
    for container in (job.template.template.containers[0], pool.template.containers[0]):
        assert {v.name: v.value for v in container.env}["TOKEN_COPY"] == TOKEN
    assert pool.template.containers[0].args == [f"--token={TOKEN}"]
    assert job.template.template.containers[0].env[0].value == "live"  # put back


def test_a_rollback_from_the_live_service_journals_no_copy(
    leaky: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift rollback C --from-live lab`, the journal gone: the entry it rebuilds from the live
    service (its canary held by `--no-promote`) and journals holds no copy either, and the
    rollback puts each back."""
    before = where(leaky)
    folder = lab_here(leaky, tmp_path, monkeypatch, PROFILE.format(rule=RULE))
    options = FixOptions(yes=True, promote=False)
    done = fix(tmp_path, leaky.environ(), ScriptedUI(), options, None, "lab", folder)
    assert done.exit_code is ExitCode.DRIFT and done.change_id, done.summary()  # held: pinned
    shutil.rmtree(tmp_path / ".drift")
    leaky.backdate(LAB, "leaky", CLEANUP_WINDOW.total_seconds() + 60)  # no fix works on it
    monkeypatch.setattr(redact, "_known", redact.Secrets())  # another process: nothing read
    live = load_profile(folder, "lab")
    change, ui = done.change_id, ScriptedUI()
    back = asyncio.run(run_rollback(settings(tmp_path), ui, change, yes=True, live=live))
    assert back.exit_code is ExitCode.OK, back.summary()
    assert list(copies(tmp_path).values()) == [0]
    assert where(leaky) == before
