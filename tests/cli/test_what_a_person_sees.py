"""What a person sees on the first day (issue 22) and the messages that must never be
"internal error" (issue 21, item 15): human units, one list of suspected causes, plurals, a
summary line on stderr with `--output`, "declined" as an answer, `drift probe` never saying
"no drift", one clear line for a bad regular expression or a header that is not UTF-8, and
control characters escaped in error lines and prompts."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drift.format import OutputFormat, formatter_for
from drift.sandbox import Sandbox, mint_test_jwt
from drift.textsafe import visible
from tests.cliutil import REPO, drift, read_pty, zygote_drift
from tests.format.sarif_reader import shown

PROFILES = REPO / "profiles"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(PROFILES, tmp_path / "profiles")
    return tmp_path


def token(sandbox: Sandbox) -> str:
    return mint_test_jwt(sandbox.secret_value("acme-chat-staging", "jwt-secret-staging"))


# --- units, causes, plurals --------------------------------------------------------------------


def test_memory_and_cpu_read_in_human_units(sandbox_env: dict[str, str], tmp_path: Path) -> None:
    from drift.check import run_check
    from drift.profiles.loader import load_profile
    from drift.settings import load_settings

    (tmp_path / "units.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n"
        "    settings: {memory: 256Mi, cpu: 2000m}\n"
    )
    report = asyncio.run(run_check(load_profile(tmp_path, "units"), load_settings())).report
    found = {f.target: f for f in report.findings if f.rule == "setting.value"}
    memory, cpu = found["setting.memory"], found["setting.cpu"]
    assert (memory.expected, memory.actual) == ("256Mi", "1Gi")
    assert memory.message.endswith("is 1Gi, the profile says 256Mi")
    assert (cpu.expected, cpu.actual) == ("2", "1")
    for fmt in (OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB):
        text = formatter_for(fmt, width=200).render(report)
        assert str(2**30) not in text and str(256 * 2**20) not in text and "256Mi" in text


def test_one_list_of_suspected_causes(sandbox: Sandbox, workdir: Path) -> None:
    env = {**sandbox.environ(), "ACME_TEST_JWT": token(sandbox)}
    done = drift("check", "e2e", "--probe", "--format", "json", env=env, cwd=workdir)
    import json

    report = json.loads(done.stdout)
    names = {f["id"]: f"{f['rule']} {f['target']}" for f in report["findings"]}
    failed = [p for p in report["probes"] if p["outcome"] != "ok"]
    assert failed, "the story's probe fails"
    for probe in failed:
        finding = next(
            f
            for f in report["findings"]
            if f["rule"].startswith("probe.") and f["service"] == probe["service"]
        )
        listed = ", ".join(names[c] for c in probe["suspected_causes"])
        assert len(probe["suspected_causes"]) > 3  # more than the three it used to cut to
        assert finding["message"].endswith(f"suspected causes: {listed}"), finding["message"]


def test_plurals_for_one(tmp_path: Path) -> None:
    (tmp_path / "only.yaml").write_text("project: p\nregion: us-central1\nservices: {api: {}}\n")
    done = drift("profiles", "validate", str(tmp_path))
    assert done.stdout.strip() == "1 profile valid: only"


# --- what a run prints ---------------------------------------------------------------------------


def test_output_file_leaves_the_summary_line_on_stderr(sandbox: Sandbox, workdir: Path) -> None:
    out = workdir / "report.json"
    done = drift("check", "staging", "--format", "json", "--output", str(out), cwd=workdir,
                 env=sandbox.environ())  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert out.read_text().startswith("{")
    (line,) = done.stderr.splitlines()
    assert line.startswith("staging: ") and line.endswith("— drift (exit 1)")


def test_declined_is_an_answer_not_an_error(sandbox: Sandbox, workdir: Path) -> None:
    env = {**sandbox.environ(), "ACME_TEST_JWT": token(sandbox)}  # the probe can run
    done = drift("fix", "e2e", "--service", "api", cwd=workdir, env=env)
    assert done.returncode == 4, done.stderr
    assert "no (no terminal to ask; pass --yes)" in done.stderr
    assert "drift: error" not in done.stderr + done.stdout
    assert done.stdout.rstrip().endswith("declined: nothing was changed")


def test_probe_never_says_no_drift(sandbox: Sandbox, workdir: Path) -> None:
    env = {**sandbox.environ(), "ACME_TEST_JWT": token(sandbox)}
    done = drift("probe", "staging", "--service", "api", cwd=workdir, env=env)
    last = done.stdout.rstrip().splitlines()[-1]
    assert "no drift" not in done.stdout, done.stdout
    assert last.startswith("staging: ") and " in 1 service" in last
    assert last.endswith("— all passed (exit 0)") and done.returncode == 0, done.stdout
    failing = drift("probe", "e2e", cwd=workdir, env=env)
    assert failing.returncode == 1
    assert "no drift" not in failing.stdout and "failed — a probe failed (exit 1)" in failing.stdout


# --- one clear line, never "internal error" -------------------------------------------------------


def test_an_invalid_re2_pattern_is_one_message_and_no_absl_lines(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n"
        '    env: {A: {pattern: "(unclosed"}}\n'
        '    probe: {websocket: /ws, expect: "(?<!a)b"}\n'
    )
    for args in (["check", "bad", "--profiles"], ["profiles", "validate"]):
        done = drift(*args, str(tmp_path))
        assert done.returncode == 2
        assert "absl" not in done.stderr and "re2.cc" not in done.stderr, done.stderr
        assert "b'missing" not in done.stderr
        assert "invalid regular expression '(unclosed': missing ): (unclosed" in done.stderr


def test_a_probe_header_value_that_is_not_utf8_is_one_message(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hdr.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n"
        '    probe: {websocket: /ws, headers: {X-Test-Token: "${HDR_TOKEN}"}}\n'
    )
    # the bytes abc FF FE def, as a fresh interpreter's os.environ holds them (decoded with
    # surrogateescape: PEP 383, os.environ's encodekey/decode); a process forked from the
    # zygote (its stderr as a fresh interpreter's: backslashreplace), not this one's
    if os.environ.get("DRIFT_TESTS_FORK", "1") != "0":
        monkeypatch.setenv("DRIFT_TESTS_FORK", "zygote")
    env = {**sandbox.environ(), "HDR_TOKEN": os.fsdecode(b"abc\xff\xfedef")}
    for command in ("check", "probe"):
        extra = ["--probe"] if command == "check" else []
        done = drift(command, "hdr", "--profiles", str(tmp_path), *extra, env=env)
        assert done.returncode == 2, done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
        assert "${HDR_TOKEN}, whose value in this environment is not valid UTF-8" in done.stderr


def test_error_lines_show_control_characters_escaped(sandbox: Sandbox, workdir: Path) -> None:
    """A server's refusal that carries terminal escapes (clear the screen, write the
    clipboard) is shown escaped in the error line."""
    from drift.sandbox import Fault

    hostile = "denied\x1b[2J\x1b]52;c;ZXZpbA==\x07 by policy"
    sandbox.inject(Fault("UpdateService", "PERMISSION_DENIED", message=hostile))
    env = {**sandbox.environ(), "ACME_TEST_JWT": token(sandbox)}  # the probe can run
    done = drift("fix", "e2e", "--service", "api", "--yes", cwd=workdir, env=env)
    assert done.returncode == 4, done.stderr
    said = done.stdout + done.stderr  # the service's outcome, with what stands and what to do
    assert "\x1b" not in said and "\x07" not in said
    assert "PERMISSION_DENIED: denied\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07 by policy" in said


def test_a_prompt_shows_control_characters_escaped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from drift.cli.prompt import PromptUI
    from drift.cli.session import STATE

    monkeypatch.setattr(STATE, "declined", False)

    assert PromptUI(yes=False).confirm("Remove \x1b[1A\x1b[2KTESTING?") is False
    err = capsys.readouterr().err
    assert "\x1b" not in err and "Remove \\x1b[1A\\x1b[2KTESTING? no" in err
    assert STATE.declined  # the abort that follows is an answer


def test_text_on_a_terminal_shows_control_characters_escaped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A plan or a comparison printed on a terminal cannot move the cursor; the colored table
    keeps its own color codes; a file gets the text as it is (a script, YAML or JSON)."""
    from drift.cli import output

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    output.emit("  remove  TESTING\x1b[1A\x1b[2K\n")
    output.emit("\x1b[31merror\x1b[0m  env.X \x1b]52;c;ZXZpbA==\x07\n", colored=True)
    shown = capsys.readouterr().out
    assert shown == (
        "  remove  TESTING\\x1b[1A\\x1b[2K\n\x1b[31merror\x1b[0m  env.X \\x1b]52;c;ZXZpbA==\\x07\n"
    )
    output.emit("value: \x1b[2K\n", tmp_path / "plan.yaml")
    assert (tmp_path / "plan.yaml").read_text() == "value: \x1b[2K\n"


