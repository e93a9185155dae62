"""Where a report goes when the operator is unlucky: a disk that fills mid-write leaves the
previous report as it was and no half file; two options naming one file are refused; a
closed standard output and a locale that cannot encode drift's text are one clear message or
an escape, never an internal error. Run offline on a manifest: no Google Cloud call."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from drift.errors import UsageError
from drift.files import write_whole
from drift.sandbox import Sandbox
from tests.cliutil import REPO, buffered, drift, drift_argv, zygote_drift

DATA = REPO / "tests" / "data" / "manifest"
OFFLINE = ("check", "prod", "--profiles", str(DATA / "profiles"), "--offline")
MANIFEST = ("-m", str(DATA / "chat.service.yaml"))


def test_a_write_cut_short_leaves_the_previous_report_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"earlier": "report"}\n')

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UsageError) as raised:
        write_whole(report, '{"new": "report"}\n')
    assert str(raised.value) == f"cannot write {report}: No space left on device"
    assert report.read_text() == '{"earlier": "report"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


@pytest.mark.parametrize(
    ("refused", "directory_writable"),
    [(errno.EBUSY, True), (errno.EXDEV, True), (errno.EACCES, False)],
)
def test_a_file_that_cannot_be_renamed_over_is_written_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: int, directory_writable: bool
) -> None:
    """A report file bind-mounted into a container (rename over it: EBUSY, EXDEV) or writable
    in a directory this user cannot write (EACCES): the report is written in place, the same
    inode and mode, never lost (it was "cannot write …", exit 2)."""
    report = tmp_path / "report.json"
    report.write_text('{"earlier": "report, longer than the new one"}\n')
    report.chmod(0o640)
    inode = report.stat().st_ino
    _refuse_renames(monkeypatch, refused, directory_writable)
    write_whole(report, '{"new": "report"}\n')
    assert report.read_text() == '{"new": "report"}\n'
    assert (report.stat().st_ino, report.stat().st_mode & 0o777) == (inode, 0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no partial left
    with pytest.raises(UsageError, match=f"cannot write {tmp_path}/new.json: "):
        write_whole(tmp_path / "new.json", "{}\n")  # nothing to write in place: the error


def _refuse_renames(monkeypatch: pytest.MonkeyPatch, refused: int, writable: bool) -> None:
    """Every rename fails with `refused`; the directories are writable or not (as the user
    running the test, root included, cannot make them otherwise)."""

    def refuse(source: Path, target: Path) -> None:
        raise OSError(refused, os.strerror(refused))

    real_access = os.access
    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(
        os, "access", lambda p, m, **k: writable if m == os.W_OK else real_access(p, m, **k)
    )


@pytest.mark.parametrize(
    ("refused", "directory_writable", "owner"),
    [
        # a sticky directory (/tmp): renaming over another user's file is EPERM (rename(2))
        (errno.EPERM, True, "another"),
        (errno.EPERM, False, "this"),
        (errno.EACCES, True, "this"),  # the directory is writable: EACCES is the file's own
        # another user's file where a rename cannot go is still theirs: never written into
        (errno.EBUSY, True, "another"),
        (errno.EACCES, False, "another"),
    ],
)
def test_a_file_drift_may_not_write_into_is_cannot_write_and_untouched(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused: int,
    directory_writable: bool,
    owner: str,
) -> None:
    """revown17 F4: another user's file (its mode, say 0666, chosen by them, its readers
    theirs) is never rewritten in place, and an EPERM or an EACCES from a directory drift can
    write is the error it was before: "cannot write …", the file as it was."""
    report = tmp_path / "report.json"
    report.write_text("theirs\n")
    report.chmod(0o666)
    _refuse_renames(monkeypatch, refused, directory_writable)
    if owner == "another":
        monkeypatch.setattr(os, "geteuid", lambda: report.stat().st_uid + 1)
    with pytest.raises(UsageError, match=f"cannot write {report}: {os.strerror(refused)}"):
        write_whole(report, "drift's report\n")
    assert report.read_text() == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_bind_mounted_report_file_is_written(tmp_path: Path) -> None:
    """`docker run -v $PWD/report.json:/out/report.json … --json /out/report.json`, for real:
    a bind-mounted file (needs root)."""
    host, mounted = tmp_path / "host.json", tmp_path / "report.json"
    host.write_text("old\n")
    mounted.touch()
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", host, mounted]).returncode:
        pytest.skip("needs root to bind-mount a file")
    try:
        done = drift(*OFFLINE, *MANIFEST, "--json", str(mounted), cwd=tmp_path)
        assert done.returncode in (0, 1), done.stderr
        assert json.loads(host.read_text())["schema"] == "drift.report/v1"
    finally:
        subprocess.run(["umount", mounted], check=False)


def test_a_file_replaced_keeps_its_permissions(tmp_path: Path) -> None:
    private = tmp_path / "plan.yaml"
    private.touch(mode=0o600)
    private.chmod(0o600)
    write_whole(private, "credentials: as the live service holds them\n")
    assert private.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "report.json"
    write_whole(fresh, "{}\n")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_file_through_a_link_replaces_the_file_the_link_names(tmp_path: Path) -> None:
    """What `drift init` writes (a profile kept elsewhere, linked into profiles/); a report
    replaces the link instead (tests/cli/test_outputs_links.py)."""
    real = tmp_path / "real.json"
    real.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_whole(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


@pytest.mark.parametrize(("first", "second"), [("--output", "--sarif"), ("--json", "--output")])
def test_two_outputs_naming_one_file_are_refused(tmp_path: Path, first: str, second: str) -> None:
    same = tmp_path / "same.json"
    other = tmp_path / "." / "same.json"  # the same file, written another way
    done = drift(*OFFLINE, *MANIFEST, first, str(same), second, str(other), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    said = done.stderr.split("drift: error: ", 1)[-1].split(" name the same file")[0]
    assert sorted(said.split(" and ")) == sorted((first, second)), done.stderr
    assert "Traceback" not in done.stderr and not same.exists()


def test_the_baseline_may_be_the_file_the_new_report_replaces(tmp_path: Path) -> None:
    last = tmp_path / "last.json"
    first = drift(*OFFLINE, *MANIFEST, "--json", str(last), "-q", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    again = drift(*OFFLINE, *MANIFEST, "--baseline", str(last), "--json", str(last), "-q")
    assert again.returncode == 1, again.stderr
    compared = json.loads(last.read_text())  # written after the baseline was read
    assert compared["summary"]["new"] == 0 and compared["resolved"] == []


def _users() -> dict[str, str]:
    """A user's environment (no PYTHONUNBUFFERED: the exit flush is tried), the tree under
    test's drift (a fresh interpreter's, DRIFT_TESTS_FORK=0, would import the venv's)."""
    return {**buffered(), "PYTHONPATH": str(REPO)}


