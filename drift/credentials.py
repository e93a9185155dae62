"""Which plain values are credentials, and how a plain value is shown (README "What drift never
shows"): by its variable's name (`ADMIN_PASSWORD`, a long `SIGNING_KEY`), by its shape as a
whole (a private key, a provider's token, a URL with a password), or by a password, secret or
token written as `key=value` / `key: value` inside it (`--db-password=…`, `-Dspring.datasource.
password=…`, `?token=…`, `"client_secret": "…"`), of which only the value is masked. All of it
on the data, before any format renders it; `drift.redact` holds the values to search for."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from typing import Any

from drift.credentialforms import ASSIGNED, ASSIGNED_HINT, ENCODED_GROUPS, GROUPS, credential_name
from drift.credentialforms import NAME_END as _LAST
from drift.echoes import remembered_when_short
from drift.public_ends import PEM_LABELS
from drift.redact import MASK, is_payload, is_piece, is_secret, mask, mask_spans, secret_pieces
from drift.refs import named_secret, reference_spans

_STRONG_NAME = re.compile(
    rf"(SECRET|PASSWORD|PASSWD|PASSPHRASE|(?<![A-Z0-9])(?:PASS|PW)_?[0-9]*{_LAST}"
    rf"|(?<=[A-Z0-9][_.-])PWD_?[0-9]*{_LAST})",
    re.IGNORECASE,
)
"""Names that say a variable holds a password or a secret, whatever its value's length
(`ADMIN_PASSWORD=hunter2`, `DB_PASS`, `DB_PW`, `MYSQL_PWD`: MySQL's client reads its password
there; helper-531): `credential_named`. The broad names of `_CREDENTIAL_NAME` (`CACHE_KEY=v2`,
`TOKEN_TTL=1h`, `PWD=/app`: the shell's working directory) need a long value."""
_CREDENTIAL_VALUE = (
    r"(-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY"
    r"(?: BLOCK)?-----|[\s\S]*)|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[0-9A-Za-z]{36}"
    r"|xox[abpr]-[0-9A-Za-z-]{10,}|[rs]k_(live|test)_[0-9A-Za-z]{16,}"
    r"|github_pat_[0-9A-Za-z_]{22,}|glpat-[0-9A-Za-z_-]{20,}|hf_[0-9A-Za-z]{30,}"
    r"|whsec_[0-9A-Za-z+/=]{24,}|SG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,}"
    r"|GOCSPX-[0-9A-Za-z_-]{20,}|sk-(?:proj|svcacct|admin|ant)-[0-9A-Za-z_-]{20,}"
    r"|npm_[0-9A-Za-z]{36}|xapp-[0-9]-[0-9A-Za-z-]{20,}|shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}"
    r"|pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,}|do[opr]_v1_[0-9a-f]{64}|lin_api_[0-9A-Za-z]{40}"
    r"|NRAK-[0-9A-Za-z]{27}|hvs\.[0-9A-Za-z_-]{90,}|dp\.(?:pt|st|sa|ct)\.(?:[0-9A-Za-z_-]+\.)?[0-9A-Za-z_-]{40,}"
    r"|ATATT3[0-9A-Za-z_=-]{100,}|PMAK-[0-9a-fA-F]{24}-[0-9a-fA-F]{34}|hcaik_[0-9A-Za-z]{40,}"
    r"|[0-9A-Za-z_~.]{3}[0-9]Q~[0-9A-Za-z_~.-]{31,34}"
    r"|eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}"
    r"|(?i:bearer)[ \t]+[^\s]{16,}"
    r"|(?i:basic)[ \t]+[A-Za-z0-9+/]{2,}[A-Z0-9+/][A-Za-z0-9+/]{5,}={0,2}"
    r"|[a-z][a-z0-9+.-]*://[^/\s:@?#]*:(?P<password>[^/\s@?#]+)@)"
)
"""`Bearer` and a token of 16 characters or more is an HTTP Authorization header's value
(RFC 6750 section 2.1), whatever the variable's name; so is `Basic` and base64 (RFC 7617
section 2: the user-id and password), told from prose (`Basic authentication`) by a capital,
a digit, `+` or `/` after its first two characters. The vendors' own prefixes: GitHub's
fine-grained tokens (`github_pat_`), GitLab's (`glpat-`), Hugging Face's (`hf_`), Stripe's
restricted keys and webhook secrets (`rk_live_`, `whsec_`), SendGrid's keys (`SG.` and two
parts; helper-532), Google OAuth client secrets (`GOCSPX-`), OpenAI's and Anthropic's API keys
(`sk-proj-`, `sk-svcacct-`, `sk-admin-`, `sk-ant-`) and npm's tokens (`npm_` and 36; helper-544
F2: shown under a neutral name); helper-618 F1, under any name too (the formats as gitleaks'
rules list them): Slack app tokens, Shopify's, PyPI's, DigitalOcean's, Linear's, New Relic's,
Vault's, Doppler's, Atlassian's, Postman's, Honeycomb's ingest keys, Microsoft Entra client
secrets (`Q~`), a PEM or PGP (RFC 4880) private key to its END or the text's end (F7 of 625).
The last form: a URL with a password,
its user possibly empty (`redis://:PASSWORD@host`, the AUTH form of redis-py and
Memorystore). The user and password end where RFC 3986 ends userinfo (`?` and `#` begin the
query and the fragment: `https://h:8443?to=ops@example.com` has none), and a password that
is only `$(VAR)` references holds no credential: a placeholder, which Cloud Run passes as
written (run v2 `EnvVar.value`: "Variable references are not supported in Cloud Run") and an
entrypoint may fill in."""
_ONLY_REFERENCES = re.compile(r"(?:\$\([A-Za-z_][A-Za-z0-9_]*\))+")
_REFERENCE = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_]*\)")
_OPAQUE = re.compile(r"(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,}")
"""A token: 16 letters and digits or more, both kinds in it (`AbCdEf0123456789XyZ`,
`Sup3rS3cretPw0rd`); not a host, a path word or `sslmode=require`."""
_HARMLESS = re.compile(r"^(true|false|yes|no|on|off|none|null|[0-9]{1,6})$", re.I)
_URL = re.compile(r"^https?://[^@]*$", re.I)
_PLACEHOLDER = re.compile(r"(?:\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_.-]*\})+|\*+")


