"""A middle piece of a secret's payload (helper-805): a secret pasted as three plain variables
(`KEY_A` its start, `KEY_B` its middle, `KEY_C` its end) shows none of them. Its start and end
are `drift.public_ends`'; a value that stands inside a payload's form, neither at its start
nor at its end, `SEARCH_MIN` characters or more, is a piece of it (`Middles.find`) where,
at a place it stands there:

- it cuts a word of the payload: the character before it and its first, or its last and the
  one after it, both letters, digits or `_` (a payload cut where its copier pleased); or
- it holds a word that looks like a token's (`token_word`: a key, a password, a PEM body's
  line, a hash).

Not a value that is whole words of the payload, none a token's: an ordinary value stands
inside a big payload often (a config's JSON holds `production`, `us-central1`, a host
`db.internal`; a PEM chain its armour, a service account key its fixed members), and is
shown. The masker (`drift.redact.Secrets.is_piece`) and the journal (`drift.secretforms.
Versions.cut`: by its version, as the form's first characters, then from one of them on,
`FORM~B#A`) judge it alike, each against the payloads' forms it holds (`public_ends.Ends`).

The words a token's (`token_word`) are told as a host's label's is (`token_label`)."""

from __future__ import annotations

import bisect
import re
import threading
from itertools import accumulate
from typing import NamedTuple

from drift.credentialforms import credential_name

SEARCH_MIN = 8
"""As `drift.secretforms.SEARCH_MIN`: a shorter value is told from no ordinary word."""
TOKEN_WORD = 12
"""A word this long, mixing kinds of characters, is a token's (`token_label`, `token_word`)."""
LONG_WORD = 20
"""A word this long is a token's, whatever it holds (`token_label`, `token_word`)."""
LONG_LABEL = 24
"""A host label's letters and digits this many, mixed, are a token's (`token_label`)."""
GRAM_SLOTS = 1 << 22
"""The most slots the forms' grams are hashed into (`Middles._mark`): 4 MiB, a quarter of
them taken by 1 M grams (a MB of payloads), a value's three grams all taken by chance 1.5 %."""
FEW_SLOTS = 1 << 18
"""The slots a table begins with (256 KiB), made four times as many (up to `GRAM_SLOTS`)
whenever the grams marked would take more than a quarter of them: the same odds, and a run's
few KB of payloads no longer have 4 MiB zeroed for them (twice a check: the masker's table
and the journal's; 0.25 ms of CPU each, measured 2026-12-08, task 859)."""
PLACES_MAX = 64
"""How many places a value stands at in one form are judged (`aaaaaaaa` in a long run)."""
_RUNS = re.compile(r"\s+")
"""A run of white space, as `drift.literals` squeezes it for its flexible search."""
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
"""A percent-encoded character (an SA key's `…/x509/NAME%40PROJECT.iam…`): a word's end."""
_WORDS = re.compile(r"[^\W_]+")
"""A run of letters and digits: a word of a value (`token_word`)."""
_JSON_KEY = re.compile(r'"((?:[^"\\\n]|\\.)+)"[ \t\r\n]*:[ \t\r\n]*\Z')
"""A JSON object's key and its colon, as they stand before the value (`_public_id`)."""
KEY_MAX = 128
"""How far before a value its key is looked for (`_public_id`)."""
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_ID_KEY = re.compile(r"(?:\A|[^A-Za-z])(?:id|ID|email)\Z|[a-z](?:Id|ID|Email)\Z")
"""A key naming an id or an address: `client_id`, `clientId`, `client_email`, `id`."""


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
    if any(_token(w) for w in words):
        return True
    joined = "".join(words)
    return len(joined) >= LONG_LABEL and _mixed(joined)


def token_word(text: str) -> bool:
    """Whether a word of `text` (a run of its letters and digits) looks like a token's, as a
    host label's word does (`token_label`), or is `SEARCH_MIN` long holding digits, lower and
    upper case letters, all three (a PEM key's short last line, `Qk9mX2pL7w==`)."""
    words = _WORDS.findall(text)
    return any(_token(w) or (len(w) >= SEARCH_MIN and _kinds(w, 1) == 3) for w in words)


def _token(word: str) -> bool:
    return len(word) >= LONG_WORD or (len(word) >= TOKEN_WORD and _mixed(word))