@pytest.mark.parametrize(
    "command",
    [(*OFFLINE, *MANIFEST), ("check", "--help"), ("--help",)],
    ids=["check", "check-help", "help"],
)
def test_a_closed_standard_output_is_one_message(tmp_path: Path, command: tuple[str, ...]) -> None:
    """Python starts with `sys.stdout = None` under `>&-`: click's help went into nothing and
    exited 0, as if it had been read. drift's own output and click's say it in the same words."""
    args = [*drift_argv(), *command]  # the stand-in passes the run its closed descriptor
    done = subprocess.run(
        ["sh", "-c", '"$@" >&-', "sh", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_users(),
    )
    assert done.returncode == 2
    assert "cannot write the output to standard output: it is closed" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def _latin1(*args: str) -> subprocess.CompletedProcess[bytes]:
    """A process of its own, its standard streams in Latin-1: forked from the zygote by the
    stand-in (`drift_argv`: the run's streams made as a fresh interpreter's start-up makes them
    under PYTHONIOENCODING, tests/zygote.py `_io_encoding`), the bytes it wrote as they are."""
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "NO_COLOR": "1"}
    argv = [*drift_argv(), *args]
    return subprocess.run(argv, capture_output=True, env=env, cwd=REPO, timeout=60)


# the encoding is handled where any format is written (`output.emit`): the plain text of a
# table and the escapes of github annotations cover it (markdown is text like the table)
@pytest.mark.parametrize("fmt", ["table", "github"])
def test_a_locale_that_cannot_encode_drifts_text_gets_escapes(fmt: str) -> None:
    done = _latin1(*OFFLINE, *MANIFEST, "--format", fmt)
    assert done.returncode == 1, done.stderr
    assert b"internal error" not in done.stderr
    assert b"\\u2014" in done.stdout + done.stderr  # `—`, escaped


