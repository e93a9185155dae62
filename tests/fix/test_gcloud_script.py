"""`drift plan --format gcloud` is a script safe to run as is. These tests run it with bash and
a fake `gcloud` first on PATH that records its argv, and check every argument: exactly the
planned changes, values read back the way gcloud parses its list flags, credentials only from
the environment, hostile values never interpreted, manual steps never run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from drift.fix.formats.gcloud import plan_script, script_lines
from drift.fix.model import Action, EnvChange, ManualStep, Plan, ServicePlan, SettingChange
from drift.live.model import EnvVar
from drift.refs import SecretRef

FAKE_GCLOUD = f"""#!{sys.executable}
import json, os, sys
with open(os.environ["GCLOUD_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
"""
TOKEN = "sk_live_0123456789abcdefABCDEF"


def run_script(
    tmp_path: Path, text: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """Run `text` with bash, a fake gcloud first on PATH; its calls as argv lists."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    fake = bindir / "gcloud"
    fake.write_text(FAKE_GCLOUD)
    fake.chmod(0o755)
    log = tmp_path / "gcloud.log"
    log.unlink(missing_ok=True)
    script = tmp_path / "fix.sh"
    script.write_text(text)
    base = {"PATH": f"{bindir}:{os.environ['PATH']}", "GCLOUD_LOG": str(log), "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**base, **(env or {})},
        timeout=30,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls


def gcloud_dict(value: str) -> dict[str, str]:
    """A list/dict flag value as gcloud reads it (calliope `arg_parsers.ArgList`/`ArgDict`:
    `^D^` switches the delimiter; each item is KEY=VALUE, split at the first `=`)."""
    delim = ","
    if value.startswith("^") and "^" in value[1:]:
        delim, value = value[1:].split("^", 1)
    if not value.endswith(delim):
        value += delim
    out = {}
    for item in value.split(delim)[:-1]:
        key, _, val = re.match(r"([^=]+)(=?)(.*)", item, re.DOTALL).groups()  # type: ignore[union-attr]
        out[key] = val
    return out


def flags(argv: list[str]) -> list[tuple[str, str]]:
    """(flag, value) pairs of `--flag=value` and `--flag value` words after the command."""
    out, words = [], argv[4:]
    i = 0
    while i < len(words):
        word = words[i]
        if "=" in word:
            out.append(tuple(word.split("=", 1)))
        elif word == "--container":
            out.append((word, words[i + 1]))
            i += 1
        else:
            out.append((word, ""))
        i += 1
    return out  # type: ignore[return-value]


def service_plan(**fields: object) -> ServicePlan:
    base: dict[str, object] = {
        "service": "api",
        "full_name": "projects/p/locations/r/services/api",
        "etag": "e",
        "region": "us-central1",
        "project": "acme-staging",
        "revision": "api-00004-fqy",
        "containers": ("app",),
        "primary": "app",
    }
    base.update(fields)
    return ServicePlan(**base)  # type: ignore[arg-type]


def plan_of(*services: ServicePlan) -> Plan:
    return Plan("staging", "acme-staging", "us-central1", services)


EVERY_KIND = service_plan(
    containers=("app", "otel"),
    env=(
        EnvChange(Action.REMOVE, "TESTING", EnvVar("TESTING", value="true")),
        EnvChange(Action.REMOVE, "OLD", EnvVar("OLD", ref=SecretRef("old"))),
        EnvChange(Action.SET_VALUE, "LOG_LEVEL", EnvVar("LOG_LEVEL", value="INFO"), value="DEBUG"),
        EnvChange(Action.SET_VALUE, "ORIGINS", None, value="https://a,https://b"),
        EnvChange(Action.SET_SECRET, "SEC", EnvVar("SEC", value="x"), ref=SecretRef("s1")),
        EnvChange(
            Action.SET_SECRET, "DB", None, ref=SecretRef("shared-db", "7", project="987654321098")
        ),
        EnvChange(Action.SET_VALUE, "API_TOKEN", None, value=TOKEN),
        EnvChange(Action.SET_VALUE, "OTEL_LEVEL", None, value="warn", container="otel"),
    ),
    settings=(
        SettingChange("timeout", "300s", "600s"),
        SettingChange("cpu", "1000m", "2000m"),
        SettingChange("cpu_throttling", True, False),
    ),
)


def test_script_makes_every_change_exactly(tmp_path: Path) -> None:
    text = plan_script(plan_of(EVERY_KIND))
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert TOKEN not in text
    done, calls = run_script(tmp_path, text, {"DRIFT_VALUE_API_TOKEN": TOKEN})
    assert done.returncode == 0, done.stderr
    (argv,) = calls
    assert argv[:4] == ["run", "services", "update", "api"]
    assert flags(argv) == [
        ("--project", "acme-staging"),
        ("--region", "us-central1"),
        ("--timeout", "600s"),
        ("--no-cpu-throttling", ""),
        ("--container", "app"),
        ("--remove-env-vars", "TESTING,SEC"),
        ("--remove-secrets", "OLD"),
        ("--update-env-vars", "^@^LOG_LEVEL=DEBUG@ORIGINS=https://a,https://b"),
        ("--update-secrets", "SEC=s1:latest,DB=projects/987654321098/secrets/shared-db:7"),
        ("--update-env-vars", f"^|^API_TOKEN={TOKEN}"),
        ("--cpu", "2"),
        ("--container", "otel"),
        ("--update-env-vars", "OTEL_LEVEL=warn"),
    ]
    updates = [gcloud_dict(v) for f, v in flags(argv) if f == "--update-env-vars"]
    assert updates == [
        {"LOG_LEVEL": "DEBUG", "ORIGINS": "https://a,https://b"},
        {"API_TOKEN": TOKEN},
        {"OTEL_LEVEL": "warn"},
    ]
    assert not any(a.startswith("--set-") for a in argv)


def test_credentials_come_from_the_environment_or_nothing_runs(tmp_path: Path) -> None:
    text = plan_script(plan_of(EVERY_KIND))
    assert ': "${DRIFT_VALUE_API_TOKEN:?export DRIFT_VALUE_API_TOKEN (the value of' in text
    assert "'${DRIFT_VALUE_API_TOKEN}'" not in text  # single quotes would send the literal text
    done, calls = run_script(tmp_path, text)
    assert done.returncode != 0 and calls == []
    assert "export DRIFT_VALUE_API_TOKEN" in done.stderr
    done, calls = run_script(tmp_path, text, {"DRIFT_VALUE_API_TOKEN": "a|b"})
    assert done.returncode == 1 and calls == []
    assert "DRIFT_VALUE_API_TOKEN contains |, the list delimiter here" in done.stderr


def test_a_variable_of_the_services_name_in_the_shell_is_never_written(tmp_path: Path) -> None:
    """An operator's shell (or a CI runner) holding API_TOKEN for something else: the script
    never reads it; only DRIFT_VALUE_API_TOKEN, exported for this, is written."""
    text = plan_script(plan_of(EVERY_KIND))
    assert "${API_TOKEN" not in text
    done, calls = run_script(tmp_path, text, {"API_TOKEN": "the-operators-own-token"})
    assert done.returncode != 0 and calls == [], done.stderr
    assert "export DRIFT_VALUE_API_TOKEN (the value of API_TOKEN) first" in done.stderr


HOSTILE = [
    'it\'s "quoted"',
    "$(touch pwned)",
    "`touch pwned`",
    "${HOME}",
    "line1\nline2; touch pwned",
    "\x1b[1A\x1b[2K\x1b]52;c;cHduZWQ=\x07",
    "back\\slash\\n",
    "^weird^start",
    "commas,@,#,|,;,~",
    "bidi \u202egnp.exe",
    "tab\there",
    "##[error]a runner's legacy command",
    "",
]


def test_hostile_values_reach_gcloud_exactly_and_run_nothing(tmp_path: Path) -> None:
    env = tuple(
        EnvChange(Action.SET_VALUE, f"V{i}", None, value=value) for i, value in enumerate(HOSTILE)
    )
    text = plan_script(plan_of(service_plan(env=env)))
    assert not any(ord(c) < 32 and c != "\n" for c in text)  # escapes, visibly
    assert "\u202e" not in text and "\\xe2\\x80\\xae" in text
    assert "##[" not in text  # no line a CI runner reads as its command
    done, calls = run_script(tmp_path, text)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "pwned").exists()
    (argv,) = calls
    (value,) = [v for f, v in flags(argv) if f == "--update-env-vars"]
    assert gcloud_dict(value) == {f"V{i}": v for i, v in enumerate(HOSTILE)}


@pytest.mark.parametrize("value", ["x##[error]y", "##[", "a'##[b", "##[\ttab"])
def test_a_runner_command_in_a_value_is_split_and_bash_joins_it(tmp_path: Path, value: str) -> None:
    env = (EnvChange(Action.SET_VALUE, "V", None, value=value),)
    text = plan_script(plan_of(service_plan(env=env)))
    assert "##[" not in text
    done, calls = run_script(tmp_path, text)
    assert done.returncode == 0, done.stderr
    ((_, got),) = [(f, v) for f, v in flags(calls[0]) if f == "--update-env-vars"]
    assert gcloud_dict(got) == {"V": value}


def test_hostile_names_in_manual_steps_stay_comments(tmp_path: Path) -> None:
    step = ManualStep(
        "env.X",
        "reason\nrm -rf ~; \x1b[2K",
        ("gcloud run services update api --update-env-vars=X=<VALUE>\ntouch pwned",),
    )
    text = plan_script(plan_of(service_plan(manual=(step,))))
    for line in text.splitlines()[1:]:
        assert line == "" or line.startswith("#") or line == "set -euo pipefail", line
    done, calls = run_script(tmp_path, text)
    assert done.returncode == 0 and calls == []
    assert not (tmp_path / "pwned").exists()


def test_manual_steps_are_comments_and_nothing_runnable_has_a_placeholder(tmp_path: Path) -> None:
    manual = (
        ManualStep(
            "secret.db-url-dev",
            "version 3 of db-url-dev is DESTROYED",
            ("printf %s <NEW_VALUE> | gcloud secrets versions add db-url-dev --data-file=-",),
        ),
        ManualStep(
            "service",
            "service notifer does not exist: did you mean notifier?",
            ("gcloud run deploy notifer --image=<IMAGE> --project=acme-staging --region=r",),
        ),
    )
    sp = service_plan(
        env=(EnvChange(Action.SET_VALUE, "LOG_LEVEL", None, value="INFO"),), manual=manual
    )
    text = plan_script(plan_of(sp))
    runnable = [line for line in text.splitlines() if line and not line.startswith("#")]
    for line in runnable:
        assert "<" not in line and "--data-file=-" not in line and "deploy" not in line
    assert "#   printf %s <NEW_VALUE> | gcloud secrets versions add" in text
    assert "did you mean notifier?" in text
    done, calls = run_script(tmp_path, text)
    assert done.returncode == 0
    assert [c[:3] for c in calls] == [["run", "services", "update"]]
    subprocess.run(["bash", "-n"], input=text, text=True, check=True)


def test_template_that_is_not_what_serves_is_not_updated(tmp_path: Path) -> None:
    sp = service_plan(
        env=(EnvChange(Action.SET_VALUE, "LOG_LEVEL", None, value="INFO"),),
        unreleased="the service template differs from what serves (api-00003-abc)",
    )
    text = plan_script(plan_of(sp))
    assert "# not run: the service template differs from what serves" in text
    done, calls = run_script(tmp_path, text)
    assert done.returncode == 0 and calls == []


def test_secret_of_another_project_by_id_is_left_to_a_person(tmp_path: Path) -> None:
    ref = SecretRef("shared", "latest", project="acme-shared")
    sp = service_plan(
        env=(
            EnvChange(Action.SET_SECRET, "SHARED", None, ref=ref),
            EnvChange(Action.SET_VALUE, "LOG_LEVEL", None, value="INFO"),
        )
    )
    text = plan_script(plan_of(sp))
    assert "# not in the command above: SHARED: gcloud names a secret of another project" in text
    done, calls = run_script(tmp_path, text)
    (argv,) = calls
    assert not any("SHARED" in a for a in argv)


def test_nothing_to_change_is_a_script_that_does_nothing(tmp_path: Path) -> None:
    text = plan_script(plan_of(service_plan()))
    assert text.rstrip().endswith("# nothing to change")
    done, calls = run_script(tmp_path, text)
    assert done.returncode == 0 and calls == []


def test_step_summary_repair_block_is_the_script() -> None:
    from drift.format.markdown import MarkdownFormat
    from drift.report import Report

    lines = tuple(script_lines(plan_of(EVERY_KIND)))
    report = Report("staging", "acme-staging", "us-central1", ("api",), fix_commands=lines)
    markdown = MarkdownFormat().render(report)
    block = markdown.split("```bash\n", 1)[1].split("\n```", 1)[0]
    assert block.splitlines() == list(lines)
    assert "set -euo pipefail" in block and TOKEN not in markdown


@pytest.mark.parametrize("value", ["plain", "x,y"])
def test_single_container_takes_no_container_flag(tmp_path: Path, value: str) -> None:
    sp = service_plan(env=(EnvChange(Action.SET_VALUE, "A", None, value=value),))
    done, calls = run_script(tmp_path, plan_script(plan_of(sp)))
    (argv,) = calls
    assert "--container" not in argv
    (flag,) = [v for f, v in flags(argv) if f == "--update-env-vars"]
    assert gcloud_dict(flag) == {"A": value}


def test_a_name_starting_with_a_slash_is_never_a_flag_word(tmp_path: Path) -> None:
    """gcloud reads a key starting with `/` as a secret's mount path (--update-secrets help:
    "Keys starting with a forward slash '/' are mount paths"): such a change is a manual step."""
    sp = service_plan(
        env=(
            EnvChange(
                Action.SET_SECRET, "/etc/creds", EnvVar("/etc/creds", value="plain"),
                ref=SecretRef("s-ok"),
            ),
            EnvChange(Action.REMOVE, "/etc/old", EnvVar("/etc/old", ref=SecretRef("old"))),
            EnvChange(Action.SET_VALUE, "/etc/mode", None, value="on"),
            EnvChange(Action.SET_VALUE, "LOG_LEVEL", None, value="INFO"),
        )
    )  # fmt: skip
    text = plan_script(plan_of(sp))
    for name in ("/etc/creds", "/etc/old", "/etc/mode"):
        assert f"# not in the command above: {name}: a name starting with / is a mount" in text
    # the line above the command says what it does, and only that
    assert "\n# set LOG_LEVEL\ngcloud run services update api" in text
    done, calls = run_script(tmp_path, text)
    assert done.returncode == 0, done.stderr
    (argv,) = calls
    assert flags(argv)[2:] == [("--update-env-vars", "LOG_LEVEL=INFO")]


def test_masked_values_that_one_exported_variable_cannot_hold_are_manual(tmp_path: Path) -> None:
    """Two changes setting DB_PASS to different values drift does not print (other services,
    other containers) would both read one exported $DB_PASS, and write a value the plan does
    not state: each is a manual step, and the script writes neither. One value shared by two
    changes still comes from one variable, guarded once."""
    side = EnvChange(Action.SET_VALUE, "DB_PASS", None, value="s3cr3t", container="side")
    a = service_plan(
        containers=("app", "side"),
        env=(EnvChange(Action.SET_VALUE, "DB_PASS", None, value="hunter2"), side),
    )
    b = service_plan(
        service="worker",
        full_name="projects/p/locations/r/services/worker",
        env=(EnvChange(Action.SET_VALUE, "DB_PASS", None, value="hunter2"),),
    )
    text = plan_script(plan_of(a, b))
    assert "hunter2" not in text and "s3cr3t" not in text
    assert text.count("one exported DRIFT_VALUE_DB_PASS cannot hold them all") == 3
    done, calls = run_script(tmp_path, text, {"DRIFT_VALUE_DB_PASS": "hunter2"})
    assert done.returncode == 0, done.stderr
    assert not [v for argv in calls for f, v in flags(argv) if "DB_PASS" in v]
    same = service_plan(
        service="worker",
        full_name="projects/p/locations/r/services/worker",
        env=(EnvChange(Action.SET_VALUE, "DB_PASS", None, value="hunter2"),),
    )
    text = plan_script(plan_of(service_plan(env=same.env), same))
    assert text.count(': "${DRIFT_VALUE_DB_PASS:?') == 1
    done, calls = run_script(tmp_path, text, {"DRIFT_VALUE_DB_PASS": "hunter2"})
    got = {argv[3]: gcloud_dict(v) for argv in calls for f, v in flags(argv) if "env-vars" in f}
    assert got == {"api": {"DB_PASS": "hunter2"}, "worker": {"DB_PASS": "hunter2"}}