@functools.cache
def _credential_value() -> Any:
    # RE2, linear in the value: with backtracking, the URL alternative made a long live value
    # (Cloud Run allows 32 KiB) cost quadratic time, every time it was looked at.
    import re2

    return re2.compile(_CREDENTIAL_VALUE)


_CREDENTIAL_HINT = re.compile(
    r"-----BEGIN |AKIA|AIza|gh[pousr]_|xox[abpr]-|[rs]k_(?:live|test)_|eyJ|(?i:bearer)|://"
    r"|github_pat_|glpat-|hf_|whsec_|SG\.|(?i:basic)|GOCSPX-|sk-|npm_|xapp-|shp|pypi-|_v1_"
    r"|lin_api_|NRAK-|hvs\.|dp\.|ATATT3|PMAK-|hcaik_|Q~"
)
"""Text every credential-shaped value holds (`_CREDENTIAL_VALUE`'s alternatives begin so): none,
no search with the whole pattern, for every plain value read (30,000 in a large project)."""


def credential_shaped(value: str, *, drift_text: bool = False) -> bool:
    """A value whose shape alone says it is or holds a credential (a private key, a provider's
    token, a URL with a password, `--db-password=…`), wherever it stands. `drift_text`: see
    `credential_pieces`."""
    return bool(credential_pieces(value, drift_text=drift_text))


def credential_pieces(text: str, *, drift_text: bool = False) -> list[str]:
    """The pieces of `text` shaped like a credential (`credential_shaped`), as they stand in
    it: what to mask in a sentence that quotes one (of `key=value`, the value; of a value
    written with escapes, `Pwd={a;b}};c}` or `"pass\"word"`, also the value they stand for).
    `drift_text`: a text drift wrote (a baseline's finding), where a secret reference as drift
    renders it is a name and a version, never `key: value` (`drift.refs.reference_spans`); a
    team's own value never gets that exemption (`APP_ARGS=secret password:Hunter2…`: review
    revown31)."""
    pieces = _whole_pieces(text)
    for group, start, stop in _assigned_values(text, drift_text):
        piece = text[start:stop]
        pieces.append(piece)
        unescaped = piece.replace("}}", "}") if group == "br" else _ESCAPED.sub(r"\1", piece)
        if group in ENCODED_GROUPS or group == "shared":  # `…%2526…`, `…\/…%2B…%3D`
            decodings = _percent_decodings(piece if group != "shared" else unescaped)
            pieces += decodings  # and a JSON string's (`%22a%5C%22b%22`: `a"b`)
            pieces += [_ESCAPED.sub(r"\1", decodings[-1])] if decodings else []
        if unescaped != piece and group != "bare" and group != "fbare":
            pieces.append(unescaped)
    return pieces


