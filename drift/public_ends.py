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
  `"universe_domain": "googleapis.com"`…): nothing a person or Google chose for this key.

Both judge a value against the same forms of each payload (`secretforms.payload_shapes`: in
either Unicode normal form, helper-746 F4) with the same lookup (`Ends.find`), the journal's
only of the payloads it has a version of."""

from __future__ import annotations

import bisect
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from unicodedata import normalize

from drift.fragments import URL_SCHEMES, public_head
from drift.payload_pieces import all_secret, lone_secret
from drift.secret_middles import Middles, token_label

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


class Ends:
    """Payloads' forms, each with its tag (its version and form's name), looked up by a value
    that may be a start or an end of one (`find`; helper-746 P5: each value scanned every
    form). The forms sorted, and each reversed sorted: those a value starts, or ends, are side
    by side, found by bisection whatever their first characters (a URL's scheme and host, a
    DSN's `?sslmode=require`, shared by many: keys of their first or last `FRAGMENT_MIN`
    characters made each such value check them all)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: dict[str, int] = {}
        """Each form -> when it was first added (the first wins, as a scan in that order)."""
        self._tag: dict[str, tuple[str, str]] = {}
        """Each form -> the tag it was added with last (a later version of the same text)."""
        self._forms: list[str] = []
        self._reversed: list[str] = []
        self._unreversed: dict[str, str] = {}
        self._loose: dict[str, list[str]] = {}
        """Each form holding white space, with every run squeezed to one space -> the forms
        (`near`), sorted (`_squeezed`) and reversed sorted (`_squeezed_back`)."""
        self._squeezed: list[str] = []
        self._squeezed_back: list[str] = []
        self._middles = Middles()

    def add(self, form: str, tag: tuple[str, str]) -> None:
        with self._lock:
            self._tag[form] = tag
            if form in self._first:
                return
            self._first[form] = len(self._first)
            self._middles.add(form)
            if lone_secret(form):  # a bare token, a passphrase: any part of it (helper-819 L2)
                self._middles.add_secret(form)
            bisect.insort(self._forms, form)
            bisect.insort(self._reversed, back := form[::-1])
            self._unreversed[back] = form
            if _RUNS.search(form):
                if (squeezed := _RUNS.sub(" ", form)) not in self._loose:
                    bisect.insort(self._squeezed, squeezed)
                    bisect.insort(self._squeezed_back, squeezed[::-1])
                self._loose.setdefault(squeezed, []).append(form)

    def add_pieces(self, pieces: Mapping[str, str], tag: Callable[[str], tuple[str, str]]) -> None:
        """A payload's pieces (`payload_pieces`), each with its tag (`tag` of its name): those
        all secret (`all_secret`), any part of which is a middle (`middle`; helper-819 L1)."""
        for name, piece in pieces.items():
            if all_secret(name, piece):
                with self._lock:
                    self._tag.setdefault(piece, tag(name))
                self._middles.add_secret(piece)

    def __contains__(self, value: str) -> bool:
        return value in self._first

    def find(self, value: str) -> tuple[tuple[str, str], str] | None:
        """The tag of the first form added that `value` is a start (`~N`: its first N
        characters) or an end (`#N`: from its character N on) of (`is_start`, `is_end`), and
        that mark; None: of none."""
        if len(value) < FRAGMENT_MIN:
            return None
        with self._lock:
            found = _starting(self._forms, value)
            found += map(self._unreversed.__getitem__, _starting(self._reversed, value[::-1]))
        first = self._first.__getitem__
        for form in _ranked(found, first):
            if is_start(form, value):
                return self._tag[form], f"~{len(value)}"
            if is_end(form, value):
                return self._tag[form], f"#{len(form) - len(value)}"
        return None

    def middle(self, value: str) -> tuple[tuple[str, str], str] | None:
        """The tag of the first form added that `value` is a middle piece of (`drift.
        secret_middles`), and that mark: `~B#A`, its first B characters from character A on."""
        if (found := self._middles.find(value)) is None:
            return None
        form, at = found  # a piece's start or end (`Middles.add_secret`) marked as a form's
        stop = at + len(value)
        mark = f"#{at}" if stop == len(form) else f"~{stop}#{at}" if at else f"~{stop}"
        return self._tag[form], mark

    def piece(self, value: str) -> bool:
        """Whether `value` (no outer white space) is a form, or a piece of one: its start or
        end (`find`, `loose`) or its middle (`middle`)."""
        return bool(value in self or self.find(value) or self.loose(value) or self.middle(value))

    def near(self, value: str) -> bool:
        """Whether `value` (no outer white space) is a start or an end of a form that is a
        piece of it (`is_start`, `is_end`, on the form's own text) when any run of white space
        is taken for any other, as the masker's search takes them (`drift.literals`, flexible):
        a half copied with CRLF for LF, or a newline for a space (helper-784 W2). Not a form's
        exact start or end: those are `find`'s (and its verdict stands)."""
        return self.respaced(value) is not None

    def respaced(self, value: str) -> tuple[tuple[str, str], str, str] | None:
        """`near`'s form: its tag, the mark of its cut (`~N`, `#N`, in its own characters)
        and that cut's text (`drift.respaced`: what the journal records it by)."""
        if len(value) < FRAGMENT_MIN or not _RUNS.search(value):
            return None  # without white space, a near start is an exact one
        squeezed = _RUNS.sub(" ", value)
        with self._lock:
            starts = _starting(self._squeezed, squeezed)
            ends = _starting(self._squeezed_back, squeezed[::-1])
            starts = [f for s in starts for f in self._loose[s] if not f.startswith(value)]
            ends = [f for s in ends for f in self._loose[s[::-1]] if not f.endswith(value)]
        size = len(squeezed)
        for form in starts:
            if is_start(form, head := form[: _unsqueezed(form, size)]):
                return self._tag[form], f"~{len(head)}", head
        for form in ends:
            if is_end(form, tail := form[len(form) - _unsqueezed(form[::-1], size) :]):
                return self._tag[form], f"#{len(form) - len(tail)}", tail
        return None

    def loose(self, value: str) -> bool:
        """`near`, or `find` or `near` of `value` past a leading byte order mark or in NFD
        (a start cut inside a letter's decomposition, composed again), or a middle's `near`
        (`drift.secret_middles`): a piece no form names as it stands (helper-784 L1, L2)."""
        if len(value) < FRAGMENT_MIN or self.near(value) or self._middles.near(value):
            return len(value) >= FRAGMENT_MIN
        bare = value.lstrip("\ufeff").strip()  # its length counted as it stands, as `is_start`
        return len(bare) - public_head(bare) >= FRAGMENT_MIN and any(
            self.find(other) is not None or self.near(other)
            for other in {bare, normalize("NFD", bare)} - {value}
        )


_RUNS = re.compile(r"\s+")
"""A run of white space, as `drift.literals` squeezes it for its flexible search."""


def _unsqueezed(text: str, size: int) -> int:
    """The length of `text`'s start whose squeezed form (`_RUNS` to one space) is `size`
    characters long, `size` ending after a character that is not white space."""
    for run in _RUNS.finditer(text):
        if run.start() >= size:
            break
        size += len(run.group()) - 1
    return size


def _ranked(forms: list[str], first: Callable[[str], int]) -> Iterator[str]:
    """`forms` by when each was first added: the first alone at first (most often the one
    found: not all of them sorted, when many share a value's start or end)."""
    if forms:
        yield (best := min(forms, key=first))
        yield from (form for form in sorted(forms, key=first) if form != best)


_TOP = chr(0x10FFFF)


def _starting(ordered: list[str], value: str) -> list[str]:
    """The texts of the sorted `ordered` that start with `value`: those from `value` up to it
    and the last character (then any that go on with that character itself)."""
    at = bisect.bisect_left(ordered, value)
    stop = bisect.bisect_left(ordered, value + _TOP, at)
    while stop < len(ordered) and ordered[stop].startswith(value):
        stop += 1
    return ordered[at:stop]
