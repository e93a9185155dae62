"""A manifest that states one variable twice in a container (revman85 F1). The run v2 Container
holds `env` as a list (k8s.min.proto), and a YAML list or a Terraform `env` block keeps both
entries; drift read the container as a map, so the first entry was silently dropped: a plain
`DATABASE_URL=postgres://…:password@…` stated above the secret reference of the same name was
neither judged nor reported, and the check came out clean. Cloud Run refuses such a template
(the sandbox, `drift.sandbox.validate`: "duplicate name"), and whichever entry a runtime kept,
drift cannot tell: the manifest is refused at the second entry's line or JSON path, exit 2,
nothing checked, the value never shown. Each test failed before the fix."""

from __future__ import annotations

import copy
from pathlib import Path

from tests.manifest.conftest import (
    DB_PLAIN,
    DB_PROFILE,
    DB_SECRET_REF,
    JOB_MINIMAL,
    MINIMAL,
    PASSWORD,
    check_offline,
    problems_of,
)
from tests.manifest.plans import API_ONLY, known_api, plan
from tests.manifest.plans import check_offline as check_plan_offline

TWICE = MINIMAL + DB_PLAIN + "        - name: DATABASE_URL\n" + DB_SECRET_REF
PROFILE = DB_PROFILE + "      DATABASE_URL: {secret: chat-db-url}\n"


def test_a_variable_stated_twice_in_a_knative_container_is_refused_at_its_line() -> None:
    [problem] = problems_of(TWICE)
    # line 15: the second `- name: DATABASE_URL`
    assert problem.startswith("m.yaml:15: spec.template.spec.containers.0.env.2.name: "), problem
    assert "DATABASE_URL" in problem and "twice" in problem and "line 13" in problem, problem
    assert PASSWORD not in problem


def test_check_of_a_knative_manifest_with_a_variable_stated_twice_exits_2(
    tmp_path: Path,
) -> None:
    done = check_offline(tmp_path, PROFILE, ("api.yaml", TWICE))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "api.yaml:15:" in done.stderr and "DATABASE_URL" in done.stderr, done.stderr
    assert PASSWORD not in done.stderr


def test_a_variable_stated_twice_in_a_job_or_a_sidecar_is_refused_too() -> None:
    job = JOB_MINIMAL + "            env:\n            - {name: TOKEN, value: a}\n"
    job += "            - {name: TOKEN, value: b}\n"
    [problem] = problems_of(job)
    assert "spec.template.spec.template.spec.containers.0.env.1.name" in problem, problem
    sidecar = (
        MINIMAL
        + """\
        ports:
        - containerPort: 8080
      - name: agent
        image: gcr.io/acme/agent:1
        env:
        - {name: TOKEN, value: a}
        - {name: OTHER, value: b}
        - {name: TOKEN, value: c}
"""
    )
    [problem] = problems_of(sidecar)
    assert "spec.template.spec.containers.1.env.2.name" in problem and "TOKEN" in problem


def test_one_name_in_two_containers_is_not_a_duplicate() -> None:
    two = (
        MINIMAL
        + """\
        ports:
        - containerPort: 8080
        env:
        - {name: TOKEN, value: a}
      - name: agent
        image: gcr.io/acme/agent:1
        env:
        - {name: TOKEN, value: b}
"""
    )
    from tests.manifest.conftest import read

    assert len(read(two).workloads) == 1


def test_a_variable_stated_twice_in_a_terraform_plan_is_refused_at_its_path(
    tmp_path: Path,
) -> None:
    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    second = copy.deepcopy(env[0])  # ENVIRONMENT
    second["value"] = PASSWORD
    env.append(second)
    data["resource_changes"] = [api]
    done = check_plan_offline(tmp_path, data, API_ONLY)
    assert done.returncode == 2, (done.stdout, done.stderr)
    where = f"resource_changes[0].change.after.template[0].containers[0].env[{len(env) - 1}].name"
    assert where in done.stderr and "ENVIRONMENT" in done.stderr, done.stderr
    assert "twice" in done.stderr and "env[0]" in done.stderr, done.stderr
    assert PASSWORD not in done.stderr