def test_a_report_file_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """`-o FILE` under a Latin-1 locale: the same bytes as under UTF-8. Once, for the table:
    every format's file is written the same way (`output.emit` → `write_whole`, whatever
    `fmt`), so github's file (once a second run here) went through the very same lines."""
    saved, utf8 = tmp_path / "latin.txt", tmp_path / "utf8.txt"
    to_file = _latin1(*OFFLINE, *MANIFEST, "--format", "table", "-o", str(saved))
    plain = drift(*OFFLINE, *MANIFEST, "--format", "table", "-o", str(utf8))
    assert to_file.returncode == 1, to_file.stderr
    assert b"internal error" not in to_file.stderr
    assert plain.returncode == 1, plain.stderr
    assert saved.read_bytes() == utf8.read_bytes()  # a file is UTF-8 whatever the locale
    assert not saved.read_text(encoding="utf-8").isascii()


def test_annotations_and_sarif_name_profiles_from_the_repository_root(tmp_path: Path) -> None:
    """A step with `working-directory: tools` and `--profiles ../deploy/profiles`: the runner
    reads `file=` relative to the repository's root, and so does code scanning."""
    import shutil

    workspace = tmp_path / "ws"
    shutil.copytree(DATA / "profiles", workspace / "deploy" / "profiles")
    (workspace / "tools").mkdir()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)}
    args = ("check", "prod", "--profiles", "../deploy/profiles", "--offline", *MANIFEST)
    github = drift(*args, "--format", "github", env=env, cwd=workspace / "tools")
    assert github.returncode == 1, github.stderr
    assert "file=deploy/profiles/prod.yaml,line=" in github.stdout
    assert "file=../" not in github.stdout
    sarif = drift(*args, "--format", "sarif", env=env, cwd=workspace / "tools")
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for run in json.loads(sarif.stdout)["runs"]
        for result in run["results"]
        for location in result.get("locations", [])
    }
    assert uris == {"deploy/profiles/prod.yaml"}


def test_the_temporary_file_is_never_one_found_there(tmp_path: Path) -> None:
    """A link planted where the temporary `.NAME.PID.partial` goes (a shared directory) is
    never followed: the file it names is left as it was. A file left there by a run killed
    under the same pid (pid 1 in a container) is no obstacle."""
    report, victim = tmp_path / "report.json", tmp_path / "victim"
    victim.write_text("precious\n")
    partial = tmp_path / f".report.json.{os.getpid()}.partial"
    partial.symlink_to(victim)
    write_whole(report, "new\n")
    assert (report.read_text(), victim.read_text()) == ("new\n", "precious\n")
    partial.write_text("left by a run killed midway\n")
    write_whole(report, "newer\n")
    assert report.read_text() == "newer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "victim"]


