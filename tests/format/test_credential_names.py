"""Which names hide a plain value however short (a password's or a secret's: `ADMIN_PASSWORD`,
`DB_PASS`, `DB_PW`) and which only a long one (`CACHE_KEY`, `TOKEN_TTL`): `check` (table and
JSON), `plan --format gcloud` and `--format yaml`, and `init` agree; the profile's own value is
shown unless it looks like a credential itself; `Bearer <token>` is a credential by shape."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from drift import credentials
from tests.cliutil import drift
from tests.conftest import MakeSandbox

BEARER = "Bearer 7f3c9a1e5b2d48f6a0c3e9d1b7a5f2c4"
KEY_IN_QUERY = "https://u:$(X)@api.example.com/v1?key=AbCdEf0123456789XyZ"
PASSWORD_IN_QUERY = "postgres://app:$(X)@10.0.0.3/db?password=Sup3rS3cretPw0rd"
DSN_AROUND_A_SECRET = "postgres://app:$(DB_PASS)@db-instance-123456.example.com/app?sslmode=require"
"""A URL whose password is a `$(VAR)` reference holds no credential of its own, unless a
token stands elsewhere in it (the first two: masked, and a plain secret when only required)."""
JWT_VALUE = "S3CR3T-jwt-8b33d4316306"
"""A shared JWT signing secret pasted as a plain value (revleak 2): not JWT-shaped itself."""
JWT_NAMES = ("LEGACY_JWT", "JWT", "SERVICE_JWT_PROD", "JWT_2", "UPSTREAM_BEARER")
NOT_JWT = {  # a JWT's settings, not a credential: JWT only as the name's last word
    "JWT_ISSUER": "https://issuer.example.com",
    "JWT_AUDIENCE": "my-app-audience-123",
    "JWT_ALGORITHM": "RS256",
    "JWT_EXPIRY": "3600",
    "JWKS_URL": "https://issuer.example.com/.well-known/jwks.json",
}
SHOWN = {  # live value, profile value: short values under broad or harmless names
    "CACHE_KEY": ("v2", "v3"),
    "TOKEN_TTL": ("1h", "2h"),
    "SORT_KEY": ("name", "date"),
    "PASS_THROUGH": ("enabled", "disabled"),
    "DB_PASS_FILE": ("/run/db", "/run/x"),
    "PASS_THROUGH_PROD": ("on-2", "off-2"),
    "SORT_KEY_V2": ("name", "date"),
    "MIN_PASS_SCORE": ("3", "4"),
    "PWD": ("/app", "/srv"),
    "AUTHOR": ("Grace Hopper", "Ada Lovelace"),
    "OAUTH_CLIENT_ID": ("client-12345.apps", "client-67890.apps"),
}
HIDDEN = {  # live value: a password's or a secret's name, or a credential's shape
    "ADMIN_PASSWORD": "hunter2",
    "DB_PASS": "pa55",
    "SMTP_PASS": "x7-kq",
    "DB_PASS_PROD": "pa55",
    "SMTP_PW_OLD": "x7-kq",
    "DB_PW": "Tr0ub4dor&3",
    "APP_SECRET": "s3cr",
    "BASIC_AUTH": "admin:Tr0ub4dor&3",
    "UPSTREAM_AUTH_HEADER": BEARER,
}


@pytest.mark.parametrize(
    ("name", "value", "hidden"),
    [(n, live, False) for n, (live, _) in SHOWN.items()]
    + [(n, v, True) for n, v in HIDDEN.items()]
    + [("HEADER", "bearer abcdefghijklmnopqrstuvwxyz", True), ("NOTE", "Bearer of news", False)]
    + [
        ("GPG_PASSPHRASE", "abc", True),
        ("REDIS_PASS_2", "abc", True),
        ("DB_PASSWORD_STAGING", "abc", True),
        ("SIGNING_KEY_V2", "8c1e5f3a9b7d2e4f", True),
        ("WEBHOOK_HMAC_2", "9f8e7d6c5b4a3f2e", True),
        ("BASIC_AUTH_PROD", "abc", False),
        ("DB_PW", "true", False),
        ("API_KEY", KEY_IN_QUERY, True),
        ("DATABASE_URL", PASSWORD_IN_QUERY, True),
        ("DATABASE_URL", DSN_AROUND_A_SECRET, False),
    ]
    + [(n, JWT_VALUE, True) for n in JWT_NAMES]
    + [(n, v, False) for n, v in NOT_JWT.items()]
    + [("ARGS", f"--jwt={JWT_VALUE} -v", True), ("WS_URL", f"wss://h/ws?jwt={JWT_VALUE}", True)],
)
def test_a_name_or_shape_hides_a_value_or_not(name: str, value: str, hidden: bool) -> None:
    assert credentials.hidden_plain(name, value) is hidden


def _scenario(env: dict[str, str]) -> dict[str, Any]:
    return {
        "projects": {
            "p1": {
                "number": 222222222222,
                "region": "europe-west1",
                "services": {
                    "api": {
                        "template": {
                            "image": "europe-west1-docker.pkg.dev/p1/app/api:1",
                            "env": env,
                        }
                    }
                },
            }
        }
    }


def _profiles(tmp_path: Path, env: dict[str, str]) -> Path:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    lines = [f"      {n}: {json.dumps(v)}" for n, v in env.items()]
    text = "project: p1\nregion: europe-west1\nservices:\n  api:\n    env:\n"
    (profiles / "e.yaml").write_text(text + "\n".join(lines) + "\n")
    return profiles


def test_check_and_gcloud_plan_show_short_values_under_broad_names(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_scenario({n: live for n, (live, _) in SHOWN.items()}))
    profiles = _profiles(tmp_path, {n: want for n, (_, want) in SHOWN.items()})
    env, where = sandbox.environ(), ("--profiles", str(profiles))
    table = drift("check", "e", *where, env=env)
    assert table.returncode == 1, table.stdout + table.stderr
    assert "***" not in table.stdout
    report = json.loads(drift("check", "e", *where, "--format", "json", env=env).stdout)
    shown = {f["target"]: (f["actual"], f["expected"]) for f in report["findings"]}
    assert shown == {f"env.{n}": pair for n, pair in SHOWN.items()}
    script = drift("plan", "e", *where, "--format", "gcloud", env=env).stdout
    assert "export " not in script and "***" not in script
    for name, (_, want) in SHOWN.items():
        assert f"{name}={want}" in script


def test_check_and_plans_hide_short_values_under_password_names(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The live values are hidden; the profile's own values (short, not credential-shaped)
    are what the profile says, shown as `expected`."""
    kept = {"ROOT_PASSWORD": "hunt3r"}  # not in the profile: the YAML plan keeps it as it is
    sandbox = make_sandbox(_scenario({**HIDDEN, **kept, "LOG_LEVEL": "DEBUG"}))
    wanted = {n: "other" for n in HIDDEN if n not in ("UPSTREAM_AUTH_HEADER", "BASIC_AUTH")}
    profiles = _profiles(tmp_path, {**wanted, "LOG_LEVEL": "INFO"})
    env, where = sandbox.environ(), ("--profiles", str(profiles))
    table = drift("check", "e", *where, env=env)
    as_json = drift("check", "e", *where, "--format", "json", env=env)
    findings = json.loads(as_json.stdout)["findings"]
    actual = {f["target"]: f["actual"] for f in findings if f["rule"] == "env.value"}
    assert actual == {f"env.{n}": "***" for n in wanted} | {"env.LOG_LEVEL": "DEBUG"}
    expected = {f["target"]: f["expected"] for f in findings if f["rule"] == "env.value"}
    assert set(expected.values()) == {"other", "INFO"}
    yaml = drift("plan", "e", *where, "--format", "yaml", "--service", "api", env=env)
    for text in (table.stdout, as_json.stdout, yaml.stdout, yaml.stderr):
        assert [n for n, v in {**HIDDEN, **kept}.items() if v in text] == []
    assert "ROOT_PASSWORD looks like a credential: not printed" in yaml.stdout
    assert "driftNotAppliable" in yaml.stdout and "--include-plain-credentials" in yaml.stdout


