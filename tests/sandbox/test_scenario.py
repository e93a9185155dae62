"""Scenario files: `file:line` errors, the default scenario against `profiles/`, and the
generated scenarios the benchmarks use."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from drift.errors import InputError
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox, generate, load_scenario
from drift.sandbox.scenario import scenario_from_data
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.sandbox import jobworld
from tests.sandbox.helpers import PROJECT

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
projects:
  demo:
    number: 123
    secrets:
      token:
        versions: [fake-token-value-0000000000]
        aliases: {current: 1}
    services:
      app:
        template:
          env:
            MODE: live
            TOKEN: {secret: token}
        history:
          - env: {MODE: old}
        traffic:
          - {revision: 1, percent: 10}
          - {latest: true, percent: 90, tag: next}
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(InputError) as raised:
        load_scenario(path)
    prefix = f"{path}:"
    lines = [str(p) for p in raised.value.problems]
    assert all(line.startswith(prefix) for line in lines)
    return [line[len(prefix) :] for line in lines]


def test_a_good_scenario_loads(tmp_path: Path, make_sandbox: MakeSandbox) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(GOOD)
    sandbox = make_sandbox(load_scenario(path))
    app = sandbox.service("demo", "app")
    assert [(s.percent, s.tag) for s in app.traffic_statuses] == [(10, ""), (90, "next")]
    assert app.traffic_statuses[0].revision.startswith("app-00001-")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("        template:", "        templte:"),
            "10: unknown key 'templte' (did you mean 'template'?)",
        ),
        (
            GOOD.replace("number: 123", "number: many"),
            "3: projects.demo.number: Input should be a valid integer",
        ),
        (
            GOOD.replace(
                "            MODE: live\n", "            MODE: live\n            MODE: dup\n"
            ),
            '13: invalid YAML: duplicate key "MODE"',
        ),
        (GOOD.replace("percent: 90", "percent: 80"), "16: traffic percents add up to 90, not 100"),
        (GOOD.replace("revision: 1,", "revision: 7,"), "17: revision 7 does not exist (1..2)"),
        (GOOD.replace("current: 1", "current: 4"), "7: alias 'current' points at version 4"),
        # Secret.version_aliases (secretmanager v1 resources.proto): "An alias string must
        # start with a letter and cannot be the string 'latest' or 'NEW'", 63 characters at
        # most: an alias "2" would stand in for version 2 in every name
        (GOOD.replace("current: 1", "'2': 1"), "7: alias '2' is not a version alias"),
        (GOOD.replace("current: 1", "latest: 1"), "7: alias 'latest' is not a version alias"),
        (GOOD.replace("current: 1", "NEW: 1"), "7: alias 'NEW' is not a version alias"),
        (GOOD.replace("current: 1", "_x: 1"), "7: alias '_x' is not a version alias"),
        (GOOD.replace("current: 1", f"a{'b' * 63}: 1"), f"7: alias 'a{'b' * 63}' is not"),
        (
            GOOD + "faults:\n  - {method: GetServce}\n",
            "20: faults.0.method: unknown method 'GetServce' (did you mean 'GetService'?)",
        ),
        (
            GOOD.replace("TOKEN: {secret: token}", "TOKEN: {secrt: token}"),
            "13: unknown key 'secrt'",
        ),
        ("- just\n- a list\n", "1: a scenario is a mapping"),
    ],
)
def test_bad_scenarios_get_file_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    found = problems_of(tmp_path, text)
    assert any(line.startswith(expected) for line in found), found


def test_plain_data_errors_are_input_errors() -> None:
    with pytest.raises(InputError, match=r"<scenario>:1: unknown key 'project'"):
        scenario_from_data({"project": {}})


def test_default_scenario_matches_the_profiles_except_the_deliberate_drift(
    sandbox: Sandbox,
) -> None:
    profile = load_profile(REPO / "profiles", "e2e")
    assert profile.project == PROJECT
    drift: set[str] = set()
    for name, expected in profile.services.items():
        service = sandbox.service(profile.project, name, region=profile.region)
        container = service.template.containers[0]
        live = {var.name: var for var in container.env}
        for var, rule in expected.env.items():
            if rule.forbidden:
                if var in live:
                    drift.add(f"{name}.{var} forbidden")
                continue
            if var not in live:
                if rule.must_exist:
                    drift.add(f"{name}.{var} missing")
                continue
            if rule.secret is not None:
                ref = live[var].value_source.secret_key_ref
                assert ref.secret == rule.secret, (name, var)
                assert rule.version in ("latest", ref.version), (name, var)
            elif rule.value is not None and live[var].value != rule.value:
                drift.add(f"{name}.{var} value")
        unexpected = set(live) - set(expected.env)
        drift.update(f"{name}.{var} unexpected" for var in unexpected)
        settings = expected.settings
        template = service.template
        if "timeout" in settings:
            assert f"{template.timeout.total_seconds():g}s" == settings["timeout"].value
        if "service_account" in settings:
            assert template.service_account == settings["service_account"].value
        if "max_instances" in settings:
            assert template.scaling.max_instance_count == settings["max_instances"].value
        if "cpu_throttling" in settings:
            assert container.resources.cpu_idle == settings["cpu_throttling"].value
    assert drift == {
        "api.TESTING forbidden",
        "api.E2E_OAUTH_SIMULATION_KEY missing",
        "api.E2E_TEST_MODE missing",
        "api.JWT_SECRET_STAGING missing",
        "auth.E2E_OAUTH_SIMULATION_KEY missing",
        "auth.E2E_TEST_MODE missing",
        "web.NEXT_PUBLIC_WS_URL value",
        "web.NEXT_TELEMETRY_DISABLED unexpected",
    }
    assert len(sandbox.secret_value(PROJECT, "secret-key-staging", "3")) >= 32


def test_generated_scenario_at_benchmark_scale(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    # how long it takes to start is `make bench`'s to say, not a test's (a loaded machine)
    scenario = generate(services=200, vars=30, secret_refs=10, secrets=100)
    sandbox = make_sandbox(scenario)
    services = list(
        clients_for(sandbox).services.list_services(
            parent="projects/bench-project/locations/us-central1"
        )
    )
    assert len(services) == 200
    assert all(len(s.template.containers[0].env) == 30 for s in services)
    assert all(s.latest_ready_revision == s.latest_created_revision for s in services)


BIG = {"BIG": "x" * 32_769}
IMAGE = {"image": "us-docker.pkg.dev/lab/app:v1"}
SEEDS = {  # what a scenario seeds, where its error says it is
    "service": (lab_world(template={**IMAGE, "env": BIG}), f"{LAB}.services.app.template"),
    "history": (
        lab_world(template=IMAGE, history=[{"env": BIG}]),
        f"{LAB}.services.app.history[0]",
    ),
    "job": (
        jobworld.world(jobs={"job": {"template": {**IMAGE, "env": BIG}}}, pools={}),
        "p.jobs.job.template",
    ),
    "pool": (
        jobworld.world(jobs={}, pools={"pool": {"template": {**IMAGE, "env": BIG}}}),
        "p.worker_pools.pool.template",
    ),
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_a_seeded_env_value_over_cloud_runs_limit_is_a_scenario_error(
    make_sandbox: MakeSandbox, seed: str
) -> None:
    """revci61 F5: "the maximum length is 32768 bytes" (run v2 EnvVar.value) held for writes
    only; a scenario seeded values no revision could hold, for the tests of size limits to
    rest on. Each kind of seed is refused alike, naming where."""
    data, where = SEEDS[seed]
    with pytest.raises(InputError) as caught:
        make_sandbox(data)
    (problem,) = caught.value.problems
    assert f"projects.{where}: " in str(problem)
    assert "env: value of 'BIG' is over 32768 bytes" in str(problem)


def test_a_seeded_secret_over_secret_managers_limit_is_a_scenario_error() -> None:
    """SecretPayload.data: "The secret data. Must be no larger than 64KiB." (secretmanager v1
    resources.proto), as AddSecretVersion already refused: a seeded version no real secret
    could hold is refused alike (helper-518: a 1 MiB one made a check take minutes, on data
    Secret Manager never serves). 64 KiB itself is a secret."""
    data = jobworld.world()
    secrets = data["projects"]["p"]["secrets"]
    secrets["fits"] = {"versions": ["é" * (32 * 1024)]}  # 65,536 bytes in UTF-8
    scenario_from_data(data)
    secrets["big"] = {"versions": ["x", "A" * (64 * 1024 + 1)]}
    with pytest.raises(InputError) as caught:
        scenario_from_data(data)
    (problem,) = caught.value.problems
    assert "projects.p.secrets.big.versions.1.value: " in str(problem)
    assert "a secret payload is at most 64 KiB (65,536 bytes); this one is 65,537" in str(problem)


SIDE = {"name": "side", "image": "us-docker.pkg.dev/lab/side:v1"}
MAIN = {"name": "app", **IMAGE, "ports": [{"containerPort": 8080}]}
SHAPES = {  # a template no write could make, and what the write refuses it with
    "two-ingress": (
        {"containers": [MAIN, {**SIDE, "ports": [{"containerPort": 9090}]}]},
        "exactly one container must have a port",
    ),
    "same-names": ({"containers": [MAIN, {**SIDE, "name": "app"}]}, "containers need distinct"),
    "same-variable": (
        {
            "containers": [
                {**MAIN, "env": [{"name": "A", "value": "x"}, {"name": "A", "value": "y"}]}
            ]
        },
        "env",
    ),
    "reserved": (
        {"containers": [{**MAIN, "env": [{"name": "K_SERVICE", "value": "x"}]}]},
        "K_SERVICE",
    ),
    "no-volume": (
        {"containers": [{**MAIN, "volumeMounts": [{"name": "creds", "mountPath": "/etc/c"}]}]},
        "no volume named 'creds'",
    ),
    "depends-on": (
        {"containers": [MAIN, {**SIDE, "dependsOn": ["nothing"]}]},
        "no other container named 'nothing'",
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("where", ["template", "history"])
def test_a_seeded_template_no_write_could_make_is_a_scenario_error(
    make_sandbox: MakeSandbox, shape: str, where: str
) -> None:
    """helper-608 F3: seeds were held to the values' rules alone, so a scenario could seed
    two ingress containers, one variable twice or a mount of no volume — states Google cannot
    produce, on which drift read one of two values silently. Each is refused as the write
    refuses it, naming where."""
    template, words = SHAPES[shape]
    data = (
        lab_world(template=template)
        if where == "template"
        else lab_world(template={"containers": [MAIN]}, history=[template])
    )
    with pytest.raises(InputError) as caught:
        make_sandbox(data)
    (problem,) = caught.value.problems
    at = "template" if where == "template" else "history[0]"
    assert f"projects.{LAB}.services.app.{at}: " in str(problem), problem
    assert words in str(problem), problem