HOSTILE_LIVE = "INFO\x1b[1A\x1b[2K\x1b]52;c;ZXZpbA==\x07\r\u202eevil\nforged row"


def test_hostile_live_values_through_every_format(sandbox: Sandbox, workdir: Path) -> None:
    """A live value carrying cursor movement, an OSC 52 clipboard write, a carriage return, a
    bidi override and a newline reaches every format as `drift check` prints it: escaped in
    the human formats and SARIF's messages, faithful in JSON."""
    import json
    import unicodedata

    sandbox.set_env("acme-chat-staging", "api", "LOG_LEVEL", HOSTILE_LIVE)
    texts = {}
    for fmt in OutputFormat:
        done = drift("check", "staging", "--format", fmt.value, cwd=workdir, env=sandbox.environ())
        assert done.returncode == 1, done.stderr
        texts[fmt] = done.stdout
    for fmt in (OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB):
        raw = [c for c in texts[fmt] if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]
        assert raw == [], (fmt, raw)
        assert "forged row" in texts[fmt] or fmt is OutputFormat.MARKDOWN  # no values there
        assert not any(line.startswith("forged row") for line in texts[fmt].splitlines())
    report = json.loads(texts[OutputFormat.JSON])
    (finding,) = [f for f in report["findings"] if f["target"] == "env.LOG_LEVEL"]
    assert finding["actual"] == HOSTILE_LIVE
    sarif = json.loads(texts[OutputFormat.SARIF])
    # as a viewer shows a message: SARIF escapes `\\`, `[` and `]` (no embedded link); the
    # alert's text shows the value escaped, as the table does (helper-662 F5)
    messages = [shown(r["message"]["text"]) for r in sarif["runs"][0]["results"]]
    assert any(visible(HOSTILE_LIVE) in m for m in messages), messages
    assert not any(HOSTILE_LIVE in m for m in messages), messages


def test_on_a_terminal_the_table_keeps_its_colors_and_escapes_values(
    sandbox: Sandbox, workdir: Path
) -> None:
    import pty

    sandbox.set_env("acme-chat-staging", "api", "LOG_LEVEL", HOSTILE_LIVE)
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR" and not k.startswith("DRIFT_")}
    env.update(sandbox.environ(), PYTHONPATH=str(REPO), COLUMNS="200", TERM="xterm-256color")
    proc = subprocess.Popen(
        [str(zygote_drift()), "check", "staging"],  # a process of its own, forked
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        cwd=workdir,
        env=env,
    )
    os.close(secondary)
    seen = read_pty(primary)
    assert proc.wait(timeout=60) == 1
    text = seen.decode()
    assert "\x1b[" in text and "\\x1b[1m" not in text  # drift's own colors, as colors
    assert "INFO\\x1b[1A\\x1b[2K\\x1b]52;c;ZXZpbA==\\x07\\r\\u202eevil\\nforged row" in text
    assert "\x1b[1A" not in text and "\x1b]52" not in text and "\u202e" not in text
