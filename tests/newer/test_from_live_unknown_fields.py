"""Review revown32 (failed on main before its fix ccec3ca): fixnewer (81c7474) keeps the
before-service and the base template as serialized bytes in the journal (`service_before_pb`,
`base_template_pb`) so a rollback sends back the fields a newer Cloud Run has and this client
does not know. The entry `drift rollback CHANGE --from-live ENV` rebuilds
(`drift/fix/recover_entry.py` `rebuilt_entry`) is still JSON only (`_json(before)`,
`_json(template)`, no `_pb`): the same rollback, the journal gone (the case --from-live is
for), restores a template without them — the unknown field silently dropped from the
revision it deploys (SPEC invariant 2 for the write drift makes)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world
from tests.fix.test_killed_fix import aged
from tests.newer.test_unknown_fields import missing, newer_google, writes

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("journal", ["kept", "gone"])
def test_rollback_from_live_sends_back_fields_the_client_does_not_know(
    make_sandbox: MakeSandbox, tmp_path: Path, journal: str
) -> None:
    sandbox = make_sandbox(lab_world())
    newer_google(sandbox)
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--no-promote")
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: the canary not promoted
    change = re.search(r"`drift rollback (\S+)`", done.stdout)
    assert change, done.stdout
    assert not missing(bytes(sandbox.service(LAB, "app")._pb.SerializeToString()))
    sandbox.clear_calls()
    if journal == "gone":
        shutil.rmtree(tmp_path / ".drift")
        aged(sandbox)  # past the window a fix runs in: --from-live takes it without --force
        args = ["rollback", change.group(1), "--from-live", "lab", "--yes"]
    else:
        args = ["rollback", change.group(1), "--yes"]
    done = lab_cli(sandbox, tmp_path, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    sent = writes(sandbox)
    assert sent, "no UpdateService"
    assert [missing(b) for b in sent] == [[] for _ in sent], done.stdout + done.stderr
