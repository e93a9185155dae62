"""The catalogue's `command` and `args` rows (drift/fields/command.py), end to end through the
real `drift check`, `plan`, `fix` and `rollback` on the sandbox: the entrypoint and arguments of
the container the profile describes (a service's ingress container by default), a sidecar's
through `containers: {NAME: {settings: …}}`, a job's and a worker pool's (helper-676 M1: args
changed by hand read clean). Arguments carry secrets: one is never shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.container_world import (
    JOB_OR_POOL,
    SECRET,
    P,
    checked_and_fixed,
    findings,
    jobs_world,
    run,
    service_world,
)


def _service(args: list[str], sidecar_args: list[str] | None = None) -> dict[str, Any]:
    return service_world({"command": ["/server"], "args": args}, {"args": sidecar_args or []})


_run = run


def _findings(sandbox: Sandbox, tmp_path: Path, body: str) -> tuple[int, list[Any], str]:
    return findings(sandbox, tmp_path, body, "args", "command")


def _words(sandbox: Sandbox) -> list[tuple[str, list[str], list[str]]]:
    template = sandbox.service(P, "api").template
    return [(c.name, list(c.command), list(c.args)) for c in template.containers]


def _rest(sandbox: Sandbox) -> list[Any]:
    """What a fix of command/args must leave as it was: each container's image, ports, env."""
    template = sandbox.service(P, "api").template
    return [(c.name, c.image, list(c.ports), list(c.env)) for c in template.containers]


ARGS = "    settings:\n      args: [--mode, staging]\n"


