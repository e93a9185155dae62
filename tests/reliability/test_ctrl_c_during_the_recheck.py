"""A Ctrl-C during the re-check after a partial fix (fixtty "Left open"): api and auth
promoted, Ctrl-C at web's promotion (a "no": web cleaned up), then a second Ctrl-C as the
re-check begins."""

from __future__ import annotations

from pathlib import Path

from drift.fix.journal import State
from drift.sandbox import Sandbox
from drift.sandbox.backend import mint_test_jwt
from tests.fix.conftest import PROJECT, entries
from tests.fix.terminal import CTRL_C_AT_WEB, converse
from tests.reliability.test_ctrl_c_before_a_prompt import fix_web


def test_ctrl_c_during_the_recheck_after_a_partial_fix_says_what_changed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    jwt = mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging"))
    proc, _ = terminal = fix_web(sandbox, tmp_path, "re-check", ACME_TEST_JWT=jwt)
    output = converse(terminal, CTRL_C_AT_WEB).decode(errors="replace")
    states = {e.service: e.state for e in entries(tmp_path)}
    assert states == {"api": State.PROMOTED, "auth": State.PROMOTED, "web": State.CLEANED_UP}
    # written, then the re-check (whose code a fix ends with) was cut: incomplete (SPEC exit
    # codes, invariant 6), never 4 ("nothing changed, or rolled back")
    assert proc.returncode == 3, output
    (change,) = {e.change_id for e in entries(tmp_path)}
    lines = output.replace("\r\n", "\n").splitlines()
    assert any(x.startswith("api: traffic moved") for x in lines), output  # what moved
    report = lines[lines.index(next(x for x in lines if x.startswith("api: traffic moved"))) :]
    assert report[1].startswith("auth: traffic moved to"), output
    assert report[2].startswith("web: Ctrl-C at the promotion prompt. drift removed"), output
    # the note that the images are named by tags: once for all, before the first canary
    # (helper-691 L1), not again in the result (helper-848 F7)
    (tags,) = [x for x in lines if "their images are named by tags" in x]
    assert tags.startswith("api, auth, web: their images") and tags not in report, output
    assert report[3] == (
        "partial fix: api: promoted; auth: promoted; web: aborted, cleaned up. What was "
        f"applied stays applied (`drift rollback {change}` undoes it)"
    ), output
    assert report[4].startswith(f"change {change} recorded in "), output
    (last,) = report[5:]
    assert last.startswith("drift: error: interrupted: api: the fix is complete"), output
    assert last.endswith(
        "the re-check after the fix was cut short: `drift check e2e` shows what drift is left"
    ), output
    assert "Traceback" not in output
