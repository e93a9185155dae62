"""Shared by the fix and rollback tests: a scripted prompt UI, the sandbox's environment, the
library calls as the CLI makes them, small one-service worlds, and what "the routing that
served is back" means, judged from the sandbox's own state (traffic_statuses, revisions)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import json
import shlex
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from google.cloud import run_v2

import drift.fix.canary as fix_canary
from drift.diff.differences import system_key
from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.journal import Entry, Journal
from drift.fix.model import Plan
from drift.fix.rollback import RollbackResult, run_rollback
from drift.format import OutputFormat, formatter_for
from drift.live.changeids import tagged_change
from drift.profiles.loader import load_profile
from drift.report import Proof, Report
from drift.sandbox import Sandbox, mint_test_jwt
from drift.settings import Settings, load_settings
from drift.textsafe import md_text
from tests.cliutil import REPO, drift, drift_on
from tests.conftest import Clients, MakeSandbox
from tests.profilecopy import held_briefly
from tests.rounds import World, bench_world

PROJECT = "acme-chat-staging"
TODAY = dt.date(2026, 11, 24)
LAB = "fix-lab"
"""The project of the one-service worlds (`lab_world`)."""
LAB_APP_LIVE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n      MODE: live\n"
)
"""A profile's head: LAB's app with MODE live (more variables follow, indent 6)."""

Answer = bool | BaseException


class ScriptedUI:
    """Answers prompts from a script (an exception is raised, as Ctrl-C raises
    KeyboardInterrupt); records what it was shown."""

    def __init__(
        self, answers: list[Answer] | None = None, on_confirm: Callable[[str], None] | None = None
    ) -> None:
        self.answers = list(answers or [])
        self.questions: list[str] = []
        self.timeouts: list[float | None] = []
        """The time each prompt gave to answer (`drift.fix.deadline`)."""
        self.said: list[str] = []
        self.plans: list[Plan] = []
        self.on_confirm = on_confirm

    def show_plan(self, plan: Plan) -> None:
        self.plans.append(plan)

    def confirm(self, question: str, timeout: float | None = None) -> bool:
        self.questions.append(question)
        self.timeouts.append(timeout)
        if self.on_confirm is not None:
            self.on_confirm(question)
        answer = self.answers.pop(0) if self.answers else False
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def say(self, text: str) -> None:
        self.said.append(text)


@pytest.fixture
def env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    return fix_env(sandbox, monkeypatch, tmp_path)


def fix_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The sandbox's addresses and api's test JWT, set in the environment; in `tmp_path`."""
    monkeypatch.chdir(tmp_path)
    values = {
        **sandbox.environ(),
        "ACME_TEST_JWT": mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging")),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def settings(tmp_path: Path) -> Settings:
    return load_settings(journal_dir=tmp_path / ".drift" / "journal")


def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / ".drift" / "journal")


def entries(tmp_path: Path) -> list[Entry]:
    return journal(tmp_path).entries()


def fix(
    tmp_path: Path,
    env: dict[str, str],
    ui: ScriptedUI,
    options: FixOptions,
    services: list[str] | None = None,
    environment: str = "e2e",
    profiles: Path | None = None,
) -> FixResult:
    """`profiles`: the repository's by default, api's probe held 0.2 s (`held_briefly`)."""
    profile = load_profile(profiles or held_briefly(), environment)
    return asyncio.run(
        run_fix(
            profile, settings(tmp_path), ui, options, services=services, environ=env, today=TODAY
        )
    )


def rollback(
    tmp_path: Path,
    ui: ScriptedUI | None = None,
    change_id: str | None = None,
    *,
    force: bool = False,
    concurrency: int | None = None,
) -> RollbackResult:
    ui = ui or ScriptedUI()
    chosen = settings(tmp_path)
    if concurrency is not None:  # 1: one workload at a time
        chosen = dataclasses.replace(chosen, concurrency=concurrency)
    return asyncio.run(run_rollback(chosen, ui, change_id, yes=not ui.answers, force=force))


def updates(sandbox: Sandbox) -> list[Any]:
    return [c.request for c in sandbox.calls if c.short == "UpdateService"]