@pytest.mark.sandbox
def test_an_output_whose_directory_is_missing_is_refused_before_anything_is_read(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The action's `sarif-file: reports/drift.sarif` with no reports/: exit 2 before any call,
    one message naming each output, no annotation, no summary (revci F4)."""
    summary = tmp_path / "summary.md"
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    sandbox.clear_calls()
    done = drift(
        "check", "staging", "--format", "github",
        "--sarif", str(tmp_path / "reports" / "drift.sarif"),
        "--json", str(tmp_path / "gone" / "r.json"), "--output", str(tmp_path),
        env=env,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("drift: error:")]
    assert f"--sarif {tmp_path}/reports/drift.sarif: its directory " in line
    assert "--json" in line and f"--output {tmp_path}: it is a directory" in line
    assert "(nothing was read)" in line
    assert sandbox.calls == [] and done.stdout == "" and not summary.exists()


@pytest.mark.sandbox
@pytest.mark.parametrize(("repaired", "code"), [(False, 1), (True, 3)])
def test_an_output_lost_after_the_check_still_writes_the_others(
    sandbox: Sandbox, tmp_path: Path, repaired: bool, code: int
) -> None:
    """A write that fails once the check ran (a full disk: /dev/full): the other outputs and
    the step summary are still written, the failure named, and the exit code is drift's 1
    (it takes precedence over 3) or else 3, the report not delivered whole (revci F4)."""
    if repaired:
        _repaired(sandbox)
    summary = tmp_path / "summary.md"
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    report = tmp_path / "r.json"
    done = drift(
        "check", "staging", "--format", "github", "--sarif", "/dev/full", "--json", str(report),
        env=env,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert "drift: error: cannot write /dev/full: No space left on device" in done.stderr
    assert json.loads(report.read_text())["environment"] == "staging"
    said = summary.read_text()
    assert "## drift · staging" in said
    # helper-533 F2: the run page said "clean … no drift (exit 0)" of a run exiting 3
    headline = said.splitlines()[0]
    assert headline == (
        "## drift · staging: drift found"
        if code == 1
        else "## drift · staging: incomplete, not clean: 1 output not written"
    )
    assert f"; 1 output not written (exit {code})**" in said and "(exit 0)" not in said
    assert "Not written: cannot write /dev/full: No space left on device" in said
    assert "Traceback" not in done.stderr
    # the summary line the table gave said the report's own exit code: the last line of
    # stderr says the one drift ends with (it said "no drift (exit 0)" and exited 3)
    last = done.stderr.splitlines()[-1]
    assert last.startswith("staging: ") and last.endswith(f"; 1 output not written (exit {code})")
    # helper-810 F1: the JSON report written after the SARIF log was lost, and the annotations'
    # summary line on stdout, said the report's own "clean", "(exit 0)" of a run exiting 3
    written = json.loads(report.read_text())
    assert (written["status"], written["exit_code"]) == (
        ("drift", 1) if code == 1 else ("incomplete", 3)
    )
    assert f"; 1 output not written (exit {code})" in done.stdout and "(exit 0)" not in done.stdout


def _repaired(sandbox: Sandbox) -> None:
    """The default scenario's staging as its profile says: a check of it is clean."""
    sandbox.set_env("acme-chat-staging", "api", "TESTING", None)
    sandbox.set_env(
        "acme-chat-staging", "web", "NEXT_PUBLIC_WS_URL", "wss://api.staging.acme-chat.dev/ws"
    )


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("args", "lost"),
    [
        (("--quiet",), "--json"),
        (("--format", "table"), "--json"),
        (("--format", "json"), "--sarif"),
        (("--format", "sarif"), "--json"),
        (("--format", "markdown"), "--json"),
    ],
    ids=["quiet", "table", "json", "sarif", "markdown"],
)
def test_a_clean_check_that_lost_an_output_never_prints_exit_0(
    sandbox: Sandbox, args: tuple[str, ...], lost: str
) -> None:
    """helper-810 F1: `drift check prod --quiet --json /dev/full` exited 3 and printed
    `prod: … — no drift (exit 0)`: every output written after one that failed says the exit
    code the run ends with, and never "clean" (README "GitHub Actions": a failed write is exit
    3, "never 'clean' on a run that exits 3"; `exit_code` is "the one the process exits with")."""
    _repaired(sandbox)
    done = drift("check", "staging", *args, lost, "/dev/full", env=sandbox.environ())
    assert done.returncode == 3, done.stderr
    assert "drift: error: cannot write /dev/full: No space left on device" in done.stderr
    assert "(exit 0)" not in done.stdout and "clean" not in done.stdout.replace("not clean", "")
    if "json" in args:
        report = json.loads(done.stdout)
        assert (report["status"], report["exit_code"]) == ("incomplete", 3)
    elif "sarif" in args:
        (run,) = json.loads(done.stdout)["runs"]
        said = run["invocations"][0]
        assert (said["exitCode"], said["exitCodeDescription"]) == (
            3,
            "no drift; 1 output not written",
        )
    else:
        assert "no drift; 1 output not written (exit 3)" in done.stdout, done.stdout


