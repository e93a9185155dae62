"""A secret pasted as three plain variables (`KEY_A` its start, `KEY_M` its middle, `KEY_C` its
end) shows none of them (`drift.secret_middles`): the middle was shown by check, plan, compare
and init and journalled as text (helper-769: 57 of its values, a `.env`'s token, a PEM body);
now the masker (`redact.is_piece`) and the journal (`secret_pieces(…, cut=True)`: by version,
`FORM~B#A`, given back exactly) judge it alike. An ordinary value that stands inside a payload
as whole words, none a token's, stays shown. And a token before `://` is no URL's scheme:
every start of it is a piece (helper-769 LOW: up to 21 of its characters shown)."""

from __future__ import annotations

import json

import pytest

from drift import payload_pieces, redact
from drift.diff.describe import mask_plain
from drift.fragments import public_head
from drift.secret_middles import FEW_SLOTS, GRAM_SLOTS, Middles
from drift.secretforms import payload_form
from tests.public_ends_cases import BODY, GHP, LEAKS, PEM, PUBLIC_SECRETS, SA, TLS, pem

VERSION = "projects/p/secrets/{}/versions/1"
SIZES = (8, 13, 21, 40)


def _withheld_exactly(payload: str, value: str) -> bool:
    """`value` masked, and withheld by the version of `payload` alone, given back exactly."""
    cut = redact.secret_pieces(value, cut=True)
    if not redact.is_piece(value) or cut is None or len(cut) != 1 or isinstance(cut[0], str):
        return False
    return payload_form(payload.encode(), cut[0][1]) == value


