"""A Knative variable with both a plain `value` and a `valueFrom`, or a `valueFrom` without the
one source Cloud Run supports (revman85 F4). Cloud Run Admin API v1 EnvVar.valueFrom: "Source
for the environment variable's value. Only supports secret_key_ref. Cannot be used if value is
not empty." (and the run v2 EnvVar holds one of `value` and `value_source`, a oneof). drift
took the reference and passed over the plain value in silence (a password stated beside the
reference: neither judged nor shown, the check clean), and read a `valueFrom` with another
source (`configMapKeyRef`, "Not supported by Cloud Run"; a misspelt `secretKeyref`) as a plain
empty value. gcloud's deploy is refused: the manifest is refused at the variable's line, the
value never shown. Each test failed before the fix."""

from __future__ import annotations

from pathlib import Path

from tests.manifest.conftest import (
    DB_PLAIN,
    DB_PROFILE,
    DB_SECRET_REF,
    MINIMAL,
    PASSWORD,
    check_offline,
    problems_of,
)

BOTH = MINIMAL + DB_PLAIN + DB_SECRET_REF
PROFILE = DB_PROFILE + "      DATABASE_URL: {required: true}\n"


def test_a_value_beside_a_reference_is_refused_at_the_variables_line() -> None:
    [problem] = problems_of(BOTH)
    assert problem.startswith("m.yaml:13: spec.template.spec.containers.0.env.1"), problem
    assert "value" in problem and "valueFrom" in problem, problem
    assert PASSWORD not in problem


def test_check_of_a_value_beside_a_reference_exits_2(tmp_path: Path) -> None:
    done = check_offline(tmp_path, PROFILE, ("api.yaml", BOTH))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "api.yaml:13:" in done.stderr, done.stderr
    assert PASSWORD not in done.stderr + done.stdout


def test_a_value_from_another_source_than_a_secret_is_refused() -> None:
    for source in ("configMapKeyRef", "secretKeyref"):
        text = (
            MINIMAL
            + f"""\
        env:
        - name: DATABASE_URL
          valueFrom:
            {source}:
              name: chat-db-url
              key: latest
"""
        )
        [problem] = problems_of(text)
        assert problem.startswith("m.yaml:12: spec.template.spec.containers.0.env.0.valueFrom"), (
            problem
        )
        assert "secretKeyRef" in problem, problem


def test_an_empty_value_beside_a_reference_is_read_as_gcloud_exports_it() -> None:
    """`value: ''` is "empty": the reference is read (an export never writes both)."""
    from tests.manifest.conftest import read

    text = BOTH.replace(f"postgres://app:{PASSWORD}@10.0.0.5/prod", "''")
    (workload,) = read(text).workloads
    ref = workload.resource.template.containers[0].env[1].value_source.secret_key_ref
    assert (ref.secret, ref.version) == ("chat-db-url", "latest")


def test_a_plan_with_a_value_beside_a_reference_is_refused_at_its_path(tmp_path: Path) -> None:
    """The same in a Terraform plan: the run v2 EnvVar's `value` and `value_source` are one
    oneof (`values`), which the API takes one member of; filling both left the last one."""
    from tests.manifest.plans import API_ONLY, known_api, plan
    from tests.manifest.plans import check_offline as check_plan

    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    env.append(
        {
            "name": "DATABASE_URL",
            "value": f"postgres://app:{PASSWORD}@10.0.0.5/prod",
            "value_source": [{"secret_key_ref": [{"secret": "db-url", "version": "latest"}]}],
        }
    )
    data["resource_changes"] = [api]
    done = check_plan(tmp_path, data, API_ONLY)
    assert done.returncode == 2, (done.stdout, done.stderr)
    where = f"template[0].containers[0].env[{len(env) - 1}]"
    assert where in done.stderr and "value_source" in done.stderr, done.stderr
    assert PASSWORD not in done.stderr + done.stdout


def test_a_reference_to_no_version_is_not_verified_and_not_read(tmp_path: Path) -> None:
    """A `key` that is no version (`1/../latest`) is said so, as a bad secret name is: not
    sent to Secret Manager (helper-834 F6)."""
    import json

    text = (
        MINIMAL
        + DB_PLAIN.split("        - name: DATABASE_URL")[0]
        + (
            "        - name: DATABASE_URL\n"
            + DB_SECRET_REF.replace("key: latest", "key: 1/../latest")
        )
    )
    done = check_offline(tmp_path, PROFILE, ("api.yaml", text))
    reasons = [u["reason"] for u in json.loads(done.stdout)["unverified"]]
    said = (
        "the secret reference chat-db-url is at version '1/../latest', which is no secret version"
    )
    assert any(r.startswith(said) for r in reasons), reasons
