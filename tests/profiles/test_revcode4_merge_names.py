"""revcode4 F1 (expected to FAIL on main): `extends` merges a workload's mappings key by key,
but `drift.profiles.loader._replaced_whole` decides "a variable's or a mount's rule" from the
second-to-last key alone (`path[-2] in ("env", "mounts")`). A service, job or worker pool NAMED
`env` or `mounts` (or a sidecar so named) then has its whole `settings`/`env`/`mounts` block
replaced by the child's instead of merged: the base's other rules vanish without a word, and
`drift check` stops checking them (Trust: an unchecked setting reads as clean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import load_profile
from tests.profiles.conftest import WriteProfile

BASE = """
services:
  {name}:
    settings:
      cpu: 1000m
      memory: 512Mi
    env:
      DATABASE_URL: {{required: true}}
"""

CHILD = """
extends: base
project: acme-staging
region: us-central1
services:
  {name}:
    settings:
      memory: 1Gi
    env:
      LOG_LEVEL: info
"""


@pytest.mark.parametrize("name", ["api", "env", "mounts"])
def test_a_workload_named_env_merges_like_any_other(
    profiles_dir: Path, write: WriteProfile, name: str
) -> None:
    write("base", BASE.format(name=name))
    write("staging", CHILD.format(name=name))
    service = load_profile(profiles_dir, "staging").services[name]
    # the base's cpu and DATABASE_URL rules survive the child's override, as for `api`
    assert sorted(service.settings) == ["cpu", "memory"]
    assert sorted(service.env) == ["DATABASE_URL", "LOG_LEVEL"]


def test_a_sidecar_named_env_keeps_its_base_rules(profiles_dir: Path, write: WriteProfile) -> None:
    write(
        "base",
        """
        services:
          api:
            containers:
              env:
                env:
                  OTEL_ENDPOINT: {required: true}
        """,
    )
    write(
        "staging",
        """
        extends: base
        project: acme-staging
        region: us-central1
        services:
          api:
            containers:
              env:
                env:
                  OTEL_SAMPLING: "0.1"
        """,
    )
    sidecar = load_profile(profiles_dir, "staging").services["api"].sidecars["env"]
    assert sorted(sidecar.env) == ["OTEL_ENDPOINT", "OTEL_SAMPLING"]