def resolved(service: run_v2.Service, status: run_v2.TrafficTargetStatus) -> str:
    """The revision a traffic status sends to: a LATEST status may leave it unnamed (both
    shapes are seen; the sandbox can answer either), and then it is the latest ready one."""
    if status.revision or not status.type_.name.endswith("LATEST"):
        return str(status.revision).rsplit("/", 1)[-1]
    return str(service.latest_ready_revision).rsplit("/", 1)[-1]


def shares(service: run_v2.Service) -> dict[str, int]:
    """Revision -> percent of traffic it receives, as traffic_statuses say."""
    out: dict[str, int] = {}
    for status in service.traffic_statuses:
        if status.percent:
            name = resolved(service, status)
            out[name] = out.get(name, 0) + status.percent
    return out


def serving(service: run_v2.Service) -> set[tuple[str, int]]:
    return set(shares(service).items())


def as_written(service: run_v2.Service) -> run_v2.Service:
    """A copy of `service` without the labels and annotations in the namespaces the v2
    comments say are refused (`run.googleapis.com`, … : drift.diff.differences.SYSTEM_NAMESPACES):
    what a write sends back of what was read."""
    out = run_v2.Service.deserialize(run_v2.Service.serialize(service))
    for part in (out, out.template):
        for mapping in (part.labels, part.annotations):
            for key in [k for k in mapping if system_key(k)]:
                del mapping[key]
    return out


def env_by_name(service: run_v2.Service) -> dict[str, run_v2.EnvVar]:
    return {v.name: v for v in service.template.containers[0].env}


def spec(service: run_v2.Service) -> list[tuple[str, str, int, str]]:
    """The traffic spec: (type, revision, percent, tag)."""
    return [(t.type_.name, t.revision, t.percent, t.tag) for t in service.traffic]


def config(revision: Any) -> list[tuple[str, str, list[bytes]]]:
    """What a revision (or template) runs: each container's name, image and variables."""
    return [
        (c.name, c.image, [run_v2.EnvVar.serialize(v) for v in c.env]) for c in revision.containers
    ]


def ready_config(sandbox: Sandbox, service: run_v2.Service, project: str = PROJECT) -> Any:
    """`config` of `service`'s latest ready revision (what LATEST serves), read from the
    sandbox."""
    name = service.name.rsplit("/", 1)[-1]
    return config(sandbox.revision(project, name, service.latest_ready_revision.rsplit("/")[-1]))


def assert_serves_as_before(
    sandbox: Sandbox,
    project: str,
    name: str,
    before: run_v2.Service,
    canary: str,
) -> run_v2.Service:
    """SPEC invariant 9, judged from the sandbox: the same traffic spec (LATEST as LATEST,
    other targets, tags and percents unchanged), no drift tag, and each LATEST status resolving
    to a ready revision that runs what LATEST resolved to before — never the canary."""
    now = sandbox.service(project, name)
    assert spec(now) == spec(before)
    assert not any(tagged_change(t.tag) for t in (*now.traffic, *now.traffic_statuses))
    was = {
        s.revision: s.percent for s in before.traffic_statuses if s.type_.name.endswith("REVISION")
    }
    assert {
        s.revision: s.percent for s in now.traffic_statuses if s.type_.name.endswith("REVISION")
    } == was
    served = ready_config(sandbox, before, project)
    for status in now.traffic_statuses:
        if status.type_.name.endswith("LATEST"):
            revision = resolved(now, status)
            assert revision and revision != canary, status
            assert revision == now.latest_ready_revision.rsplit("/", 1)[-1]
            assert config(sandbox.revision(project, name, revision)) == served
    return now


