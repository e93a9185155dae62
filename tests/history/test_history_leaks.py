"""No secret value and no credential-looking plain value appears in any `drift history`
output: every format, `--output` files, `--verbose` logs, the incomplete path. Secrets hold
recognisable markers (history reads only the one `check` reads for the profile); plain
credentials and a plain value the profile wants secret sit in older and newer revisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.history.formats import HistoryFormat
from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.history.conftest import PLAIN, PLAIN_MARK, SECRET_MARK, SECRETS, unescaped
from tests.reliability.conftest import call_resource


def assert_clean(text: str) -> None:
    for value in [*PLAIN, *(v for values in SECRETS.values() for v in values)]:
        assert value not in text
        assert value[: len(value) // 2] not in text  # nor a truncated copy
    assert SECRET_MARK not in text and PLAIN_MARK not in text


@pytest.mark.parametrize("incomplete", [False, True])
@pytest.mark.parametrize("fmt", list(HistoryFormat))
def test_no_secret_value_in_any_history_output(
    world: Sandbox, fmt: HistoryFormat, incomplete: bool
) -> None:
    if incomplete:
        world.inject(Fault(method="ListRevisions", code="PERMISSION_DENIED", match="services/api"))
    world.clear_calls()
    env = world.environ()
    printed = drift("history", "prod", "--format", fmt.value, "--verbose", env=env, cwd=Path.cwd())
    written = drift(
        "history", "prod", "--format", fmt.value, "--output", "out.txt", env=env, cwd=Path.cwd()
    )
    assert printed.returncode == written.returncode == (3 if incomplete else 0)
    # what was written and why the exit code, as `check --output` says it (revdocs60)
    said = [line for line in written.stderr.splitlines() if line.startswith("wrote out.txt: ")]
    assert len(said) == 1 and said[0].endswith(f"(exit {written.returncode})"), written.stderr
    file_text = Path("out.txt").read_text()
    texts = [printed.stdout, printed.stderr, written.stdout, written.stderr, file_text]
    texts += [unescaped(text) for text in texts]  # markdown as it reads
    assert "env.API_TOKEN" in texts[-1] or incomplete  # the variables are there, masked
    for text in texts:
        assert_clean(text)
    # only what `check` reads for the profile's rules: the version SESSION_SEED names, which
    # a revision sets as a plain value (`drift.live.reads.pasted`), once a run
    reads = [call_resource(c) for c in world.calls if c.short == "AccessSecretVersion"]
    pasted = "projects/acme/secrets/session-seed/versions/latest"
    assert reads == ([] if incomplete else [pasted, pasted]), reads
