"""What a probe sends: `${VAR}` expansion, the handshake request, and the secrets it carries."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

from drift import __version__, credentials, redact, runnervars
from drift.echoes import remembered_when_short
from drift.errors import ProbeConfigError
from drift.live.clients import RUN_EMULATOR
from drift.probe.targets import ProbeTarget
from drift.profiles.model import Probe
from drift.profiles.probe_spec import (
    TOKEN,
    VAR_REF,
    check_header_name,
    check_path,
    check_syntax,
    header_value_ok,
)
from drift.secretforms import echoed_forms, searchable

_CREDENTIAL_HEADER = re.compile(
    r"(authorization|cookie|token|secret|key|session|password|passwd|credential|jwt)", re.I
)


# --- ${VAR} expansion -----------------------------------------------------------------------


def _is_utf8(value: str) -> bool:
    """Python reads bytes that are not UTF-8 in the environment as lone surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _where(spec: Probe) -> str:
    return f"{spec.location.file}:{spec.location.line}"


def _problems(template: str, environ: Mapping[str, str], where: str) -> tuple[list[str], set[str]]:
    problems: list[str] = []
    names: set[str] = set()
    for match in VAR_REF.finditer(template):
        name = match.group(1)
        value = environ.get(name)
        if runnervars.runner_credential(name):
            # refused whether set or not (the profile's own check says so too, at load)
            problems.append(f"{where}: probe uses {runnervars.refusal(name)}")
        elif value is None:
            problems.append(
                f"{where}: probe uses ${{{name}}}, which is not set in this environment"
            )
            names.add(name)
        elif value == "":
            problems.append(f"{where}: probe uses ${{{name}}}, which is empty in this environment")
            names.add(name)
        elif not _is_utf8(value):
            problems.append(
                f"{where}: probe uses ${{{name}}}, whose value in this environment is not valid "
                "UTF-8 (it holds bytes no handshake can send as text)"
            )
            names.add(name)
    try:
        check_syntax(template)
    except ValueError as exc:
        problems.append(f"{where}: {exc} in probe")
    return problems, names


def _config_error(
    problems: Sequence[str], names: Iterable[str], environ: Mapping[str, str]
) -> ProbeConfigError:
    unique = list(dict.fromkeys(problems))
    message = (
        unique[0]
        if len(unique) == 1
        else (f"{len(unique)} probe configuration errors:\n" + "\n".join(unique))
    )
    missing = sorted(set(names))
    hint = None
    if missing:
        listed = ", ".join(missing)
        hint = (
            f"set {listed} in the environment that runs drift "
            "(in GitHub Actions, map the secret into the step's env:)"
        )
        if RUN_EMULATOR in environ:  # against the sandbox: it mints its backends' test tokens
            hint += (
                '; against `drift sandbox`, eval "$(drift sandbox token)" exports the test '
                "token of each backend that checks one (with its --scenario, if it has one)"
            )
    return ProbeConfigError(message, hint=hint)


def expand(template: str, environ: Mapping[str, str], *, where: str) -> str:
    """Replace each `${VAR}` with its value from `environ`; a missing or empty variable, or a
    malformed reference, is a `ProbeConfigError` naming the variable and `where` (never a
    value)."""
    problems, names = _problems(template, environ, where)
    if problems:
        raise _config_error(problems, names, environ)
    return VAR_REF.sub(lambda m: environ[m.group(1)], template)


def _templates(spec: Probe) -> Iterable[str]:
    yield spec.path
    yield from spec.subprotocols
    for _, value in spec.headers:
        yield value
    if spec.send is not None:
        yield spec.send


def check_expansions(targets: Iterable[ProbeTarget], environ: Mapping[str, str]) -> None:
    """Validate every `${VAR}` of every probe up front: one error listing all that is missing,
    before any probe runs."""
    problems: list[str] = []
    names: set[str] = set()
    seen: set[int] = set()
    for target in targets:
        if id(target.spec) in seen:
            continue
        seen.add(id(target.spec))
        for template in _templates(target.spec):
            found, missing = _problems(template, environ, _where(target.spec))
            problems.extend(found)
            names |= missing
    if problems:
        raise _config_error(problems, names, environ)


# --- what is sent, and what must never be shown --------------------------------------------


_JWS = re.compile(r"eyJ[A-Za-z0-9_-]*\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)")
"""A JWS in compact serialization, `header.payload.signature` (RFC 7515 §7.1: base64url parts;
its header, a JSON object, encodes as `eyJ…`)."""
_JWT_PART = 16
"""The shortest part searched for on its own: a shorter one is no credential (an unsecured
JWT's empty signature, RFC 7519 §6) and would mask unrelated words."""


def _jwt_parts(value: str) -> list[str]:
    """The payload and signature of each JWT in `value` (revprobe91 F3): a server that quotes
    back only the signature (`invalid signature <sig>`) quotes the one part that makes the token
    a credential, which a mask looking for the token whole does not see. (The header, the same
    for every token of its algorithm, is a prefix of the token: the mask sees it as one.)"""
    return [
        part for match in _JWS.finditer(value) for part in match.groups() if len(part) >= _JWT_PART
    ]


_TOKEN = re.compile(r"\S+")
_ENCODED = re.compile(r"[%&\\+]")
_JSON_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")


def _json_unescaped(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text).replace("\\/", "/")


_DECODERS = (html.unescape, unquote, unquote_plus, _json_unescaped)


def _decodings(token: str) -> set[str]:
    """`token` read back through one or two of the decoders of an app's encoders (HTML and
    numeric entities, percent-encoding with `+` a space or not, JSON escapes)."""
    once = {decode(token) for decode in _DECODERS}
    return once | {decode(form) for form in once for decode in _DECODERS}


