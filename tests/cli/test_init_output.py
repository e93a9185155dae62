"""What `drift init --from-live` prints is prose for a person, in a terminal or a CI log: the
server's refusal it quotes in a note (an API's error message is text from outside drift) is
shown as every error line shows it — control and bidi characters escaped, the runner's legacy
`##[` command prefix escaped, no line a CI runner would run as a workflow command."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift

HOSTILE = "denied\n::error title=forged::from the server ##[error]legacy \u202eevil\x1b]8;;x\x07"


def test_a_note_quoting_the_server_is_shown_safely(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.inject(Fault(method="GetSecretVersion", code="PERMISSION_DENIED", message=HOSTILE))
    done = drift(
        "init", "staging", "--from-live", "--project", "acme-chat-staging",
        "--region", "us-central1", "--service", "api", "--profiles", str(tmp_path),
        env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "could not verify" in done.stdout  # the note is there, quoting the server
    hidden = [c for c in done.stdout if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]
    assert hidden == []
    assert "##[" not in done.stdout
    assert "\\u202eevil" in done.stdout  # shown, not acted on
    assert not [line for line in done.stdout.splitlines() if line.lstrip().startswith("::")]
