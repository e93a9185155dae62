"""The probe block of a profile: one validation, for `profiles validate` and every command
that probes (`drift.probe.expand` checks the expanded values again with the same checks)."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from drift.profiles.names import check_tag
from drift.profiles.parts import Strict
from drift.profiles.rules_spec import Duration, Text, check_regex
from drift.runnervars import refusal, runner_credential

VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""`${NAME}`: read from the runner's environment when the probe is built."""
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""RFC 9110 token: a header name, a subprotocol (RFC 6455 §4.1)."""
HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
"""What a header can carry (RFC 9110 field-value; websockets refuses anything else, its
`datastructures.is_valid_header_value`)."""
RESERVED_HEADERS = frozenset(
    {
        "host",
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
    }
)
MAX_TIMEOUT = 300.0
"""The longest connect timeout: Cloud Run's default request timeout (5 minutes)."""
MAX_HOLD = 3600.0
"""The longest hold: Cloud Run ends any request, a WebSocket included, at its request timeout,
"can be extended up to 60 minutes (3600 seconds)" (request-timeout docs)."""


def check_references(template: str) -> str:
    """Every `${` starts a well-formed `${NAME}`, none of the runner's own credentials
    (`drift.runnervars`)."""
    for match in VAR_REF.finditer(template):
        if runner_credential(match.group(1)):
            raise ValueError(refusal(match.group(1)))
    return check_syntax(template)


def check_syntax(template: str) -> str:
    """Every `${` starts a well-formed `${NAME}`."""
    leftover = VAR_REF.sub("", template)
    if "${" in leftover:
        start = leftover.index("${")
        fragment = leftover[start : leftover.find("}", start) + 1 or start + 20]
        raise ValueError(
            f"malformed variable reference {fragment!r} "
            "(write ${NAME} with letters, digits and underscores)"
        )
    return template


def check_header_name(name: str) -> str:
    if not TOKEN.fullmatch(name):
        raise ValueError(f"probe header name {name!r} is not a valid token")
    if name.lower() in RESERVED_HEADERS:
        hint = " (use `subprotocols`)" if name.lower() == "sec-websocket-protocol" else ""
        raise ValueError(f"probe header {name} is set by the WebSocket handshake itself{hint}")
    return name


def header_value_ok(value: str) -> bool:
    return HEADER_VALUE.fullmatch(value) is not None


def _header_value(value: str) -> str:
    check_references(value)
    if not header_value_ok(VAR_REF.sub("", value)):
        raise ValueError(
            "a header cannot carry this value (a line break or other control character, or "
            "a character above U+00FF)"
        )
    return value


def _subprotocol(value: str) -> str:
    check_references(value)
    if not TOKEN.fullmatch(VAR_REF.sub("x", value)):
        raise ValueError(
            f"subprotocol {value!r} is not a valid token "
            "(no spaces, commas, quotes or control characters)"
        )
    return value


PATH_START = re.compile(r"/(?!/)")
"""A path on the service URL: `//host/…` is a URL of another host (RFC 3986 network-path
reference)."""


def check_path(path: str) -> str:
    """A path on the service URL, as the probe sends it (checked again once expanded)."""
    if not path.startswith("/"):
        raise ValueError(f"websocket must be a path starting with '/', got {path!r}")
    if not PATH_START.match(path):
        raise ValueError("websocket must be a path on the service URL, not start with '//'")
    if any(c.isspace() or not c.isprintable() for c in path):
        raise ValueError("websocket path holds a space or a control character (percent-encode it)")
    if "#" in path:
        # a fragment is never sent: what follows it (a token's tail) would be lost unsaid; a
        # browser refuses such a URL ("cannot include a URL fragment", MDN WebSocket();
        # web-platform-tests websockets/Create-invalid-urls.any.js: `origin + "/#test"`
        # throws SyntaxError)
        raise ValueError(
            "websocket path holds '#', which starts a URL fragment: none is sent, so what "
            "follows it would be lost (percent-encode it: %23)"
        )
    return path


def _duration_within(low: float, high: float, *, open_low: bool = False) -> Any:
    def check(value: float) -> float:
        if not math.isfinite(value) or value > high or value < low or (open_low and value == low):
            above = "more than" if open_low else "at least"
            raise ValueError(f"must be {above} {low:g}s and at most {high:g}s, got {value:g}")
        return value

    return AfterValidator(check)


HeaderName = Annotated[str, AfterValidator(check_header_name)]
HeaderValue = Annotated[Text, AfterValidator(_header_value)]
Subprotocol = Annotated[str, AfterValidator(_subprotocol)]


class ProbeSpec(Strict):
    """A WebSocket handshake probe against the service URL."""

    websocket: str | None = Field(
        None,
        description="Path on the service URL (https -> wss); required once merged.",
        json_schema_extra={"pattern": f"^{PATH_START.pattern}"},
    )
    subprotocols: list[Subprotocol] = Field(default_factory=list)
    headers: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    auth: Literal["none", "google-id-token"] = "none"
    hold: Annotated[Duration, _duration_within(0.0, MAX_HOLD)] = Field(
        2.0, description="How long the socket must stay open (e.g. 2s; at most 1h)."
    )
    timeout: Annotated[Duration, _duration_within(0.0, MAX_TIMEOUT, open_low=True)] = Field(
        10.0, description="Connect timeout (e.g. 10s; at most 5m)."
    )
    send: str | None = None
    expect: str | None = Field(None, description="RE2 regex the first message must match.")
    tag: Tag | None = Field(
        None, description="Probe the revision this traffic tag points to (its own URL)."
    )

    @field_validator("websocket")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else check_references(check_path(value))

    @field_validator("send")
    @classmethod
    def _send(cls, value: str | None) -> str | None:
        return None if value is None else check_references(value)

    @field_validator("expect")
    @classmethod
    def _expect(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)


Tag = Annotated[str, AfterValidator(check_tag)]