@pytest.mark.parametrize(
    ("command", "code"), [(("plan", "staging"), 1), (("history", "staging"), 3)]
)
def test_a_document_that_cannot_be_written_is_never_said_written(
    sandbox: Sandbox, command: tuple[str, ...], code: int
) -> None:
    """`plan`/`history --output` on a full disk: one error, never "wrote /dev/full: …" before it
    (the line that says what a written file holds is said once it was written). The exit code
    is a run's that read all and lost its output (1 drift found, else 3), never 2, "nothing
    was checked" (helper-602 F7)."""
    done = drift(*command, "--output", "/dev/full", env=sandbox.environ())
    assert done.returncode == code, done.stderr
    assert done.stderr.splitlines() == [
        "drift: error: cannot write /dev/full: No space left on device"
    ]


@pytest.mark.parametrize("fmt", ["table", "json", "github", "sarif", "markdown"])
def test_a_report_that_cannot_be_written_still_leaves_the_summary_line(fmt: str) -> None:
    """`--output` on a full disk (/dev/full): the summary line still reaches stderr, after the
    error, as when the write goes through (README: "the CI log still says what happened"); it
    was the error alone, exit 1 with nothing saying drift was found (revci65 F2). It counts
    the output lost and gives the exit code drift ends with."""
    done = drift(*OFFLINE, *MANIFEST, "--format", fmt, "--output", "/dev/full")
    assert done.returncode == 1, done.stderr
    *said, summary = done.stderr.splitlines()
    assert "cannot write /dev/full: No space left on device" in said[-1]  # (github: annotated)
    assert summary == (
        "prod: 1 error, 0 warnings in 1 service, incomplete: 7 items could not be verified "
        "— drift; 1 output not written (exit 1)"
    )
    assert done.stdout == ""