def _only_required(
    make_sandbox: MakeSandbox, tmp_path: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """`check --format json` of a service with `env` live, against a profile that only
    requires each variable (as `init` writes one that looks like a credential)."""
    sandbox = make_sandbox(_scenario(env))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    lines = "".join(f"      {n}: {{required: true}}\n" for n in env)
    text = "project: p1\nregion: europe-west1\nservices:\n  api:\n    env:\n" + lines
    (profiles / "e.yaml").write_text(text)
    done = drift("check", "e", "--profiles", str(profiles), "--format", "json",
                 env=sandbox.environ())  # fmt: skip
    return done, json.loads(done.stdout)["findings"]


def test_a_password_named_variable_the_profile_only_requires_is_a_plain_secret(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`ADMIN_PASSWORD=hunter2` as a plain value is a password in plain text however short:
    the same warning as a long one, its value never shown. A short value under a broad name
    (`CACHE_KEY=v2`) is not."""
    env = {**HIDDEN, "CACHE_KEY": "v2", "PASS_THROUGH": "on"}
    done, findings = _only_required(make_sandbox, tmp_path, env)
    warned = {f["target"]: f["actual"] for f in findings if f["rule"] == "env.plaintext_secret"}
    assert warned == {f"env.{n}": "***" for n in HIDDEN}
    assert {f["severity"] for f in findings} == {"warning"}
    assert [n for n, v in HIDDEN.items() if v in done.stdout + done.stderr] == []


def test_init_copies_short_values_under_broad_names_and_withholds_passwords(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_scenario({**{n: live for n, (live, _) in SHOWN.items()}, **HIDDEN}))
    profiles = tmp_path / "profiles"
    done = drift(
        "init", "e", "--from-live", "--project", "p1", "--region", "europe-west1",
        "--profiles", str(profiles), env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (profiles / "e.yaml").read_text()
    for name, (live, _) in SHOWN.items():
        assert f"{name}: {live}" in text or f"{name}: {json.dumps(live)}" in text, name
    for name, value in HIDDEN.items():
        assert value not in text + done.stdout + done.stderr
        assert f"{name}: {{required: true}}  # looks like a credential" in text


def test_a_token_beside_a_referenced_password_is_still_a_plain_secret(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    env = {"API_KEY": KEY_IN_QUERY, "DATABASE_URL": PASSWORD_IN_QUERY, "X": "p"}
    done, findings = _only_required(make_sandbox, tmp_path, env)
    warned = {f["target"] for f in findings if f["rule"] == "env.plaintext_secret"}
    assert warned == {"env.API_KEY", "env.DATABASE_URL"}, findings
    assert "AbCdEf0123456789XyZ" not in done.stdout and "Sup3rS3cretPw0rd" not in done.stdout


CREDS_WORLD: dict[str, Any] = {
    "projects": {
        "acme": {
            "number": 111,
            "region": "us-central1",
            "secrets": {"tok": {"versions": ["fake-token-value-1234"]}},
            "services": {
                "creds": {
                    "template": {
                        "image": "img:1",
                        "env": {"API_TOKEN": "ghp_" + "a" * 36, "DSN": "redis://:pw-1234567@h"},
                    }
                }
            },
        }
    },
}


def test_a_plain_secret_is_masked_in_a_form_the_spec_names_in_every_format(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """SPEC "Findings": masked values are `***` or `*** (changed)`; a plain value where a
    reference is expected (API_TOKEN), or one shaped like a credential (DSN), was written
    `*** (plain value)`, a third form a consumer reads as a live value (revspec2 5). The
    message says it is a plain value."""
    sandbox = make_sandbox(CREDS_WORLD)
    (tmp_path / "e.yaml").write_text(
        "project: acme\nregion: us-central1\nservices:\n  creds:\n"
        "    env:\n      API_TOKEN: {secret: tok}\n      DSN: {required: true}\n"
    )
    outputs = {
        fmt: drift(
            "check", "e", "--profiles", str(tmp_path), "--format", fmt, env=sandbox.environ()
        ).stdout  # fmt: skip
        for fmt in ("table", "json", "github", "sarif", "markdown")
    }
    plain = [
        f for f in json.loads(outputs["json"])["findings"] if f["rule"] == "env.plaintext_secret"
    ]
    assert {(f["target"], f["actual"]) for f in plain} == {
        ("env.API_TOKEN", "***"),
        ("env.DSN", "***"),
    }
    assert all("plain value" in f["message"] for f in plain)
    assert [fmt for fmt, text in outputs.items() if "(plain value)" in text] == []
    assert [fmt for fmt, text in outputs.items() if "pw-1234567" in text or "ghp_" in text] == []


def test_a_plain_jwt_secret_is_shown_in_no_format(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A shared JWT secret pasted as a plain `LEGACY_JWT` (or passed as `?jwt=`), unexpected by
    the profile, which drift never read from Secret Manager: its name or key says what it is,
    in every format, the files `--output`/`--sarif` write, the step summary and the plans
    (revleak 2). `JWT_ISSUER` is shown."""
    live = {"MODE": "live", "LEGACY_JWT": JWT_VALUE, "WS_URL": f"wss://h/ws?jwt={JWT_VALUE}"}
    sandbox = make_sandbox(_scenario({**live, **NOT_JWT}))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "e.yaml").write_text(
        "project: p1\nregion: europe-west1\nservices:\n  api:\n    unexpected_env: warn\n"
        "    env:\n      MODE: live\n"
    )
    summary, out = tmp_path / "summary.md", tmp_path / "out"
    out.mkdir()
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    runs = [("check", "e", "--format", fmt) for fmt in ("table", "json", "sarif", "markdown")]
    runs += [
        ("check", "e", "--format", "github", "--sarif", str(out / "c.sarif")),
        ("check", "e", "--format", "json", "--output", str(out / "c.json")),
        ("check", "e", "--format", "markdown", "--output", str(out / "c.md")),
    ]
    runs += [("plan", "e", "--format", fmt) for fmt in ("table", "json", "gcloud", "yaml")]
    runs.append(("fix", "e", "--dry-run"))
    texts = {}
    for args in runs:
        done = drift(*args, "--profiles", str(profiles), "-v", env=env, cwd=tmp_path)
        texts[" ".join(args)], texts[" ".join(args) + " (stderr)"] = done.stdout, done.stderr
    texts.update({f.name: f.read_text() for f in out.iterdir()})
    texts["step summary"] = summary.read_text()
    assert len(texts) == 2 * len(runs) + 4 and "LEGACY_JWT" in texts["step summary"]
    report = json.loads(texts["check e --format json"])
    unexpected = {f["target"]: f["actual"] for f in report["findings"]}
    assert unexpected["env.LEGACY_JWT"] == "***"
    assert unexpected["env.WS_URL"] == "wss://h/ws?jwt=***"
    assert unexpected["env.JWT_ISSUER"] == NOT_JWT["JWT_ISSUER"]
    assert [where for where, text in texts.items() if JWT_VALUE in text] == []