def _mixed(word: str) -> bool:
    """Two kinds of characters (digits, lower, upper case), two of each (one from 16)."""
    return _kinds(word, 1 if len(word) >= TOKEN_WORD + 4 else 2) >= 2


def _kinds(word: str, least: int) -> int:
    """How many kinds of characters (digits, lower, upper case) `word` holds `least` of."""
    kinds = (
        sum(c.isdigit() for c in word),
        sum(c.islower() for c in word),
        sum(c.isupper() for c in word),
    )
    return sum(n >= least for n in kinds)


def _cuts_a_word(form: str, value: str, at: int) -> bool:
    """Whether `value`, standing at `at` in `form` (not at its start nor its end), begins or
    ends inside a word of it (letters, digits and `_`: `service_|account` is cut too)."""
    stop = at + len(value)
    escaped = _ESCAPE.fullmatch(form, max(at - 3, 0), at)  # `%40` ends a word (helper-819 F1)
    return (not escaped and _inside(form[at - 1]) and _inside(value[0])) or (
        _inside(value[-1]) and _inside(form[stop])
    )


def _inside(character: str) -> bool:
    return character.isalnum() or character == "_"


def _public_id(form: str, value: str, at: int) -> bool:
    """Whether `value` stands at `at` as a JSON value whole (a string's, or a number) under a
    key that is no credential's name (`payload_pieces`' rule) and names an id or an address
    (helper-819 F2: an OAuth client's `client_id`, an SA key's `client_id` and `client_email`,
    public, copied next to the key's secret); not under another (`"slack_webhook": …`)."""
    stop, number = at + len(value), form[at - 1] != '"' and _NUMBER.fullmatch(value) is not None
    if number:
        whole, head = form[stop] in ",}] \t\r\n", at
    else:
        whole, head = form[at - 1] == form[stop] == '"' and '"' not in value, at - 1
    key = _JSON_KEY.search(form, max(head - KEY_MAX, 0), head) if whole else None
    return (
        key is not None and not credential_name(key[1]) and (number or bool(_ID_KEY.search(key[1])))
    )


