"""Which start or end of a read payload is a piece of the secret (`drift.public_ends`): every one
of `FRAGMENT_MIN` characters or more but one made only of parts known public for the payload's
form. The masker (`redact.is_piece`) and the journal (`secret_pieces(…, cut=True)`) answer
alike, at every cut point of helper-757's payloads (F1-F3, its sweep), where the rule that took
"everything but the pieces found" for public showed a token, a JWT, a key's last line."""

from __future__ import annotations

import json
import unicodedata

import pytest

from drift import credentials, public_ends, redact
from drift.diff.describe import mask_plain
from drift.fragments import public_head
from drift.secretforms import payload_form, payload_shapes
from tests.public_ends_cases import (
    LEAKS,
    NAMED_HOSTS,
    PEM,
    PUBLIC,
    PUBLIC_SECRETS,
    SA,
    SHOWN,
    TOKEN_HOSTS,
)

VERSION = "projects/p/secrets/{}/versions/1"


def _halves(payload: str) -> dict[str, bool]:
    """Each start and end of `payload` the masker judges (stripped, long enough), -> whether
    it is a start (an end else)."""
    out: dict[str, bool] = {}
    for i in range(1, len(payload)):
        start, end = payload[:i].strip(), payload[i:].strip()
        if len(start) - public_head(payload) >= redact.FRAGMENT_MIN and start != payload.strip():
            out.setdefault(start, True)
        if len(end) >= redact.FRAGMENT_MIN and end != payload.strip():
            out.setdefault(end, False)
    return out


@pytest.mark.parametrize("name", list(LEAKS))
def test_every_start_and_end_but_public_parts_is_masked_and_withheld(name: str) -> None:
    payload = LEAKS[name]
    redact.register_payload(payload.encode(), VERSION.format(name))
    shown = set()
    for half, is_start in _halves(payload).items():
        cut = redact.secret_pieces(half, cut=True)
        if cut is None and not redact.is_piece(half):
            shown.add(half)
            continue
        assert cut is not None and redact.is_piece(half), half  # masked and withheld, both
        ((version, form),) = cut  # no part of it as text
        assert version == VERSION.format(name), half
        assert ("~" if is_start else "#") in form or form.startswith("piece/"), (half, form)
    assert shown == SHOWN.get(name, set())


@pytest.mark.parametrize("name", list(PUBLIC))
def test_a_public_start_or_end_is_neither_masked_nor_withheld(name: str) -> None:
    for secret, payload in PUBLIC_SECRETS.items():
        redact.register_payload(payload.encode(), VERSION.format(secret))
    value = PUBLIC[name]
    assert not redact.is_piece(value)
    assert redact.secret_pieces(value, cut=True) is None
    padded = f" {value}\n"  # a copy from a terminal
    assert not redact.is_piece(padded) and redact.secret_pieces(padded, cut=True) is None


@pytest.mark.parametrize("host", [*NAMED_HOSTS, *TOKEN_HOSTS])
def test_a_url_s_host_is_public_only_where_no_label_looks_like_a_token(host: str) -> None:
    """helper-769 M1: a capability host (a token as a subdomain) is the URL's secret, shown
    and journalled as text where 8 characters or more followed it; a managed database's or a
    Cloud Run service's host is a name, shown."""
    shown = host in NAMED_HOSTS
    for head in (f"https://{host}", f"postgres://{host}:5432"):
        redact.register_payload(
            f"{head}/app?sslmode=require".encode(), VERSION.format(head.split(":")[0])
        )
        for value in (head, f"{head}/"):
            assert redact.is_piece(value) is not shown, value
            assert (redact.secret_pieces(value, cut=True) is None) is shown, value


