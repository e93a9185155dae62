"""The journal's trust boundary is the user, as ssh's StrictModes draws it: a journal
directory others can write (or another user owns) is refused, naming it and `chmod 700` /
the owner, and an entry file that is not the user's or is readable or writable by others is
refused unread (drift writes its entries 0600; a file checked out from git or unpacked from
an artifact is 0644), whatever its checksum says (revattacker 1, 2). The checksum is no
signature: whoever can write the directory can recompute it; a key of drift's would not
survive a fresh HOME or container, the uid does. Nothing such an entry says is deployed."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.fix.journalfiles import create
from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.fix.conftest import PROJECT, updates
from tests.fix.test_rollback import cli, fix_web

EVIL = "evil.example/web:latest"
OTHER_UID = 65534  # nobody
as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root"
)


def forge(path: Path, target: Path | None = None) -> Path:
    """The entry's base configuration (JSON and serialized bytes) edited to another image,
    with a matching checksum: what anyone who can write the file or directory can do."""
    data = json.loads(path.read_text())
    data["base_template"]["containers"][0]["image"] = EVIL
    if data.get("base_template_pb"):
        template = run_v2.RevisionTemplate.deserialize(base64.b64decode(data["base_template_pb"]))
        template.containers[0].image = EVIL
        data["base_template_pb"] = base64.b64encode(
            run_v2.RevisionTemplate.serialize(template)
        ).decode()
    if data.get("service_before_pb"):
        service = run_v2.Service.deserialize(base64.b64decode(data["service_before_pb"]))
        service.template.containers[0].image = EVIL
        data["service_before_pb"] = base64.b64encode(run_v2.Service.serialize(service)).decode()
    target = target or path
    if target != path:
        data["change_id"] = target.name.split("--")[0]
    raw = json.dumps(data).encode()
    target.write_bytes(raw)
    target.with_name(target.name + ".sha256").write_text(hashlib.sha256(raw).hexdigest())
    return target


def _deployed(sandbox: Sandbox) -> set[str]:
    images = {c.image for u in updates(sandbox) for c in u.service.template.containers}
    return images | {sandbox.service(PROJECT, "web").template.containers[0].image}


def _entry(tmp_path: Path) -> Path:
    (path,) = (tmp_path / ".drift" / "journal").glob("*.json")
    return path


def test_an_entry_checked_out_from_git_is_not_deployed(sandbox: Sandbox, tmp_path: Path) -> None:
    """A branch force-adds `.drift/journal/2099…--service--web.json` and its `.sha256`: git
    checks it out 0644, and as the latest change a bare `drift rollback` picks it."""
    fix_web(sandbox, tmp_path)
    journal = tmp_path / ".drift" / "journal"
    forged = forge(_entry(tmp_path), journal / "20991231-235959-beef--service--web.json")
    forged.chmod(0o644)
    sandbox.clear_calls()
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert EVIL not in _deployed(sandbox), out
    assert code == 2, out
    assert f"journal file {forged} can be read by group and others (mode 644)" in out
    assert f"`chmod 600 {forged}`" in out
    _, listed = cli(sandbox, tmp_path, "rollback", "--list")
    assert "20991231-235959-beef" in listed and "entry refused" in listed, listed


@as_root
def test_an_entry_another_user_wrote_is_not_deployed(sandbox: Sandbox, tmp_path: Path) -> None:
    fix_web(sandbox, tmp_path)
    path = forge(_entry(tmp_path))
    os.chown(path, OTHER_UID, OTHER_UID)
    path.chmod(0o600)
    sandbox.clear_calls()
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert EVIL not in _deployed(sandbox), out
    assert code == 2, out
    assert f"journal file {path} is owned by uid {OTHER_UID}, not by uid 0 who runs drift" in out


def test_drifts_own_entry_still_rolls_back(sandbox: Sandbox, tmp_path: Path) -> None:
    fix_web(sandbox, tmp_path)
    assert _entry(tmp_path).stat().st_mode & 0o777 == 0o600
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 0 and "restored" in out, out


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702], ids=oct)
def test_a_journal_directory_others_can_write_is_refused(
    sandbox: Sandbox, tmp_path: Path, mode: int
) -> None:
    journal = tmp_path / ".drift" / "journal"
    journal.mkdir(parents=True)
    os.chmod(journal, mode)
    if mode & 0o070:  # a group others are in (the user's private group is harmless)
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            pytest.skip("giving a directory to another group needs root")
        import grp

        os.chown(journal, -1, grp.getgrnam("nogroup").gr_gid)
    profiles = str(REPO / "profiles")
    code, out = cli(sandbox, tmp_path, "fix", "e2e", "--yes", "-s", "web", "--profiles", profiles)
    assert code == 2 and updates(sandbox) == [], out
    assert f"the journal {journal} can be written by" in out and f"`chmod 700 {journal}`" in out
    code, out = cli(sandbox, tmp_path, "rollback", "--list")
    assert code == 2 and f"`chmod 700 {journal}`" in out, out
    os.chmod(journal, 0o755)  # as a checkout makes it: only its owner writes it
    code, out = cli(sandbox, tmp_path, "rollback", "--list")
    assert code == 0, out


@as_root
def test_a_journal_directory_another_user_owns_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    fix_web(sandbox, tmp_path)
    journal = tmp_path / ".drift" / "journal"
    os.chown(journal, OTHER_UID, OTHER_UID)
    sandbox.clear_calls()
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 2 and updates(sandbox) == [], out
    assert f"the journal {journal} is owned by uid {OTHER_UID}" in out and "`chown 0 " in out


def test_a_dangling_gitignore_link_creates_nothing_where_it_points(tmp_path: Path) -> None:
    """revattacker 5: `.drift/.gitignore` a link to a file not there yet is left alone (no
    file created at the link's target)."""
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "ws" / ".drift").mkdir(parents=True)
    (tmp_path / "ws" / ".drift" / ".gitignore").symlink_to("../../home/.bash_logout")
    create(tmp_path / "ws" / ".drift" / "journal")
    assert not (home / ".bash_logout").exists()
    shutil.rmtree(tmp_path / "ws")


def test_rollback_list_says_why_an_entry_is_refused_for_its_mode(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """An entry at 0644 (restored from an artifact, copied under another umask) reads fine:
    the list says what the rollback says, its mode and `chmod 600`, not "unreadable"
    (revown34 F5)."""
    fix_web(sandbox, tmp_path)
    entry = _entry(tmp_path)
    entry.chmod(0o644)
    code, listed = cli(sandbox, tmp_path, "rollback", "--list")
    assert code == 0 and "unreadable" not in listed, listed
    assert f"entry refused: mode 644: `chmod 600 {entry}` if it is drift's own" in listed, listed


def test_a_directory_named_as_an_entry_is_said_to_be_one(sandbox: Sandbox, tmp_path: Path) -> None:
    """Reviewer-517 #7: a directory under an entry's name (mode 755, as mkdir makes it) was
    "can be read by group and others … `chmod 600`", and only after that chmod the real
    reason came out; its mode is not the matter, what it is is."""
    fix_web(sandbox, tmp_path)
    journal = tmp_path / ".drift" / "journal"
    odd = journal / "20991231-235959-beef--service--web.json"
    odd.mkdir(mode=0o755)
    odd.chmod(0o755)  # whatever the umask
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 2, out
    assert "chmod" not in out, out
    assert "not a regular file (a directory)" in out, out