def _process(*args: str, **popen: Any) -> subprocess.CompletedProcess[str]:
    """drift in a process of its own, its streams real pipes: the tests' in-process drift hands
    back what it caught, and swallowed a write to `/dev/stdout` without a word (revown18).
    Forked from the zygote by its stand-in, which hands the run its own descriptors 0-2 (the
    pipes or files given here); a fresh interpreter where more descriptors are passed."""
    env = {k: v for k, v in buffered().items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    fresh = bool(popen.get("pass_fds"))
    argv = [*([sys.executable, "-m", "drift"] if fresh else [str(zygote_drift())]), *args]
    env |= {"PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run(argv, text=True, env=env, cwd=REPO, timeout=60, **popen)


@pytest.mark.parametrize("stream", ["/dev/stdout", "/dev/stderr", "/dev/fd/N"])
def test_an_output_naming_a_standard_stream_into_a_pipe_is_the_report(stream: str) -> None:
    """`drift check … --format json --output /dev/stdout | jq` (and any CI log: a pipe).
    realpath makes `/proc/PID/fd/pipe:[N]` of it, a name that does not exist: it was "cannot
    write /dev/stdout: No such file or directory" and no report (revown18 F2)."""
    read, write = os.pipe()
    path = stream.replace("N", str(write))
    args = (*OFFLINE, *MANIFEST, "--format", "json", "--output", path)
    try:
        if stream == "/dev/fd/N" and os.environ.get("DRIFT_TESTS_FORK", "1") == "1":
            # in this process (`drift`: check runs in-process), where /dev/fd/N names the
            # same pipe's write end, as in the process a shell hands it to
            done = drift(*args)
        else:  # a zygote run (`_process`), or a fresh interpreter handed the descriptor
            fds = (write,) if stream == "/dev/fd/N" else ()
            done = _process(*args, capture_output=True, pass_fds=fds)
        os.close(write)
        with os.fdopen(read, encoding="utf-8") as piped:
            handed = piped.read()
    finally:
        with contextlib.suppress(OSError):
            os.close(write)
    text = {"/dev/stdout": done.stdout, "/dev/stderr": done.stderr}.get(stream, handed)
    assert done.returncode == 1, done.stderr
    report, _ = json.JSONDecoder().raw_decode(text)
    assert report["schema"] == "drift.report/v1"


def test_a_pipe_named_as_an_output_passes_the_check_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For a user but root, /dev and `/proc/PID/fd` (where realpath takes `/dev/fd/N`) are
    not writable; the pipe it names is. Root passes every permission check, so a user's is
    emulated: the owner's bits decide (revown18 F2)."""
    from drift.cli.destinations import writable

    def as_a_user(path: str | Path, mode: int, **kw: object) -> bool:
        bits = ((os.R_OK, stat.S_IRUSR), (os.W_OK, stat.S_IWUSR), (os.X_OK, stat.S_IXUSR))
        held = os.stat(path).st_mode
        return all(held & bit for flag, bit in bits if mode & flag)

    monkeypatch.setattr(os, "access", as_a_user)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(UsageError, match="its directory .*locked is not writable"):
        writable({"--json": str(locked / "r.json")})  # the emulation refuses as a user's would
    read, write = os.pipe()
    try:
        writable({"--output": f"/dev/fd/{write}", "--json": str(tmp_path / "r.json")})
    finally:
        os.close(read)
        os.close(write)


def test_an_output_linked_into_a_missing_directory_replaces_the_link(tmp_path: Path) -> None:
    """`--json r.json`, a link into a directory that is gone (a cache restore left it): a
    report replaces a link, never writes what it names (revattacker 4), so the directory the
    link needs does not matter (revown18 F4 refused the run, naming it)."""
    (tmp_path / "r.json").symlink_to(tmp_path / "gone" / "dir" / "x.json")
    done = drift(*OFFLINE, *MANIFEST, "--json", "r.json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert not (tmp_path / "r.json").is_symlink() and (tmp_path / "r.json").read_text()
    assert not (tmp_path / "gone").exists()


def test_a_directory_named_as_an_output_is_not_told_to_create_it(tmp_path: Path) -> None:
    """revinput60 F4: "it is a directory" came with the missing directory's hint (mkdir -p)."""
    from drift.cli.destinations import writable

    with pytest.raises(UsageError, match="it is a directory") as caught:
        writable({"--json": str(tmp_path)})
    assert caught.value.hint == "name a file, not a directory (DIR/report.json)"
    with pytest.raises(UsageError, match="does not exist") as caught:
        writable({"--json": str(tmp_path / "gone" / "r.json")})
    assert "mkdir -p DIR" in str(caught.value.hint)


def test_a_closed_standard_error_still_writes_the_report(tmp_path: Path) -> None:
    """`2>&-`: Python starts with `sys.stderr = None`; drift failed before it read anything
    (the progress line asked None whether it was a terminal), exit 2 and no report (revsig66
    F3). Its messages now go nowhere, the report is written whole, the exit code says it."""
    report = tmp_path / "report.txt"
    args = [*drift_argv(), *OFFLINE, *MANIFEST, "--output", str(report)]
    done = subprocess.run(
        ["sh", "-c", '"$@" 2>&-', "sh", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_users(),
    )
    assert done.returncode == 1, done
    text = report.read_text()
    assert text.rstrip().endswith("— drift (exit 1)"), text[-300:]
    assert "drift: error" not in text and "Traceback" not in text


def test_a_standard_error_whose_reader_left_keeps_the_exit_code(tmp_path: Path) -> None:
    """`drift check --output FILE 2>&1 >/dev/null | (exec 0<&-; …)`: the report is written, the
    summary line then meets a closed pipe; that is no reason to exit 2, "nothing was checked"
    (revsig66 F2): drift was found, exit 1."""
    report = tmp_path / "report.txt"
    args = [*drift_argv(), *OFFLINE, *MANIFEST, "--output", str(report)]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path, env=_users()
    )
    assert proc.stderr is not None
    proc.stderr.close()  # the reader is gone before drift writes a byte there
    assert proc.wait(timeout=60) == 1
    assert report.read_text().rstrip().endswith("— drift (exit 1)")


@pytest.mark.sandbox
def test_a_markdown_summary_on_stdout_names_an_output_lost(sandbox: Sandbox) -> None:
    """helper-534: `drift check ENV --format markdown >> "$GITHUB_STEP_SUMMARY"` (the job
    writing the summary itself) printed "clean … no drift (exit 0)" before `--sarif` failed
    and the run exited 3: the files are written first, and the summary says what was not."""
    sandbox.set_env("acme-chat-staging", "api", "TESTING", None)
    sandbox.set_env(
        "acme-chat-staging", "web", "NEXT_PUBLIC_WS_URL", "wss://api.staging.acme-chat.dev/ws"
    )
    done = drift(
        "check", "staging", "--format", "markdown", "--sarif", "/dev/full", env=sandbox.environ()
    )
    assert done.returncode == 3, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "## drift · staging: incomplete, not clean: 1 output not written"
    assert "(exit 0)" not in done.stdout and "; 1 output not written (exit 3)**" in done.stdout


@pytest.mark.parametrize("option", ["--json", "--sarif", "--output"])
def test_an_output_through_a_missing_folder_and_back_is_refused_as_the_kernel_would(
    option: str, tmp_path: Path
) -> None:
    """helper-849 F2: `nosub/../r.json` with no nosub was written in the working directory
    (`os.path.realpath` takes `nosub/..` for `.` when nosub is not there), where open(2)
    fails with ENOENT and `nosub/r.json` was refused: both are refused now, exit 2, one line
    naming the missing folder, nothing written. `.` and a folder that exists pass as before."""
    with pytest.raises(FileNotFoundError):  # what the kernel says of it
        (tmp_path / "nosub" / ".." / "probe").open("w")
    for named, why in [
        ("nosub/../r.json", "its path passes through nosub, which does not exist"),
        ("nosub/r.json", "its directory nosub does not exist"),
        ("there/nosub/../../r.json", "its path passes through there/nosub, which does not exist"),
    ]:
        done = drift(*OFFLINE, *MANIFEST, option, named, cwd=tmp_path)
        (line,) = [x for x in done.stderr.splitlines() if x.startswith("drift: error:")]
        assert done.returncode == 2, done.stderr
        assert line == f"drift: error: cannot write {option} {named}: {why} (nothing was read)"
        assert "mkdir -p" in done.stderr and sorted(p.name for p in tmp_path.iterdir()) == []
    (tmp_path / "there").write_text("a file, not a folder\n")
    done = drift(*OFFLINE, *MANIFEST, option, "there/../r.json", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"{option} there/../r.json: its path passes through there, which is not a " in (
        done.stderr
    )
    (tmp_path / "there").unlink()
    (tmp_path / "here").mkdir()
    done = drift(*OFFLINE, *MANIFEST, option, "here/../r.json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr  # written where the kernel puts it
    assert (tmp_path / "r.json").is_file()