_ESCAPED = re.compile(r"\\(.)")


def _percent_decodings(piece: str) -> list[str]:
    """A value percent-encoded once or more (`ENCODED_GROUPS`), decoded once, twice… (as a URL
    in a URL and its own query writes it: the password is decoded once more than its `=`)."""
    from urllib.parse import unquote

    decodings = [piece]
    for _ in range(4):  # `%25253D`: a URL in a URL in a URL; deeper is not met
        decoded = unquote(decodings[-1])
        if decoded == decodings[-1]:
            break
        decodings.append(decoded)
    return decodings[1:]


def _percent_decoded(piece: str) -> str:
    """`piece` decoded as often as it is encoded (`_percent_decodings`)."""
    return [piece, *_percent_decodings(piece)][-1]


@functools.cache
def _assigned() -> Any:
    import re2  # linear in the value, as `_credential_value`

    return re2.compile(ASSIGNED)


@functools.cache
def _assigned_groups() -> tuple[tuple[str, int], ...]:
    """The number of each group of `GROUPS` in `_assigned`: RE2's `groupindex` makes a dict
    of every group's name each time it is read (for each look at a text, most of its time)."""
    return tuple((name, _assigned().groupindex[name]) for name in GROUPS)


def _assigned_spans(text: str) -> list[tuple[int, int]]:
    """Where the values of the credentials assigned in `text` stand (`credentialforms.ASSIGNED`)."""
    return [(start, stop) for _group, start, stop in _assigned_values(text, False)]


def _assigned_values(text: str, drift_text: bool) -> list[tuple[str, int, int]]:
    """`_assigned_spans`, each with the name of the group (of `credentialforms.GROUPS`) its
    value is in: one pass of RE2 over the text."""
    if not _assigned_hint(text):
        return []
    pattern, groups = _assigned(), _assigned_groups()
    references = reference_spans(text) if drift_text else []
    found = []
    for match in pattern.finditer(text):
        for name, index in groups:  # by number: RE2's Match looks a name up slowly
            start, stop = match.span(index)
            encoded = name in ENCODED_GROUPS
            if encoded and start >= 0 and (last := _PERCENT_LAST.match(text, stop)):
                stop = last.end()  # a `%` of its own last
            if start < 0 or _harmless(text[start:stop]):
                continue
            if encoded and _harmless(_percent_decoded(text[start:stop])):
                continue  # `password%3D%24%28DB_PASS%29`: a placeholder, encoded
            if any(_within(start, stop, span, text) for span in references):
                continue  # the version of a secret reference (`secret api-key:prod`)
            if named_secret(text, start, stop) or _weak(text, match.start(), start, stop):
                continue  # Google's `secret: projects/P/secrets/S/versions/V`: a name
            found.append((name, start, stop))
    return found


_PERCENT_LAST = re.compile(r"(?:%(?:25)+(?![0-9A-Fa-f]))*")
"""A value's own `%` last, escaped (`abc%` in a query in a query: `abc%2525` before `%26`):
RE2 cannot look ahead to tell it from the `%25` of a deeper escape (`credentialforms._value`)."""
_WEAK_KEYS = ("sig", "accountkey", "primarykey", "secondarykey")
"""Keys that alone say little (`sig:v2`): a credential only in a key's shape (helper-625 F4)."""
_ENCODED_END = re.compile(r"(?:%(?:25)*(?:3d|3a|22|27|20|2b)|\+|\\*u003d)+$")
"""A key's `=` or `:` percent- or JSON-escaped, its quotes and spaces (`%26sig%3D`,
`%22sig%22%3A%22`: `credentialforms.ENCODED_GROUPS`)."""
_KEY_SHAPED = re.compile(r"(?=.*[0-9+/%=])[A-Za-z0-9+/=%_-]{20,}")


def _weak(text: str, begin: int, start: int, stop: int) -> bool:  # a match, its value's span
    key = _ENCODED_END.sub("", text[begin:start].casefold()).rstrip(" \t\"'{=:>")
    key = key.replace("_", "").replace("-", "")
    value = text[start:stop].split("\\", 1)[0]  # to a JSON escape: `\u0026`, Go's `&`
    return key.endswith(_WEAK_KEYS) and not _KEY_SHAPED.fullmatch(value)


