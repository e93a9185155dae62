"""A service with a story in its revisions, against the sandbox: a variable a CI service
account removed three deploys ago, a secret repointed in env and in a mounted volume, a
setting changed, a sidecar's variable changed, traffic split with a tag, and values that must
never be shown (secret markers, plain credentials, a plain value the profile wants secret)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.test_since import API_KEEP

CI = "ci-deployer@acme.iam.gserviceaccount.com"
SECRET_MARK = "histmark"
PLAIN_MARK = "plainhist"
API_TOKEN = f"ghp_{PLAIN_MARK}0123456789abcdefghijklmnopq"  # a GitHub token's shape
DATABASE_URL = f"postgresql://app:{PLAIN_MARK}pw42@10.0.0.5:5432/app"
SESSION_SEED = f"{PLAIN_MARK}-seed-quartzfjord"  # harmless name: masked as the profile wants
# a secret there; letters and `-` only, a single word the final scrub (`redact.scrub`) leaves
# alone: history's own masking of the data is what hides it, and its copy in SEED_COPY
HOSTILE = "json\x1b[2K\x1b]52;c;aGk=\x07\nforged row"
SECRETS = {
    name: [f"{SECRET_MARK}-{name}-v{n}-4e5f6a7b8c9d" for n in (1, 2)]
    for name in ("db-pass", "session-seed", "creds")
}
PLAIN = (API_TOKEN, DATABASE_URL, SESSION_SEED)


def unescaped(markdown: str) -> str:
    """Markdown as it reads (`PERMISSION\\_DENIED` -> `PERMISSION_DENIED`)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _containers(level: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "app",
            "image": "img/app:1",
            "ports": [{"containerPort": 8080}],
            "volumeMounts": [{"name": "creds", "mountPath": "/etc/creds"}],
        },
        {
            "name": "otel",
            "image": "otel/collector:0.104.0",
            "env": [{"name": "OTEL_LEVEL", "value": level}],
        },
    ]


def _volumes(version: str) -> list[dict[str, Any]]:
    items = [{"path": "key.json", "version": version}]
    return [{"name": "creds", "secret": {"secret": "creds", "items": items}}]


def scenario() -> dict[str, Any]:
    # the current template; each history entry says how an older revision differed from it
    template = {
        "containers": _containers("debug"),
        "volumes": _volumes("2"),
        "image": "img/app:2",
        "timeout": "600s",
        "service_account": "api@acme.iam.gserviceaccount.com",
        "env": {
            "KEEP": "k",
            "DB_PASSWORD": {"secret": "db-pass", "version": "2"},
            "SESSION_SEED": {"secret": "session-seed"},
            "API_TOKEN": API_TOKEN,
            "LOG_FORMAT": HOSTILE,
        },
    }
    first = {"image": "img/app:1", "timeout": "300s", "containers": _containers("info")}
    first["volumes"] = _volumes("1")
    old_env = {
        "DB_PASSWORD": {"secret": "db-pass", "version": "1"},
        "SESSION_SEED": SESSION_SEED,
        "SEED_COPY": SESSION_SEED,
        "DATABASE_URL": DATABASE_URL,
        "API_TOKEN": None,
        "LOG_FORMAT": "json",
    }
    history = [
        {**first, "env": {**old_env, "REMOVED": "x"}, "created": "70d",
         "creator": "alice@acme.example", "client": "gcloud", "client_version": "460.0.0"},
        {**first, "env": old_env, "created": "50d", "creator": CI, "client": "gcloud",
         "client_version": "465.0.0"},
        {**first, "volumes": _volumes("2"),
         "env": {**old_env, "DB_PASSWORD": {"secret": "db-pass", "version": "2"},
                 "SESSION_SEED": {"secret": "session-seed"}, "DATABASE_URL": None},
         "created": "30d", "creator": "bob@acme.example", "client": "cloud-console"},
        {"containers": _containers("info"), "env": {"API_TOKEN": None, "LOG_FORMAT": "json"},
         "created": "10d", "creator": CI, "client": "gcloud", "client_version": "466.0.0"},
    ]  # fmt: skip
    grant = {
        "roles/secretmanager.secretAccessor": ["serviceAccount:api@acme.iam.gserviceaccount.com"]
    }
    return {
        "options": {"seed": 5},
        "projects": {
            "acme": {
                "number": 111,
                "region": "us-central1",
                "secrets": {
                    name: {"versions": values, "iam": grant} for name, values in SECRETS.items()
                },
                "services": {
                    "api": {
                        "template": template,
                        "history": history,
                        "client": "gcloud",
                        "client_version": "467.0.0",
                        "traffic": [
                            {"latest": True, "percent": 90},
                            {"revision": 4, "percent": 10},
                            {"revision": 3, "percent": 0, "tag": "e2e"},
                        ],
                    },
                    "other": {
                        "template": {"image": "img/other:2", "env": {"A": "2"}},
                        "history": [{"image": "img/other:1", "env": {"A": "1"}}],
                    },
                },
            }
        },
    }


PROFILE = (
    "\n"
    + API_KEEP
    + """\
      SESSION_SEED: {secret: session-seed}
      DB_PASSWORD: {secret: db-pass, version: "2"}
    containers:
      otel:
        env:
          OTEL_LEVEL: info
  other:
    env:
      A: "2"
"""
)

GHOST = """
project: acme
region: us-central1
services:
  other: {}
  ghost: {}
"""


@pytest.fixture(scope="module")
def history_world() -> Iterator[Sandbox]:
    with Sandbox(scenario()) as sandbox:
        yield sandbox


@pytest.fixture
def world(
    history_world: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    """The sandbox reset, its variables set, and `profiles/` (prod, ghost) in the cwd."""
    history_world.reset()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(textwrap.dedent(PROFILE))
    (tmp_path / "profiles" / "ghost.yaml").write_text(textwrap.dedent(GHOST))
    for key in [k for k in __import__("os").environ if k.startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    for key, value in history_world.environ().items():
        monkeypatch.setenv(key, value)
    yield history_world