@pytest.mark.parametrize(
    "payload, value",
    [
        ("postgres://db.internal:5432/app?password=Xk9pQ2vLmN", "postgres://db.internal:5432/a"),
        ("postgres://db.internal:5432/app?password=Xk9pQ2vLmN", "postgres://db.internal:543"),
        ("postgres://db.internal:5432/app?password=Xk9pQ2vLmN", "postgres://db.inter"),
        ("postgres://db.internal:5432?password=Xk9pQ2vLmN", "postgres://db.internal:5432?"),
        ("POSTGRES://db.internal:5432/app?password=Xk9pQ2vLmN", "POSTGRES://db.internal:5432"),
        ("zk8mq2xl://db.internal:5432/app?password=Xk9pQ2vLmN", "zk8mq2xl://db.internal:5432"),
        ("https://api.example.com%2Fx/y?sig=Zx8Kq2LmN4pQ7", "https://api.example.com"),
        ("https://Tk9mQ2pL7vR4_tok.example.com/y?a=b", "https://Tk9mQ2pL7vR4_tok"),
        ("https://a:b@db.internal:5432/app?password=Xk9pQ2vLmN", "https://a:b@db.internal:5432"),
        ("https://db.internal:5432", "https://db.internal:543"),  # the whole payload's start
        ("https://q7x9zk2m4p.example.com/x1", "https://q7x9zk2m4p.example.com"),  # little else
        ("-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0B", "-----BEGIN PRIVATE KEY-----"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n", "-----BEGIN PRIVATE KEY-----\nM"),
        ("MIIEvQIBADAN-----END PRIVATE KEY-----", "-----END PRIVATE KEY-----"),
        ('{"type": "service_account", "private_key_id": "0a1b2c3d4e"}', '{"type": "service_acc'),
        (
            '{"type": "service_account", "private_key_id": "0a1b2c3d4e"}',
            '{"type": "service_account", "',
        ),
        (
            '{"type": "Zk8mQ2xL9pR4", "universe_domain": "googleapis.com"}',
            '{"type": "Zk8mQ2xL9pR4",',
        ),
        (
            '{"type": "service_account", "universe_domain": "googleapis.comX"}',
            'domain": "googleapis.comX"}',
        ),
        ('["service_account", "universe_domain", "Zk8mQ2xL9pR4tY7w"]', '["service_account",'),
        (
            '{"k": "Zk8mQ2xL9pR4", "universe_domain": "googleapis.com"',
            '"universe_domain": "googleapis.com"',
        ),
    ],
)
def test_a_start_or_end_that_is_not_exactly_a_public_part_stays_a_piece(
    payload: str, value: str
) -> None:
    """A path, a query's start, a cut host or port, an unknown or upper-case scheme, `%`, `_`,
    userinfo; PEM armour without its own line, or with a body character; a JSON member cut, or
    one not of the fixed constants, or a payload that is no JSON object."""
    redact.register_payload(payload.encode(), VERSION.format("s"))
    assert redact.is_piece(value), value
    assert redact.secret_pieces(value, cut=True) is not None, value


def test_an_end_is_withheld_where_another_payload_holds_that_payload_as_a_piece() -> None:
    """One key stored alone and in a service account key: the key's JSON field (a piece of
    `sa`) is the PEM's text stripped, and took that form's place among the forms, so the PEM's
    short last line with its END line was masked but held in the journal as text."""
    redact.register_payload(PEM.encode(), VERSION.format("pem"))
    redact.register_payload(SA.encode(), VERSION.format("sa"))
    tail = PEM[PEM.index("Qk9m") :]
    assert redact.is_piece(tail)
    at = len(PEM.strip()) - len(tail.strip())
    assert redact.secret_pieces(tail, cut=True) == [(VERSION.format("pem"), f"strip#{at}"), "\n"]


def test_of_payloads_sharing_a_start_or_an_end_the_first_registered_is_recorded() -> None:
    """The journal's lookup (`public_ends.Ends`, helper-746 P5) keeps the order the scan of
    every form had: the form registered first wins (a later version of the same payload gives
    its version to that form), whether the value is a start of one and an end of the other."""
    shared = "Vq8-shared-Zk2m-"
    first, second = f"{shared}Tp4wX9", f"{shared}Hn6yR3"
    both = "Jk7q-both-Lm4z"
    redact.register_payload(first.encode(), VERSION.format("first"))
    redact.register_payload(f"Rt5mW0{both}".encode(), VERSION.format("ends"))
    redact.register_payload(second.encode(), VERSION.format("second"))
    redact.register_payload(f"{both}-Ys2c".encode(), VERSION.format("starts"))
    cut = redact.secret_pieces(f"{shared}\n", cut=True)
    assert cut == [(VERSION.format("first"), f"whole~{len(shared)}"), "\n"]
    assert redact.secret_pieces(both, cut=True) == [(VERSION.format("ends"), "whole#6")]
    redact.register_payload(first.encode(), VERSION.format("first").replace("/1", "/2"))
    cut = redact.secret_pieces(shared, cut=True)
    assert cut == [(VERSION.format("first").replace("/1", "/2"), f"whole~{len(shared)}")]
    assert redact.is_piece(shared) and redact.is_piece(both)


def _scanned(forms: dict[str, tuple[str, str]], value: str) -> tuple[tuple[str, str], str] | None:
    """What `Versions.cut` answered before its index: every form scanned, in order."""
    for form, tag in forms.items():
        if public_ends.is_start(form, value):
            return tag, f"~{len(value)}"
        if public_ends.is_end(form, value):
            return tag, f"#{len(form) - len(value)}"
    return None


def test_the_lookup_finds_what_a_scan_of_every_form_finds() -> None:
    """Every start and end of every form of helper-757's and helper-746's payloads, of URLs
    (a start counted past the scheme) and of short ones: the index misses none, and answers
    the first form registered, as the scan did."""
    payloads = [*LEAKS.values(), *PUBLIC_SECRETS.values(), "https://db.internal:5432"]
    payloads += ["postgres://a:Xk9pQ2vLmN@db:5432", "zz://abcdefgh", "abcdefgh", "ab:/xYz12345"]
    payloads += [" café-résumé-naïve-Q7x9\n", "\ufeffZürich-Straße\r\n", payloads[0]]
    payloads += ["Kq8wZp4x\U0010ffffRb2xWd5n", "Kq8wZp4x\U0010ffff\U0010ffffQ", "Kq8wZp4xRb"]
    ends, scanned = public_ends.Ends(), {}
    for i, payload in enumerate(payloads):
        for name, form in payload_shapes(payload).items():
            ends.add(form, (str(i), name))
            scanned[form] = (str(i), name)
    values = {form[a:b] for form in scanned for a, b in _cuts(len(form))}
    assert len(values) > 5_000
    assert {v: ends.find(v) for v in values} == {v: _scanned(scanned, v) for v in values}


def _cuts(size: int) -> list[tuple[int, int]]:
    return [(0, n) for n in range(1, size + 1)] + [(n, size) for n in range(size)]


@pytest.mark.parametrize(
    "payload",
    [
        "Ñandú-Kq8w-ÿ-Zp4x-émoi",
        unicodedata.normalize("NFD", "Grüße-Mv3k-Lp9q-Ünïcode"),
        "\ufeffçà-et-là-Wd5n-Rb2x\r\n",
        "xxxxxxxx-Tq7wZp3Rk1",
        "Tq7wZp3Rk1-zzzzzzzz",
    ],
)
def test_the_masker_and_the_journal_judge_every_start_and_end_alike(payload: str) -> None:
    """In either Unicode normal form, bare of a byte order mark, whatever characters its first
    or last 8 are (helper-746 F4, F3: the masker judged only the payload's own form, and only
    by first or last 8 characters of 3 different ones; the journal withheld the rest)."""
    redact.register_payload(payload.encode(), VERSION.format("agree"))
    bare = payload.strip().lstrip("\ufeff")
    forms = {bare, *(unicodedata.normalize(nf, bare) for nf in ("NFC", "NFD"))}
    values = {f[a:b].strip() for f in forms for a, b in _cuts(len(f))}
    judged = {
        v: (redact.is_piece(v), redact.secret_pieces(v, cut=True) is not None) for v in values
    }
    assert {v: j for v, j in judged.items() if j[0] != j[1]} == {}
    assert sum(masked for masked, _ in judged.values()) > len(bare)


_RESPACED = {
    "crlf": lambda s: s.replace("\r\n", "\n").replace("\n", "\r\n"),
    "lines": lambda s: s.replace(" ", "\n"),
    "spaces": lambda s: s.replace("\n", " "),
    "tabs": lambda s: s.replace("\n", "\t"),
}


@pytest.mark.parametrize("name", [n for n, p in LEAKS.items() if any(c.isspace() for c in p)])
def test_a_start_or_end_with_other_white_space_is_judged_as_it_would_be(name: str) -> None:
    """Any run of white space taken for any other, as the masker's whole-secret search does: a
    half copied with CRLF for LF is masked and withheld where the half as it stands would be,
    and shown where it would be (helper-784 W2); withheld by its version, its form's cut and
    its runs of white space, which give it back exactly (helper-790 R1)."""
    payload = LEAKS[name]
    redact.register_payload(payload.encode(), VERSION.format(name))
    changed = masked = 0
    for half in _halves(payload):
        public = half in SHOWN.get(name, set())
        for respace in _RESPACED.values():
            if (other := respace(half).strip()) == half:
                continue
            changed += 1
            cut = redact.secret_pieces(other, cut=True)
            assert redact.is_piece(other) is not public, (other, public)
            assert (cut is None) is public, (other, cut)
            if cut is not None:  # given back as it is, never as its exact start or end
                back = [
                    p if isinstance(p, str) else payload_form(payload.encode(), p[1]) for p in cut
                ]
                assert back and "".join(map(str, back)) == other, (other, cut)
            masked += not public
    assert masked > 0 and changed > 0


@pytest.mark.parametrize(
    "value",
    [
        '{\r\n  "type": "service_account",',
        '{ "type": "service_account",',
        '"universe_domain": "googleapis.com"\r\n}',
        "-----END PRIVATE KEY-----",
    ],
)
def test_a_public_start_or_end_with_other_white_space_stays_shown(value: str) -> None:
    for secret, payload in PUBLIC_SECRETS.items():
        redact.register_payload(payload.encode(), VERSION.format(secret))
    assert not redact.is_piece(value) and redact.secret_pieces(value, cut=True) is None


@pytest.mark.parametrize(
    ("indent", "respace"), [(None, "lines"), (2, "lines"), (2, "crlf"), (2, "tabs")]
)
def test_a_whole_key_copied_with_other_white_space_is_masked_whole(
    indent: int | None, respace: str
) -> None:
    """A service account key read, copied whole into a plain variable with other white space:
    its `private_key_id` is an assigned credential, whose mask was put first and cut the copy,
    so only the pieces the search knew were masked (the PEM's last line shown: helper-784's
    sweep, `sa_json_compact` with its spaces turned into newlines)."""
    key = json.loads(SA) | {"project_id": "acme-ws"}
    text = json.dumps(key, indent=indent, separators=None if indent else (",", ":"))
    redact.register_payload(text.encode(), VERSION.format("sa-ws"))
    copy = _RESPACED[respace](text)
    assert copy != text
    assert mask_plain("KEY_JSON", copy, secret=False) == redact.MASK


def test_an_assignment_around_a_read_secret_keeps_its_other_words() -> None:
    """A plain value drift registered whole (`drift.live.remember`: it holds a credential) is no
    copy of the payload it holds: only that payload is masked (helper-790 C1)."""
    payload = "Hq7Zr2Kc9dPm4Wxx"
    redact.register_payload(payload.encode(), VERSION.format("db"))
    value = f"--db-password={payload} --verbose --host=db.internal"
    for piece in credentials.credential_pieces(value):
        redact.register(piece)
    redact.register(value)  # as drift.live.remember does: a plain value holding a credential
    assert credentials.conceal("ARGS", value) == "--db-password=*** --verbose --host=db.internal"


def test_a_half_after_a_byte_order_mark_is_masked_and_withheld() -> None:
    """L1 (helper-784): a BOM before a half."""
    payload = "pässwörd-ﬁnal-Ｋｅｙ-４２-Zz9Qm"
    redact.register_payload(payload.encode(), VERSION.format("bom"))
    for half in (
        "\ufeffnal-Ｋｅｙ-４２-Zz9Qm",
        "\ufeffpässwörd-ﬁnal-",
        "\ufeff pässwörd-ﬁnal-\r\n",
    ):
        assert mask_plain("V", half, secret=False) == redact.MASK, half
        assert redact.secret_pieces(half, cut=True) is not None, half


def test_a_start_cut_inside_a_decomposed_letter_then_composed_is_masked_and_withheld() -> None:
    """L2 (helper-784): `Kq9Wm2Xv-A` + U+030A (NFD's start) composed again to `Kq9Wm2Xv-Å`."""
    payload = "Kq9Wm2Xv-Ǻ-Rt5Lp8Zd"
    redact.register_payload(payload.encode(), VERSION.format("nfd"))
    start = unicodedata.normalize("NFC", unicodedata.normalize("NFD", payload)[:11])
    assert start == "Kq9Wm2Xv-Å"
    assert mask_plain("V", start, secret=False) == redact.MASK
    assert redact.secret_pieces(start, cut=True) == []  # the version gives back NFD, not this


@pytest.mark.parametrize("separator", ["\x1e", "\x1f", "\x85", "\u2003", " "])
def test_a_half_is_recorded_by_its_runs_only_where_they_are_plain_white_space(
    separator: str,
) -> None:
    """A respaced half is journalled by its version, cut and runs (`drift.respaced`); a run the
    copy kept is the secret's own, so a secret whose data holds another white space character
    (a record separator) would have it copied into the journal: withheld unrecorded then,
    masked all the same (helper-799 L1). A plain space: recorded, its runs all in the record."""
    secret = f"tok=Ab3dEf9h{separator}Gh7Jk2Lm\nQw8Er4Ty{separator}Zx1Cv5Bn end"
    redact.register_payload(secret.encode(), VERSION.format("sep"))
    value = secret.replace("\n", "\r\n")[:40]  # a start, its line break CRLF
    cut = redact.secret_pieces(value, cut=True)
    assert redact.is_piece(value)
    if separator == " ":
        ((version, form),) = cut or [""]
        assert version == VERSION.format("sep") and form.endswith("=s,rn,s"), form
    else:
        assert cut == [], cut
