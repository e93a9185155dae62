"""Profiles for real service shapes: sidecars (`containers:`), mounted secrets (`mounts:`),
secrets in another project, tagged revisions (`check_tags`, `probe.tag`), `expiry_warning`,
settings given as patterns, quantities in every form Cloud Run accepts — and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ProfileError
from drift.profiles.loader import load_profile
from drift.refs import SecretRef
from tests.profiles.conftest import WriteProfile

SHAPES = """
project: acme-prod
region: us-central1
check_tags: [e2e]
expiry_warning: 2w
defaults:
  env:
    ENVIRONMENT: prod
services:
  chat:
    container: app
    settings:
      image: {pattern: "chat:v4"}
      memory: 512Mi
      cpu: "0.5"
    env:
      PARTNER: {secret: partner-api-key, project: acme-shared}
      FULL: {secret: projects/600000000002/secrets/x, version: "2"}
    mounts:
      /etc/tls/: {secret: tls-cert, version: "3"}
    containers:
      otel-collector:
        env:
          OTEL_TOKEN: {secret: otel-token}
        mounts:
          /etc/otel: {secret: otel-config, optional: true}
    probe: {websocket: /ws, tag: e2e}
  web:
    check_tags: none
    expiry_warning: 7
ignore:
  - {service: chat, mount: /etc/tls, container: app, tag: e2e, reason: "rotating"}
"""


def test_every_new_key_is_read(write: WriteProfile, profiles_dir: Path) -> None:
    write("prod", SHAPES)
    profile = load_profile(profiles_dir, "prod")
    chat, web = profile.services["chat"], profile.services["web"]
    assert chat.env["PARTNER"].ref == SecretRef("partner-api-key", "latest", "acme-shared")
    assert chat.env["FULL"].ref == SecretRef("x", "2", "600000000002")
    assert chat.mounts["/etc/tls"].ref == SecretRef("tls-cert", "3")  # trailing / dropped
    side = chat.sidecars["otel-collector"]
    assert side.env["OTEL_TOKEN"].ref == SecretRef("otel-token")
    assert side.mounts["/etc/otel"].optional and "ENVIRONMENT" not in side.env
    assert chat.check_tags == ("e2e",) and web.check_tags == "none"
    assert chat.expiry_warning == 14 and web.expiry_warning == 7
    assert chat.settings["image"].pattern == "chat:v4"
    assert chat.settings["memory"].value == str(512 * 2**20)
    assert chat.settings["cpu"].value == "500m"
    assert chat.probe is not None and chat.probe.tag == "e2e"
    [ignore] = profile.ignores
    assert (ignore.target, ignore.container, ignore.tag) == ("mount./etc/tls", "app", "e2e")


def test_a_sidecar_rule_replaces_the_inherited_one_whole(
    write: WriteProfile, profiles_dir: Path
) -> None:
    write("prod", SHAPES)
    write(
        "e2e",
        "extends: prod\nservices:\n  chat:\n    containers:\n      otel-collector:\n"
        "        env:\n          OTEL_TOKEN: {secret: otel-token-e2e}\n"
        "    mounts:\n      /etc/tls: null\n",
    )
    chat = load_profile(profiles_dir, "e2e").services["chat"]
    assert chat.sidecars["otel-collector"].env["OTEL_TOKEN"].ref == SecretRef("otel-token-e2e")
    assert chat.mounts == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "      memory: 512ki\n",
            "profiles/prod.yaml:6: services.api.settings.memory: not a memory quantity: '512ki' "
            "(write e.g. 512Mi or 1Gi; suffixes are case-sensitive",
        ),
        (
            "      cpu: 1.0001\n",
            "profiles/prod.yaml:6: services.api.settings.cpu",
        ),
    ],
)
def test_quantities_are_checked_where_written(
    write: WriteProfile, profiles_dir: Path, text: str, expected: str
) -> None:
    write("prod", "project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n" + text)
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "prod")
    assert any(str(p).startswith(expected) for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("    env:\n      A: {project: other}\n", "project needs secret"),
        (
            "    env:\n      A: {secret: projects/p1/secrets/x, project: p2}\n",
            "give the project once",
        ),
        ("    mounts:\n      etc/tls: {secret: x}\n", "not an absolute mount path"),
        ("    mounts:\n      /etc/creds/../tls: {secret: x}\n", "has a '.' or '..' segment"),
        ("    mounts:\n      /etc/./tls: {secret: x}\n", "has a '.' or '..' segment"),
        ("    mounts:\n      /etc/tls/..: {secret: x}\n", "has a '.' or '..' segment"),
        ("    mounts:\n      /etc/tls: {version: '2'}\n", "secret"),
        ("    check_tags: some\n", "check_tags"),
        ("    expiry_warning: soon\n", "expiry_warning is a number of days"),
        ("    container: app\n    containers:\n      app: {}\n", "give its rules under env"),
    ],
)
def test_bad_shapes_name_the_line(
    write: WriteProfile, profiles_dir: Path, block: str, expected: str
) -> None:
    write("prod", "project: p\nregion: us-central1\nservices:\n  api:\n" + block)
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "prod")
    problems = [str(p) for p in caught.value.problems]
    assert any(expected in p and p.startswith("profiles/prod.yaml:") for p in problems), problems