def lab_world(
    *,
    service: str = "app",
    template: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    traffic: list[dict[str, Any]] | None = None,
    failed: str | None = None,
    also: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One project, one service that drifts from `lab_profiles`: MODE is missing and DEBUG is
    set (forbidden). No backend requirements and no probe: a fix takes a second. `also`:
    more services, each the same."""
    body: dict[str, Any] = {
        "client": "gcloud",
        "client_version": "467.0.0",
        "template": template
        or {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": {"DEBUG": "true"}},
        "history": history or [],
    }
    if traffic is not None:
        body["traffic"] = traffic
    if failed is not None:
        body["failed"] = failed
    return one_project({name: dict(body) for name in (service, *also)})


def one_project(
    services: dict[str, Any],
    *,
    secrets: dict[str, Any] | None = None,
    project: str = LAB,
    number: int = 555000111222,
    seed: int = 3,
) -> dict[str, Any]:
    """A world of one project (`project`, in us-central1) holding `secrets` and `services`."""
    body: dict[str, Any] = {"number": number, "region": "us-central1"}
    if secrets is not None:
        body["secrets"] = secrets
    body["services"] = services
    return {"options": {"seed": seed}, "projects": {project: body}}


def reading(account: str) -> dict[str, list[str]]:
    """An IAM policy under which service account `account` may read a secret."""
    return {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]}


def app_run_as(account: str, env: dict[str, Any]) -> dict[str, Any]:
    """Service `app`: image us-docker.pkg.dev/lab/app:v1 on port 8080, run as `account`, its
    environment `env`."""
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "service_account": account}
    return {"app": {"template": {**template, "env": env}}}


def lab_under(make_sandbox: Any, **options: str) -> Sandbox:
    """A sandbox of `lab_world()` whose server takes the scenario `options` (a behaviour
    Google leaves open, tested both ways)."""
    world = lab_world()
    world["options"] = options
    made: Sandbox = make_sandbox(world)
    return made


def lab_profiles(tmp_path: Path, service: str = "app", also: tuple[str, ...] = ()) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n"
        + "".join(
            f"  {name}:\n    env:\n      MODE: live\n      DEBUG: {{forbidden: true}}\n"
            for name in (service, *also)
        )
    )
    return folder


def lab_here(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """As `drift` is run in a project: the sandbox's emulator variables set, `tmp_path` the
    working directory, `profiles/lab.yaml` holding `text`. The profiles folder."""
    monkeypatch.chdir(tmp_path)
    return lab_written(sandbox, tmp_path, monkeypatch, text)


def lab_written(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> Path:
    """The sandbox's emulator variables set and `tmp_path/profiles/lab.yaml` holding `text`
    (the working directory left as it is). The profiles folder."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(text)
    return folder


def fixed_journal(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> tuple[str, bytes]:
    """`drift fix lab --yes` of the profile `text` (`lab_here`), which must succeed: its one
    journal entry's JSON text, and the bytes of its `…_pb` fields (what a copy may hide in)."""
    folder = lab_here(sandbox, tmp_path, monkeypatch, text)
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    (path,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(text := path.read_text())
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    return text, held


def lab_fix(
    tmp_path: Path,
    sandbox: Sandbox,
    ui: ScriptedUI,
    options: FixOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> FixResult:
    """`drift fix lab` against a sandbox of `lab_world`s."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = lab_profiles(tmp_path, _only_service(sandbox))
    return fix(tmp_path, sandbox.environ(), ui, options, environment="lab", profiles=profiles)


def pair_fix(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, str, Path]:
    """Change A, `drift fix lab --yes` (promoted), on two `lab_world` services, aaa and bbb:
    the sandbox, A's id, and the profiles folder."""
    sandbox = make_sandbox(lab_world(service="aaa", also=("bbb",)))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    folder = lab_profiles(tmp_path, "aaa", also=("bbb",))
    a = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert a.exit_code is ExitCode.OK and a.change_id, a.summary()
    return sandbox, a.change_id, folder


def _only_service(sandbox: Sandbox) -> str:
    (name,) = [key.split("/", 1)[1] for key in sandbox.service_urls()]
    return name


def lab_cli(
    sandbox: Sandbox, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` as a user runs it against a sandbox of `lab_world`s, with the lab profiles
    and the journal in tmp_path/.drift/journal (given through the environment)."""
    profiles = lab_profiles(tmp_path, _only_service(sandbox))
    return drift(
        *args,
        env={
            **sandbox.environ(),
            "DRIFT_PROFILES_DIR": str(profiles),
            "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
            **(env or {}),
        },
        cwd=tmp_path,
        timeout=120,
    )


def deploy_no_traffic(clients: Clients, name: str, image: str) -> run_v2.Service:
    """What `gcloud run deploy --no-traffic --image IMAGE` sends: the template with the new
    image, and LATEST's traffic pinned to the revision it resolved to (gcloud
    `ZeroLatestTraffic`)."""
    service = clients.services.get_service(name=name)
    service.template.containers[0].image = image
    service.template.revision = ""
    ready = service.latest_ready_revision.rsplit("/", 1)[-1]
    service.traffic = [
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            revision=ready,
            percent=100,
        )
    ]
    result: run_v2.Service = clients.services.update_service(service=service).result()
    return result


def lab_name(service: str = "app") -> str:
    return f"projects/{LAB}/locations/us-central1/services/{service}"


def after_the_canary_write(monkeypatch: pytest.MonkeyPatch, then: Callable[[Any], None]) -> None:
    """Every canary write of a fix is sent, then `then(request)` runs before drift sees the
    answer (it may raise: a lost answer, a kill)."""
    import drift.fix.canary

    after_each_write(monkeypatch, drift.fix.canary, then)


def after_each_write(
    monkeypatch: pytest.MonkeyPatch, module: Any, then: Callable[[Any], None]
) -> None:
    """`module.update_workload` sends each write, then runs `then(request)` before the
    caller sees the answer."""
    real = module.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        answer = await real(session, kind, request, **kw)
        then(request)
        return answer

    monkeypatch.setattr(module, "update_workload", update_workload)


def ctrl_c_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, call: str, change_id: str
) -> None:
    """`drift.fix.restore.<call>` (`get_service`, `update_workload`) for aaa, the first in the
    change's order, waits until bbb's restoration of `change_id` is journaled as rolled back,
    then the user presses Ctrl-C: bbb's outcome waits behind aaa's (`fanout.in_order`)."""
    import drift.fix.restore

    real = getattr(drift.fix.restore, call)

    async def slow(session: Any, first: Any, *args: Any, **kw: Any) -> Any:
        name = str(args[0].name) if args else str(first)  # (session, kind, request) or name
        if name.endswith("/services/aaa"):
            for _ in range(500):
                if any(
                    (e.change_id, e.service, e.state) == (change_id, "bbb", "rolled-back")
                    for e in entries(tmp_path)
                ):
                    break
                await asyncio.sleep(0.02)
            raise KeyboardInterrupt
        return await real(session, first, *args, **kw)

    monkeypatch.setattr(drift.fix.restore, call, slow)


@pytest.fixture
def world5(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(5, tmp_path)


@pytest.fixture
def lenient(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox as a server that lets a stale etag through (`stale_etag: ignored`)."""
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    return sandbox


def before_the_write(
    monkeypatch: pytest.MonkeyPatch, step: int, action: Callable[[str], None]
) -> None:
    """Run `action` right before the fix's `step`-th write (1: the canary's, 2: the
    promotion), after the read right before it (`drift.fix.reread`)."""
    real = fix_canary.update_workload
    sent: list[str] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sent.append(request.name)
        if len(sent) == step:
            action("Move all traffic" if step == 2 else "")
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(fix_canary, "update_workload", update_workload)


def gcloud_words(command: str) -> tuple[dict[str, int], dict[str, str], tuple[str, ...]]:
    """The printed `gcloud run services update-traffic` as `Sandbox.update_traffic` takes it:
    the shares, the tags moved, the tags removed."""
    words = iter(shlex.split(command))
    flags = {w: "" if w == "--to-latest" else next(words) for w in words if w.startswith("--")}
    shares = {"LATEST": 100} if "--to-latest" in flags else {}
    for pair in filter(None, flags.get("--to-revisions", "").split(",")):
        key, percent = pair.split("=")
        shares[key] = int(percent)
    moved = dict(p.split("=") for p in filter(None, flags.get("--update-tags", "").split(",")))
    return shares, moved, tuple(filter(None, flags.get("--remove-tags", "").split(",")))


def copy_world(lab: str, secret: str, payload: str, env: dict[str, Any]) -> dict[str, Any]:
    """Project `lab` with one secret (`payload`, readable by the service's account) and one
    service `app` running `env` (its secret reference, and a plain copy of it to find): what
    the journal's withholding tests start from."""
    account = f"api@{lab}.iam.gserviceaccount.com"
    reader = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]}
    template = {
        "image": "us-docker.pkg.dev/lab/app:v1",
        "port": 8080,
        "service_account": account,
        "env": env,
    }
    project = {
        "number": 555000111444,
        "region": "us-central1",
        "secrets": {secret: {"versions": [payload], "iam": reader}},
        "services": {"app": {"template": template}},
    }
    return {"options": {"seed": 5}, "projects": {lab: project}}


def fix_withheld(
    sandbox: Sandbox, tmp_path: Path, profile: tuple[str, str], leaks: Callable[[str], list[str]]
) -> set[str]:
    """`drift fix --yes` through the CLI, done, with none of `leaks` in what it printed nor in
    its journal entry (its JSON, its protobuf bytes decoded): the forms the entry withholds its
    plain copies of a secret by."""
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert not leaks(fixed.stdout + fixed.stderr), leaks(fixed.stdout + fixed.stderr)
    (journal,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(journal.read_text())
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    readable = json.dumps({k: v for k, v in data.items() if not k.endswith("_pb")})
    assert not leaks(readable + held.decode("utf-8", "replace")), leaks(readable)
    return {p["form"] for r in data["withheld"] for p in r["pieces"] if isinstance(p, dict)}


def warned_app(project: str) -> str:
    """A profile's head: `project` (us-central1), its service `app` warned of unexpected
    variables, `MODE: live` the first of its env."""
    return (
        f"project: {project}\nregion: us-central1\nservices:\n  app:\n    unexpected_env: warn\n"
        "    env:\n      MODE: live\n"
    )


def init_copy_withheld(
    sandbox: Sandbox,
    tmp_path: Path,
    profile: tuple[str, str],
    leaks: Callable[[str], list[str]],
    project: str,
) -> str:
    """`drift init copy --from-live` of `project` (us-central1) through the CLI, done, with
    none of `leaks` in what it printed nor in the profile it wrote: that profile."""
    init = drift_on(
        sandbox, tmp_path, profile, "init", "copy", "--from-live", "--project", project,
        "--region", "us-central1",
    )  # fmt: skip
    written = (tmp_path / "profiles" / "copy.yaml").read_text()
    assert init.returncode == 0, init.stdout + init.stderr
    assert not leaks(written + init.stdout + init.stderr), leaks(written)
    return written


def rolled_back_to(
    sandbox: Sandbox, tmp_path: Path, profile: tuple[str, str], project: str, copies: dict[str, str]
) -> None:
    """`drift rollback --yes` through the CLI, done, and `app` of `project` holds each of
    `copies` (variable: value) exactly again."""
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    env = sandbox.service(project, "app").template.containers[0].env
    assert {v.name: v.value for v in env if v.name in copies} == copies


def shows_unconfirmed(recheck: Report, proof: Proof, note: str) -> None:
    """The fix's report in JSON (valid), table and markdown says the proof confirms nothing,
    with its note, which starts `note`."""
    schema = json.loads((REPO / "tests" / "data" / "report.schema.json").read_text())
    document = json.loads(formatter_for(OutputFormat.JSON).render(recheck))
    jsonschema.validate(document, schema)
    (shown,) = document["proof"]
    assert shown["confirmed"] is None and shown["note"] == proof.note
    assert proof.note.startswith(note)
    table = formatter_for(OutputFormat.TABLE).render(recheck)
    assert f"  {proof.service}  not confirmed: {note}" in table
    assert "the patch fixes the failure" not in table
    markdown = formatter_for(OutputFormat.MARKDOWN).render(recheck)
    assert f"- {proof.service}: not confirmed: {md_text(note)}" in markdown
