"""Which start or end of a read payload is a piece of the secret (helper-741 F1): the secret
pasted as two plain variables (`KEY_A` its first half, `KEY_B` its second) shows neither half,
and the journal records each by its version. One rule, for the masker (`drift.redact.
Secrets.is_piece`) and the journal (`drift.secretforms.Versions.cut`) alike:

- every start or end of a payload, `FRAGMENT_MIN` characters or more (a start counted past a
  URL's scheme, `public_head`) and not all of it, is a piece;
- but one made entirely of parts that are public in that payload's form, recognised
  positively and narrowly (`public_start`, `public_end`), is not (helper-746 F1: a DSN's
  `postgres://db.internal:5432`, PEM armour, `{"type": "service_account",` were masked, not
  copied by init, and journalled by version, so a rollback after a rotation was refused).

Never "everything but the secret pieces found": helper-757 showed that rule exposes what a
parser does not know for secret (a token as a URL's username, in its path, in a JSON `value`).
Here anything not recognised, and any doubt, stays a piece. The public parts:

- a URL with no userinfo at all (no `@` before the first `/` after its `//`): its
  `scheme://host[:port]`, or that and one `/`: a scheme of `URL_SCHEMES`, a host of letters,
  digits, `-` and `.` (or an IPv6 literal), a port of digits, ending where the payload's path,
  query or fragment begins, `FRAGMENT_MIN` characters or more before its end (a URL that is
  little more than its host may keep its secret there), and no label of the host looking like
  a token (`token_label`: a capability host is its secret). No path, query, `%` or userinfo;
- a PEM block's exact `-----BEGIN LABEL-----` line (with its line break) at the payload's
  start, or `-----END LABEL-----` line ending it, LABEL one of `PEM_LABELS`: no body character;
- of a JSON object (the whole payload parses as one), a start or end that stops at a member's
  boundary and holds whole members only, each a key of `SERVICE_ACCOUNT_CONSTANTS` with its
  one constant value (a Google service account key's `"type": "service_account"`,
  `"universe_domain": "googleapis.com"`…): nothing a person or Google chose for this key."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from drift.fragments import public_head

FRAGMENT_MIN = 8
"""The shortest start or end taken for a piece (`drift.redact.FRAGMENT_MIN`)."""
SERVICE_ACCOUNT_CONSTANTS = {
    "type": "service_account",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    "universe_domain": "googleapis.com",
}
"""The members of a Google service account key with one value for every key (`gcloud iam
service-accounts keys create`): not its project, email, ids or private key."""
_JSON_SPACE = " \t\r\n"
TOKEN_WORD = 12
"""A host label's word this long, mixing kinds of characters, is a token's (`token_label`)."""
LONG_WORD = 20
"""A host label's word this long is a token's, whatever it holds (`token_label`)."""
LONG_LABEL = 24
"""A host label's letters and digits this many, mixed, are a token's (`token_label`)."""
URL_SCHEMES = frozenset(
    {
        *("http", "https", "ws", "wss", "ftp", "ftps", "sftp", "ssh", "grpc", "grpcs"),
        *("postgres", "postgresql", "mysql", "mariadb", "sqlserver", "mssql", "cockroachdb"),
        *("redis", "rediss", "mongodb", "mongodb+srv", "memcached", "clickhouse", "cassandra"),
        *("amqp", "amqps", "nats", "mqtt", "mqtts", "kafka", "ldap", "ldaps", "smtp", "smtps"),
    }
)
"""The schemes of URLs whose `scheme://host[:port]` is public (written in lower case)."""
_URL_HEAD = re.compile(
    r"([a-z][a-z0-9+.-]{0,15})://"
    r"(?:(?P<name>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)|\[[0-9A-Fa-f:.]+\])"
    r"(?::[0-9]{1,5})?"
)
"""`scheme://host[:port]`: RFC 3986's host as a DNS name (`name`) or an IPv6 literal, nothing
else."""
PEM_LABELS = frozenset(
    {
        *("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CRL", "CERTIFICATE REQUEST"),
        *("NEW CERTIFICATE REQUEST", "PKCS7", "CMS", "ATTRIBUTE CERTIFICATE", "PUBLIC KEY"),
        *("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "RSA PUBLIC KEY"),
        *("EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PARAMETERS"),
        *("DH PARAMETERS", "PGP PUBLIC KEY BLOCK", "PGP PRIVATE KEY BLOCK", "PGP MESSAGE"),
        "PGP SIGNATURE",
    }
)
"""The labels of RFC 7468 (section 4) and of the usual tools' PEM blocks (OpenSSL, OpenSSH,
OpenPGP's armour): an armour line of another label stays a piece."""
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----(?:\r?\n)?")
"""A payload's first line, `-----BEGIN LABEL-----`, and its line break."""
_PEM_END = re.compile(r"\r?\n(-----END ([A-Z0-9 ]{1,40})-----(?:\r?\n)?)\Z")
"""A payload's last line, `-----END LABEL-----`, after a line break (and before one, or none)."""


def is_start(payload: str, value: str) -> bool:
    """Whether `value`, all of it, is a start of `payload` that is a piece of it: shorter than
    it, `FRAGMENT_MIN` characters or more past a URL's scheme, and not all public."""
    return (
        len(value) < len(payload)
        and payload.startswith(value)
        and len(value) - public_head(payload) >= FRAGMENT_MIN
        and not public_start(payload, len(value))
    )


def is_end(payload: str, value: str) -> bool:
    """Whether `value`, all of it, is an end of `payload` that is a piece of it: shorter than
    it, `FRAGMENT_MIN` characters or more, and not all public."""
    return (
        FRAGMENT_MIN <= len(value) < len(payload)
        and payload.endswith(value)
        and not public_end(payload, len(payload) - len(value))
    )


