"""Journal setups the ssh-style trust boundary must accept (revown34 F1, F3): a journal on a
filesystem that keeps no Unix modes (drift's own change stays rollbackable; judged by owner
only), and a directory made by hand under umask 002 with the user's private group."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, python_code
from tests.fix.conftest import PROJECT, updates
from tests.fix.test_rollback import cli, fix_web

MODELESS = Path(__file__).parent / "modeless"  # its sitecustomize makes stat show 0777
MODELESS_DRIFT = f"""import runpy
runpy.run_path({str(MODELESS / "sitecustomize.py")!r})
from drift.cli import main
main()
"""
"""`python -c MODELESS_DRIFT ARGS`: the modeless `sitecustomize` run first, then drift's main.
It replaces os.stat and os.fstat, which drift and the standard library look up on `os` when
they call them (no `from os import` in drift/; pathlib's Path.stat, os.path, shutil and
tempfile call `os.stat`), so it needs no interpreter start of its own: the program runs
forked from the zygote (`python_code`; a fresh interpreter under DRIFT_TESTS_FORK=0)."""


def _modeless_cli(sandbox: Sandbox, tmp_path: Path, *args: str) -> tuple[int, str]:
    """drift with its journal on a filesystem without Unix modes (WSL /mnt/c, vfat, SMB
    file_mode=0777): stat shows 0777 for everything there, chmod changes nothing."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env = {
        **base,
        **sandbox.environ(),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
        "MODELESS_ROOT": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "NO_COLOR": "1",
    }
    done = python_code(MODELESS_DRIFT, *args, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def test_a_fix_drift_makes_on_a_modeless_filesystem_can_be_rolled_back(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """F1 (Safety): `drift fix` creates the journal and writes its entry and changes the
    service; on WSL's /mnt/c (or any filesystem that shows 0777) its own entry then reads
    back 0777, so `drift rollback` refuses the change drift just made, and the advice it
    gives (`chmod 700`) is a no-op there. Either the fix must refuse before its first write
    (it can tell: the directory it created with mode 0700 reads back 0777), or the rollback
    must work. On main: fix exit 0, rollback exit 2."""
    profiles = str(REPO / "profiles")
    before = sandbox.service(PROJECT, "web").etag
    code, out = _modeless_cli(
        sandbox, tmp_path, "fix", "e2e", "--yes", "-s", "web", "--profiles", profiles
    )
    if code != 0:  # refused before any write: what it should do, if it refuses
        assert updates(sandbox) == [] and sandbox.service(PROJECT, "web").etag == before, out
        return
    code, out = _modeless_cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 0, f"drift changed web, then refused to roll its own change back:\n{out}"
    assert out.count("keeps no Unix modes") == 1, out  # said once, judged by owner only


def test_a_journal_directory_made_by_hand_under_umask_002_is_accepted(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """F3 (Usability): Ubuntu/Debian users get umask 002 (login.defs USERGROUPS_ENAB: the
    user's own private group), so `mkdir ~/drift-journal` is 0775, group = the user's own
    group with no other member. ssh as Debian/Ubuntu ship it accepts exactly that (openssh
    debian/patches/user-group-modes.patch: group-writable is fine when the group is the
    user's private group); drift refuses every command on it. Here the group is the
    running user's primary group, which no other user belongs to in this container."""
    journal = tmp_path / ".drift" / "journal"
    journal.mkdir(parents=True)
    os.chmod(journal, 0o775)
    os.chown(journal, os.geteuid(), os.getegid())
    profiles = str(REPO / "profiles")
    code, out = cli(sandbox, tmp_path, "fix", "e2e", "--yes", "-s", "web", "--profiles", profiles)
    assert code == 0, out


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_journal_directory_writable_by_a_group_with_another_user_stays_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Only the user's private group is harmless: a group another user has as primary group
    (here `nogroup`, nobody's) can plant an entry, so 0775 with it is refused as before."""
    import grp
    import pwd

    gid = grp.getgrnam("nogroup").gr_gid
    assert any(u.pw_gid == gid and u.pw_uid != os.geteuid() for u in pwd.getpwall())
    journal = tmp_path / ".drift" / "journal"
    journal.mkdir(parents=True)
    os.chmod(journal, 0o775)
    os.chown(journal, os.geteuid(), gid)
    profiles = str(REPO / "profiles")
    code, out = cli(sandbox, tmp_path, "fix", "e2e", "--yes", "-s", "web", "--profiles", profiles)
    assert code == 2 and "mode 775" in out, out
    assert updates(sandbox) == []


def test_an_entry_at_0644_on_a_filesystem_that_keeps_modes_stays_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The probe that finds a filesystem without modes chmods nothing of anyone's: on a normal
    filesystem an entry at 0644 (checked out from git) is still refused, and left 0644."""
    fix_web(sandbox, tmp_path)
    (entry,) = (tmp_path / ".drift" / "journal").glob("*.json")
    entry.chmod(0o644)
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code != 0 and "mode 644" in out, out
    assert entry.stat().st_mode & 0o777 == 0o644
    assert not list(entry.parent.glob(".drift-mode-probe-*"))