@pytest.mark.parametrize("name", list(LEAKS))
def test_a_middle_that_cuts_a_word_is_masked_and_withheld(name: str) -> None:
    payload = LEAKS[name]
    redact.register_payload(payload.encode(), VERSION.format(name))
    third = payload[len(payload) // 3 : 2 * len(payload) // 3].strip()
    middles = {third} if len(third) >= redact.FRAGMENT_MIN else set()
    for at in range(1, len(payload) - 1):
        if payload[at - 1].isalnum() and payload[at].isalnum():  # it starts inside a word
            middles |= {payload[at : at + n] for n in SIZES if at + n < len(payload)}
    middles = {m for m in middles if m == m.strip()}
    assert middles
    assert sorted(m for m in middles if not _withheld_exactly(payload, m)) == []


ORDINARY = {  # whole words of a payload, none a token's: an ordinary value, shown
    "production-2024": LEAKS["json_plain"],
    "https://api.example.com": LEAKS["json_plain"],
    "db.internal": PUBLIC_SECRETS["dsn"],
    "sslmode": PUBLIC_SECRETS["dsn"],
    "us-central1": f"MODE=production\nREGION=us-central1\nGITHUB_PAT={GHP}\n",
    "production": f"MODE=production\nREGION=us-central1\nGITHUB_PAT={GHP}\n",
    "-----END CERTIFICATE-----": TLS,
    "-----BEGIN EC PRIVATE KEY-----": TLS,
    '"type": "service_account"': SA,
    "https://oauth2.googleapis.com/token": SA,
    "-----END PRIVATE KEY-----": SA,
    "acme.iam.gserviceaccount.com": SA,
    "hooks.slack.com/services": LEAKS["dotenv"],
}


@pytest.mark.parametrize("value", list(ORDINARY))
def test_an_ordinary_value_inside_a_payload_is_shown_and_kept(value: str) -> None:
    payload = ORDINARY[value]
    assert 0 < payload.index(value) < len(payload) - len(value)  # a middle of it
    redact.register_payload(payload.encode(), VERSION.format("config"))
    assert not redact.is_piece(value)
    assert redact.secret_pieces(value, cut=True) is None
    assert mask_plain("V", value, secret=False) == value


CLIENT_ID = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
SA_KEY = json.dumps(  # as Google writes one: its domain after `%40`, its unique id a JSON number
    {
        "type": "service_account",
        "private_key_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "client_email": "deployer@acme-prod.iam.gserviceaccount.com",
        "client_id": "109876543210987654321",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        "deployer%40acme-prod.iam.gserviceaccount.com",
    }
)
OAUTH = json.dumps(
    {"web": {"client_id": CLIENT_ID, "client_secret": "GOCSPX-Zq8Wn3Hs6Jd2Kx9Lp4Rt"}}
)
PUBLIC_IDS = {  # helper-819 F1, F2: masked since the middle rule (5992ac9a), shown before it
    "acme-prod.iam.gserviceaccount.com": SA_KEY,
    "109876543210987654321": SA_KEY,  # the SA's unique id
    "deployer@acme-prod.iam.gserviceaccount.com": SA_KEY,
    CLIENT_ID: OAUTH,  # an OAuth client's id, deployed next to its `client_secret.json`
    "9876543210987654321012": '{"project": "p", "number": 9876543210987654321012, "x": 1}',
    "db7.acme.internal": "X=1\nDATABASE_URL=postgres://app:Zq8Wn3Hs6Jd2Kx9L@db7.acme.internal:5432/a\n",
}


@pytest.mark.parametrize("value", list(PUBLIC_IDS))
def test_a_public_id_inside_a_payload_is_shown_and_kept(value: str) -> None:
    """A `%XX` escape ends a word (the SA's domain after `%40` is cut from nothing)."""
    payload = PUBLIC_IDS[value]
    redact.register_payload(payload.encode(), VERSION.format("ids"))
    assert 0 < payload.index(value) < len(payload) - len(value)  # a middle of it
    assert redact.secret_pieces(value, cut=True) is None
    assert mask_plain("V", value, secret=False) == value


SECRET_VALUES = {  # a JSON value whole: a piece under a credential's key, or one not an id's
    CLIENT_ID: json.dumps({"client_id": "x-1", "client_secret": CLIENT_ID, "n": 1}),
    "s3cr3t-Rk2mX9qL7pW4zT8vB1nC": LEAKS["json_value"],
    "Xk9mQ2pL7vR4tY8wZ3nB6cJ1": json.dumps({"id": "Xk9mQ2pL7vR4tY8wZ3nB6cJ1x", "k": 1}),
    json.loads(LEAKS["json_hook"])["slack_webhook"]: LEAKS["json_hook"],
    json.loads(LEAKS["json_jwt"])["refresh"]: LEAKS["json_jwt"],
}


@pytest.mark.parametrize("value", list(SECRET_VALUES))
def test_a_json_value_not_an_id_s_stays_masked_and_withheld(value: str) -> None:
    """A middle that is a JSON value whole is shown under an id's key alone (helper-819 F2):
    not under a credential's, nor another's (a webhook, a token), nor cut from an id's."""
    payload = SECRET_VALUES[value]
    redact.register_payload(payload.encode(), VERSION.format("json"))
    assert 0 < payload.index(value) < len(payload) - len(value)  # a middle of it
    assert mask_plain("V", value, secret=False) == redact.MASK
    assert redact.secret_pieces(value, cut=True) not in (None, [value])


@pytest.mark.parametrize("value", [f"{BODY}\nQk9mX2pL7w==", "Qk9mX2pL7w=="])
def test_a_middle_of_whole_words_holding_a_token_s_is_a_piece(value: str) -> None:
    """A PEM body's last lines, its short last line alone: whole words, a token's."""
    redact.register_payload(PEM.encode(), VERSION.format("pem"))
    assert value in PEM[1:-1]
    assert _withheld_exactly(PEM, value)


def test_a_token_before_its_colon_slashes_is_no_scheme() -> None:
    payload = LEAKS["token_scheme"]
    redact.register_payload(payload.encode(), VERSION.format("token-scheme"))
    assert public_head(payload) == 0 and public_head("https://hooks.slack.com") == 8
    starts = [payload[:n] for n in range(redact.FRAGMENT_MIN, payload.index("/v1"))]
    assert [s for s in starts if mask_plain("V", s, secret=False) != redact.MASK] == []
    assert [s for s in starts if not _withheld_exactly(payload, s)] == []


@pytest.mark.parametrize("respace", ["\r\n", " ", "\t"])
def test_a_middle_with_other_white_space_is_masked_and_withheld_unrecorded(respace: str) -> None:
    """As the masker's search takes any run of white space for another (helper-784 W2): a
    middle copied with CRLF for LF is masked, and withheld with no text (a rollback says to
    set it by hand)."""
    redact.register_payload(PEM.encode(), VERSION.format("pem"))
    middle = PEM[PEM.index("BgkqhkiG") : PEM.index("X2pL7w")].replace("\n", respace)
    assert redact.is_piece(middle)
    assert redact.secret_pieces(middle, cut=True) == []


@pytest.mark.parametrize(
    "mark", ["~22#10#1", "~22#10~5", "~22#010", "~0022#10", "~10#22", "~22#22", "~22#-1", "~22#0"]
)
def test_a_middle_s_form_drift_never_writes_is_refused(mark: str) -> None:
    """`FORM~B#A` read strictly (helper-819 J3): one `~`, one `#`, digits as drift writes them,
    A < B within the version's text; no cut of a cut (`whole#16#3` read a slice of a slice)."""
    payload = LEAKS["dotenv"]
    assert payload_form(payload.encode(), "whole~22#10") == payload[10:22]
    assert payload_form(payload.encode(), f"whole{mark}") is None
    assert payload_form(payload.encode(), "whole#16#3") is None
    assert payload_form(payload.encode(), f"whole~{len(payload) + 5}#10") is None


PEM_LINE = "MIIEvQIBADANBgkq+hkiG9w0BAQEFAASCBKcw/ggSjAgEAAoIBAQC7+KS8LUBVPE8L/x"
PIECE_PARTS = {  # helper-819 L1: a part of a piece, cut at the piece's own punctuation
    "dsn_word": ("postgres://app:Pässwörd-Kq9Wm2Xv@db.acme.internal:5432/app", "Pässwörd"),
    "dsn_dashes": ("postgres://app:tiger-lemon-violet-anchor@db.acme.internal/app", "lemon-violet"),
    "pct": (
        "https://user%40corp:p%40ss%2Fw0rd%21Kq9Zt@db.acme-pct.io:8443/",
        "40ss%2Fw0rd%21Kq9Zt",
    ),
    "env_uuid": ("MODE=x\nAPI_KEY=123e4567-e89b-42d3-a456-9d1c2e3f4a5b\nB=1\n", "e89b-42d3-a456"),
    "env_end": ("MODE=x\nAPI_KEY=123e4567-e89b-42d3-a456-9d1c2e3f4a5b\nB=1\n", "a456-9d1c2e3f4a5b"),
    "pem_line": (pem("PRIVATE KEY", PEM_LINE, "Qk9mX2pL7w=="), "KS8LUBVPE8L"),
    "json_secret": (json.dumps({"client_secret": "GOCSPX-Zq8W.n3Hs-6Jd2"}), "GOCSPX-Zq8W"),
}


@pytest.mark.parametrize("case", list(PIECE_PARTS))
def test_a_part_of_a_secret_piece_is_masked_and_withheld(case: str) -> None:
    """A URL's password, a credential's value, a PEM body's line: all secret, any part of it of
    `SEARCH_MIN` characters or more, at its start, its end or between, withheld by version."""
    payload, value = PIECE_PARTS[case]
    redact.register_payload(payload.encode(), VERSION.format(case))
    assert 0 < payload.index(value) < len(payload) - len(value)  # a middle of the payload
    assert mask_plain("V", value, secret=False) == redact.MASK
    assert _withheld_exactly(payload, value)


LONE = {  # helper-819 L2: a payload that is one secret, no structure: any part of it
    "uuid": ("123e4567-e89b-42d3-a456-9d1c2e3f4a5b", "e89b-42d3-a456"),
    "passphrase": ("correct horse battery staple", "horse battery"),
    "diceware": ("tiger-lemon-violet-anchor-mango", "lemon-violet-anchor"),
}


@pytest.mark.parametrize("case", list(LONE))
def test_a_part_of_a_lone_secret_is_masked_and_withheld(case: str) -> None:
    payload, value = LONE[case]
    redact.register_payload(f"{payload}\n".encode(), VERSION.format(case))
    assert 0 < payload.index(value) < len(payload) - len(value)  # a middle of it
    assert mask_plain("V", value, secret=False) == redact.MASK
    assert _withheld_exactly(f"{payload}\n", value)


@pytest.mark.parametrize(
    "payload",
    [
        "A=1 production-2024 b",
        "see https://acme.example.com/production-2024",
        '{"e": "production-2024"}',
    ],
)
def test_a_payload_with_a_structure_is_no_lone_secret(payload: str) -> None:
    """A one-line payload holding a URL, a `KEY=`, JSON: its parts are judged as a middle's."""
    redact.register_payload(f"{payload} x".encode(), VERSION.format("struct"))
    assert not payload_pieces.lone_secret(f"{payload} x")
    assert mask_plain("V", "production-2024", secret=False) == "production-2024"


def test_a_middle_is_found_past_a_form_that_holds_it_often_and_not_across_two() -> None:
    """The forms are searched joined (`secret_middles._Joined`), each form's places judged up to
    `PLACES_MAX`, then the next form's; a value across two forms' joint stands in neither."""
    often = "x " + " ".join(["alpha-beta-gamma"] * 100) + " y"
    token = "Zq8Wn3Hs6Jd2Kx9Lp4Rt7Vb1"
    redact.register_payload(often.encode(), VERSION.format("often"))
    redact.register_payload(f"K=alpha-beta-gammaX{token}\n".encode(), VERSION.format("tok"))
    assert redact.is_piece("alpha-beta-gamma")  # cuts `gammaX…` in the second payload only
    assert not redact.is_piece("gamma y\x00K=alpha")
    assert mask_plain("V", "beta-gamma alpha", secret=False) == "beta-gamma alpha"


def test_the_grams_table_grows_with_the_payloads_and_still_finds_the_first_one_s_middle() -> None:
    """A run's few payloads take a small table of grams (`FEW_SLOTS`: a 4 MiB one, zeroed for
    each run, cost a check 0.5 ms of CPU); as payloads come it is made bigger, every gram
    marked again: a middle of the first payload is still found, no part of none is."""
    middles = Middles()
    first = f"K=alpha-beta-gammaX{'Zq8Wn3Hs6Jd2Kx9Lp4Rt7Vb1'}\n"
    middles.add(first)
    assert len(middles._grams) == FEW_SLOTS
    for n in range(FEW_SLOTS // 2000):  # 1,400 grams each: 180 K, past a quarter of FEW_SLOTS
        middles.add(f"payload {n}: " + "".join(f"w{n}x{i}-" for i in range(200)))
    assert FEW_SLOTS < len(middles._grams) <= GRAM_SLOTS
    assert middles.find("Hs6Jd2Kx9Lp4") == (first, first.index("Hs6J"))
    assert middles.find("7x12-w7x13-w7x1") is not None  # cuts two words
    assert middles.find("Kq2Hs6Jd2Kx9") is None
