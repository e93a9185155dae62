"""`extends` merges a workload's mappings key by key and replaces a variable's or a mount's
rule whole. Which is which is told by the place in the profile (`services.<name>.env.<VAR>`
is a rule; `services.env.settings` the settings of a service named `env`), never by a key's
name: a service, job or worker pool, or a sidecar, named `env` or `mounts` once had its whole
`settings`/`env`/`mounts` block replaced by the child's, and the base's other rules vanished
without a word (revcode4 F1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import load_profile
from tests.profiles.conftest import WriteProfile

BASE = """
{kind}:
  {name}:
    settings:
      cpu: 1000m
      memory: 512Mi
    env:
      DATABASE_URL: {{required: true}}
      LOG_LEVEL: {{value: debug, severity: warning}}
    mounts:
      /etc/a: {{secret: a}}
"""

CHILD = """
extends: base
project: acme-staging
region: us-central1
{kind}:
  {name}:
    settings:
      memory: 1Gi
    env:
      LOG_LEVEL: {{value: info}}
    mounts:
      /etc/b: {{secret: b}}
"""

KEYS = {"services": "{name}", "jobs": "job/{name}", "worker_pools": "worker_pool/{name}"}


@pytest.mark.parametrize("name", ["api", "env", "mounts", "settings", "containers"])
@pytest.mark.parametrize("kind", list(KEYS))
def test_a_workload_named_env_merges_like_any_other(
    profiles_dir: Path, write: WriteProfile, kind: str, name: str
) -> None:
    write("base", BASE.format(kind=kind, name=name))
    write("staging", CHILD.format(kind=kind, name=name))
    workload = load_profile(profiles_dir, "staging").services[KEYS[kind].format(name=name)]
    # the base's cpu, DATABASE_URL and /etc/a rules survive the child's override, as for `api`
    assert sorted(workload.settings) == ["cpu", "memory"]
    assert workload.settings["memory"].location.file.endswith("staging.yaml")
    assert sorted(workload.env) == ["DATABASE_URL", "LOG_LEVEL"]
    assert sorted(workload.mounts) == ["/etc/a", "/etc/b"]
    # and a variable's rule is still replaced whole: the base's severity is not inherited
    assert workload.env["LOG_LEVEL"].location.file.endswith("staging.yaml")
    assert workload.env["LOG_LEVEL"].severity != "warning"


@pytest.mark.parametrize("sidecar", ["env", "mounts", "otel"])
def test_a_sidecar_named_env_keeps_its_base_rules(
    profiles_dir: Path, write: WriteProfile, sidecar: str
) -> None:
    write(
        "base",
        f"""
        services:
          env:
            containers:
              {sidecar}:
                env:
                  OTEL_ENDPOINT: {{required: true}}
                  OTEL_SAMPLING: {{value: "0.5", severity: warning}}
                mounts:
                  /etc/a: {{secret: a}}
        """,
    )
    write(
        "staging",
        f"""
        extends: base
        project: acme-staging
        region: us-central1
        services:
          env:
            containers:
              {sidecar}:
                env:
                  OTEL_SAMPLING: {{value: "0.1"}}
                mounts:
                  /etc/b: {{secret: b}}
        """,
    )
    rules = load_profile(profiles_dir, "staging").services["env"].sidecars[sidecar]
    assert sorted(rules.env) == ["OTEL_ENDPOINT", "OTEL_SAMPLING"]
    assert sorted(rules.mounts) == ["/etc/a", "/etc/b"]
    assert rules.env["OTEL_SAMPLING"].severity != "warning"


def test_the_defaults_variables_merge_and_each_rule_is_replaced_whole(
    profiles_dir: Path, write: WriteProfile
) -> None:
    write(
        "base",
        """
        defaults:
          env:
            DATABASE_URL: {required: true}
            LOG_LEVEL: {value: debug, severity: warning}
        services:
          api: {}
        """,
    )
    write(
        "staging",
        """
        extends: base
        project: acme-staging
        region: us-central1
        defaults:
          env:
            LOG_LEVEL: {value: info}
        """,
    )
    api = load_profile(profiles_dir, "staging").services["api"]
    assert sorted(api.env) == ["DATABASE_URL", "LOG_LEVEL"]
    assert api.env["LOG_LEVEL"].severity != "warning"
