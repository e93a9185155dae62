"""Generated profiles of any size, for the YAML parsing benchmark and the tests.

`profile_text(services, variables)` writes a valid profile in the style `drift init` and
people write: a settings block, plain values (quoted and not), secret references, rule
mappings in flow style, lists, comments, and an `ignore` list with dates. About
`variables + 10` lines per service: 200 x 30 is an ~8,000-line profile, 1,000 x 30 a
~40,000-line one. Importable from the repository root (`tests.profiles.generate`).
"""

from __future__ import annotations

__all__ = ["profile_text"]

_SETTINGS = (
    "      timeout: {timeout}s",
    "      min_instances: {min}",
    "      max_instances: {max}",
    "      cpu_throttling: {throttle}",
    "      memory: 512Mi",
    "      service_account: svc-{index:04d}@acme-staging.iam.gserviceaccount.com",
)


def _rule(index: int, var: int) -> str:
    """One variable's rule, cycling through the forms a profile uses."""
    name = f"VAR_{var:02d}_{index % 7}"
    match var % 10:
        case 0:
            return f"      {name}: {{secret: secret-{index:04d}-{var}, version: latest}}"
        case 1:
            return f'      {name}: "https://svc-{index:04d}.example.com/api/v{var}"'
        case 2:
            return f"      {name}: {{required: true, not: [localhost, 127.0.0.1]}}"
        case 3:
            return f'      {name}: {{pattern: "^[a-z0-9-]+$", severity: warning}}'
        case 4:
            return f"      {name}: {{one_of: [INFO, WARNING, ERROR]}}  # log level"
        case 5:
            return f'      {name}: {{secret: key-{index:04d}, version: "{var}", min_length: 32}}'
        case 6:
            return f"      {name}: plain-value-{index}-{var}"
        case 7:
            return f"      {name}: '{index * 1000 + var}'"
        case 8:
            return f"      {name}: {{forbidden: true}}"
        case _:
            return f"      {name}: {{optional: true, pattern: '^[a-z,]*$'}}"


def profile_text(services: int = 200, variables: int = 30) -> str:
    """A valid profile with `services` services of `variables` variables each."""
    lines = [
        "# generated profile",
        "project: acme-staging",
        "region: us-central1",
        "defaults:",
        "  env:",
        "    ENVIRONMENT: staging",
        "  unexpected_env: warn",
        "services:",
    ]
    for index in range(services):
        lines.append(f"  svc-{index:04d}:")
        lines.append("    settings:")
        lines.extend(
            line.format(
                index=index,
                timeout=60 + index % 600,
                min=index % 3,
                max=10 + index % 90,
                throttle="true" if index % 2 else "false",
            )
            for line in _SETTINGS
        )
        lines.append("    env:")
        lines.extend(_rule(index, var) for var in range(variables))
        lines.append("    unexpected_env: warn")
    lines.append("ignore:")
    lines.extend(
        f"  - {{service: svc-{index:04d}, env: DEBUG, reason: OPS-{index}, until: 2030-12-31}}"
        for index in range(0, services, 10)
    )
    return "\n".join(lines) + "\n"
