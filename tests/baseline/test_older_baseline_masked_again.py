"""A baseline written by an older drift, which masked less, may quote a value today's drift
hides: a `job.failed` reason before 0b035bd8 quoted the password the failed execution ran
(helper-712 F1). `check --baseline` shows a baseline's finding again (`resolved`, `unchecked`):
its text is masked as this drift masks what it shows, with what this run read (helper-716,
`drift.diff.older.carried`) — a secret's value this run read, and the prefix a server cut it
to; the plain value of a variable named like a password the job holds (`job.failed`'s rule,
`jobs.without_values`); a credential-shaped piece (as before). Every format."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.jobs.world import PROFILE, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

SECRET = "quartz-fjord-77-violet"  # the value secret `token` resolves to; no credential's shape
PLAIN = "amber-delta-42-heron"  # the job's DB_PASSWORD, plain: only its name says what it is
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # shaped like a credential
SAID = (
    f"could not connect: password {SECRET} refused (tried {SECRET[:14]}…), "
    f"DB_PASSWORD {PLAIN}, GITHUB {TOKEN}"
)
READ = "TOKEN: {secret: token, min_length: 8}"  # a rule that compares: the value is read
FORMATS = ("table", "json", "sarif", "github", "markdown")


def _env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    profile = PROFILE.replace("TOKEN: {secret: token}", READ)  # the job's and the pool's
    folder = write_profile(tmp_path / "profiles", profile)
    return {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}


def _sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"]["DB_PASSWORD"] = PLAIN
    spec = world(jobs={"job": job})
    spec["projects"]["p"]["secrets"]["token"] = {"versions": [SECRET]}
    return make_sandbox(spec)


def _older_baseline(env: dict[str, str], tmp_path: Path) -> Path:
    """This drift's report of the failed job, its reason as an older drift wrote it."""
    done = drift("check", "prod", "--format", "json", env=env, cwd=tmp_path)
    data: dict[str, Any] = json.loads(done.stdout)
    (failed,) = [f for f in data["findings"] if f["rule"] == "job.failed"]
    assert "could not connect: refused" in failed["message"], failed["message"]
    failed["message"] = failed["message"].replace("could not connect: refused", SAID)
    path = tmp_path / "last.json"
    path.write_text(json.dumps(data))
    return path


def _shown(env: dict[str, str], tmp_path: Path, *more: str) -> dict[str, str]:
    out = {}
    for fmt in FORMATS:
        done = drift(
            "check",
            "prod",
            "--baseline",
            "last.json",
            "--format",
            fmt,
            *more,
            env=env,
            cwd=tmp_path,
        )
        assert done.returncode in (0, 1), done.stderr
        out[fmt] = done.stdout + done.stderr
    return out


def _nothing_shown(out: dict[str, str]) -> None:
    for fmt, text in out.items():
        for value in (SECRET, PLAIN, TOKEN):
            assert value[:8] not in text, (fmt, value, text)


def test_a_resolved_finding_of_an_older_baseline_is_masked_as_today(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _sandbox(make_sandbox)
    sandbox.run_job("p", "job", failure="could not connect: refused")
    env = _env(sandbox, tmp_path)
    _older_baseline(env, tmp_path)
    sandbox.run_job("p", "job")  # succeeded: the failure is resolved
    out = _shown(env, tmp_path)
    (resolved,) = json.loads(out["json"])["resolved"]
    assert resolved["rule"] == "job.failed"
    said = "could not connect: password *** refused (tried ***…), DB_PASSWORD ***, GITHUB ***"
    assert said in resolved["message"], resolved["message"]
    _nothing_shown(out)


def test_an_unchecked_finding_of_an_older_baseline_is_masked_as_today(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The job not checked this run (`--service pool`): the finding is carried, unchecked;
    the pool's rule reads the secret, so its value is known. (The job's own variables are
    not read: the plain password is masked where the job is checked, above.)"""
    sandbox = _sandbox(make_sandbox)
    sandbox.run_job("p", "job", failure="could not connect: refused")
    env = _env(sandbox, tmp_path)
    _older_baseline(env, tmp_path)
    out = _shown(env, tmp_path, "--service", "pool")
    unchecked = [u["finding"] for u in json.loads(out["json"])["unchecked"]]
    (carried,) = [f for f in unchecked if f["rule"] == "job.failed"]
    assert "password *** refused (tried ***…)" in carried["message"], carried["message"]
    assert "GITHUB ***" in carried["message"]
    for fmt, text in out.items():
        for value in (SECRET, TOKEN):
            assert value[:8] not in text, (fmt, value, text)
