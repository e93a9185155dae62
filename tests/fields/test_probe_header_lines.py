"""A probe's HTTP headers in its text (helper-719 F3): a profile states them as `header
NAME=VALUE` (drift/fields/probe_text.py). A line stating none compares none, as before headers
were part of the text (tests/fields/test_probe_headers.py: a profile of `http / port 8080`
against a probe sending one is clean). A line stating any compares them all: a header changed
or gone on the live probe is drift, and the finding names it, never a value. A fix writes
them. Before, `header` was no word of a probe's text: a profile could not state one, and a
changed header was never reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.fields.probe_text import parse_check
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, HTTP_HEALTHZ, TOKEN, P, probe_world

OTHER = "other-hdr-8Rt3"
"""A header value a profile states that the live probe does not send: never shown either."""
LINE = "http /healthz port 8080 "


@pytest.mark.parametrize(
    "text",
    [
        'http / port 8080 header X-A=1 header Authorization="Bearer a\\"b\\\\c" period 5s',
        'http / port 8080 header X-Empty="" header X-Q="\\"lead"',
        'http / port 8080 header X-Eq=a=b header X-Quote=a"b',
        "grpc port 8080 service header",  # a service named `header` is no key
    ],
)
def test_a_probes_headers_read_back_as_written(text: str) -> None:
    check = parse_check(text)
    assert parse_check(check.text()) == check
    assert check.text() == text


def test_quoted_values_hold_what_they_say() -> None:
    check = parse_check('http / port 8080 header A="x y" header B="a\\"b\\\\c" header C=d"e')
    assert check.headers == (("A", "x y"), ("B", 'a"b\\c'), ("C", 'd"e'))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (f"http / port 8080 header X-Check={OTHER} port 9090", "each of port"),
        (f"tcp port 8080 header X-Check={OTHER}", "only an http probe sends headers"),
        (f'http / port 8080 header X-Check="{OTHER}', "does not close"),
        (f"http / port 8080 header X-Check:{OTHER}", "`header NAME=VALUE`"),
        (f"http / port 8080 header X-Check={OTHER} colour red", "a probe takes"),
    ],
)
def test_a_header_error_never_quotes_its_value(text: str, said: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_check(text, probe="startup")
    assert said in str(refused.value) and OTHER not in str(refused.value), refused.value


def _check(
    make_sandbox: MakeSandbox, tmp_path: Path, probe: str, *args: str, live: Any = HTTP_HEALTHZ
) -> Any:
    sandbox = make_sandbox(probe_world(live))
    profile = ("env", HEAD + f"      startup_probe: {probe}\n")
    return drift_on(sandbox, tmp_path, profile, "check", "env", "--no-history", *args)


@pytest.mark.parametrize(
    ("probe", "named"),
    [
        (f"header X-Probe-Token={OTHER}", "X-Probe-Token"),  # its value changed
        (f"header X-Probe-Token={TOKEN} header Host=api", "Host"),  # one it does not send
        (f"header Host={OTHER}", "Host, X-Probe-Token"),  # and one it sends, not stated
    ],
)
def test_a_header_the_live_probe_sends_otherwise_is_drift_named_never_shown(
    make_sandbox: MakeSandbox, tmp_path: Path, probe: str, named: str
) -> None:
    for form in ("table", "json"):
        done = _check(make_sandbox, tmp_path, LINE + probe, "--format", form)
        out = done.stdout + done.stderr
        assert done.returncode == 1, out
        assert f"headers that differ: {named}; their values are not shown" in out, out
        assert TOKEN not in out and OTHER not in out, out


@pytest.mark.parametrize(
    "probe",
    [f"header X-Probe-Token={TOKEN}", f"header x-probe-token={TOKEN}"],  # a name in any case
)
def test_the_headers_it_sends_as_stated_are_clean(
    make_sandbox: MakeSandbox, tmp_path: Path, probe: str
) -> None:
    done = _check(make_sandbox, tmp_path, LINE + probe)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_fix_writes_the_headers_the_profile_states(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(HTTP_HEALTHZ))
    line = f'{LINE}header X-Probe-Token={OTHER} header Authorization="Bearer {OTHER}"'
    profile = ("env", HEAD + f"      startup_probe: {line}\n")
    script = drift_on(sandbox, tmp_path, profile, "plan", "env", "--format", "gcloud")
    assert OTHER not in script.stdout and "--startup-probe" not in script.stdout, script.stdout
    table = drift_on(sandbox, tmp_path, profile, "plan", "env")
    named = "headers that differ: Authorization, X-Probe-Token; their values are not shown"
    assert named in table.stdout and OTHER not in table.stdout, table.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert TOKEN not in done.stdout + done.stderr and OTHER not in done.stdout + done.stderr
    probe = sandbox.service(P, "api").template.containers[0].startup_probe
    sent = [(h.name, h.value) for h in probe.http_get.http_headers]
    assert sent == [("X-Probe-Token", OTHER), ("Authorization", f"Bearer {OTHER}")]
    assert (probe.period_seconds, probe.failure_threshold) == (5, 12)  # not stated: kept
    clean = drift_on(sandbox, tmp_path, profile, "check", "env", "--no-history")
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_a_header_name_no_text_can_state_leaves_the_probe_unverified(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A name that is no HTTP token (RFC 9110 §5.6.2; the API documents none: "Required. The
    header field name") has no text that reads back: the probe is not judged (exit 3), as one
    whose path holds a space, never clean unsaid. Before, headers were not read: it was clean."""
    header = {"name": "X Bad", "value": OTHER}
    live = {**HTTP_HEALTHZ, "httpGet": {"path": "/healthz", "httpHeaders": [header]}}
    done = _check(make_sandbox, tmp_path, LINE.strip(), live=live)
    out = done.stdout + done.stderr
    assert done.returncode == 3 and "its header name `X Bad` is no HTTP token" in out, out
    assert OTHER not in out, out
