"""Manifest test helpers: the sample manifests, and reading one from text."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import InputError
from drift.manifest.files import parse
from drift.manifest.model import Manifest
from tests.cliutil import REPO

DATA = REPO / "tests" / "data" / "manifest"
CHAT = DATA / "chat.service.yaml"
WEB = DATA / "web.service.yaml"
JOB = DATA / "export.job.yaml"
PLAN = DATA / "plan.json"
PROFILES = DATA / "profiles"
MINIMAL = """\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - image: gcr.io/acme/api:1
"""
"""The least a Knative Service export holds: service api, one container."""


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


@pytest.fixture
def data() -> Path:
    return DATA
