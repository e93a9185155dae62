"""helper-637 F1/F3: a credential percent-encoded inside another URL, shown in part or whole.

F1: of `password=Hun&ter2Secret` inside a URL percent-encoded into another's query
(`?next=…%26password%3DHun%2526ter2Secret%26a%3Db`) only `Hun` was masked: the value ended at
the first encoded `&` of any depth, `%2526` (the password's own `&`, one level deeper than its
`=`) and at its own `%` (`x9%Fk…`: `x9%2525Fk…`). It ends at the `&` encoded as deep as its `=`
now (`%3D` at `%26`, `%253D` at `%2526`), a deeper one being its own (RFC 3986 section 2.1).
F3: a JSON body percent-encoded in a query (`state=%7B%22password%22%3A%22…%22%7D`) was not
found: `drift init` copied the password into the profile; an Azure `SharedKey ACCOUNT:SIG`
whose signature JSON writes with `\\/`, or a query percent-encodes (`%2B`, `%3D`), was masked in
part or not at all. Only the value is masked; the rest of the URL stays readable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from drift import credentials
from drift.format import OutputFormat, formatter_for
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.onboarding.test_init import PROJECT, REGION, check


def _in_url(password: str, depth: int, safe: str = "") -> tuple[str, str]:
    """An inner URL's query setting `password` (as `quote` writes it; `safe="!*'()"`, as
    JavaScript's encodeURIComponent), percent-encoded `depth` times into an outer URL's query:
    the value, and the password as it stands in it."""
    inner = f"https://db.example/?user=app&password={quote(password, safe=safe)}&a=b"
    stands = quote(password, safe=safe)
    for _ in range(depth):
        inner, stands = quote(inner, safe=safe), quote(stands, safe=safe)
    return f"https://app.example/cb?next={inner}&z=1", stands


def _in_json(password: str, encode: Callable[..., str] = quote, depth: int = 1) -> tuple[str, str]:
    """A JSON body setting `password`, percent-encoded `depth` times into a URL's query."""
    body, stands = json.dumps({"user": "app", "password": password, "n": 1}), json.dumps(password)
    stands = stands[1:-1]
    for _ in range(depth):
        body, stands = encode(body, safe=""), encode(stands, safe="")
    return f"https://app.example/cb?state={body}&z=1", stands


SIG = "AbCdEfGhIjKlMnOpQrStUv/wxyz0123456789+12AbC="
IN_PART = {  # the value, and the credential as it stands in it: masked, all else shown
    "AMP": _in_url("Hun&ter2Secret", 1),
    "PERCENT": _in_url("x9%Fk2LmQ7zR", 1),
    "AMP_2": _in_url("Hun&ter2Secret", 2),
    "PERCENT_2": _in_url("x9%Fk2LmQ7zR%", 2),
    "AMP_3": _in_url("a&b%c;d=e1X", 3),
    "LAST_PERCENT": _in_url("Tr0ub4dor%", 1),
    "APOSTROPHE": _in_url("it's(1)X*yz!", 1, "!*'()"),
    "APOSTROPHE_2": _in_url("it's(1)X*yz!", 2, "!*'()"),
    "JSON": _in_json("Hunter2Hunter2x"),
    "JSON_PLUS": _in_json('Hu"n&ter%2X', quote_plus),
    "JSON_2": _in_json('Hu"n&ter%2X', quote, 2),
    "SHARED_JSON": (
        json.dumps({"Authorization": f"SharedKey acct:{SIG}"}).replace("/", "\\/"),
        SIG.replace("/", "\\/"),
    ),
    "SHARED_PCT": (
        f"https://x.example/?h={quote(f'SharedKey acct:{SIG}', safe='')}&z=1",
        quote(SIG, safe=""),
    ),
    "SHARED_PCT_EARLY": (
        "https://x.example/?h=SharedKey%20acct%3AAb%2BCdEfGhIjKlMnOpQrStUvwxyz0123456789012%3D",
        "Ab%2BCdEfGhIjKlMnOpQrStUvwxyz0123456789012%3D",
    ),
}
SHOWN = {  # look-alikes, encoded: shown as they are
    "RULE_JSON": "https://app/cb?state=%7B%22password_min_length%22%3A8%7D",
    "EMPTY_JSON": "https://app/cb?state=%7B%22token%22%3A%22%22%7D",
    "TYPE_JSON": "https://app/cb?state=%7B%22token_type%22%3A%22Bearer%22%7D",
    "PLACEHOLDER_JSON": "https://app/cb?state=%7B%22password%22%3A%22%24%7BDB_PASS%7D%22%7D",
    "SIG_JSON": "https://app/cb?x=%22sig%22%3A%22v2%22",
    "NULL_JSON": "https://app/cb?q=%22secret%22%3Anull",
    "OAUTH": "https://a/?grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
    "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token",
    "EMPTY_2": "https://app/cb?next=%2Fx%253Fpassword%253D%2526a%253Db",
    "PLACEHOLDER_2": "https://a/?next=%2Fx%253Fpassword%253D%252524%252528DB_PASS%252529",
    "SHARED_DOC": "SharedKey is the scheme: SharedKey account:signature",
}


