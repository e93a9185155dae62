"""helper-774: how two revision configurations differ (`template_differences`: a rollback's
or a fix's preview, what a fix stops on) showed a secret's start, pasted as one word of a
command line or as a volume's field, as it is: the words were joined into one line, and a
message put as text (quoted, escaped), before the masker asked whether the value was a read
secret's start or end (`redact.is_piece`), which the joined text no longer is. `check` masks
each word on its own (`fields.command.hiding`). SPEC Safety invariant 1: masked on the data
(each value as it is), never by editing rendered text."""

from __future__ import annotations

from google.cloud import run_v2

from drift import redact
from drift.diff.differences import template_differences

PASSWORD = "Kq8Wm2Xz7Lp4Rt9Vb3Nc"
PAYLOAD = f"10.20.30.40:6379 {PASSWORD}"  # a cache's address and its password
START = PAYLOAD[:-8]  # not credential-shaped: masked as a start of the payload only


def _template(args: list[str], volumes: list[run_v2.Volume]) -> run_v2.RevisionTemplate:
    container = run_v2.Container(name="app", image="i", args=args)
    return run_v2.RevisionTemplate(containers=[container], volumes=volumes)


def _leaked(lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    return [PASSWORD[i : i + 8] for i in range(len(PASSWORD) - 7) if PASSWORD[i : i + 8] in text]


def test_a_secret_start_as_a_word_of_the_command_line_is_masked() -> None:
    redact.register_payload(PAYLOAD.encode())
    assert redact.is_piece(START)
    lines = template_differences(
        _template(["--cache", "old"], []), _template(["--cache", START], [])
    )
    assert any(line == "args: --cache old → --cache ***" for line in lines)
    assert _leaked(lines) == [], lines


def test_a_secret_start_in_a_volume_added_is_masked() -> None:
    redact.register_payload(PAYLOAD.encode())
    share = run_v2.Volume(name="v", nfs=run_v2.NFSVolumeSource(server="nfs.acme", path=START))
    lines = template_differences(_template([], []), _template([], [share]))
    assert any(line.startswith("volumes[0]: added (") for line in lines), lines
    assert _leaked(lines) == [], lines
