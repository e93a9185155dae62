"""`drift rollback`'s overrides, one per refusal, each named for what the operator asserts
(SPEC invariant 10: `--force` means only "undo someone's change since drift's last write"):
`--deployable` (what a failed canary could not deploy is usable again) and `--stopped` (with
`--from-live`: the fix that made a young canary stopped). Each lifts only its own refusal,
and a refusal names the flag that lifts it. Against the sandbox, through the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drift.errors import ExitCode
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, lab_cli, lab_world, updates
from tests.fix.test_killed_fix import killed_after_the_canary_landed, said
from tests.fix.test_rollback_later_changes import _two_fixes


def test_help_names_each_override_and_what_it_asserts() -> None:
    done = drift("rollback", "--help", serves=False)
    text = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stderr
    assert "--force Restore though someone changed the service since drift's last write" in text
    assert "Lifts nothing else" in text, text
    assert "--deployable What the failed canary could not deploy" in text
    assert "--stopped With --from-live: the fix that made this canary is known to have" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--stopped"], "--stopped applies only with --from-live ENV"),
        (["--list", "--force"], "--list only lists: drop --force, --deployable and --stopped"),
        (["--list", "--deployable"], "--list only lists"),
    ],
)
def test_an_override_that_does_not_apply_is_a_usage_error(
    args: list[str], words: str, tmp_path: Path
) -> None:
    done = drift("rollback", *args, env={"DRIFT_JOURNAL_DIR": str(tmp_path)}, serves=False)
    assert done.returncode == ExitCode.USAGE, done.stdout + done.stderr
    assert words in " ".join(done.stderr.split()), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == "", done.stdout


def test_stopped_lifts_only_the_refusal_of_a_canary_a_fix_may_hold(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fix killed a minute ago (its journal elsewhere: removed here): `--from-live` refuses
    its young canary and names `--stopped`; `--force` does not lift that (it asserts nothing
    about the fix) and the refusal still names `--stopped`; `--stopped` rolls it back."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    shutil.rmtree(tmp_path / ".drift")
    sandbox.clear_calls()
    for flags in ([], ["--force"]):
        refused = lab_cli(
            sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes", *flags
        )
        assert refused.returncode == ExitCode.ABORTED, said(refused)
        assert "a fix may still be running" in said(refused), said(refused)
        assert "or with --stopped once that fix is known to have stopped" in said(refused)
        assert updates(sandbox) == [], said(refused)
    done = lab_cli(
        sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes", "--stopped"
    )
    assert done.returncode == ExitCode.OK, said(done)
    assert updates(sandbox), said(done)


def test_deployable_does_not_undo_someone_elses_change(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drift's change B landed on top of A: rolling back A would undo B. `--deployable` says
    only that an image exists again: A's rollback is still refused, naming `--force`."""
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    etag = sandbox.service(LAB, "app").etag
    refused = lab_cli(sandbox, tmp_path, "rollback", a, "--yes", "--deployable")
    text = " ".join(said(refused).split())
    assert refused.returncode == ExitCode.ABORTED, text
    assert f"`drift rollback {a} --force` restores anyway" in text and b in text, text
    assert sandbox.service(LAB, "app").etag == etag  # nothing written
