"""Large synthetic scenarios for the benchmarks."""

from __future__ import annotations

from drift.sandbox.scenario_models import (
    Options,
    ProjectSpec,
    RevisionSpec,
    Scenario,
    SecretRef,
    SecretSpec,
    SecretVersionSpec,
    ServiceSpec,
    TemplateSpec,
)


def generate(
    *,
    services: int = 200,
    vars: int = 30,
    secret_refs: int = 10,
    secrets: int = 100,
    project: str = "bench-project",
    number: int = 100000000001,
    region: str = "us-central1",
    history: int = 1,
    seed: int = 0,
) -> Scenario:
    """A large synthetic scenario: `services` services with `vars` variables each, of which
    `secret_refs` reference one of `secrets` secrets (all accessible, all enabled)."""
    if secret_refs > vars:
        raise ValueError("secret_refs cannot exceed vars")
    if secret_refs and not secrets:
        raise ValueError("secret_refs needs at least one secret")
    accessors = [
        f"serviceAccount:svc-{i:04d}@{project}.iam.gserviceaccount.com" for i in range(services)
    ]
    secret_specs = {
        f"secret-{j:04d}": SecretSpec(
            versions=[SecretVersionSpec(value=f"fake-value-{j:04d}-" + "x" * 32)],
            iam={"roles/secretmanager.secretAccessor": accessors},
        )
        for j in range(secrets)
    }
    service_specs: dict[str, ServiceSpec] = {}
    for i in range(services):
        env: dict[str, str | SecretRef | None] = {}
        for k in range(vars):
            if k < secret_refs:
                env[f"SECRET_VAR_{k:02d}"] = SecretRef(secret=f"secret-{(i + k) % secrets:04d}")
            else:
                env[f"PLAIN_VAR_{k:02d}"] = f"value-{i}-{k}"
        template = TemplateSpec(
            env=env, service_account=accessors[i][len("serviceAccount:") :], concurrency=80
        )
        older = [RevisionSpec(env={"PLAIN_VAR_OLD": "1"}) for _ in range(history)]
        service_specs[f"svc-{i:04d}"] = ServiceSpec(template=template, history=older)
    spec = ProjectSpec(number=number, region=region, services=service_specs, secrets=secret_specs)
    return Scenario(options=Options(seed=seed), projects={project: spec})