class Middles:
    """Payloads' forms, looked up by a value that may stand inside one (`find`): all of them
    searched at once (joined, as one text), each then only where that text holds the value."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: dict[str, None] = {}  # in the order they were added (the first wins)
        self._squeezed: dict[str, None] = {}  # those holding white space, each run one space
        self._joined: tuple[_Joined, _Joined] | None = None
        self._last = ""
        self._found: dict[tuple[str, bool], tuple[str, int] | None] = {}
        """Each value looked up since a form was last added (one value in many workloads)."""
        self._grams = bytearray()  # `_mark`
        self._marked = 0  # how many grams were marked in it
        self._secret: dict[str, None] = {}
        """Pieces all secret (`add_secret`): any part of them is one, whatever its cut."""

    def add(self, form: str) -> None:
        """`form`, unless it stands inside the form added last (a payload's `strip` shape in
        its `whole`: a middle of one is a middle of the other, or the other's start or end)."""
        with self._lock:
            if form not in self._forms and form not in self._last:
                self._forms[form] = None
                self._last = form
                self._mark(form)
                if _RUNS.search(form):
                    self._squeezed[_RUNS.sub(" ", form)] = None
                self._joined = None  # joined again when next searched
                self._found = {}

    def add_secret(self, piece: str) -> None:
        """A payload's piece that is all secret (`payload_pieces.all_secret`: a URL's password,
        a credential's value, a PEM body's line): any part of it, `SEARCH_MIN` characters or
        more, is a piece, at its start, its end or between, whatever its cut (helper-819 L1:
        `Pässwörd` of `Pässwörd-Kq9Wm2Xv`, `lemon-violet` of `tiger-lemon-violet-anchor`)."""
        with self._lock:
            if piece not in self._secret:
                self._secret[piece] = None
                if piece not in self._last:  # its grams are its payload's, marked already
                    self._mark(piece)
                self._joined, self._found = None, {}

    def _mark(self, form: str) -> None:
        """Each `SEARCH_MIN` characters of `form` (its grams), hashed, in `_grams`: a value one
        of whose grams is not there stands in no form (helper-819 C1: one search of all the
        forms a value, ~0.3 ms a MB: 6,000 values against 840 KB of payloads, ~2 s)."""
        self._marked += max(len(form) - SEARCH_MIN + 1, 0)
        slots = len(self._grams)
        if slots >= GRAM_SLOTS or self._marked * 4 <= slots:
            _fill(self._grams, form)
            return
        slots = max(slots, FEW_SLOTS)
        while slots < GRAM_SLOTS and self._marked * 4 > slots:
            slots *= 4
        grams = bytearray(min(slots, GRAM_SLOTS))  # all marked again (`form` among them)
        for each in (*self._forms, *self._secret):
            _fill(grams, each)
        self._grams = grams  # whole before any search sees it

    def _may_stand(self, value: str) -> bool:
        """Whether `value` may stand in a form (`_mark`): its first, middle and last grams."""
        grams, last = self._grams, len(value) - SEARCH_MIN
        slots = len(grams)
        return bool(grams) and all(
            grams[hash(value[at : at + SEARCH_MIN]) % slots] for at in (0, last // 2, last)
        )

    def find(self, value: str) -> tuple[str, int] | None:
        """The first form added that `value` (no outer white space) is a middle piece of, and
        where it stands in it; None: of none."""
        return self._find(value, squeezed=False)

    def near(self, value: str) -> bool:
        """Whether `value` (no outer white space) is a middle piece of a form when any run of
        white space is taken for any other, as the masker's search takes them (helper-784 W2:
        a middle copied with CRLF for LF): masked, and withheld unrecorded (`Ends.loose`)."""
        return _RUNS.search(value) is not None and (
            self._find(_RUNS.sub(" ", value), squeezed=True) is not None
        )

    def _find(self, value: str, *, squeezed: bool) -> tuple[str, int] | None:
        if len(value) < SEARCH_MIN or value != value.strip():
            return None
        if not squeezed and not self._may_stand(value):  # most values: no search (C1)
            return None
        with self._lock:
            if self._joined is None:
                self._joined = (
                    _Joined.of(list(self._forms), list(self._secret)),
                    _Joined.of(list(self._squeezed), []),
                )
            joined, found = self._joined[squeezed], self._found
        if (value, squeezed) not in found:
            found[value, squeezed] = joined.judged(value)
        return found[value, squeezed]


def _fill(grams: bytearray, form: str) -> None:
    """Each gram of `form` marked in `grams` (`Middles._mark`)."""
    slots = len(grams)
    for at in range(len(form) - SEARCH_MIN + 1):
        grams[hash(form[at : at + SEARCH_MIN]) % slots] = 1


class _Joined(NamedTuple):
    """Forms joined (`\\x00` between them), searched at once: where each starts in the text,
    and how many of them (the first) are payloads' forms, the others pieces all secret."""

    text: str
    starts: list[int]
    forms: list[str]
    plain: int

    @classmethod
    def of(cls, forms: list[str], secret: list[str]) -> _Joined:
        starts = list(accumulate((len(f) + 1 for f in (*forms, *secret)), initial=0))
        return cls("\x00".join((*forms, *secret)), starts[:-1], [*forms, *secret], len(forms))

    def judged(self, value: str) -> tuple[str, int] | None:
        """The form `value` is a middle of, the first in the text, and where: each place it
        stands judged, `PLACES_MAX` of them in one form (`aaaaaaaa` in a long run)."""
        token, at = None, self.text.find(value)
        places: dict[int, int] = {}
        while at >= 0:
            n = bisect.bisect_right(self.starts, at) - 1
            form, where = self.forms[n], at - self.starts[n]
            if n >= self.plain and value != form and where + len(value) <= len(form):
                return form, where  # all secret: any part of it (all of it: a form of its own)
            if n < self.plain and 0 < where < len(form) - len(value):
                token = token_word(value) if token is None else token
                if (token or _cuts_a_word(form, value, where)) and not _public_id(
                    form, value, where
                ):
                    return form, where
                places[n] = places.get(n, 0) + 1
                if places[n] >= PLACES_MAX:  # the next form's
                    at = len(self.text) if n + 1 == len(self.starts) else self.starts[n + 1] - 1
            at = self.text.find(value, at + 1)
        return None