def _within(start: int, stop: int, reference: tuple[int, int], text: str) -> bool:
    """Whether the value at `start:stop` is a reference's version, the punctuation a sentence
    puts after it with it (`references secret api-key:1, not secret db-password:prod`)."""
    return reference[0] <= start and not text[reference[1] : stop].strip(",.)}]")


def _assigned_hint(text: str) -> bool:
    folded = text.casefold()  # as RE2's (?i) folds: `ſ` is an `s`, `K` (Kelvin) a `k`
    return any(word in folded for word in ASSIGNED_HINT)


def _harmless(value: str) -> bool:
    value = value.strip()  # `<password>\n</password>`: nothing
    return not value or bool(_inert(value) or _PLACEHOLDER.fullmatch(value) or value == "latest")


def _inert(value: str) -> bool:
    """A harmless word or number (`true`, `8080`), or a URL that holds no credential once those
    it carries are masked (`_assigned_spans`: a webhook's token, a signature, `?token=…`): no
    user and password, no opaque token (`_OPAQUE`) left in it. Not any `https://` URL: a
    webhook's is its credential, whatever the variable's name (`SLACK_WEBHOOK_SECRET`). A
    long id in a path (a commit's hash) is a token's shape: under a secret's name, masked whole
    as an unknown hook's token is (`…/in/AbCd…89`); more hidden, never less (revown68 F2)."""
    value = value.strip()
    if _HARMLESS.match(value):
        return True
    return bool(_URL.match(value)) and not _OPAQUE.search(mask_spans(value, _assigned_spans(value)))


def _whole_pieces(text: str) -> list[str]:
    """The credentials that are masked whole (`_CREDENTIAL_VALUE`), but a private key's BEGIN
    line with nothing after it (`armour_only`)."""
    if _CREDENTIAL_HINT.search(text) is None:
        return []
    pieces: list[str] = []
    for match in _credential_value().finditer(text):
        password = match.group("password")
        if armour_only(match.group(0)):
            continue
        if password is None or not _ONLY_REFERENCES.fullmatch(password):
            pieces.append(match.group(0))
    return pieces


_BEGIN_LINE = re.compile(r"-----BEGIN ([A-Z ]{1,40})-----\s*")


def armour_only(piece: str) -> bool:
    """A private key's `-----BEGIN … PRIVATE KEY-----` line, a label PEM tools write
    (`public_ends.PEM_LABELS`), and nothing after it but blanks: the armour, which holds no
    byte of the key, as the journal records it (helper-769: `check` masked it, `fix`
    journalled it as the public part of a key read from Secret Manager). Any other text after
    it (a body's first character) keeps all of it a credential."""
    line = _BEGIN_LINE.fullmatch(piece)
    return line is not None and line.group(1) in PEM_LABELS


@functools.lru_cache(maxsize=4096)
def _strong_name(name: str) -> bool:
    return _STRONG_NAME.search(name) is not None


def credential_named(name: str, value: str) -> bool:
    """A value, of any length, in a variable whose name says it holds a password or a secret
    (`ADMIN_PASSWORD=hunter2`, `DB_PASS`, `DB_PW`: `_STRONG_NAME`), unless it is empty or one of
    the harmless words and numbers (`true`, `8080`): what `drift init` does not copy into a
    profile, and what a finding does not show. The broad names (`CACHE_KEY=v2`,
    `TOKEN_TTL=1h`) are judged by `looks_like_credential` alone."""
    return _strong_name(name) and bool(value.strip()) and not _inert(value)


@remembered_when_short(1024, lambda name, value: len(value))
def hidden_plain(name: str, value: str) -> bool:
    """Whether a plain value is never shown: it looks like a credential, or its variable's
    name says it is a password or a secret however short (`mask_plain`, `plan --format yaml`).
    Remembered by the name and the value (`remembered_when_short`): a report asks it of each
    variable again for each difference and each moved value."""
    if _held_elsewhere(value):
        return False
    return looks_like_credential(name, value) or credential_named(name, value)


def looks_like_credential(name: str, value: str) -> bool:
    """A plain value that should not be shown whole: a credential-shaped value, one that
    assigns a credential inside it, or a long opaque value in a variable whose name says it
    is a secret (but for a value whose credential is only `$(VAR)` references,
    `_held_elsewhere`)."""
    return _whole_credential(name, value) or bool(_assigned_spans(value))


