"""Fixtures for the reliability suite: a clean world that needs every read method, copied
into one project per fault case so that cases run side by side (a fault is scoped to its
project with `match`), and settings with short deadlines and retry budgets so that permanent
faults end quickly."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult, run_check
from drift.fix.model import Plan
from drift.live.calls import CallRunner
from drift.profiles.loader import load_profile
from drift.sandbox import Call, Sandbox
from drift.sandbox.rpc import resource_name
from drift.settings import Settings, load_settings
from tests.cliutil import drift
from tests.timewarp import warped

DATA = Path(__file__).parent / "data"
SCENARIO = DATA / "scenario.yaml"
PROFILES = DATA / "profiles"
PROJECTS = 24
# A deadline far below the injected 3 s latency spike, and a retry budget that allows a
# retry after a timed-out attempt but ends a permanent fault after two or three attempts.
FAST = {"DRIFT_CALL_TIMEOUT": "0.5", "DRIFT_RETRY_BUDGET": "1"}


def project(index: int) -> str:
    return f"rel-{index:02d}"


def scope(index: int) -> str:
    """The `match` that limits a fault to one project's resources (names have a fixed
    width, so no project's name starts with another's)."""
    return f"projects/{project(index)}"


def world(projects: int = PROJECTS) -> dict[str, Any]:
    """The scenario file's project, copied `projects` times (rel-00, rel-01, …)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(SCENARIO.read_text())
    (template,) = data["projects"].values()
    data["projects"] = {}
    for i in range(projects):
        copied = copy.deepcopy(template)
        copied["number"] = 222222222200 + i
        data["projects"][project(i)] = copied
    return dict(data)


def fast_settings(**overrides: Any) -> Settings:
    # A call timeout an ordinary call does not reach on a saturated machine (at 0.5 s, a
    # full `make test` on 2 cores once timed out a healthy GetWorkerPool and retried it), below
    # the 3 s latency spike the matrices inject; a budget that leaves room for one retry even
    # when the machine is busy: the retry rules, not the machine's load, decide what is retried.
    return load_settings(call_timeout=1.0, retry_budget=3.0, **overrides)


def call_resource(call: Call) -> str:
    request = call.request
    kind = type(request)
    return resource_name(kind.pb(request) if hasattr(kind, "pb") else request)


def calls_in(sandbox: Sandbox, index: int) -> list[Call]:
    return [c for c in sandbox.calls if scope(index) in call_resource(c)]


@pytest.fixture(scope="package")
def rel_sandbox() -> Iterator[Sandbox]:
    """The reliability world, started once: reads change nothing in it."""
    with Sandbox(world()) as sandbox:
        yield sandbox


@pytest.fixture
def rel(rel_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The reliability sandbox without faults or recorded calls, its emulator variables set."""
    rel_sandbox.clear_faults()
    rel_sandbox.clear_calls()
    for key, value in rel_sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return rel_sandbox


async def check_rel(
    index: int = 0,
    services: list[str] | None = None,
    settings: Settings | None = None,
    *,
    real_time: bool = False,
) -> CheckResult:
    """`drift check rel --project rel-NN` in process, with fast settings, a seeded runner
    whose backoffs pass at once (`tests.timewarp`), unless the test watches them take
    `real_time`."""
    settings = settings or fast_settings()
    profile = replace(load_profile(PROFILES, "rel"), project=project(index))
    make = CallRunner if real_time else warped
    runner = make(settings.access().limits, seed=index)
    return await run_check(profile, settings, services=services, runner=runner)


class ScriptedUI:
    """Answers fix's prompts from a script (then "no"), calling `on_confirm` first."""

    def __init__(
        self, answers: list[bool] | None = None, on_confirm: Callable[[str], None] | None = None
    ) -> None:
        self.answers = list(answers or [])
        self.on_confirm = on_confirm
        self.said: list[str] = []

    def show_plan(self, plan: Plan) -> None:
        pass

    def confirm(self, question: str, timeout: float | None = None) -> bool:
        if self.on_confirm is not None:
            self.on_confirm(question)
        return self.answers.pop(0) if self.answers else False

    def say(self, text: str) -> None:
        self.said.append(text)


@dataclass
class CliWorld:
    """A sandbox of its own scenario, profiles in `root/profiles`, drift run in `root` as a
    process (as users run it)."""

    sandbox: Sandbox
    root: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**self.sandbox.environ(), "DRIFT_JOURNAL_DIR": str(self.root / "journal")}
        done = drift(*args, env=env, cwd=self.root, timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str) -> tuple[int, Any]:
        done = self.run(*args, "--format", "json")
        return done.returncode, json.loads(done.stdout)


MakeCliWorld = Callable[[str, dict[str, str]], CliWorld]


@pytest.fixture
def cli_world(tmp_path: Path) -> Iterator[MakeCliWorld]:
    """`cli_world(scenario YAML, {profile name: profile YAML})`; its sandbox stops after the
    test."""
    from ruamel.yaml import YAML

    started: list[Sandbox] = []

    def make(scenario: str, profiles: dict[str, str]) -> CliWorld:
        (tmp_path / "profiles").mkdir(exist_ok=True)
        for name, text in profiles.items():
            (tmp_path / "profiles" / f"{name}.yaml").write_text(text)
        started.append(Sandbox(YAML(typ="safe", pure=True).load(scenario)).start())
        return CliWorld(started[-1], tmp_path)

    yield make
    for sandbox in started:
        sandbox.stop()
