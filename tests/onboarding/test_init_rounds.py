"""`drift init --from-live` asks nothing a round later than it must (helper-633 F4): the
project's ListSecrets goes out beside the workload Lists, not once they have answered; and the
value of each referenced version is read as soon as GetSecretVersion resolved it, beside the IAM
reads of its secret's project, not after the whole read. Judged by the order of the calls in
the sandbox's log (each answered after a fixed latency), never by wall time: the calls are
the same, each made once. A call started early whose answer is not wanted (the list beside a
List that failed) ends with the command: no traceback, the List's failure said as ever."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drift.onboarding.init import init_from_live
from drift.sandbox import Fault, Sandbox, default_scenario_path
from drift.settings import load_settings
from tests.cliutil import REPO, drift, python_code
from tests.conftest import MakeSandbox
from tests.test_check_shapes import SHAPES

LISTS = ("ListServices", "ListJobs", "ListWorkerPools")


def _init(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, project: str
) -> list[Any]:
    """init of every workload of `project`, its calls in the order they were sent."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(
        profiles_dir=tmp_path / "profiles", project=project, region="us-central1", wait="0"
    )
    sandbox.clear_calls()
    asyncio.run(init_from_live("live", settings, force=True, today=dt.date(2026, 12, 6)))
    return sorted(sandbox.calls, key=lambda c: c.at)


def test_the_secret_list_goes_out_beside_the_workload_lists(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The read that follows the Lists finds the list there: asked once, before any List
    answered (it waited for the three Lists to answer before)."""
    sandbox = make_sandbox(default_scenario_path(), latency_ms=100)
    calls = _init(sandbox, monkeypatch, tmp_path, "acme-chat-staging")
    counts = Counter(c.short for c in calls)
    assert counts["ListSecrets"] == 1 and all(counts[m] == 1 for m in LISTS), counts
    [listed] = [c for c in calls if c.short == "ListSecrets"]
    answered = min(c.ended for c in calls if c.short in LISTS)
    assert listed.at < answered, [(c.short, c.at, c.ended) for c in calls]
    assert all(c.code == "OK" for c in calls), [(c.short, c.code) for c in calls]


def test_each_value_is_read_beside_the_project_policies(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """real-shapes: several secrets' own policies grant nothing, so their projects' policies
    are read after them (GetIamPolicy on projects/N). The values of the versions GetSecretVersion
    resolved go out before those project policies answered (all of them waited for the last
    one before); each version's value is still read once, by its number."""
    sandbox = make_sandbox(SHAPES, latency_ms=100)
    calls = _init(sandbox, monkeypatch, tmp_path, "acme-prod")
    values = [c for c in calls if c.short == "AccessSecretVersion"]
    names = Counter(c.request.name for c in values)
    assert values and max(names.values()) == 1, names
    assert "projects/acme-prod/secrets/chat-db-url/versions/1" in names, names
    policies = [
        c for c in calls if c.short == "GetIamPolicy" and "/secrets/" not in c.request.resource
    ]
    assert policies, [c.short for c in calls]
    last_policy = max(c.ended for c in policies)
    [chat] = [c for c in values if c.request.name.endswith("/chat-db-url/versions/1")]
    assert chat.at < last_policy, [(c.short, c.at, c.ended) for c in calls]
    # the value of a version no read resolved (only a template that serves nothing names it:
    # worker-api's failed worker-signing-key) is read once the workloads are described, not
    # after the IAM reads either
    [unwatched] = [c for c in values if "/worker-signing-key/" in c.request.name]
    assert unwatched.at < last_policy, [(c.short, c.at, c.ended) for c in calls]


def test_a_list_that_fails_beside_a_slow_secret_list_is_said_as_ever(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """ListServices refused while ListSecrets, started beside it, has not answered: the
    command ends with the List's message (its call and status, the permission), nothing
    written, and no traceback nor task left failing at exit."""
    sandbox.inject(Fault("ListServices", "PERMISSION_DENIED"))
    sandbox.inject(Fault("ListSecrets", None, latency_ms=3000))
    (tmp_path / "profiles").mkdir()
    done = drift(
        "init", "staging", "--from-live", "--project", "acme-chat-staging",
        "--region", "us-central1", env=sandbox_env, cwd=tmp_path,
    )  # fmt: skip
    said = " ".join(done.stderr.split())
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "Task" not in done.stderr, done.stderr
    assert "ListServices projects/acme-chat-staging/locations/us-central1" in said, said
    assert "PERMISSION_DENIED" in said and "ListServices needs run.services.list" in said, said
    assert list((tmp_path / "profiles").iterdir()) == []
    # started beside the Lists, and cancelled once ListServices failed: under load it may be
    # cancelled before the sandbox sees it (a flake at 16:58), never made twice
    assert [c.short for c in sandbox.calls].count("ListSecrets") <= 1


CTRL_C_AT = """
import os, signal, sys
import drift.live.api as api
import drift.live.version_values as version_values

module = {module}
called = getattr(module, "{name}")

async def then_ctrl_c(*args, **kwargs):
    open(os.environ["REACHED"], "w").close()
    os.kill(os.getpid(), signal.SIGINT)  # handled by the event loop: the task is cancelled
    return await called(*args, **kwargs)

setattr(module, "{name}", then_ctrl_c)
from drift.cli import main
sys.argv = ["drift", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("api", "list_secrets"),  # beside the workload Lists
        ("version_values", "access_version"),  # a value read while the read goes on
    ],
)
def test_ctrl_c_while_an_early_read_runs_ends_cleanly(
    sandbox: Sandbox, tmp_path: Path, module: str, name: str
) -> None:
    """Ctrl-C as the secret list goes out beside the Lists, or as a value is read while the
    rest of the read goes on: one line, nothing written, no traceback of a task left."""
    done = python_code(
        CTRL_C_AT.format(module=module, name=name),
        *("init", "staging", "--from-live", "--project", "acme-chat-staging"),
        *("--region", "us-central1", "--profiles", str(tmp_path / "profiles")),
        env={**sandbox.environ(), "PYTHONPATH": str(REPO), "REACHED": str(tmp_path / "reached")},
    )
    assert (tmp_path / "reached").exists(), "interrupted there"
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines() == ["drift: error: interrupted: nothing was written"]
    assert not (tmp_path / "profiles" / "staging.yaml").exists()