def mask_encoded(text: str, values: Iterable[str]) -> str:
    """`text` with each word that quotes one of `values` however it is encoded (`_decodings`:
    Go's html/template writes `+` as `&#43;`, url.PathEscape keeps `+` and `=`: no list of
    `echoed_forms` holds every mix) shown as `***`, the whole word. Searchable values only."""
    wanted = [v for v in values if searchable(v.strip())]
    if not wanted or not _ENCODED.search(text):
        return text

    def word(match: re.Match[str]) -> str:
        quoted = _ENCODED.search(match[0]) and any(
            v in d for d in _decodings(match[0]) for v in wanted
        )
        return redact.MASK if quoted else match[0]

    return _TOKEN.sub(word, text)


class _Secrets:
    """The values a probe sends; masked in everything it reports (as an echo: a server that
    quotes them back may cut them)."""

    def __init__(self) -> None:
        self._sent: list[str] = []
        self._values: redact.Secrets | None = None

    def add(self, value: str, *, everywhere: bool = False) -> None:
        # An app may echo what it was sent escaped or encoded (`secretforms.echoed_forms`; a mix
        # of encodings: `mask_encoded`), or a JWT's own parts (`_jwt_parts`).
        for sent in (value, *_jwt_parts(value)):
            self._sent.append(sent)
            self._values = None
            if everywhere:
                for form in echoed_forms(sent):
                    redact.register(form)

    def mask(self, text: str) -> str:
        text = mask_encoded(text, self._sent)
        if self._values is None:
            self._values = _masker(tuple(self._sent))
        return redact.mask(self._values.mask(text, echo=True), echo=True)


@remembered_when_short(16, lambda sent: sum(map(len, sent)))
def _masker(sent: tuple[str, ...]) -> redact.Secrets:
    """The masker of the values a probe sends, each in every form it may be echoed in;
    remembered by the values themselves where they are short (`remembered_when_short`): a
    probe sends the same for each revision it checks, one masker and one pattern compiled."""
    values = redact.Secrets()
    for value in sent:
        for form in echoed_forms(value):
            values.add(form)
    return values


@dataclass(frozen=True)
class ProbeRequest:
    """The handshake a probe sends, with the secrets it carries."""

    path: str
    subprotocols: list[str]
    headers: list[tuple[str, str]]
    user_agent: str | None
    secrets: _Secrets
    send: str | None = None


def _expand_tracked(
    template: str,
    environ: Mapping[str, str],
    where: str,
    secrets: _Secrets,
    credential: bool,
    *,
    whole: bool = True,
) -> str:
    """Expand `template`, keeping what it carries out of the output: each substituted value,
    and (`whole`: a subprotocol or a header) the expanded text itself."""
    value = expand(template, environ, where=where)
    if value != template:
        # Every substituted value is kept out of this probe's output; a credential is also
        # registered so that no other output of the run can carry it.
        for match in VAR_REF.finditer(template):
            name = match.group(1)
            everywhere = credential or credentials.looks_like_credential(name, environ[name])
            secrets.add(environ[name], everywhere=everywhere)
        if whole:
            secrets.add(value, everywhere=credential)
    elif credential:
        secrets.add(value)
    return value


def build_request(spec: Probe, environ: Mapping[str, str], token: str | None) -> ProbeRequest:
    """The expanded path, subprotocols, headers (with the ID token, if any) and message of one
    probe; a profile block that cannot be sent is a `ProbeConfigError`. The static checks are
    the profile's own (`drift.profiles.spec`), made again on the expanded values."""
    where = _where(spec)
    secrets = _Secrets()
    # the path and the message are not secrets as a whole (the URL is shown): their variables are
    path = _expand_tracked(spec.path, environ, where, secrets, credential=False, whole=False)
    try:
        check_path(path)
    except ValueError as exc:
        raise ProbeConfigError(f"{where}: once expanded, {exc}") from None
    subprotocols: list[str] = []
    for index, template in enumerate(spec.subprotocols, start=1):
        value = _expand_tracked(template, environ, where, secrets, credential=True)
        if not TOKEN.fullmatch(value):
            raise ProbeConfigError(
                f"{where}: probe subprotocol #{index} is not a valid token once expanded "
                "(no spaces, commas, quotes or control characters)"
            )
        subprotocols.append(value)
    headers: list[tuple[str, str]] = []
    names = {name.lower() for name, _ in spec.headers}
    for name, template in spec.headers:
        try:
            check_header_name(name)
        except ValueError as exc:
            raise ProbeConfigError(f"{where}: {exc}") from None
        credential = bool(_CREDENTIAL_HEADER.search(name))
        value = _expand_tracked(template, environ, where, secrets, credential)
        if not header_value_ok(value):
            # websockets' own rule (RFC 9110 field-value): nothing would be sent
            raise ProbeConfigError(
                f"{where}: probe header {name} holds a character no HTTP header can carry "
                "once expanded (a line break or other control character, or one above U+00FF)"
            )
        headers.append((name, value))
    if token is not None:
        secrets.add(token, everywhere=True)
        # Cloud Run reads the ID token from X-Serverless-Authorization when the application
        # needs Authorization for itself.
        auth_header = "X-Serverless-Authorization" if "authorization" in names else "Authorization"
        headers.append((auth_header, f"Bearer {token}"))
    send = (
        None
        if spec.send is None
        else _expand_tracked(spec.send, environ, where, secrets, credential=False, whole=False)
    )
    user_agent = None if "user-agent" in names else f"drift/{__version__} (probe)"
    return ProbeRequest(path, subprotocols, headers, user_agent, secrets, send)
