"""A plain value that is the public start or end of a structured secret (a DSN's host before
its password, a service account key's `{"type": "service_account",`, a PEM's END line, the
host that ends a URL) is no piece of it (README: a structured payload's piece is secret "only
where the structure says it is"): `check` shows it, `init --from-live` copies it, `plan
--format yaml` stays appliable (helper-746 F1: all masked, `{required: true}`, NOT
APPLIABLE). A DSN split in two whose halves meet inside its password stays masked everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from drift.sandbox import Sandbox
from tests.cliutil import drift

BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
PEM = f"-----BEGIN PRIVATE KEY-----\n{BODY}\n-----END PRIVATE KEY-----\n"
KEY = {"type": "service_account", "private_key_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}
SECRETS = {
    "dsn": "postgres://db.internal:5432/app?user=app&password=Xk9pQ2vLmN&sslmode=require",
    "partner": "https://svc:Tq7wZp3Rk1@api.partner-example.com",
    "sa": json.dumps({**KEY, "private_key": PEM}),
    "pem": PEM,
    "dsn2": "postgres://app:Hj4kL9pQ@10.0.0.3:5432/production",
}
PUBLIC = {
    "DB_BASE": "postgres://db.internal:5432",
    "SSL": "sslmode=require",
    "PARTNER_HOST": "api.partner-example.com",
    "SA_HEAD": '{"type": "service_account",',
    "PEM_TAIL": "-----END PRIVATE KEY-----",
    "DB_TAIL": "5432/production",
}
SPLIT = {"DSN_A": SECRETS["dsn2"][:18], "DSN_B": SECRETS["dsn2"][18:]}  # `…:Hj4` + `kL9pQ@…`
ACCOUNT = "api@acme.iam.gserviceaccount.com"


def _profile(service: str, names: list[str]) -> str:
    env = {f"S_{s.upper()}": {"secret": s, "min_length": 8} for s in SECRETS}
    env |= dict.fromkeys(names, "drifted")  # each value drifts: `check` shows it
    doc = {"project": "acme", "region": "us-central1", "services": {service: {"env": env}}}
    return yaml.safe_dump(doc)


def _world() -> dict[str, Any]:
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    refs = {f"S_{s.upper()}": {"secret": s} for s in SECRETS}
    secrets = {name: {"versions": [value], "iam": grant} for name, value in SECRETS.items()}
    services = {
        name: {"template": {"service_account": ACCOUNT, "env": {**refs, **values}}}
        for name, values in (("api", PUBLIC), ("web", SPLIT))
    }
    return {"projects": {"acme": {"number": 1, "secrets": secrets, "services": services}}}


def test_public_ends_of_structured_secrets_are_shown_and_copied_halves_are_not(
    tmp_path: Path,
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "public.yaml").write_text(_profile("api", list(PUBLIC)))
    (profiles / "split.yaml").write_text(_profile("web", list(SPLIT)))
    with Sandbox(_world()) as sandbox:

        def run(*args: str) -> str:
            done = drift(*args, "--profiles", str(profiles), env=sandbox.environ(), cwd=tmp_path)
            assert "Traceback" not in done.stderr, done.stderr
            return done.stdout + done.stderr

        shown = json.loads(run("check", "public", "--format", "json"))["findings"]
        plan = run("plan", "public", "--format", "yaml")
        hidden = json.loads(run("check", "split", "--format", "json"))["findings"]
        texts = {f"check {f}": run("check", "split", "--format", f) for f in ("table", "github")}
        texts["plan"] = run("plan", "split", "--format", "yaml")
        texts["init"] = run(
            "init", "new", "--from-live", "--project", "acme", "--region", "us-central1"
        )
        copied = yaml.safe_load((profiles / "new.yaml").read_text())
    actual = {f["target"]: f["actual"] for f in shown if f["target"].startswith("env.")}
    assert actual == {f"env.{name}": value for name, value in PUBLIC.items()}
    assert "NOT APPLIABLE" not in plan and "driftNotAppliable" not in plan, plan
    env = copied["services"]["api"]["env"]
    assert {name: env[name] for name in PUBLIC} == PUBLIC
    assert {
        f["target"]: f["actual"] for f in hidden if f["target"] in ("env.DSN_A", "env.DSN_B")
    } == {
        "env.DSN_A": "***",
        "env.DSN_B": "***",
    }
    texts["init"] += json.dumps(copied["services"]["web"])
    leaked = {where: [h for h in SPLIT.values() if h in text] for where, text in texts.items()}
    assert {where: halves for where, halves in leaked.items() if halves} == {}