def public_start(payload: str, size: int) -> bool:
    """Whether `payload[:size]` is made only of parts known public for `payload`'s form."""
    if not 0 < size < len(payload):
        return False
    return _url_head(payload, size) or _pem_begin(payload, size) or _json_start(payload, size)


def public_end(payload: str, at: int) -> bool:
    """Whether `payload[at:]` is made only of parts known public for `payload`'s form."""
    if not 0 < at < len(payload):
        return False
    return _pem_end(payload, at) or _json_end(payload, at)


def _url_head(payload: str, size: int) -> bool:
    head = _URL_HEAD.match(payload)
    if head is None or head.group(1) not in URL_SCHEMES:
        return False
    rest = payload[len(head.group(1)) + 3 :]
    slash = rest.find("/")
    if "@" in (rest if slash < 0 else rest[:slash]):  # any userinfo: none of it is public
        return False
    end = head.end()
    if len(payload) - end < FRAGMENT_MIN or payload[end] not in "/?#":  # the host goes on, or
        return False  # the URL is little more than its host, which may then be its secret
    if size not in (end, end + 1) or (size > end and payload[end] != "/"):
        return False
    return not any(token_label(label) for label in (head.group("name") or "").split("."))


def token_label(label: str) -> bool:
    """Whether a host's label looks like a token, not a name (helper-769 M1: a capability
    host, `eo7kq2mzv4bwx9tr.m.pipedream.net`, a token as a subdomain): a word of it (between
    `-`) of `TOKEN_WORD` characters or more holding two kinds of letters, digits, lower and
    upper case, two of each (one of each from `TOKEN_WORD + 4`), or of `LONG_WORD` or more
    whatever it holds; or its letters and digits, all its words together, `LONG_LABEL` or
    more, mixed (a UUID). Of random words of 16 it takes: hex, 99.9 %; lower case letters and
    digits, 99.5 %; with upper case, all; of 12 lower case letters and digits, 89 %; of 16
    lower case letters, none (helper-775).
    Shown: Cloud Run's `api-abcdefghij-uc` (a hash of 10), RDS's `c9akciq32x`, Atlas's
    `ab1cd`, Upstash's `us1-able-fox-12345`, Neon's `ep-cool-darkness-123456`, an IPv4
    address, a 12-digit project number or AWS account; masked on the safe side: an RDS id
    of 12 (`cg034hpkmmjt`), CloudFront's `d111111abcdef8`, a Supabase project's 20 letters."""
    words = label.split("-")
    if any(len(w) >= LONG_WORD or (len(w) >= TOKEN_WORD and _mixed(w)) for w in words):
        return True
    joined = "".join(words)
    return len(joined) >= LONG_LABEL and _mixed(joined)


def _mixed(word: str) -> bool:
    """Two kinds of characters (digits, lower, upper case), two of each (one from 16)."""
    least = 1 if len(word) >= TOKEN_WORD + 4 else 2
    kinds = (
        sum(c.isdigit() for c in word),
        sum(c.islower() for c in word),
        sum(c.isupper() for c in word),
    )
    return sum(n >= least for n in kinds) >= 2


def _pem_begin(payload: str, size: int) -> bool:
    line = _PEM_BEGIN.match(payload)
    if line is None or line.group(1) not in PEM_LABELS:
        return False
    bare = len(line.group(0).rstrip("\r\n"))
    if bare == line.end():  # no line break after it: no line of its own
        return False
    return size in (bare, line.end())


def _pem_end(payload: str, at: int) -> bool:
    line = _PEM_END.search(payload)
    if line is None or line.group(2) not in PEM_LABELS:
        return False
    return at == line.start(1)


@lru_cache(maxsize=256)
def _members(payload: str) -> tuple[tuple[int, int, int, bool], ...] | None:
    """A JSON object's members (the whole payload one object): each member's key's start,
    its value's end, where the `,` after it stands (-1: none) and whether the member is a
    constant of `SERVICE_ACCOUNT_CONSTANTS`; None for any other payload."""
    try:
        if not payload.lstrip(_JSON_SPACE).startswith("{"):
            return None
        whole = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(whole, dict):
        return None
    decoder = json.JSONDecoder()
    members = []
    at = _skip(payload, payload.index("{") + 1)
    while payload[at] == '"':
        key, colon = json.decoder.scanstring(payload, at + 1)  # type: ignore[attr-defined]
        value, end = decoder.raw_decode(payload, _skip(payload, _skip(payload, colon) + 1))
        after = _skip(payload, end)
        comma = after if payload[after] == "," else -1
        known = isinstance(value, str) and SERVICE_ACCOUNT_CONSTANTS.get(key) == value
        members.append((at, end, comma, known))
        if comma < 0:
            break
        at = _skip(payload, comma + 1)
    return tuple(members)


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in _JSON_SPACE:
        at += 1
    return at


def _json_start(payload: str, size: int) -> bool:
    stop = len(payload[:size].rstrip(_JSON_SPACE))
    for _begin, end, comma, known in _members(payload) or ():
        if not known:
            return False
        if stop in (end, comma + 1 if comma >= 0 else -1):
            return True
    return False


def _json_end(payload: str, at: int) -> bool:
    members = _members(payload) or ()
    start = _skip(payload, at)
    for i, (begin, *_) in enumerate(members):
        before = members[i - 1][2] if i else -1  # the `,` before this member
        if start == begin or (before >= 0 and start == before):
            return all(known for *_, known in members[i:])
    return False