def conceal(name: str, value: str, *, by_name: bool = True) -> str:
    """A plain value as shown: `***` when it is a credential as a whole (`_whole_credential`;
    with `by_name`, as for a live value, also in a variable named like a password however
    short: `hidden_plain`), else with the value of each credential assigned inside it masked
    (`--db-password=*** --verbose`), and any secret drift knows (`redact.register`) masked."""
    if by_name:
        whole = not _held_elsewhere(value) and (
            _whole_credential(name, value) or credential_named(name, value)
        )
    else:
        whole = _whole_credential(name, value)
    if whole or ((found := mask(value)).strip() == MASK and _a_copy(value)):  # a copy of
        return MASK  # one read, all of it: a credential's mask put first cuts it (helper-784)
    spans = _assigned_spans(value)
    return mask(mask_spans(value, spans)) if spans else found


def _a_copy(value: str) -> bool:
    """A read payload's copy and nothing else (its white space aside, or changed: `[]`), not a
    plain value drift remembered whole that holds one (`--db-password=… --verbose`)."""
    pieces = secret_pieces(value)
    if pieces is None:
        return is_payload(value)  # a short one, whole
    return not any(isinstance(p, str) and p.strip() for p in pieces)


def _whole_credential(name: str, value: str) -> bool:
    """Shaped like a credential as a whole, or long and opaque under a credential's name."""
    if _whole_pieces(value):
        return True
    if not credential_name(name) or _inert(value) or _held_elsewhere(value):
        return False
    return len(value) >= 8


def _held_elsewhere(value: str) -> bool:
    """A value whose only credential is `$(VAR)` references: nothing but references, or a URL
    whose password is only references (`postgres://app:$(DB_PASS)@10.0.0.3/db`, a DSN built
    around a secret): the rule of `_CREDENTIAL_VALUE`, for the name-based tests too."""
    if "$(" not in value:
        return False
    if _ONLY_REFERENCES.fullmatch(value.strip()):
        return True
    if "://" not in value:
        return False
    passwords = [m.group("password") for m in _credential_value().finditer(value)]
    if not passwords or not all(p and _ONLY_REFERENCES.fullmatch(p) for p in passwords):
        return False
    # what is left holds no token of its own (`?key=AbCd…89`, a webhook's path, `password=…`)
    return not _assigned_spans(value) and _OPAQUE.search(_REFERENCE.sub("", value)) is None


def masked_words(words: list[str], *, reveal: bool = False) -> tuple[list[str], bool]:
    """A command line's words (a container's `command` and `args`, read as one line: a flag's
    value may be the next word, `["--db-password", "VALUE"]`) with each piece shaped like a
    credential masked where it stands, a piece over two words (`--auth Bearer TOKEN`) cut back
    into each; every word `***` where a piece only its decoding holds (where it stands is not
    known). With `reveal`, the words as they are. Whether any piece was found."""
    line = " ".join(words)
    pieces = credential_pieces(line)
    if not pieces:
        return words, False
    if reveal:
        return words, True
    spans = [(m.start(), m.end()) for p in pieces for m in re.finditer(re.escape(p), line)]
    if not spans:
        return [MASK] * len(words), True
    masked, start = [], 0
    for word in words:
        end = start + len(word)
        inside = [
            (max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start
        ]
        masked.append(mask_spans(word, inside) if inside else word)
        start = end + 1
    return masked, True


def holds_secret(text: str) -> bool:
    """Whether a value a plan copies is, or holds, a secret drift read: a payload held whole
    however short (`redact.is_payload`), a registered value held whole (`redact.is_secret`: a
    short one, or one masked shown whole only), a registered secret inside it, or one's start
    or end held whole (`redact.is_piece`: the secret pasted as two variables)."""
    return is_payload(text) or is_secret(text) or is_piece(text) or mask(text) != text


def masked_text(text: str, hidden: Collection[str] = ()) -> str:
    """A free-text part of a setting read (a container's working directory, a probe's HTTP path
    or gRPC service, a bucket or an NFS share) as every output shows it: `***` where it is, or
    holds, a secret drift read (`holds_secret`) or is one of `hidden` (values never shown: a
    password moved there from a variable); else each piece shaped like a credential masked
    where it stands (`/healthz?token=***`, as `masked_words` masks a command line's word). The
    one rule of every row whose value holds such a part, applied to the part before any
    output renders the value."""
    if holds_secret(text) or text.strip() in hidden:
        return MASK
    return masked_words([text])[0][0]
