"""Manifest test helpers: the sample manifests, and reading one from text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.errors import InputError
from drift.manifest.files import parse
from drift.manifest.model import Manifest
from tests.cliutil import REPO, drift

DATA = REPO / "tests" / "data" / "manifest"
CHAT = DATA / "chat.service.yaml"
WEB = DATA / "web.service.yaml"
JOB = DATA / "export.job.yaml"
PLAN = DATA / "plan.json"
PROFILES = DATA / "profiles"
SERVICE_API = (
    "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: api\n"
    "spec:\n  template:\n"
)
"""A Knative Service api down to its template's line (its metadata, its spec follow)."""
ANNOTATED = SERVICE_API + "    metadata:\n      annotations:\n"
"""SERVICE_API and its template's annotations' line: the annotations follow (indent 8)."""
APP_AND_PROXY = """\
    spec:
      containers:
      - name: app
        image: gcr.io/acme/api:1
        ports:
        - containerPort: 8080
      - name: proxy
        image: gcr.io/acme/proxy:1
"""
"""A template's spec (after ANNOTATED's annotations): ingress container app (port 8080) and a
sidecar proxy, its last line proxy's image (its settings may follow)."""
LOCATED_API = (
    "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: api\n"
    "  labels: {cloud.googleapis.com/location: us-central1}\nspec:\n  template:\n    spec:\n"
)
"""A Knative Service api in us-central1 (its location label) down to its template's spec's
line: the template's spec follows (indent 6)."""
JOB_CONTAINERS = (
    "spec:\n  template:\n    spec:\n      template:\n        spec:\n          containers:\n"
)
"""A Knative Job's spec down to its task template's containers' line (indent 10 follows)."""
MINIMAL = (
    SERVICE_API
    + """\
    spec:
      containers:
      - image: gcr.io/acme/api:1
"""
)
"""The least a Knative Service export holds: service api, one container."""
PASSWORD = "hunter2-prod-password"
DB_PLAIN = f"""\
        env:
        - name: LOG_LEVEL
          value: INFO
        - name: DATABASE_URL
          value: postgres://app:{PASSWORD}@10.0.0.5/prod
"""
"""MINIMAL's container's env (after MINIMAL): LOG_LEVEL, and DATABASE_URL stated plain with
PASSWORD in it (a `valueFrom` may follow)."""
DB_SECRET_REF = """\
          valueFrom:
            secretKeyRef:
              name: chat-db-url
              key: latest
"""
"""A variable's `valueFrom`: secret chat-db-url, latest."""
DB_PROFILE = """\
project: acme-prod
region: us-central1
services:
  api:
    env:
      LOG_LEVEL: INFO
"""
"""Profile prod for api: LOG_LEVEL INFO, DATABASE_URL's rule follows (indent 6)."""
JOB_MINIMAL = (
    "apiVersion: run.googleapis.com/v1\nkind: Job\nmetadata:\n  name: migrate\n"
    + JOB_CONTAINERS
    + "          - image: gcr.io/acme/migrate:1\n"
)
"""The least a Knative Job holds: job migrate, one container (its task template's)."""


def read(text: str | bytes, name: str = "m.yaml") -> Manifest:
    """One manifest from text; its problems raise `InputError` as `load_manifests` does."""
    problems: list = []
    manifest = parse(name, text.encode() if isinstance(text, str) else text, problems)
    if problems:
        raise InputError(problems, kind="manifest")
    return manifest


def problems_of(text: str | bytes, name: str = "m.yaml") -> list[str]:
    with pytest.raises(InputError) as caught:
        read(text, name)
    return [str(p) for p in caught.value.problems]


def check_offline(tmp: Path, profile: str, *manifests: tuple[str, str]) -> Any:
    """`drift check prod -m NAME… --offline -f json`, with `profile` as prod's and each
    (NAME, TEXT) written in `tmp`."""
    folder = tmp / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "prod.yaml").write_text(profile)
    args = []
    for name, text in manifests:
        (tmp / name).write_text(text)
        args += ["-m", name]
    return drift(
        "check", "prod", "--profiles", str(folder), *args, "--offline", "-f", "json", cwd=tmp
    )


def findings_of(done: Any) -> set[tuple[str, str]]:
    """(rule, target) of every finding not ignored of a JSON report."""
    assert "Traceback" not in done.stderr, done.stderr
    doc = json.loads(done.stdout)
    return {(f["rule"], f["target"]) for f in doc["findings"] if not f["ignored"]}


@pytest.fixture
def data() -> Path:
    return DATA