@pytest.mark.parametrize("name", list(IN_PART))
def test_only_the_value_is_masked_to_its_own_depths_end(name: str) -> None:
    value, credential = IN_PART[name]
    assert credential in value, name
    assert credentials.hidden_plain(name, value)
    shown = credentials.conceal(name, value)
    assert shown.replace("***", credential) == value, shown


@pytest.mark.parametrize("name", list(SHOWN))
def test_encoded_look_alikes_are_shown(name: str) -> None:
    assert not credentials.hidden_plain(name, SHOWN[name])
    assert credentials.conceal(name, SHOWN[name]) == SHOWN[name]


def test_a_sentence_quoting_the_password_decoded_masks_it() -> None:
    """What `redact.register` is given for a value (`credential_pieces`): the password as the
    inner URL's server reads it, and as a JSON string's, so an echo of it is masked too."""
    pieces = credentials.credential_pieces(IN_PART["AMP_2"][0])
    assert "Hun&ter2Secret" in pieces, pieces
    assert 'Hu"n&ter%2X' in credentials.credential_pieces(IN_PART["JSON_2"][0])
    assert SIG in credentials.credential_pieces(IN_PART["SHARED_PCT"][0])
    assert SIG in credentials.credential_pieces(IN_PART["SHARED_JSON"][0])


def test_init_copies_none_and_check_flags_each_and_shows_none(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    """End to end: `drift init` writes no credential into the profile and says none; `check`
    flags each as `env.plaintext_secret` and shows none in any format; where the profile
    states such a URL and it differs, only its password is masked."""
    for name, (value, _) in IN_PART.items():
        sandbox.set_env(PROJECT, "web", name, value)
    secrets = [c for _, c in IN_PART.values()] + [SIG, "wxyz0123456789", "Hunter2Hunter2x"]
    secrets += [
        "Hun&ter2Secret",
        "ter2Secret",
        "x9%Fk2LmQ7zR",
        "Fk2LmQ7zR",
        "Tr0ub4dor",
        "s(1)X*yz!",
    ]
    env = sandbox.environ()
    made = drift(
        "init", "staging", "--from-live", "--project", PROJECT, "--region", REGION,
        "--profiles", str(tmp_path), "--service", "web", env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "staging.yaml").read_text()
    assert [s for s in secrets if s in text or s in made.stdout + made.stderr] == []
    for name in IN_PART:
        assert f"{name}: {{required: true}}  # looks like a credential" in text, name

    report = check(tmp_path)
    flagged = {f.target for f in report.findings if f.rule == "env.plaintext_secret"}
    assert flagged == {f"env.{n}" for n in IN_PART}, flagged
    rendered = [formatter_for(fmt).render(report) for fmt in OutputFormat]
    assert [s for s in secrets if any(s in r for r in rendered)] == []

    # the profile states AMP with another password and `&z=`: the difference is shown, the
    # stated value in part (`mask_plain`), the live one whole
    live, _ = IN_PART["AMP"]
    stated = live.replace("Hun%2526ter2Secret", "Old%2526Passw0rd").replace("&z=1", "&z=2")
    lines = [
        f"      AMP: {json.dumps(stated)}" if ln.startswith("      AMP: ") else ln
        for ln in text.splitlines()
    ]
    (tmp_path / "staging.yaml").write_text("\n".join(lines) + "\n")
    outputs = []
    for fmt in OutputFormat:
        done = drift("check", "staging", "--profiles", str(tmp_path), "--format", fmt, env=env)
        assert done.returncode == 1, done.stdout + done.stderr
        outputs.append(done.stdout + done.stderr)
    assert [s for s in [*secrets, "Passw0rd"] if any(s in o for o in outputs)] == []
    assert "password%3D***%26a%3Db&z=2" in outputs[0], outputs[0]  # the rest of it shown
