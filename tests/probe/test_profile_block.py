"""The probe block is validated once, by the profile spec: `drift profiles validate` and every
command that loads the profile (`drift probe`, `check --probe`, `fix`) refuse the same blocks,
with `file:line` at the offending key — durations no probe can honour, headers and
subprotocols no handshake can carry, paths that are not paths on the service URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ProbeConfigError, ProfileError
from drift.probe.expand import build_request
from drift.profiles.loader import load_profile, validate_directory
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.probe.helpers import spec

HEAD = "project: p\nregion: us-central1\nservices:\n  web:\n    probe:\n      websocket: /ws\n"
"""The block's keys start at line 7."""

BAD = {
    "hold: .inf": ("      hold: .inf\n", "hold: must be a finite duration, not inf"),
    "hold: 1e9": ("      hold: 1e9\n", "got 1e+09"),
    "timeout: 0": ("      timeout: 0\n", "timeout: must be more than 0s and at most 300s"),
    "timeout: .nan": ("      timeout: .nan\n", "timeout: must be a finite duration, not nan"),
    "reserved header": ("      headers: {Host: x}\n", "set by the WebSocket handshake itself"),
    "header name": ('      headers: {"Bad Name": x}\n', "'Bad Name' is not a valid token"),
    "header value": ('      headers: {X-Build: "a\\x01b"}\n', "a header cannot carry this"),
    "subprotocol": ('      subprotocols: ["a b"]\n', "subprotocol 'a b' is not a valid token"),
    "malformed ${": ('      subprotocols: ["${X"]\n', "malformed variable reference '${X'"),
    "network path": ("      send: x\n", "not start with '//'"),
    "space in path": ("      send: x\n", "space or a control character"),
    "fragment in path": ("      send: x\n", "holds '#', which starts a URL fragment"),
    "malformed ${ in send": ('      send: "${TOKEN"\n', "malformed variable reference"),
}
PATHS = {
    "network path": "//user:s3cret@other.example/ws",
    "space in path": "/w s",
    "fragment in path": "/ws?token=s3cret#top",
}


def write(tmp_path: Path, name: str) -> Path:
    block, _ = BAD[name]
    head = HEAD.replace("/ws", PATHS[name]) if name in PATHS else HEAD
    (tmp_path / "x.yaml").write_text(head + block)
    return tmp_path


@pytest.mark.parametrize("name", list(BAD))
def test_validate_and_load_refuse_the_same_block_at_its_line(tmp_path: Path, name: str) -> None:
    where = write(tmp_path, name)
    _, problems = validate_directory(where)
    with pytest.raises(ProfileError) as loading:
        load_profile(where, "x")  # what `drift probe` and `check --probe` do first
    line = 6 if name in PATHS else 7
    (problem,) = problems
    assert (problem.line, str(problem)) == (line, str(loading.value.problems[0]))
    assert BAD[name][1] in problem.message
    assert "s3cret" not in problem.message


def test_a_variable_in_the_path_and_the_message_is_expanded_or_refused() -> None:
    probe = spec("/ws?token=${WS_TOKEN}", send='{"token": "${WS_TOKEN}"}')
    request = build_request(probe, {"WS_TOKEN": "tok-c0ffee-5ecret-7f3a"}, None)
    assert (request.path, request.send) == (
        "/ws?token=tok-c0ffee-5ecret-7f3a",
        '{"token": "tok-c0ffee-5ecret-7f3a"}',
    )
    assert request.secrets.mask("token tok-c0ffee-5ecret-7f3a") == "token ***"
    with pytest.raises(ProbeConfigError, match=r"\$\{WS_TOKEN\}, which is not set"):
        build_request(probe, {}, None)  # never sent as the literal text
    with pytest.raises(ProbeConfigError, match="once expanded, .*space"):
        build_request(spec("/ws/${ID}"), {"ID": "a b"}, None)
    # helper-744: a '#' in the value cut the token there, unsaid (the service refused the rest)
    with pytest.raises(ProbeConfigError, match="once expanded, .*'#'") as cut:
        build_request(probe, {"WS_TOKEN": "tok-c0ffee#5ecret-7f3a"}, None)
    assert "c0ffee" not in str(cut.value)


def test_the_cli_agrees(sandbox: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    write(tmp_path / "profiles", "hold: .inf")
    valid = drift("profiles", "validate", "profiles", cwd=tmp_path)
    probed = drift("probe", "x", env=sandbox.environ(), cwd=tmp_path, timeout=30)
    assert (valid.returncode, probed.returncode) == (2, 2)
    for done in (valid, probed):
        assert "profiles/x.yaml:7" in done.stdout + done.stderr
        assert "Traceback" not in done.stderr
