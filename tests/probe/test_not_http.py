"""An answer that is not HTTP (an h2c-only server's SETTINGS and GOAWAY, a WebSocket frame
before any status line) was said as "closed the connection before answering the WebSocket
handshake" (untrue: bytes came) or "answered … with a response the client cannot read", and
either way "the probe did not reach the service's container (a DNS, network, TLS or proxy
failure on the way)", a sentence that contradicts the first (helper-837 F4). Cloud Run's
front end always answers HTTP, so something on the way answered: said as such. (Scripted
servers: the sandbox's front end, like Cloud Run's, answers HTTP.)"""

from __future__ import annotations

import pytest

from drift.causes import NOT_HTTP_ANSWER, attach_causes
from drift.probe.echoed import NOT_SHOWN, masked
from drift.profiles.model import Profile
from drift.refs import SecretRef
from tests.probe.helpers import run
from tests.probe.test_answers import _probe
from tests.probe.test_causes import profile  # noqa: F401  (a fixture)

H2C = bytes.fromhex("000000040000000000") + bytes.fromhex("0000080700000000000000000000000001")
FRAME_FIRST = b"\x81\x0chello-before" + b"HTTP/1.1 101 Switching Protocols\r\n\r\n"


@pytest.mark.parametrize("answer", [H2C, FRAME_FIRST], ids=["h2c", "frame-first"])
def test_an_answer_that_is_not_http_is_said_so(profile: Profile, answer: bytes) -> None:  # noqa: F811
    result = _probe(answer)
    assert "before answering" not in result.detail, result.detail
    assert "that is not HTTP" in result.detail, result.detail
    (said,), _ = attach_causes(profile, [result], [], checked=True)
    assert said.detail.endswith(NOT_HTTP_ANSWER), said.detail
    assert "DNS" not in said.detail and said.suspected_causes == ()


def test_an_answer_that_is_not_http_stays_so_when_its_text_is_withheld(profile: Profile) -> None:  # noqa: F811
    """The masker withholds the server's text it cannot mask (here: the revision's secrets not
    known); the result is still an answer that is not HTTP (a field, not the detail's words),
    never "a DNS, network, TLS or proxy failure" (helper-840 F4's follow-up)."""
    (withheld,) = run(masked([_probe(H2C)], lambda _: None, _never_read))
    assert NOT_SHOWN in withheld.detail and withheld.not_http, withheld
    (said,), _ = attach_causes(profile, [withheld], [], checked=True)
    assert said.detail.endswith(NOT_HTTP_ANSWER), said.detail


async def _never_read(ref: SecretRef) -> None:
    raise AssertionError(ref)
