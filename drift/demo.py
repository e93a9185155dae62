"""`drift demo`: the whole story against the sandbox, with real output, checked step by step.

E2E WebSocket connections to staging die with 1011 while health checks are green: drift finds
the variables the E2E run needs but the service no longer has, traces them to the deploy that
dropped them, proves on a canary that adding them is the fix, moves traffic, and can roll it
all back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from drift.errors import UsageError

PROJECT = "acme-chat-staging"
CI_DEPLOY = "by deployer@acme-chat-staging.iam.gserviceaccount.com via gcloud 465.0.0"
"""Who made the deploy that dropped the E2E variables, in words (`since` and `history` say it
alike); the default scenario's api-00002."""


@dataclass(frozen=True)
class Step:
    args: tuple[str, ...]
    story: str
    exit_code: int
    expect: tuple[str, ...] = ()
    """Text the output must contain for the step to have behaved as the story says."""


STEPS = (
    Step(
        ("check", "staging"),
        "Before a deploy: does staging run with what profiles/staging.yaml says? (some drift)",
        1,
        ("env.forbidden", "TESTING", "NEXT_PUBLIC_WS_URL"),
    ),
    Step(
        ("check", "e2e", "--probe"),
        "The E2E suite's view of the same services, with a real WebSocket handshake: the "
        "simulation key is missing on api and the socket closes with 1011, since a CI deploy",
        1,
        (
            "E2E_OAUTH_SIMULATION_KEY",
            "close_1011",
            "suspected causes: env.missing",
            "since api-00002-",
            f"{CI_DEPLOY}; last good api-00001-",
        ),
    ),
    Step(
        ("history", "e2e", "--service", "api"),
        "Which deploy dropped it: api's revisions, each with what it changed, who made it and "
        "with which client (the CI service account, gcloud, removed the E2E variables)",
        0,
        (f"{CI_DEPLOY}\n      removed env.E2E_OAUTH_SIMULATION_KEY",),
    ),
    Step(
        ("plan", "e2e"),
        "The minimal patch: add the missing variables, drop the forbidden one, fix the URL",
        1,
        ("set_secret  E2E_OAUTH_SIMULATION_KEY", "remove      TESTING"),
    ),
    Step(
        ("fix", "e2e", "--yes"),
        "Repair: canary revisions with no traffic, the canary proven by the probe, then traffic",
        0,
        (
            "close_1011; of the canary: ok; the patch fixes the failure (confirmed)",
            "traffic moved to api-drift-",
        ),
    ),
    Step(
        ("check", "e2e", "--probe"),
        "Check again: clean, and the handshake stays open",
        0,
        ("no drift (exit 0)", "ok"),
    ),
    Step(
        ("rollback", "--yes"),
        "Undo the change from the journal: template and traffic as they were",
        0,
        ("restored api, auth, web",),
    ),
    Step(
        ("check", "e2e"),
        "And the drift is back, as it was before the fix",
        1,
        ("E2E_OAUTH_SIMULATION_KEY",),
    ),
)


ENVIRONMENTS = ("staging", "e2e")
"""The profiles the steps read: loaded before the sandbox starts, so that a broken one is one
profile error and exit 2 (each of the 8 steps said the same problems, and the demo exit 1)."""


def example_profiles() -> Path:
    """The example profiles shipped with drift (package data, the repository's `profiles/`
    copied): the ones the shipped scenario's story is told with."""
    return Path(__file__).with_name("examples") / "profiles"


def run_demo(profiles: Path | None = None, out: TextIO = sys.stdout) -> int:
    """Run every step; 0 only if each exited as expected and said what the story says.

    `profiles`: the shipped example profiles unless a directory is named (`--profiles`);
    never the working directory's own `profiles/`, which the story would fail on."""
    from drift.profiles.loader import load_profile
    from drift.sandbox import Sandbox, mint_test_jwt
    from drift.yamlfile import display_path

    profiles = (profiles or example_profiles()).resolve()
    if not os.path.lexists(profiles / "e2e.yaml"):  # one that is not a file: said by the load
        raise UsageError(
            f"the demo needs the example profiles: no {display_path(profiles / 'e2e.yaml')} "
            "(leave --profiles out to use the ones shipped with drift)"
        )
    for environment in ENVIRONMENTS:  # ProfileError: each problem at its file:line
        load_profile(profiles, environment)
    say = _printer(out)
    with Sandbox() as sandbox, tempfile.TemporaryDirectory(prefix="drift-demo-") as work:
        # a working copy, so that locations read `profiles/e2e.yaml:11` as in a repository
        shutil.copytree(profiles, Path(work) / "profiles")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")},
            **sandbox.environ(),
            # the E2E runner's token, signed with the sandbox's JWT secret (never printed)
            "ACME_TEST_JWT": mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging")),
            "DRIFT_PROFILES_DIR": "profiles",
            "NO_COLOR": "1",
            "COLUMNS": "120",
        }
        say(f"sandbox: Cloud Run + Secret Manager emulator on {sandbox.address}")
        say(f"profiles: a copy of {profiles} in {work} (the journal goes there too)\n")
        failures = [step for step in STEPS if not _run_step(step, env, Path(work), say)]
    say("")
    if failures:
        say(f"demo: {len(failures)} of {len(STEPS)} steps did not behave as the story says")
        return 1
    say(f"demo: all {len(STEPS)} steps behaved as the story says")
    return 0


def _run_step(step: Step, env: dict[str, str], cwd: Path, say: Callable[[str], None]) -> bool:
    say(f"== {step.story}")
    say(f"$ drift {' '.join(step.args)}")
    done = subprocess.run(
        [sys.executable, "-m", "drift", *step.args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    text = done.stdout + done.stderr
    for line in text.rstrip().splitlines():
        say(f"    {line}")
    missing = [e for e in step.expect if e not in text]
    ok = done.returncode == step.exit_code and not missing
    verdict = "as expected" if ok else "NOT as expected"
    detail = f"exit {done.returncode} (expected {step.exit_code})"
    if missing:
        detail += "; missing: " + ", ".join(repr(m) for m in missing)
    say(f"-> {detail}: {verdict}\n")
    return ok


def _printer(out: TextIO) -> Callable[[str], None]:
    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    return say
