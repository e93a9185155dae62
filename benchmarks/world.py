"""The benchmark's world: a generated sandbox scenario of a given size and the profile that
describes it exactly (so the check is clean and reads everything)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drift.sandbox import Scenario

ENVIRONMENT = "perf"
VARS = 30
SECRET_REFS = 10
SECRETS = 100
VALUE_RULES = 20  # services whose first secret reference carries a min_length rule


def scenario(services: int) -> Scenario:
    """`services` services of VARS variables, SECRET_REFS of them secret references to SECRETS
    distinct secrets."""
    from drift.sandbox import generate

    return generate(services=services, vars=VARS, secret_refs=SECRET_REFS, secrets=SECRETS)


def write_profile(scenario: Scenario, directory: Path, value_rules: int = VALUE_RULES) -> Path:
    """One service block per generated service with every variable it runs with (plain values
    exactly, secret references by name), its service account, and `min_length` on the first
    secret reference of the first `value_rules` services (so values are read and counted)."""
    from drift.sandbox.scenario_models import SecretRef

    ((project, spec),) = scenario.projects.items()
    lines = [f"project: {project}", f"region: {spec.region}", "services:"]
    for index, (name, service) in enumerate(spec.services.items()):
        template = service.template
        lines += [f"  {name}:", "    unexpected_env: error"]
        if template.service_account:
            lines += ["    settings:", f"      service_account: {template.service_account}"]
        lines.append("    env:")
        first_secret = True
        for var, value in (template.env or {}).items():
            if isinstance(value, SecretRef):
                rule = f"secret: {value.secret}, version: {json.dumps(value.version)}"
                if first_secret and index < value_rules:
                    rule += ", min_length: 16"
                first_secret = False
                lines.append(f"      {var}: {{{rule}}}")
            elif value is not None:
                lines.append(f"      {var}: {json.dumps(value)}")
    path = directory / f"{ENVIRONMENT}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path
