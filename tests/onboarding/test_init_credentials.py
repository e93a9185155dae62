"""Plain values in variables named like credentials (`DB_PASS`, `GPG_PASSPHRASE`,
`SESSION_SALT`, `ADMIN_PASSWORD=hunter2` however short): `init` does not copy them into the
profile, and `check` never shows them, in any format; harmless look-alike names are copied."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift import credentials
from drift.format import OutputFormat, formatter_for
from drift.onboarding.result import InitResult
from drift.sandbox import Sandbox
from tests.onboarding.test_init import PROJECT, check, init

CREDS = {
    "DB_PASS": "correct-horse-battery-staple",
    "SMTP_PASS": "Zx9!qLw2#rT8vB",
    "GPG_PASSPHRASE": "my long gpg passphrase 2026",
    "ADMIN_PASSWORD": "hunter2",  # a credential's name: withheld however short
    "SESSION_SALT": "a8f5f167f44f4964e6c998dee827110c",
    "WEBHOOK_HMAC": "hm-51f0e2",
}
LOOK_ALIKES = {
    "PASSENGER_COUNT": "forty-two-seats",
    "BYPASS_CACHE": "on-mondays-only",
    "COMPASS_URL": "compass.internal",
    "SALT_MASTER": "salt.internal",
    "HMAC_ALGORITHM": "sha256",
}


STRONG = ["DB_PASS", "SMTP_PASS", "GPG_PASSPHRASE", "ADMIN_PASSWORD", "PASS", "db-pass"]
BROAD = ["SESSION_SALT", "WEBHOOK_HMAC", "HMAC", "SALT", "CACHE_KEY", "TOKEN_TTL"]
"""Named like a credential, but only a long value is hidden (`TOKEN_TTL=1h` is shown)."""


@pytest.mark.parametrize(
    ("name", "credential"),
    [
        (n, "strong")
        for n in [*STRONG, "REDIS_PASS_2", "DB_PW", "APP_SECRET", "MYSQL_PWD", "MYSQL-PWD"]
    ]
    + [(n, "broad") for n in [*BROAD, "PWD", "OLDPWD"]]
    + [
        (n, "")
        for n in [*LOOK_ALIKES, "PASSIVE_MODE", "SURPASS_LIMIT", "SALTY_SNACK", "PASS_THROUGH"]
        + ["DB_PASS_FILE", "MIN_PASS_SCORE"]
    ],
)
def test_a_name_says_credential_or_not(name: str, credential: str) -> None:
    assert credentials.credential_named(name, "abc-def") is (credential == "strong")
    assert credentials.hidden_plain(name, "abc-def-ghi") is bool(credential)
    assert not credentials.credential_named(name, "true")
    assert not credentials.credential_named(name, "")


def test_init_copies_no_credential_and_check_shows_none(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    for name, value in {**CREDS, **LOOK_ALIKES}.items():
        sandbox.set_env(PROJECT, "web", name, value)
    result = init(tmp_path, ["web"])
    path = tmp_path / "staging.yaml"
    text = path.read_text()
    assert [n for n, v in CREDS.items() if v in text or v in result.summary()] == []
    for name in CREDS:
        assert f"{name}: {{required: true}}  # looks like a credential" in text
    assert set(result.withheld) == {f"web.{n}" for n in CREDS}
    for name, value in LOOK_ALIKES.items():
        assert f"{name}: {value}" in text

    def shown() -> list[str]:
        report = check(tmp_path)
        texts = [formatter_for(fmt).render(report) for fmt in OutputFormat]
        return [n for n, v in CREDS.items() if any(v in t for t in texts)]

    assert shown() == []
    # not in the profile: each is reported as unexpected, its value masked however short
    kept = [line for line in text.splitlines() if not line.strip().startswith(tuple(CREDS))]
    path.write_text("\n".join(kept) + "\n")
    report = check(tmp_path)
    unexpected = {f.target for f in report.findings if f.rule == "env.unexpected"}
    assert unexpected == {f"env.{n}" for n in CREDS}
    assert shown() == []


VENDOR_TOKENS = {  # helper-532: copied into the profile by init, shown by check
    "GH_TOKEN_FINE": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
    "GITLAB": "glpat-AbCdEfGhIjKlMnOpQrSt",
    "HUGGINGFACE": "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    "STRIPE_WEBHOOK": "whsec_AbCdEfGhIjKlMnOpQrStUvWx",
    "STRIPE_RESTRICTED": "rk_live_AbCdEfGhIjKlMnOpQrSt",
    "SENDGRID": "SG.AbCdEfGhIjKlMnOpQrSt12.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg",
    "UPSTREAM_AUTHORIZATION": "Basic dXNlcjpwYXNzd29yZA==",
    "OTEL_EXPORTER_OTLP_HEADERS": "x-honeycomb-team=AbCdEf0123456789xyz",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "api-key=AbCdEf0123456789xyz",
    # helper-544 F2: under a neutral name
    "GOOGLE_OAUTH_CLIENT": "GOCSPX-AbCdEfGhIjKlMnOpQrStUvWxYz01",
    "OPENAI": "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdEFGH",
    "OPENAI_SERVICE": "sk-svcacct-AbCdEfGhIjKlMnOpQrStUvWxYz0123",
    "ANTHROPIC": "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-abcdEFGH",
    "NPM_REGISTRY": "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
}
NOT_TOKENS = {
    "AUTH_MODE": "basic authentication",
    "NOTE": "Basic Auth is used here",
    "HF_HOME": "/cache/hf_models",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://api.honeycomb.io",
    "TASK": "sk-proj-onboarding",
    "NPM_CACHE": "/root/.npm_cache",
    "MODEL_FAMILY": "sk-ant-models",
}


@pytest.mark.parametrize(("name", "value"), list(VENDOR_TOKENS.items()))
def test_a_vendors_token_is_never_copied_nor_shown(name: str, value: str) -> None:
    assert credentials.hidden_plain(name, value)
    assert credentials.conceal(name, value) == "***"


@pytest.mark.parametrize(("name", "value"), list(NOT_TOKENS.items()))
def test_words_like_a_vendors_prefix_are_shown(name: str, value: str) -> None:
    assert not credentials.hidden_plain(name, value)


HELD = {  # a credential one variable assigns, in another variable too (helper-769)
    "APP_ARGS": "--db-password=Zk8mQ2xL9pR4 --verbose",
    "GREETING": "Zk8mQ2xL9pR4 and more",
    "SA_START": '{"type": "service_account", "private_key": "-----BEGIN',
    "CERT_HEAD": "-----BEGIN CERTIFICATE-----",  # `-----BEGIN`, the cut key, masked in it
}


def _init_held(sandbox: Sandbox, profiles: Path) -> InitResult:
    for name, value in HELD.items():
        sandbox.set_env(PROJECT, "web", name, value)
    return init(profiles, ["web"])


def test_a_value_holding_another_variable_s_credential_is_not_copied_as_check_masks_it(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    """`check` masks a credential assigned in one variable wherever another shows it
    (`remember_config`); init copied that other variable into the profile whole."""
    _init_held(sandbox, tmp_path)
    path = tmp_path / "staging.yaml"
    text = path.read_text()
    assert "Zk8mQ2xL9pR4" not in text
    for name in ("GREETING", "CERT_HEAD"):
        assert f"{name}: {{required: true}}  # holds a credential another variable" in text
    path.write_text(
        "".join(x for x in text.splitlines(True) if not x.strip().startswith(tuple(HELD)))
    )
    shown = {f.target: f.actual for f in check(tmp_path).findings if f.rule == "env.unexpected"}
    assert [n for n in ("GREETING", "CERT_HEAD") if not shown[f"env.{n}"].startswith("***")] == []


def test_a_value_holding_another_variable_s_credential_has_its_own_advice(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    """It was listed under "a value kept in Secret Manager: reference the secret instead",
    with no secret to reference (helper-781 I1): its own line says what to do, and so does
    the profile's comment."""
    result = _init_held(sandbox, tmp_path)
    lines = result.summary().splitlines()
    own = [x for x in lines if "web.GREETING" in x or "web.CERT_HEAD" in x]
    assert own == [
        "not copied (plain values holding a credential another plain variable holds, which "
        "`drift check` masks: move the credential to Secret Manager; if it is none, set the "
        "value in the profile by hand): web.GREETING, web.CERT_HEAD"
    ]
    assert [x for x in lines if "reference the secret instead" in x] == []
    text = (tmp_path / "staging.yaml").read_text()
    assert (
        "GREETING: {required: true}  # holds a credential another variable holds, not "
        "copied: move the credential to Secret Manager (if it is none, set the value here "
        "by hand)" in text
    )
