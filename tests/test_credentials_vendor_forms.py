"""helper-618 F1: credentials drift did not know were copied into the profile by `drift init`,
raised no `env.plaintext_secret` in `check`, and were shown whole in its findings (a GitHub
annotation included) and in `compare`'s rows: an Azure Storage or Cosmos DB connection
string's `AccountKey=` (Microsoft, "Configure a connection string": the account key "provide[s]
full access to the storage account data"; `AzureWebJobsStorage` is Azure Functions' own
setting name, so no name saves it), a shared access signature's `sig=` (a bearer credential),
a PGP private key block (RFC 4880 section 6.2 armor), a Honeycomb `WRITEKEY`, and the tokens of
vendors whose prefixes say what they are under any name. Each is now hidden; of a connection
string or a URL, only the credential's value (`AccountKey=***`, `sig=***`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift import credentials
from drift.format import OutputFormat, formatter_for
from drift.sandbox import Sandbox
from tests.onboarding.test_init import PROJECT, check, init

KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
SIG = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0%3D"
PGP = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXabcdefQ0123\n-----END PGP PRIVATE KEY BLOCK-"
IN_PART = {  # the credential inside, masked; the rest of the value shown
    "AzureWebJobsStorage": (
        f"DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={KEY};"
        "EndpointSuffix=core.windows.net",
        KEY,
    ),
    "COSMOS": (f"AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey={KEY};", KEY),
    "COSMOS_JSON": (f'{{"AccountKey": "{KEY}"}}', KEY),
    # helper-625 F6: `az servicebus … keys list` output
    "SERVICEBUS_KEYS": (f'{{"primaryKey": "{KEY}"}}', KEY),
    "SERVICEBUS_KEY2": (f'{{"secondaryKey": "{KEY}"}}', KEY),
    "UPLOAD_CONTAINER_URL": (
        "https://acmeprod.blob.core.windows.net/uploads?sv=2022-11-02&ss=b&srt=co&sp=rw"
        f"&se=2027-01-01T00:00:00Z&spr=https&sig={SIG}",
        SIG,
    ),
    # helper-629: a SAS URL-encoded inside another URL's query (a redirect's target), once
    # and twice, and a password so; only up to the encoded `&` that ends it
    "AFTER_LOGIN": (
        "https://app.example.com/cb?next=https%3A%2F%2Facmeprod.blob.core.windows.net%2Fc"
        f"%3Fsv%3D2022-11-02%26sp%3Dr%26sig%3D{SIG}%26se%3D2027-01-01",
        SIG,
    ),
    "AFTER_LOGIN_2": (
        f"https://a.example.com/?u=https%253A%252F%252Fb%252F%253Fsig%253D{SIG}",
        SIG,
    ),
    "UPSTREAM_URL": (
        "https://app/cb?next=https%3A%2F%2Fx%3Fpassword%3DHunter2Hunter2",
        "Hunter2Hunter2",
    ),
    "SAS_IN_JSON": (f'{{"url": "https://a.blob.core.windows.net/c?sv=2022\\u0026sig={SIG}"}}', SIG),
    # helper-629: Azure Storage's Authorization header (authorize-with-shared-key)
    "AZURE_HEADER": (f"Authorization: SharedKey acmeprod:{KEY}", KEY),
    "AZURE_TABLE_HEADER": (
        "SharedKeyLite acmeprod:ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=",
        "ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=",
    ),
}
WHOLE = {  # masked whole, under a name that says nothing
    "GPG_MATERIAL": PGP,
    "HONEYCOMB_WRITEKEY": "0123456789abcdef0123456789abcdef",
    "SLACK_APP": "xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789",
    "SHOP": "shpat_" + "0a" * 16,
    "UPLOAD": "pypi-AgEIcHlwaS5vcmc" + "A1b2" * 15,
    "DO": "dop_v1_" + "ab" * 32,
    "LINEAR": "lin_api_" + "Ab1" * 13 + "x",
    "NEWRELIC": "NRAK-" + "A1B2C3D4E5F6G7H8I9J0K1L2M3N",
    "VAULT": "hvs." + "CAESI" * 20,
    "DOPPLER": "dp.st.prd." + "Ab12" * 12,
    "ATLASSIAN": "ATATT3" + "xFfGF0" * 30,
    "POSTMAN": "PMAK-" + "a1" * 12 + "-" + "b2" * 17,
    "HONEYCOMB": "hcaik_" + "01" + "ab12" * 14,
    "ENTRA_CLIENT": "abc8Q~" + "Xy1_~.-zW" * 4,
}
SHOWN = {  # look-alikes: shown as they are
    "TMPDIR": "/dev/shm",
    "NOTE": "shipping via shp",
    "SIGN": "sig=5",
    "STATIC": "/srv/dp.st.files",
    "COUNT": "account_key_id=42",
    # helper-625 F4: `sig` and `AccountKey` alone say little: a key's shape is needed
    "WORKER_ARGS": "--stop-sig=SIGTERM",
    "DD_TAGS": "env:prod,sig:v2,team:core",
    "BILLING": "billingAccountKey=ACC-12345",
    "JWT_ALG": "alg=RS256;sig=sha256",
    "FLAGS": "--sig v2",
    "REGION": "account_key=prod-eu",
    "TABLE": '{"primaryKey": "user_id"}',  # a schema's primary key
    "INDEX": "primary_key=id",
    # helper-629: an encoded query that sets no credential, and SharedKey in words
    "HOME": "https://app/login?next=%2Fhome%3Fpage%3D2%26sort%3Dname",
    "ALG_URL": "https://app/cb?next=%2Fx%3Fsig%3Dsha256%26a%3Db",
    "BYPASS_URL": "https://app/cb?next=%2Fx%3Fbypass%3Don",
    "RULE_URL": "https://app/cb?next=%2Fx%3Fpassword_min_length%3D8",
    "PLACEHOLDER_URL": "https://app/cb?next=%2Fx%3Fpassword%3D%24%28DB_PASS%29%26a%3Db",
    "DOC": "use SharedKey authorization: see the storage docs",
}


@pytest.mark.parametrize("name", list(IN_PART))
def test_a_credential_inside_a_value_is_masked_alone(name: str) -> None:
    value, credential = IN_PART[name]
    assert credentials.hidden_plain(name, value)
    shown = credentials.conceal(name, value)
    assert credential not in shown and "***" in shown, shown
    assert shown.replace("***", credential) == value


@pytest.mark.parametrize("name", list(WHOLE))
def test_a_credentials_shape_is_masked_whole(name: str) -> None:
    assert credentials.hidden_plain(name, WHOLE[name])
    assert credentials.conceal(name, WHOLE[name]) == "***"


@pytest.mark.parametrize("name", list(SHOWN))
def test_look_alikes_are_shown(name: str) -> None:
    assert not credentials.hidden_plain(name, SHOWN[name])
    assert credentials.conceal(name, SHOWN[name]) == SHOWN[name]


def test_init_copies_none_and_check_flags_each_and_shows_none(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    values = {n: v for n, (v, _) in IN_PART.items()} | WHOLE
    for name, value in values.items():
        sandbox.set_env(PROJECT, "web", name, value)
    secrets = [c for _, c in IN_PART.values()] + list(WHOLE.values())
    result = init(tmp_path, ["web"])
    text = (tmp_path / "staging.yaml").read_text()
    assert [s for s in secrets if s in text or s in result.summary()] == []
    for name in values:
        assert f"{name}: {{required: true}}  # looks like a credential" in text, name
    report = check(tmp_path)
    flagged = {f.target for f in report.findings if f.rule == "env.plaintext_secret"}
    assert flagged == {f"env.{n}" for n in values}, flagged
    rendered = [formatter_for(fmt).render(report) for fmt in OutputFormat]
    assert [s for s in secrets if any(s in r for r in rendered)] == []


@pytest.mark.parametrize("end", ["\n-----END PGP PRIVATE KEY BLOCK-----", ""], ids=["whole", "cut"])
def test_a_private_key_quoted_in_a_text_is_masked_to_its_end(end: str) -> None:
    """helper-625 F7: of a server's error text quoting a key (registered by its pieces:
    `ApiError`), only the BEGIN line was a piece, and the key's body stayed shown; the piece
    runs to the END line now, or to the end of a text cut before it."""
    from drift import redact

    body = "lQOYBGXabcdefQ0123SECRETBODYxyz"
    text = f"value -----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{body}{end} is invalid"
    for piece in credentials.credential_pieces(text):
        redact.register(piece)
    shown = redact.mask(text)
    assert body not in shown and shown.startswith("value ***"), shown
    if end:
        assert shown == "value *** is invalid", shown
