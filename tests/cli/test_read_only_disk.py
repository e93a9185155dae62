"""A directory on a file system mounted read-only is said to be that, where drift looks before
it writes (`init`'s profiles directory, a report's `--output`/`--json`): "not writable by this
user" sent the reader to the permissions, and root gets it too (helper-810). A permission
this user lacks keeps its words (drift/writable.py says both)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from drift.cli.destinations import writable
from drift.errors import UsageError
from drift.onboarding.write import refuse_directory
from drift.sandbox import Sandbox
from tests.cliutil import REPO

PLACE = ("--project", "acme-chat-staging", "--region", "us-central1", "--service", "api")


def on_a_read_only_mount(
    folder: Path, args: tuple[str, ...], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` in a mount namespace of its own where `folder` is an empty tmpfs mounted
    read-only (gone with the process); a fresh interpreter, as the zygote's forks would not
    be in that namespace. Skipped where no namespace can be made."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare(1)")
    folder.mkdir()
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    mount = f"mount -t tmpfs -o ro,size=64k tmpfs {shlex.quote(str(folder))}"
    if subprocess.run([unshare, *user, "--mount", "sh", "-c", mount], check=False).returncode:
        pytest.skip("no mount namespace with a tmpfs of its own here")
    drift = shlex.join([sys.executable, "-m", "drift", *args])
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")} | env
    env |= {"PYTHONPATH": str(REPO), "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [unshare, *user, "--mount", "sh", "-c", f"{mount} && exec {drift}"],
        env=env,
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("init", "staging", "--from-live", *PLACE, "--profiles", "ro/profiles"),
            "drift: error: cannot write ro/profiles/staging.yaml: ro/ is on a read-only file "
            "system; nothing was written\n  hint: write the profile elsewhere: --profiles DIR\n",
        ),
        (
            ("init", "staging", "--from-live", *PLACE, "--profiles", "ro"),
            "drift: error: cannot write ro/staging.yaml: ro/ is on a read-only file system; "
            "nothing was written\n",
        ),
        (
            ("check", "staging", "--profiles", str(REPO / "profiles"), "--json", "ro/r.json"),
            "drift: error: cannot write --json ro/r.json: its directory ro is on a read-only "
            "file system (nothing was read)\n"
            "  hint: name a file on a file system that is not mounted read-only\n",
        ),
        (
            ("plan", "staging", "--profiles", str(REPO / "profiles"), "--output", "ro/p.yaml"),
            "drift: error: cannot write --output ro/p.yaml: its directory ro is on a read-only "
            "file system (nothing was read)\n",
        ),
    ],
    ids=["init-below-it", "init-into-it", "check-json", "plan-output"],
)
def test_a_read_only_file_system_is_said_as_one(
    sandbox: Sandbox, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    done = on_a_read_only_mount(tmp_path / "ro", args, sandbox.environ())
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(said), done.stderr
    assert "by this user" not in done.stderr and done.stdout == ""
    assert [c.short for c in sandbox.calls] == []  # refused before anything was read


@pytest.mark.parametrize("read_only", [True, False], ids=["EROFS", "EACCES"])
def test_which_words_is_the_file_systems_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    """Where access is refused, the file system's read-only flag says which of the two it
    is: a permission keeps its words (root is refused on a read-only file system, and where
    `chattr +i` holds: tests/onboarding/test_init_directory.py)."""
    flags = os.ST_RDONLY if read_only else 0
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    monkeypatch.setattr(os, "statvfs", lambda path: SimpleNamespace(f_flag=flags))
    why = "is on a read-only file system" if read_only else "is not writable by this user"
    with pytest.raises(UsageError) as init:
        refuse_directory(tmp_path / "staging.yaml")
    assert f"{tmp_path}/ {why}; nothing was written" in init.value.message
    existing = tmp_path / "r.json"
    existing.write_text("{}")
    with pytest.raises(UsageError) as check:
        writable({"--json": str(existing), "--sarif": str(tmp_path / "r.sarif")})
    assert check.value.message == (
        f"cannot write --json {existing}: the file {why}; --sarif {tmp_path / 'r.sarif'}: its "
        f"directory {tmp_path} {why} (nothing was read)"
    )


@pytest.mark.parametrize("how", ["--journal", "DRIFT_JOURNAL_DIR"])
def test_a_journal_on_a_read_only_file_system_is_said_as_one(
    sandbox: Sandbox, tmp_path: Path, how: str
) -> None:
    """`fix` aborts before any write, exit 4, in one line naming the journal, what set it and
    the directory on the read-only file system, and the way on: no permission makes a mount
    writable, so not "make it writable", which it said after the OS's "Read-only file system"
    (note68 §9, task 833)."""
    journal = ("--journal", "ro/x/journal") if how == "--journal" else ()
    env = sandbox.environ() | ({} if journal else {"DRIFT_JOURNAL_DIR": "ro/x/journal"})
    args = ("fix", "staging", "--profiles", str(REPO / "profiles"), "--service", "web", "--yes")
    done = on_a_read_only_mount(tmp_path / "ro", (*args, *journal), env)
    assert done.returncode == 4, done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"drift: error: cannot create the journal ro/x/journal (set by {how}): ro is on a "
        "read-only file system: nothing was changed; drift sends no write its journal has not "
        "recorded first (SPEC invariant 5): remount that file system read-write, or choose a "
        "journal on another file system with --journal DIR (or DRIFT_JOURNAL_DIR; a copy of "
        "this one to roll back a change it records)"
    )
    assert not [c for c in sandbox.calls if c.short.startswith(("Update", "Create", "Delete"))]