def test_args_drifted_are_found_planned_fixed_and_rolled_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service(["--mode", "prod"], ["--verbose"]))
    code, (finding,), _ = _findings(sandbox, tmp_path, ARGS)
    assert code == 1 and (finding["actual"], finding["expected"]) == (
        "--mode,prod",
        "--mode,staging",
    ), finding
    script = _run(sandbox, tmp_path, ARGS, "plan", "env", "--format", "gcloud")
    words = " ".join(script.stdout.replace("\\\n", " ").split())
    assert "--container app --args=--mode,staging" in words, script.stdout + script.stderr
    rest = _rest(sandbox)
    done = _run(sandbox, tmp_path, ARGS, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    # only the app's args: its command and the sidecar's args as they were
    assert _words(sandbox) == [
        ("app", ["/server"], ["--mode", "staging"]),
        ("otel", [], ["--verbose"]),
    ]
    assert _rest(sandbox) == rest
    assert _findings(sandbox, tmp_path, ARGS)[:2] == (0, [])
    back = _run(sandbox, tmp_path, ARGS, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert _words(sandbox)[0] == ("app", ["/server"], ["--mode", "prod"])


@pytest.mark.parametrize(
    ("live", "body", "flag", "after"),
    [
        (  # the same words in another order are another command line
            ["-v", "-q"],
            "    settings:\n      args: [-q, -v]\n",
            "--args=-q,-v",
            ("app", ["/server"], ["-q", "-v"]),
        ),
        (  # an item holding a comma stays one item: gcloud's ^DELIM^ syntax
            ["--list=a"],
            "    settings:\n      args: ['--list=a,b']\n",
            "--args=^",
            ("app", ["/server"], ["--list=a,b"]),
        ),
        (  # none: the image's ENTRYPOINT, as gcloud's `--command=` (an empty string)
            ["x"],
            "    settings:\n      command: none\n",
            "--command=",
            ("app", [], ["x"]),
        ),
    ],
)
def test_order_commas_and_none(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    live: list[str],
    body: str,
    flag: str,
    after: tuple[str, list[str], list[str]],
) -> None:
    sandbox = make_sandbox(_service(live))
    code, found, _ = _findings(sandbox, tmp_path, body)
    assert code == 1 and len(found) == 1, found
    script = _run(sandbox, tmp_path, body, "plan", "env", "--format", "gcloud")
    assert flag in script.stdout, script.stdout + script.stderr
    done = _run(sandbox, tmp_path, body, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _words(sandbox)[0] == after
    assert _findings(sandbox, tmp_path, body)[:2] == (0, [])


def test_a_sidecars_args_are_its_own(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_service(["--mode", "prod"], ["--verbose"]))
    body = "    containers:\n      otel:\n        settings:\n          args: [--quiet]\n"
    code, (finding,), _ = _findings(sandbox, tmp_path, body)
    assert code == 1 and finding["actual"] == "--verbose" and finding["container"] == "otel"
    done = _run(sandbox, tmp_path, body, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _words(sandbox) == [("app", ["/server"], ["--mode", "prod"]), ("otel", [], ["--quiet"])]


@pytest.mark.parametrize(
    "live",
    [
        ["--upstream-key", SECRET],  # a secret drift read, a word of its own
        [f"--upstream=https://u.example/?k={SECRET}"],  # inside a longer word
        ["--db-password", "hunter2-but-longer"],  # shaped like a credential (the next word)
    ],
)
def test_a_secret_in_args_is_never_shown(
    make_sandbox: MakeSandbox, tmp_path: Path, live: list[str]
) -> None:
    sandbox = make_sandbox(_service(live))
    body = "    settings:\n      args: [--mode, staging]\n"
    code, (finding,), out = _findings(sandbox, tmp_path, body)
    assert code == 1 and "***" in finding["actual"], finding
    said = [out]
    said += [
        _run(sandbox, tmp_path, body, *cmd).stdout
        for cmd in (
            ("check", "env"),
            ("plan", "env"),
            ("plan", "env", "--format", "json"),
            ("plan", "env", "--format", "gcloud"),
        )
    ]
    fixed = _run(sandbox, tmp_path, body, "fix", "env", "--yes", "--no-verify")
    back = _run(sandbox, tmp_path, body, "rollback", "--yes")
    said += [fixed.stdout, fixed.stderr, back.stdout, back.stderr]
    assert back.returncode == 0 and _words(sandbox)[0][2] == live, back.stdout + back.stderr
    for text in said:
        assert SECRET not in text and "hunter2-but-longer" not in text, text


def test_a_profiles_secret_args_are_left_to_drift_fix_in_the_script(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service(["--mode", "prod"]))
    body = f"    settings:\n      args: [--upstream-key, {SECRET}]\n"
    script = _run(sandbox, tmp_path, body, "plan", "env", "--format", "gcloud")
    assert SECRET not in script.stdout and "--args" not in script.stdout, script.stdout
    assert "setting args:" in script.stdout and "drift fix makes it" in script.stdout


def test_init_writes_the_args_and_withholds_a_secret(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service(["--upstream-key", SECRET], ["--verbose"]))
    where = ("--project", P, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "env", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "env.yaml").read_text()
    assert SECRET not in written and SECRET not in done.stdout + done.stderr
    assert "# args: --upstream-key,*** (not written" in written, written
    assert "      command: /server\n" in written and 'args: "--verbose"\n' in written, written


@pytest.mark.parametrize(("section", "named"), JOB_OR_POOL)
def test_a_job_or_pools_args_are_drift_and_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path, section: str, named: str
) -> None:
    sandbox = make_sandbox(jobs_world({"args": ["--mode", "prod"]}))
    said, containers = checked_and_fixed(sandbox, tmp_path, section, named, ARGS, "args")
    assert said == ["--mode,prod"]
    # a pool's consumer's only: the agent's as they were
    assert [list(c.args) for c in containers] == [["--mode", "staging"], []][: len(containers)]


def test_a_password_moved_onto_the_command_line_is_masked_there() -> None:
    """`Context.hidden` (a value a variable named like a password held before): the word that
    is it, or gives it to a flag, is `***`, as `check` masks it in a variable."""
    from drift.fields.command import hiding

    assert hiding("--pg=s3cret-value,--pg2,s3cret-value,-v", {"s3cret-value"}) == "***,--pg2,***,-v"
    assert hiding("", {"x"}) == "none"
